// A team's Kueue ClusterQueue and the ResourceFlavor its quota is for. Flavors are cluster-wide and shared between
// the teams of one MlRbac that name the same flavor.
import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator, AcceleratorVendor, TolerationSpec } from '../core/accelerator';
import { IValidator } from '../core/errors';
import { componentLabels } from '../core/labels';
import { lazyModule } from '../core/lazy';
import { validateTolerations } from '../core/scheduling';
import { QuantityInput, validateDnsSubdomain, validateInteger, validateLabels, validateQuantity } from '../core/validation';
import { acceleratorCounts, TeamQuota } from './quota';

// Generated CRD classes, loaded when first used (see lazyModule).
const clusterQueueCrd = lazyModule(() => require('../../imports/kueue-clusterqueue-kueue.x-k8s.io') as typeof import('../../imports/kueue-clusterqueue-kueue.x-k8s.io'));

/** A Kueue ResourceFlavor: the kind of nodes a ClusterQueue's quota is for. */
export interface ResourceFlavorOptions {
  /** The flavor's name (cluster-wide; teams that name the same flavor share it). */
  readonly name: string;
  /**
   * Labels of the nodes of this flavor; admitted pods are given them as node selectors.
   * @default - any node
   */
  readonly nodeLabels?: Record<string, string>;
  /**
   * Tolerations admitted pods are given.
   * @default - none
   */
  readonly tolerations?: TolerationSpec[];
}

/**
 * One of several ResourceFlavors of a team's ClusterQueue: a kind of node (a GPU model, a TPU slice shape, CPU
 * nodes) and the quota the team has of it. The flavor's node labels and taints come from the accelerator, so that
 * the flavor matches the nodes that really have it: Kueue gives a pod set the first flavor, in order, whose node
 * labels its pods do not contradict, whose taints they tolerate and whose quota holds all of them.
 */
export interface ClusterQueueFlavorOptions {
  /** The flavor's name (cluster-wide; teams that name the same flavor must describe it the same way). */
  readonly name: string;
  /**
   * The accelerator of the flavor's nodes: its node labels (`Accelerator.nvidiaGpu(1, { product })`'s GPU model, a
   * TPU's generation and topology) become the flavor's node labels, and the vendor's taint (`nvidia.com/gpu`,
   * `amd.com/gpu`, `google.com/tpu`) the flavor's node taint, so CPU-only pods never get this flavor's nodes. Only its
   * device and labels count, not its per-pod count.
   * @default - CPU nodes: no device quota, no taint
   */
  readonly accelerator?: Accelerator;
  /**
   * Devices of `accelerator` (GPUs, MIG slices, TPU chips) the team may use at once on these nodes.
   * @default - required with `accelerator`
   */
  readonly devices?: number;
  /** CPU cores the team may use at once on these nodes. */
  readonly cpu: QuantityInput;
  /** Memory the team may use at once on these nodes. */
  readonly memory: QuantityInput;
  /**
   * More labels of these nodes (a node pool's), besides the accelerator's.
   * @default - the accelerator's only
   */
  readonly nodeLabels?: Record<string, string>;
  /**
   * Tolerations Kueue gives the pods it admits on this flavor.
   * @default - none
   */
  readonly tolerations?: TolerationSpec[];
}

/** A Kueue ClusterQueue for the team, whose nominal quota is the team's cpu, memory, GPU and listed accelerator quota. */
export interface TeamClusterQueueOptions {
  /**
   * The ClusterQueue's name.
   * @default - the team name
   */
  readonly name?: string;
  /**
   * A cohort of ClusterQueues that lend each other unused quota.
   * @default - no cohort (no borrowing)
   */
  readonly cohort?: string;
  /**
   * The flavor the quota is for.
   * @default - a flavor named `default-flavor` without node labels
   */
  readonly flavor?: ResourceFlavorOptions;
  /**
   * Several flavors, each with its own quota (cpu, memory, devices), instead of one flavor with the team's quota:
   * e.g. CPU nodes, A100 nodes and H100 nodes. Not with `flavor`; the team's `quota.cpu` and `quota.memory` are then
   * not needed (the ResourceQuota of each namespace still applies).
   * @default - one flavor (`flavor`) with the team's quota
   */
  readonly flavors?: ClusterQueueFlavorOptions[];
}

/**
 * The ResourceFlavors the teams of one MlRbac have defined so far: the JSON of each flavor's spec by name, so that
 * the first team that names a flavor creates it and the others must describe it the same way.
 */
export type FlavorRegistry = Map<string, string>;

/** The team a ClusterQueue is for. */
export interface ClusterQueueTeam {
  /** The ClusterQueue's name. */
  readonly clusterQueueName: string;
  /** The namespaces that may submit to it. */
  readonly namespaces: string[];
  /** The labels of the team's objects. */
  readonly labels: Record<string, string>;
}

/**
 * Adds the team's ClusterQueue (and its ResourceFlavor, when no team has defined it yet) under `scope`. Its nominal
 * quota is the team's cpu, memory, GPUs and listed accelerators: `input` as given, `hard` as the ResourceQuota has it.
 */
export function addClusterQueue(scope: Construct, v: IValidator, options: TeamClusterQueueOptions, team: ClusterQueueTeam,
  input: TeamQuota, hard: Record<string, k8s.Quantity>, flavors: FlavorRegistry): void {
  const cohort = options.cohort === undefined ? undefined : validateDnsSubdomain(v, 'queue.clusterQueue.cohort', options.cohort);
  const group = options.flavors !== undefined ? flavorsGroup(scope, v, options, flavors) : singleFlavorGroup(scope, v, options, input, hard, flavors);
  new (clusterQueueCrd().ClusterQueueV1Beta2)(scope, 'ClusterQueue', {
    metadata: { name: team.clusterQueueName, labels: team.labels },
    spec: {
      cohortName: cohort,
      // Only the team's namespaces may submit (a null selector would admit none, an empty one all).
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...team.namespaces] }] },
      resourceGroups: [{
        coveredResources: group.covered,
        flavors: group.flavors.map((f) => ({
          name: f.name,
          resources: group.covered.map((resource) => ({ name: resource, nominalQuota: quotaOf(f.quota[resource] ?? '0') })),
        })),
      }],
    },
  });
}

const quotaOf = (value: string) => clusterQueueCrd().ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesNominalQuota.fromString(value);

/** The resource group of a ClusterQueue: the resources it covers and each flavor's nominal quota of them. */
interface ResourceGroup {
  readonly covered: string[];
  readonly flavors: Array<{ readonly name: string; readonly quota: Record<string, string> }>;
}

/** One flavor with the team's quota: cpu, memory, GPUs and the listed accelerators. */
function singleFlavorGroup(scope: Construct, v: IValidator, options: TeamClusterQueueOptions, input: TeamQuota,
  hard: Record<string, k8s.Quantity>, flavors: FlavorRegistry): ResourceGroup {
  for (const prop of ['cpu', 'memory'] as const) {
    if (input[prop] === undefined) v.fail(`quota.${prop}`, 'must be set when the team has a ClusterQueue (its nominal quota)', input[prop]);
  }
  const flavor = options.flavor ?? { name: 'default-flavor' };
  const prop = 'queue.clusterQueue.flavor';
  validateTolerations(v, `${prop}.tolerations`, flavor.tolerations);
  const flavorName = addResourceFlavor(scope, v, prop, flavor.name, { nodeLabels: flavor.nodeLabels, tolerations: flavor.tolerations }, flavors);
  // Kueue admits no workload that requests a resource its ClusterQueue does not cover: cover the listed devices.
  const devices = [...acceleratorCounts(v, input.accelerators).keys()];
  const covered = ['cpu', 'memory', 'nvidia.com/gpu', ...devices];
  return { covered, flavors: [{ name: flavorName, quota: Object.fromEntries(covered.map((r) => [r, String(hard[`requests.${r}`].value)])) }] };
}

/** Several flavors, each with its own quota; the group covers cpu, memory and every flavor's device. */
function flavorsGroup(scope: Construct, v: IValidator, options: TeamClusterQueueOptions, flavors: FlavorRegistry): ResourceGroup {
  const list = options.flavors!;
  if (options.flavor !== undefined) v.fail('queue.clusterQueue.flavors', 'cannot be given with queue.clusterQueue.flavor (one flavor with the team\'s quota)', list);
  if (!Array.isArray(list) || list.length === 0 || list.length > 64) v.fail('queue.clusterQueue.flavors', 'must list 1 to 64 flavors', list);
  const covered = ['cpu', 'memory'];
  const resolved = list.map((f, i) => {
    const prop = `queue.clusterQueue.flavors[${i}]`;
    if (!f || typeof f !== 'object') v.fail(prop, 'must be an object { name, cpu, memory, accelerator?, devices? }', f);
    const accelerator = f.accelerator?.vendor === AcceleratorVendor.NONE ? undefined : f.accelerator;
    if (f.accelerator !== undefined && !(f.accelerator instanceof Accelerator)) v.fail(`${prop}.accelerator`, 'must be made with Accelerator.nvidiaGpu(...), .mig(...), .sharedGpu(), .amdGpu() or .tpu(...)', f.accelerator);
    if (accelerator === undefined && f.devices !== undefined) v.fail(`${prop}.devices`, 'can only be given with an accelerator (a flavor of CPU nodes has no devices)', f.devices);
    if (accelerator !== undefined && f.devices === undefined) v.fail(`${prop}.devices`, `must be set: how many ${accelerator.resourceName} the team may use on these nodes`, f.devices);
    const quota: Record<string, string> = { cpu: validateQuantity(v, `${prop}.cpu`, f.cpu, false), memory: validateQuantity(v, `${prop}.memory`, f.memory, false) };
    if (accelerator !== undefined) {
      quota[accelerator.resourceName] = String(validateInteger(v, `${prop}.devices`, f.devices!, 0));
      if (!covered.includes(accelerator.resourceName)) covered.push(accelerator.resourceName);
    }
    validateLabels(v, `${prop}.nodeLabels`, f.nodeLabels);
    validateTolerations(v, `${prop}.tolerations`, f.tolerations);
    const derived = accelerator?.nodeSelector ?? {};
    for (const [key, value] of Object.entries(f.nodeLabels ?? {})) {
      if (derived[key] !== undefined && derived[key] !== value) v.fail(`${prop}.nodeLabels.${key}`, `must not contradict the accelerator's node label ${key}=${derived[key]}`, value);
    }
    // The vendor's taint: pods that do not tolerate it (CPU-only pods) never get this flavor.
    const nodeTaints = (accelerator?.tolerations ?? []).map((t) => ({ key: t.key, effect: t.effect ?? 'NoSchedule' }));
    const name = addResourceFlavor(scope, v, prop, f.name, { nodeLabels: { ...derived, ...f.nodeLabels }, nodeTaints, tolerations: f.tolerations }, flavors);
    if (list.slice(0, i).some((other) => other?.name === name)) v.fail(`${prop}.name`, 'must be unique among the ClusterQueue\'s flavors', name);
    return { name, quota };
  });
  return { covered, flavors: resolved };
}

/** Checks the flavor, creates it if it is new (it is cluster-wide) and returns its name. */
function addResourceFlavor(scope: Construct, v: IValidator, prop: string, name: string, input: KueueResourceFlavorSpec, flavors: FlavorRegistry): string {
  const flavorName = validateDnsSubdomain(v, `${prop}.name`, name);
  // Kueue gives admitted pods these labels as node selectors and these tolerations; it takes at most 8 of each.
  validateLabels(v, `${prop}.nodeLabels`, input.nodeLabels);
  if (Object.keys(input.nodeLabels ?? {}).length > 8) v.fail(`${prop}.nodeLabels`, 'must have at most 8 labels', input.nodeLabels);
  if ((input.tolerations ?? []).length > 8) v.fail(`${prop}.tolerations`, 'must have at most 8 tolerations', input.tolerations);
  const flavorSpec: KueueResourceFlavorSpec = {
    nodeLabels: input.nodeLabels && Object.keys(input.nodeLabels).length > 0 ? { ...input.nodeLabels } : undefined,
    nodeTaints: input.nodeTaints && input.nodeTaints.length > 0 ? input.nodeTaints.map((t) => ({ ...t })) : undefined,
    tolerations: input.tolerations && input.tolerations.length > 0 ? input.tolerations.map((t) => ({ ...t })) : undefined,
  };
  // A flavor is cluster-wide: the first team that names it creates it, others must describe it the same way.
  const json = JSON.stringify(flavorSpec);
  const existing = flavors.get(flavorName);
  if (existing !== undefined && existing !== json) {
    v.fail(prop, `must match the flavor '${flavorName}' another team defined (${existing})`, flavorSpec);
  }
  if (existing === undefined) {
    flavors.set(flavorName, json);
    const flavorLabels = componentLabels({ name: 'kueue', instance: flavorName, component: 'resource-flavor' });
    new KueueResourceFlavor(scope, `ResourceFlavor-${flavorName}`, { metadata: { name: flavorName, labels: flavorLabels }, spec: flavorSpec });
  }
  return flavorName;
}

/** The Kueue ResourceFlavor spec the library writes (its CRD is not among the imported ones). */
interface KueueResourceFlavorSpec {
  readonly nodeLabels?: Record<string, string>;
  readonly nodeTaints?: Array<{ readonly key: string; readonly effect: string }>;
  readonly tolerations?: TolerationSpec[];
}

/** `kueue.x-k8s.io/v1beta2` ResourceFlavor, typed for the fields the library sets. */
class KueueResourceFlavor extends ApiObject {
  public constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: KueueResourceFlavorSpec }) {
    super(scope, id, { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: props.metadata, spec: props.spec });
  }
}
