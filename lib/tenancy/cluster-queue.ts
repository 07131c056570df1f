// A team's Kueue ClusterQueue and the ResourceFlavor its quota is for. Flavors are cluster-wide and shared between
// the teams of one MlRbac that name the same flavor.
import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { TolerationSpec } from '../core/accelerator';
import { IValidator } from '../core/errors';
import { componentLabels } from '../core/labels';
import { lazyModule } from '../core/lazy';
import { validateTolerations } from '../core/scheduling';
import { validateDnsSubdomain, validateLabels } from '../core/validation';
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
  for (const prop of ['cpu', 'memory'] as const) {
    if (input[prop] === undefined) v.fail(`quota.${prop}`, 'must be set when the team has a ClusterQueue (its nominal quota)', input[prop]);
  }
  const flavorName = addResourceFlavor(scope, v, options.flavor ?? { name: 'default-flavor' }, flavors);
  const cohort = options.cohort === undefined ? undefined : validateDnsSubdomain(v, 'queue.clusterQueue.cohort', options.cohort);
  // Kueue admits no workload that requests a resource its ClusterQueue does not cover: cover the listed devices.
  const devices = [...acceleratorCounts(v, input.accelerators).keys()];
  const covered: Array<[string, string]> = [['cpu', 'requests.cpu'], ['memory', 'requests.memory'], ['nvidia.com/gpu', 'requests.nvidia.com/gpu'],
    ...devices.map((d): [string, string] => [d, `requests.${d}`])];
  new (clusterQueueCrd().ClusterQueueV1Beta2)(scope, 'ClusterQueue', {
    metadata: { name: team.clusterQueueName, labels: team.labels },
    spec: {
      cohortName: cohort,
      // Only the team's namespaces may submit (a null selector would admit none, an empty one all).
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...team.namespaces] }] },
      resourceGroups: [{
        coveredResources: covered.map(([resource]) => resource),
        flavors: [{
          name: flavorName,
          resources: covered.map(([resource, key]) => ({ name: resource, nominalQuota: clusterQueueCrd().ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesNominalQuota.fromString(String(hard[key].value)) })),
        }],
      }],
    },
  });
}

/** Checks the flavor, creates it if it is new (it is cluster-wide) and returns its name. */
function addResourceFlavor(scope: Construct, v: IValidator, flavor: ResourceFlavorOptions, flavors: FlavorRegistry): string {
  const flavorName = validateDnsSubdomain(v, 'queue.clusterQueue.flavor.name', flavor.name);
  // Kueue gives admitted pods these labels as node selectors and these tolerations; it takes at most 8 of each.
  validateLabels(v, 'queue.clusterQueue.flavor.nodeLabels', flavor.nodeLabels);
  if (Object.keys(flavor.nodeLabels ?? {}).length > 8) v.fail('queue.clusterQueue.flavor.nodeLabels', 'must have at most 8 labels', flavor.nodeLabels);
  validateTolerations(v, 'queue.clusterQueue.flavor.tolerations', flavor.tolerations);
  if ((flavor.tolerations ?? []).length > 8) v.fail('queue.clusterQueue.flavor.tolerations', 'must have at most 8 tolerations', flavor.tolerations);
  const flavorSpec = {
    nodeLabels: flavor.nodeLabels && Object.keys(flavor.nodeLabels).length > 0 ? { ...flavor.nodeLabels } : undefined,
    tolerations: flavor.tolerations && flavor.tolerations.length > 0 ? flavor.tolerations.map((t) => ({ ...t })) : undefined,
  };
  // A flavor is cluster-wide: the first team that names it creates it, others must describe it the same way.
  const json = JSON.stringify(flavorSpec);
  const existing = flavors.get(flavorName);
  if (existing !== undefined && existing !== json) {
    v.fail('queue.clusterQueue.flavor', `must match the flavor '${flavorName}' another team defined (${existing})`, flavorSpec);
  }
  if (existing === undefined) {
    flavors.set(flavorName, json);
    const flavorLabels = componentLabels({ name: 'kueue', instance: flavorName, component: 'resource-flavor' });
    new KueueResourceFlavor(scope, 'ResourceFlavor', { metadata: { name: flavorName, labels: flavorLabels }, spec: flavorSpec });
  }
  return flavorName;
}

/** The Kueue ResourceFlavor spec the library writes (its CRD is not among the imported ones). */
interface KueueResourceFlavorSpec {
  readonly nodeLabels?: Record<string, string>;
  readonly tolerations?: TolerationSpec[];
}

/** `kueue.x-k8s.io/v1beta2` ResourceFlavor, typed for the fields the library sets. */
class KueueResourceFlavor extends ApiObject {
  public constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: KueueResourceFlavorSpec }) {
    super(scope, id, { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: props.metadata, spec: props.spec });
  }
}
