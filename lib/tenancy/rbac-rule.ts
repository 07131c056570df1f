import { describeValue, IValidator } from '../core/errors';
import { validateDnsSubdomain } from '../core/validation';
import { ALL_VERBS, ApiResource, Verb } from './api-resource';
import { constantName } from './constant-name';

/** One permission of a Role: these verbs on these resources (optionally only the named objects). */
export interface RbacRule {
  /** The resources, from the {@link ApiResource} catalog. */
  readonly resources: ApiResource[];
  /** The verbs; each must be served by every listed resource. */
  readonly verbs: Verb[];
  /**
   * Restrict the rule to objects with these names, for `get`, `update`, `patch` and `delete` (Kubernetes cannot
   * restrict `create` and `deletecollection` by name, and a named `list` or `watch` needs a field selector).
   * @default - every object of the resources in the namespace
   */
  readonly resourceNames?: string[];
}

/** A generated RBAC rule: one API group. */
export interface GroupRule {
  readonly apiGroup: string;
  readonly resources: string[];
  readonly verbs: Verb[];
  readonly resourceNames?: string[];
}

/** The API group of Roles, RoleBindings and of the people they bind. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Groups resources by API group: an RBAC rule's groups and resources combine as a cross product. */
export function rules(resources: ApiResource[], verbs: Verb[], resourceNames?: string[]): GroupRule[] {
  const groups = [...new Set(resources.map((r) => r.apiGroup))];
  return groups.map((apiGroup) => ({
    apiGroup,
    resources: resources.filter((r) => r.apiGroup === apiGroup).map((r) => r.resource),
    verbs: [...verbs],
    resourceNames: resourceNames && resourceNames.length > 0 ? [...resourceNames] : undefined,
  }));
}

/** The names of objects a rule or a persona names (`secrets[0]`...), checked as DNS subdomains. */
export function validateObjectNames(v: IValidator, prop: string, names: string[] | undefined): string[] {
  return (names ?? []).map((n, i) => validateDnsSubdomain(v, `${prop}[${i}]`, n));
}

/** Checks a user-given rule against the catalog and the library's RBAC policy. */
export function checkRule(v: IValidator, prop: string, rule: RbacRule): GroupRule[] {
  if (!rule || typeof rule !== 'object') v.fail(prop, 'must be an object with resources and verbs', rule);
  const catalog = ApiResource.all;
  const allowedResources = `one of the ApiResource constants (${catalog.map((r) => r.toString()).join(', ')})`;
  if (!Array.isArray(rule.resources) || rule.resources.length === 0) v.fail(`${prop}.resources`, `must list at least one resource, each ${allowedResources}`, rule.resources);
  if (!Array.isArray(rule.verbs) || rule.verbs.length === 0) v.fail(`${prop}.verbs`, `must list at least one verb (${ALL_VERBS.join(', ')})`, rule.verbs);
  rule.resources.forEach((resource, i) => checkResource(v, `${prop}.resources[${i}]`, resource, catalog, allowedResources));
  rule.verbs.forEach((verb, i) => checkVerb(v, `${prop}.verbs[${i}]`, verb, rule.resources));
  const names = rule.resourceNames ?? [];
  if (!Array.isArray(names)) v.fail(`${prop}.resourceNames`, 'must be a list of object names', names);
  validateObjectNames(v, `${prop}.resourceNames`, names);
  if (names.length > 0) checkVerbsByName(v, `${prop}.verbs`, rule.verbs);
  return rules(rule.resources, [...new Set(rule.verbs)], names);
}

/** A resource must be one of the catalog's constants; the message says why a look-alike is not. */
function checkResource(v: IValidator, prop: string, resource: ApiResource, catalog: ApiResource[], allowedResources: string): void {
  if (catalog.includes(resource)) return;
  const raw = resource as unknown as { apiGroup?: unknown; resource?: unknown } | string;
  const name = typeof raw === 'string' ? raw : raw?.resource;
  const group = typeof raw === 'string' ? undefined : raw?.apiGroup;
  if (name === '*' || group === '*' || (typeof name === 'string' && name.endsWith('/*'))) {
    v.fail(prop, `must not be a wildcard: name each resource, ${allowedResources}`, resource);
  }
  const sameName = catalog.find((r) => r.resource === name);
  if (sameName && group !== undefined && group !== sameName.apiGroup) {
    const where = (g: unknown) => (g === '' ? 'the core group (\'\')' : `API group ${describeValue(g)}`);
    const constant = constantName(ApiResource, sameName) ?? sameName.toString();
    v.fail(prop, `names '${sameName.resource}', which is in ${where(sameName.apiGroup)}, not ${where(group)}: use ApiResource.${constant}`, resource);
  }
  v.fail(prop, `must be ${allowedResources}`, resource);
}

/** A verb must be named (no wildcard), served by every resource of the rule, and never list Secrets. */
function checkVerb(v: IValidator, prop: string, verb: Verb, resources: ApiResource[]): void {
  const verbs = ALL_VERBS as string[];
  if (verb === '*' as Verb) v.fail(prop, `must not be a wildcard: name each verb (${verbs.join(', ')})`, verb);
  if (!verbs.includes(verb)) v.fail(prop, `must be a known verb (${verbs.join(', ')})`, verb);
  for (const resource of resources) {
    if (!resource.verbs.includes(verb)) v.fail(prop, `must be served by ${resource.toString()}, which allows ${resource.verbs.join(', ')}`, verb);
  }
  if (resources.includes(ApiResource.SECRETS) && [Verb.LIST, Verb.WATCH, Verb.DELETE_COLLECTION].includes(verb)) {
    v.fail(prop, 'must not list, watch or delete collections of Secrets (listing returns every Secret\'s data): grant get on named Secrets', verb);
  }
}

/** With resourceNames, only the verbs Kubernetes can restrict by name make sense. */
function checkVerbsByName(v: IValidator, prop: string, verbs: Verb[]): void {
  const unnamed = verbs.find((verb) => [Verb.CREATE, Verb.LIST, Verb.WATCH, Verb.DELETE_COLLECTION].includes(verb));
  if (unnamed) {
    const why = [Verb.CREATE, Verb.DELETE_COLLECTION].includes(unnamed)
      ? 'Kubernetes cannot restrict it by name'
      : 'it would allow only requests with a metadata.name field selector, which most clients do not send';
    v.fail(prop, `cannot include '${unnamed}' with resourceNames (${why}): use get, update, patch or delete`, verbs);
  }
}
