// Platform checks of Kueue: queues complete (a workload's LocalQueue exists where the app writes LocalQueues, a
// LocalQueue's ClusterQueue written by the app admits its namespace, a ClusterQueue's flavors exist), the resources
// a queued workload requests covered by its ClusterQueue and within its nominal quota. A ClusterQueue or flavor the
// app does not write is external (a team's `queue.clusterQueueName`, or the ClusterQueue named after the team).
import { describeObject, PlatformCheck, PlatformObject, queueOf } from '../core/platform';
import { formatAmount, mayHavePods, podResources, podSetsOf } from '../core/pod-sets';
import { quantityToNumber } from '../core/validation';

interface KueueObjects {
  readonly localQueues: Map<string, Map<string, PlatformObject>>;
  readonly clusterQueues: Map<string, PlatformObject>;
  readonly flavors: Set<string>;
}

function kueueObjects(objects: readonly PlatformObject[]): KueueObjects {
  const found: KueueObjects = { localQueues: new Map(), clusterQueues: new Map(), flavors: new Set() };
  for (const o of objects) {
    if (o.group !== 'kueue.x-k8s.io') continue;
    if (o.kind === 'LocalQueue') {
      const inNamespace = found.localQueues.get(o.namespace) ?? new Map<string, PlatformObject>();
      found.localQueues.set(o.namespace, inNamespace.set(o.name, o));
    }
    if (o.kind === 'ClusterQueue') found.clusterQueues.set(o.name, o);
    if (o.kind === 'ResourceFlavor') found.flavors.add(o.name);
  }
  return found;
}

/** Whether a ClusterQueue's namespace selector (as the library writes it: by namespace name) admits `namespace`. */
function admits(selector: any, namespace: string): boolean {
  if (selector === undefined || selector === null) return false;
  const labels: Record<string, string> = { 'kubernetes.io/metadata.name': namespace };
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => k !== 'kubernetes.io/metadata.name' || labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e: any) => e.key !== 'kubernetes.io/metadata.name'
    || (e.operator === 'In' ? (e.values ?? []).includes(namespace) : e.operator === 'NotIn' ? !(e.values ?? []).includes(namespace) : true));
  return byLabels && byExpressions;
}

/** Every flavor of a ClusterQueue exists in the app; a LocalQueue's ClusterQueue in the app admits its namespace. */
function checkQueues(k: KueueObjects): string[] {
  const messages: string[] = [];
  for (const cq of k.clusterQueues.values()) {
    for (const group of cq.manifest().spec?.resourceGroups ?? []) {
      for (const flavor of group.flavors ?? []) {
        if (!k.flavors.has(flavor.name)) {
          messages.push(`${cq.owner}: ${describeObject(cq)} names the ResourceFlavor '${flavor.name}', which the app does not write: Kueue admits nothing through the ClusterQueue until it exists; add the flavor (a team's queue.clusterQueue.flavor)`);
        }
      }
    }
  }
  for (const queues of k.localQueues.values()) {
    for (const lq of queues.values()) {
      const cqName = lq.manifest().spec?.clusterQueue;
      const cq = k.clusterQueues.get(cqName);
      if (cq !== undefined && !admits(cq.manifest().spec?.namespaceSelector, lq.namespace)) {
        messages.push(`${lq.owner}: ${describeObject(lq)} submits to ${describeObject(cq)} of ${cq.owner}, whose namespaceSelector does not admit namespace '${lq.namespace}': Kueue admits none of its workloads; submit to a ClusterQueue of the namespace's team`);
      }
    }
  }
  return messages;
}

/** The nominal quota of each resource a ClusterQueue covers (the largest flavor: a pod set gets one flavor). */
function coverage(cq: PlatformObject): { covered: Set<string>; nominal: Map<string, number>; cohort: boolean } {
  const spec = cq.manifest().spec ?? {};
  const covered = new Set<string>();
  const nominal = new Map<string, number>();
  for (const group of spec.resourceGroups ?? []) {
    for (const r of group.coveredResources ?? []) covered.add(r);
    for (const flavor of group.flavors ?? []) {
      for (const r of flavor.resources ?? []) {
        const q = typeof r.nominalQuota === 'number' ? r.nominalQuota : quantityToNumber(String(r.nominalQuota));
        nominal.set(r.name, Math.max(nominal.get(r.name) ?? 0, q));
      }
    }
  }
  return { covered, nominal, cohort: (spec.cohortName ?? spec.cohort) !== undefined };
}

/** A queued workload: its LocalQueue exists, and its ClusterQueue covers and can hold what its pods request. */
function checkWorkload(o: PlatformObject, k: KueueObjects): string[] {
  const manifest = o.manifest();
  const queue = queueOf(manifest);
  if (queue === undefined) return [];
  const queues = k.localQueues.get(o.namespace);
  // A namespace where the app writes no LocalQueue has its queues made elsewhere.
  if (queues === undefined) return [];
  const lq = queues.get(queue);
  if (lq === undefined) {
    const written = [...queues.values()].map((q) => `'${q.name}' of ${q.owner}`).join(', ');
    return [`${o.owner}: ${describeObject(o)} is queued to LocalQueue '${queue}', but namespace '${o.namespace}' has only ${written}: Kueue would hold it forever; use the team's queue`];
  }
  const cq = k.clusterQueues.get(lq.manifest().spec?.clusterQueue);
  if (cq === undefined) return [];
  const { covered, nominal, cohort } = coverage(cq);
  const total = new Map<string, number>();
  for (const set of podSetsOf(manifest)) {
    podResources(set.spec).requests.forEach((value, r) => total.set(r, (total.get(r) ?? 0) + value * set.count));
  }
  const messages: string[] = [];
  for (const [r, value] of total) {
    if (value === 0) continue;
    const via = `its LocalQueue '${queue}' submits to ${describeObject(cq)} of ${cq.owner}`;
    if (!covered.has(r)) {
      messages.push(`${o.owner}: ${describeObject(o)} requests ${r}, but ${via}, which does not cover ${r}: Kueue never admits it; give the team a quota for it (quota.gpus or quota.accelerators)`);
    } else if (!cohort && value > (nominal.get(r) ?? 0)) {
      messages.push(`${o.owner}: ${describeObject(o)} requests ${formatAmount(r, value)} ${r} for all its pods at once, but ${via}, whose nominal quota is ${formatAmount(r, nominal.get(r) ?? 0)} and which has no cohort to borrow from: Kueue never admits it`);
    }
  }
  return messages;
}

/** The Kueue checks, registered by MlRbac (its teams' queues) and run on every queue the app writes. */
export const KUEUE_QUEUES: PlatformCheck = {
  id: 'kueue-queues',
  check(objects) {
    const k = kueueObjects(objects);
    if (k.localQueues.size === 0 && k.clusterQueues.size === 0) return [];
    const workloads = objects.filter((o) => o.namespace !== '' && k.localQueues.has(o.namespace) && mayHavePods(o.group, o.kind));
    return [...checkQueues(k), ...workloads.flatMap((o) => checkWorkload(o, k))];
  },
};
