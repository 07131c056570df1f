// Platform check: every workload fits the ResourceQuota and LimitRange of its namespace (a team's, or any the app
// writes), one pod and all the pods that run together; LoadBalancer and NodePort Services only where the quota has
// room for them. Read from the manifests, so the library's workloads and the user's own are checked alike.
import { ContainerDefaults, formatAmount, mayHavePods, podResources, podSetsOf } from '../core/pod-sets';
import { describeObject, PlatformCheck, PlatformObject } from '../core/platform';
import { quantityToNumber } from '../core/validation';

/** A ResourceQuota of the app (without scopes: a scoped quota applies only to some pods, which is not known here). */
interface Quota {
  readonly o: PlatformObject;
  readonly hard: Record<string, number>;
}

/** What the app limits in one namespace. */
interface NamespaceLimits {
  readonly quotas: Quota[];
  defaults?: ContainerDefaults;
  defaultsFrom?: PlatformObject;
}

const amount = (q: unknown): number => (typeof q === 'number' ? q : quantityToNumber(String(q)));
const numbers = (map: Record<string, unknown> | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(map ?? {}).map(([k, q]) => [k, amount(q)]));

/** The ResourceQuotas and LimitRange container defaults of each namespace the app writes them to. */
function limitsByNamespace(objects: readonly PlatformObject[]): Map<string, NamespaceLimits> {
  const byNamespace = new Map<string, NamespaceLimits>();
  const of = (ns: string) => byNamespace.get(ns) ?? byNamespace.set(ns, { quotas: [] }).get(ns)!;
  for (const o of objects) {
    if (o.group !== 'core' || (o.kind !== 'ResourceQuota' && o.kind !== 'LimitRange')) continue;
    const spec = o.manifest().spec ?? {};
    if (o.kind === 'ResourceQuota' && spec.scopes === undefined && spec.scopeSelector === undefined) {
      of(o.namespace).quotas.push({ o, hard: numbers(spec.hard) });
    }
    const container = o.kind === 'LimitRange' ? (spec.limits ?? []).find((l: any) => l?.type === 'Container') : undefined;
    if (container) {
      const limits = of(o.namespace);
      limits.defaults = { default: numbers(container.default), defaultRequest: numbers(container.defaultRequest ?? container.default) };
      limits.defaultsFrom = o;
    }
  }
  return byNamespace;
}

/** The quota a MlRbac team sets it with, for the message. */
const TEAM_PROP: Record<string, string> = {
  'cpu': 'quota.cpu', 'memory': 'quota.memory', 'nvidia.com/gpu': 'quota.gpus', 'pods': 'quota.pods',
  'services.loadbalancers': 'quota.loadBalancers', 'services.nodeports': 'quota.nodePorts',
};

/** Who wrote the quota, and how to raise it when it is a team's. */
function quotaSource(q: Quota, key: string): string {
  const resource = key.replace(/^(requests|limits)\./, '');
  const prop = TEAM_PROP[resource] ?? (key.startsWith('requests.') ? 'quota.accelerators' : undefined);
  const how = q.o.owner.startsWith('MlRbac ') && prop !== undefined ? `; the team's ${prop} sets it` : '';
  return `the ResourceQuota '${q.o.name}' of ${q.o.owner} (${key}: ${formatAmount(resource, q.hard[key])}${how})`;
}

/** The quota keys that cap `resource` as a request or a limit. */
function keysOf(resource: string, kind: 'requests' | 'limits'): string[] {
  const bare = kind === 'requests' && ['cpu', 'memory', 'ephemeral-storage'].includes(resource) ? [resource] : [];
  return [`${kind}.${resource}`, ...bare];
}

/** A workload against the quotas of its namespace: one pod, then all its pods that run at once. */
function checkWorkload(o: PlatformObject, limits: NamespaceLimits): string[] {
  const sets = podSetsOf(o.manifest());
  if (sets.length === 0) return [];
  const messages: string[] = [];
  const total = { requests: new Map<string, number>(), limits: new Map<string, number>() };
  const tooBig = new Set<string>();
  let pods = 0;
  for (const set of sets) {
    const one = podResources(set.spec, limits.defaults);
    pods += set.count;
    for (const kind of ['requests', 'limits'] as const) {
      for (const [resource, value] of one[kind]) {
        total[kind].set(resource, (total[kind].get(resource) ?? 0) + value * set.count);
        for (const q of limits.quotas) {
          const key = keysOf(resource, kind).find((k) => q.hard[k] !== undefined && value > q.hard[k]);
          if (key === undefined || tooBig.has(resource)) continue;
          tooBig.add(resource);
          const verb = kind === 'requests' ? 'requests' : 'is limited to';
          messages.push(`${o.owner}: ${describeObject(o)} ${verb} ${formatAmount(resource, value)} ${resource} for one of its ${set.role}, more than ${quotaSource(q, key)}: the API server refuses the pod`);
        }
      }
    }
  }
  for (const q of limits.quotas) {
    if (q.hard.pods !== undefined && pods > q.hard.pods) messages.push(`${o.owner}: ${describeObject(o)} runs ${pods} pod${pods === 1 ? '' : 's'} at once, more than ${quotaSource(q, 'pods')}: ${pods === 1 ? 'the API server refuses the pod' : 'they can never all run'}`);
  }
  if (pods > 1) {
    for (const kind of ['requests', 'limits'] as const) {
      for (const [resource, value] of total[kind]) {
        for (const q of limits.quotas) {
          const key = keysOf(resource, kind).find((k) => q.hard[k] !== undefined && value > q.hard[k]);
          if (key === undefined || tooBig.has(resource)) continue;
          tooBig.add(resource);
          messages.push(`${o.owner}: ${describeObject(o)} runs ${pods} pods at once that together ${kind === 'requests' ? 'request' : 'are limited to'} ${formatAmount(resource, value)} ${resource}, more than ${quotaSource(q, key)}: they can never all run`);
        }
      }
    }
  }
  return messages;
}

/** A container that sets a request above the LimitRange's default limit and no limit of its own is refused. */
function checkDefaults(o: PlatformObject, limits: NamespaceLimits): string[] {
  if (limits.defaults === undefined) return [];
  const messages: string[] = [];
  for (const set of podSetsOf(o.manifest())) {
    for (const c of [...(set.spec.initContainers ?? []), ...(set.spec.containers ?? [])]) {
      for (const resource of ['cpu', 'memory']) {
        const request = c?.resources?.requests?.[resource];
        const limit = limits.defaults.default[resource];
        if (request === undefined || c?.resources?.limits?.[resource] !== undefined || limit === undefined || amount(request) <= limit) continue;
        messages.push(`${o.owner}: container '${c.name}' of ${describeObject(o)} requests ${formatAmount(resource, amount(request))} ${resource} and sets no limit, so it gets the default limit ${formatAmount(resource, limit)} of the LimitRange '${limits.defaultsFrom!.name}' of ${limits.defaultsFrom!.owner}, below its request: the API server refuses the pod; set the limit`);
      }
    }
  }
  return messages;
}

/** LoadBalancer and NodePort Services against `services.loadbalancers` and `services.nodeports`. */
function checkServices(services: PlatformObject[], limits: NamespaceLimits): string[] {
  const messages: string[] = [];
  for (const q of limits.quotas) {
    let loadBalancers = 0;
    let nodePorts = 0;
    for (const o of services) {
      const spec = o.manifest().spec ?? {};
      if (spec.type !== 'LoadBalancer' && spec.type !== 'NodePort') continue;
      // The API server counts a node port per port of a NodePort or LoadBalancer Service, and the LoadBalancer.
      const ports = (spec.ports ?? []).length;
      const lb = spec.type === 'LoadBalancer';
      if (lb) loadBalancers += 1;
      nodePorts += ports;
      if (lb && q.hard['services.loadbalancers'] !== undefined && loadBalancers > q.hard['services.loadbalancers']) {
        messages.push(`${o.owner}: ${describeObject(o)} is a LoadBalancer Service, ${loadBalancers === 1 ? 'but' : `the ${ordinal(loadBalancers)} of its namespace, but`} ${quotaSource(q, 'services.loadbalancers')} allows ${q.hard['services.loadbalancers']}: the API server refuses it`);
      } else if (q.hard['services.nodeports'] !== undefined && nodePorts > q.hard['services.nodeports']) {
        const why = lb ? ' (a LoadBalancer Service takes a node port for each of its ports)' : '';
        messages.push(`${o.owner}: ${describeObject(o)} is a ${spec.type} Service with ${ports} port${ports === 1 ? '' : 's'}${why}, which brings its namespace to ${nodePorts} node ports, but ${quotaSource(q, 'services.nodeports')} allows ${q.hard['services.nodeports']}: the API server refuses it`);
      }
    }
  }
  return messages;
}

function ordinal(n: number): string {
  return n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`;
}

/** The quota-fit check, registered by MlRbac (its teams' quotas) and run on every quota the app writes. */
export const QUOTA_FIT: PlatformCheck = {
  id: 'quota-fit',
  check(objects) {
    const byNamespace = limitsByNamespace(objects);
    if (byNamespace.size === 0) return [];
    const messages: string[] = [];
    const services = new Map<string, PlatformObject[]>();
    for (const o of objects) {
      const limits = byNamespace.get(o.namespace);
      if (limits === undefined || o.namespace === '') continue;
      if (o.group === 'core' && o.kind === 'Service') {
        services.set(o.namespace, [...(services.get(o.namespace) ?? []), o]);
        continue;
      }
      if (mayHavePods(o.group, o.kind)) messages.push(...checkWorkload(o, limits), ...checkDefaults(o, limits));
    }
    for (const [ns, list] of services) messages.push(...checkServices(list, byNamespace.get(ns)!));
    return messages;
  },
};
