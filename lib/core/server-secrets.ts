// A platform check: the Secrets of servers stay out of namespaces where others create Jobs. Whoever may create a
// Job (or a CronJob, or a pod) in a namespace can run a pod there as any of its ServiceAccounts, mounting any of its
// Secrets: RBAC on Secrets does not stop it, and the `kubernetes.io/enforce-mountable-secrets` annotation binds only
// the pods of the annotated ServiceAccount.
import { IConstruct } from 'constructs';
import { describeConstruct, PlatformCheck, PlatformObject } from './platform';

/** The servers of the app (ModelServer, MlflowPlatform, FeatureStore), and whether each accepted the exposure. */
const servers = new WeakMap<IConstruct, boolean>();

/**
 * Registers `server` for the check: its objects' Secrets must not live in a namespace where a Role lets someone
 * create Jobs, CronJobs or pods, unless `allowSecretsInJobNamespace` is true.
 */
export function registerServerSecrets(server: IConstruct, allowSecretsInJobNamespace: boolean | undefined): PlatformCheck {
  servers.set(server, allowSecretsInJobNamespace === true);
  return SERVER_SECRETS;
}

const WORKLOAD_RESOURCES = new Set(['jobs', 'cronjobs', 'pods', '*']);

/** The Roles of each namespace that let their subjects create workloads (no resourceNames: any name). */
function jobCreatingRoles(objects: readonly PlatformObject[]): Map<string, string[]> {
  const roles = new Map<string, string[]>();
  for (const o of objects) {
    if (o.kind !== 'Role' || o.group !== 'rbac.authorization.k8s.io') continue;
    const creates = (o.manifest().rules ?? []).some((rule: any) => (rule.resourceNames ?? []).length === 0
      && (rule.verbs ?? []).some((verb: string) => verb === 'create' || verb === '*')
      && (rule.resources ?? []).some((resource: string) => WORKLOAD_RESOURCES.has(resource)));
    if (creates) roles.set(o.namespace, [...(roles.get(o.namespace) ?? []), `Role '${o.name}' (${o.owner})`]);
  }
  return roles;
}

/** The names of the Secrets a manifest references: env, envFrom, volumes, projected volumes, Ingress TLS. */
export function referencedSecrets(node: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) referencedSecrets(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Record<string, any>)) {
      if ((key === 'secretKeyRef' || key === 'secretRef') && typeof value?.name === 'string') found.add(value.name);
      else if (key === 'secret' && typeof (value?.secretName ?? value?.name) === 'string') found.add(value.secretName ?? value.name);
      else if (key === 'tls' && Array.isArray(value)) for (const tls of value) if (typeof tls?.secretName === 'string') found.add(tls.secretName);
      referencedSecrets(value, found);
    }
  }
  return found;
}

const SERVER_SECRETS: PlatformCheck = {
  id: 'server-secrets-outside-job-namespaces',
  check(objects) {
    const roles = jobCreatingRoles(objects);
    if (roles.size === 0) return [];
    const bySever = new Map<string, { server: IConstruct; namespace: string; secrets: Set<string> }>();
    for (const o of objects) {
      const server = o.ownerConstruct;
      if (server === undefined || servers.get(server) !== false || !roles.has(o.namespace)) continue;
      const secrets = referencedSecrets(o.manifest());
      if (secrets.size === 0) continue;
      const key = `${server.node.path}\0${o.namespace}`;
      const entry = bySever.get(key) ?? { server, namespace: o.namespace, secrets: new Set<string>() };
      for (const secret of secrets) entry.secrets.add(secret);
      bySever.set(key, entry);
    }
    return [...bySever.values()].map(({ server, namespace, secrets }) => `${describeConstruct(server)} uses Secret(s) ${[...secrets].sort().map((s) => `'${s}'`).join(', ')} in namespace '${namespace}', where ${roles.get(namespace)!.join(' and ')} may create Jobs or pods: such a pod can run as any ServiceAccount of the namespace and mount any of its Secrets (the enforce-mountable-secrets annotation does not prevent it); put the server in a namespace where no one else creates Jobs, or set allowSecretsInJobNamespace: true on it`);
  },
};
