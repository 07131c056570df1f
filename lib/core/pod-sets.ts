// The pods a workload manifest asks for, as quotas and Kueue count them: each set of identical pods with its count,
// and the resources one pod requests. Read from the manifests the app writes, so the platform checks see the
// library's workloads and the user's own alike.
import { quantityToNumber } from './validation';

/** Identical pods of one workload: a Job's pods, a Deployment's replicas, one replica type of a distributed run. */
export interface PodSet {
  /** The role of these pods in messages (`pods`, `Worker pods`, `replicated job 'workers'`). */
  readonly role: string;
  /** The pod spec. */
  readonly spec: any;
  /** How many of them run at once. */
  readonly count: number;
}

const num = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/** The pods of a Job spec that run at once: `parallelism`, at most `completions`. */
function jobPods(spec: any, role: string, times = 1): PodSet[] {
  if (!spec?.template?.spec) return [];
  const parallelism = num(spec.parallelism, 1);
  const completions = spec.completions === undefined ? parallelism : num(spec.completions, 1);
  return [{ role, spec: spec.template.spec, count: Math.min(parallelism, completions) * times }];
}

const POD_KINDS = new Set(['core/Pod', 'apps/Deployment', 'apps/StatefulSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob',
  'jobset.x-k8s.io/JobSet', 'leaderworkerset.x-k8s.io/LeaderWorkerSet']);

/** Whether objects of `group/kind` (`core` for the core group) may have pod sets (before resolving the object). */
export function mayHavePods(group: string, kind: string): boolean {
  return group === 'kubeflow.org' || POD_KINDS.has(`${group}/${kind}`);
}

/**
 * The pod sets of a manifest: Pods, Deployments, StatefulSets, ReplicaSets, Jobs, CronJobs (one run), JobSets,
 * Kubeflow jobs and LeaderWorkerSets; nothing for other kinds.
 */
export function podSetsOf(manifest: any): PodSet[] {
  const spec = manifest?.spec;
  if (!spec || typeof spec !== 'object') return [];
  const group = String(manifest.apiVersion ?? '').includes('/') ? String(manifest.apiVersion).split('/')[0] : '';
  const kind = `${group}/${manifest.kind}`;
  switch (kind) {
    case '/Pod': return [{ role: 'pod', spec, count: 1 }];
    case 'apps/Deployment': case 'apps/StatefulSet': case 'apps/ReplicaSet':
      return spec.template?.spec ? [{ role: 'replicas', spec: spec.template.spec, count: num(spec.replicas, 1) }] : [];
    case 'batch/Job': return jobPods(spec, 'pods');
    case 'batch/CronJob': return jobPods(spec.jobTemplate?.spec, 'pods of a run');
    case 'jobset.x-k8s.io/JobSet':
      return (spec.replicatedJobs ?? []).flatMap((job: any) => jobPods(job?.template?.spec, `pods of replicated job '${job?.name}'`, num(job?.replicas, 1)));
    case 'leaderworkerset.x-k8s.io/LeaderWorkerSet': {
      const t = spec.leaderWorkerTemplate ?? {};
      const groups = num(spec.replicas, 1);
      const size = num(t.size, 1);
      const worker = t.workerTemplate?.spec;
      const leader = t.leaderTemplate?.spec ?? worker;
      return [
        ...(leader ? [{ role: 'leader pods', spec: leader, count: groups }] : []),
        ...(worker && size > 1 ? [{ role: 'worker pods', spec: worker, count: groups * (size - 1) }] : []),
      ];
    }
    default:
      if (group !== 'kubeflow.org') return [];
      // PyTorchJob, TFJob, XGBoostJob...: `<x>ReplicaSpecs`; MPIJob: `mpiReplicaSpecs`.
      return Object.entries(spec).filter(([key]) => key.endsWith('ReplicaSpecs')).flatMap(([, specs]) =>
        Object.entries((specs ?? {}) as Record<string, any>).filter(([, r]) => r?.template?.spec)
          .map(([type, r]) => ({ role: `${type} pods`, spec: r.template.spec, count: num(r.replicas, 1) })));
  }
}

/** Container defaults a LimitRange gives containers that set no request or limit (cpu and memory). */
export interface ContainerDefaults {
  readonly defaultRequest: Record<string, number>;
  readonly default: Record<string, number>;
}

/** What one pod requests and is limited to, by resource (cores, bytes, devices). */
export interface PodResources {
  readonly requests: Map<string, number>;
  readonly limits: Map<string, number>;
}

const value = (q: unknown): number => (typeof q === 'number' ? q : quantityToNumber(String(q)));

/** One container's requests and limits, after the LimitRange defaults (a request defaults to the limit). */
function containerResources(c: any, defaults?: ContainerDefaults): PodResources {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  for (const [r, q] of Object.entries(c?.resources?.limits ?? {})) limits.set(r, value(q));
  for (const [r, q] of Object.entries(c?.resources?.requests ?? {})) requests.set(r, value(q));
  for (const r of ['cpu', 'memory']) {
    if (!limits.has(r) && defaults?.default[r] !== undefined) limits.set(r, defaults.default[r]);
    if (!requests.has(r)) {
      const explicitLimit = c?.resources?.limits?.[r];
      const fallback = explicitLimit !== undefined ? value(explicitLimit) : defaults?.defaultRequest[r];
      if (fallback !== undefined) requests.set(r, fallback);
    }
  }
  for (const [r, l] of limits) if (!requests.has(r)) requests.set(r, l);
  return { requests, limits };
}

const add = (into: Map<string, number>, from: Map<string, number>) => from.forEach((v, r) => into.set(r, (into.get(r) ?? 0) + v));
const max = (into: Map<string, number>, from: Map<string, number>) => from.forEach((v, r) => into.set(r, Math.max(into.get(r) ?? 0, v)));

/**
 * What one pod requests, as the scheduler and quotas count it: the sum over its containers, or the largest init
 * container when that is more.
 */
export function podResources(spec: any, defaults?: ContainerDefaults): PodResources {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  for (const c of spec?.containers ?? []) {
    const r = containerResources(c, defaults);
    add(requests, r.requests);
    add(limits, r.limits);
  }
  for (const c of spec?.initContainers ?? []) {
    const r = containerResources(c, defaults);
    max(requests, r.requests);
    max(limits, r.limits);
  }
  return { requests, limits };
}

/** A resource amount in messages: cores, `Gi` for memory and storage, a count for devices. */
export function formatAmount(resource: string, amount: number): string {
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource === 'storage') {
    const gib = amount / 2 ** 30;
    return Number.isInteger(gib) ? `${gib}Gi` : `${Math.round(gib * 100) / 100}Gi`;
  }
  return String(Math.round(amount * 1000) / 1000);
}
