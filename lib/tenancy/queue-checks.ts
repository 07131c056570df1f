// Platform checks of Kueue: queues complete (a workload's LocalQueue exists where the app writes LocalQueues, a
// LocalQueue's ClusterQueue written by the app admits its namespace, a ClusterQueue's flavors exist), the resources
// a queued workload requests covered by its ClusterQueue and admissible through its flavors (flavor-fit.ts); the
// WorkloadPriorityClass a workload names written, where the app writes some. A ClusterQueue or flavor the
// app does not write is external (a team's `queue.clusterQueueName`, or the ClusterQueue named after the team).
import { describeObject, PlatformCheck, PlatformObject, queueOf } from '../core/platform';
import { mayHavePods, podResources, podSetsOf } from '../core/pod-sets';
import { WORKLOAD_PRIORITY_LABEL } from '../core/scheduling';
import { checkFlavorFit, FlavorNodes } from './flavor-fit';

interface KueueObjects {
  readonly localQueues: Map<string, Map<string, PlatformObject>>;
  readonly clusterQueues: Map<string, PlatformObject>;
  readonly flavors: Map<string, FlavorNodes>;
  readonly priorities: Map<string, PlatformObject>;
}

function kueueObjects(objects: readonly PlatformObject[]): KueueObjects {
  const found: KueueObjects = { localQueues: new Map(), clusterQueues: new Map(), flavors: new Map(), priorities: new Map() };
  for (const o of objects) {
    if (o.group !== 'kueue.x-k8s.io') continue;
    if (o.kind === 'LocalQueue') {
      const inNamespace = found.localQueues.get(o.namespace) ?? new Map<string, PlatformObject>();
      found.localQueues.set(o.namespace, inNamespace.set(o.name, o));
    }
    if (o.kind === 'ClusterQueue') found.clusterQueues.set(o.name, o);
    if (o.kind === 'ResourceFlavor') {
      const spec = o.manifest().spec ?? {};
      found.flavors.set(o.name, { nodeLabels: { ...spec.nodeLabels }, nodeTaints: [...(spec.nodeTaints ?? [])] });
    }
    if (o.kind === 'WorkloadPriorityClass') found.priorities.set(o.name, o);
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
  const covered = new Set<string>((cq.manifest().spec?.resourceGroups ?? []).flatMap((g: any) => g?.coveredResources ?? []));
  const sets = podSetsOf(manifest);
  const requested = new Set<string>();
  for (const set of sets) podResources(set.spec).requests.forEach((value, r) => value > 0 && requested.add(r));
  const via = `its LocalQueue '${queue}' submits to ${describeObject(cq)} of ${cq.owner}`;
  const uncovered = [...requested].filter((r) => !covered.has(r)).map((r) =>
    `${o.owner}: ${describeObject(o)} requests ${r}, but ${via}, which does not cover ${r}: Kueue never admits it; give the team a quota for it (quota.gpus or quota.accelerators)`);
  return uncovered.length > 0 ? uncovered : checkFlavorFit(o, cq, via, sets, k.flavors);
}

/** A workload's WorkloadPriorityClass exists, where the app writes some (else they are made elsewhere). */
function checkPriority(o: PlatformObject, k: KueueObjects): string[] {
  const priority = o.manifest()?.metadata?.labels?.[WORKLOAD_PRIORITY_LABEL];
  if (priority === undefined || k.priorities.size === 0 || k.priorities.has(priority)) return [];
  const written = [...k.priorities.values()].map((p) => `'${p.name}'`).join(', ');
  const owner = [...k.priorities.values()][0].owner;
  return [`${o.owner}: ${describeObject(o)} has the WorkloadPriorityClass '${priority}' (label ${WORKLOAD_PRIORITY_LABEL}), but the app writes only ${written} (${owner}): Kueue holds the workload until the class exists; use one of them or add it (MlRbac's workloadPriorities)`];
}

/** The Kueue checks, registered by MlRbac (its teams' queues) and run on every queue the app writes. */
export const KUEUE_QUEUES: PlatformCheck = {
  id: 'kueue-queues',
  check(objects) {
    const k = kueueObjects(objects);
    if (k.localQueues.size === 0 && k.clusterQueues.size === 0 && k.priorities.size === 0) return [];
    const workloads = objects.filter((o) => o.namespace !== '' && k.localQueues.has(o.namespace) && mayHavePods(o.group, o.kind));
    const prioritized = k.priorities.size === 0 ? [] : objects.filter((o) => o.object.metadata.getLabel(WORKLOAD_PRIORITY_LABEL) !== undefined);
    return [...checkQueues(k), ...workloads.flatMap((o) => checkWorkload(o, k)), ...prioritized.flatMap((o) => checkPriority(o, k))];
  },
};
