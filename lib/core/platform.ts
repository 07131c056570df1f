// Platform-level checks: what no single construct can see, checked once per app when it is synthesized (cdk8s runs
// validations in `app.synth()` and `app.synthYaml()`). Constructs of the library register themselves here (for the
// messages, which name both constructs involved) and the areas register the checks they own (tenancy: quotas and
// queues); the checks every app gets (names unique per kind and namespace) live in this file.
import { ApiObject } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { mayHavePods } from './pod-sets';

/** What a platform check sees: every object of the app, who wrote it, and its manifest (resolved once, on demand). */
export interface PlatformObject {
  /** The object's construct. */
  readonly object: ApiObject;
  /** `apps`, `batch`, `core`... */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** The namespace it is written to; '' for cluster-scoped kinds, `default` when neither object nor chart sets one. */
  readonly namespace: string;
  /** The library construct that wrote it (`GpuTrainingJob 'train' (chart/train)`), else its construct path. */
  readonly owner: string;
  /** The library construct that wrote it, if any. */
  readonly ownerConstruct?: IConstruct;
  /** The object's manifest, as it will be written. */
  manifest(): any;
}

/** One platform-level check: returns a message for each problem it finds. */
export interface PlatformCheck {
  /** Registered once per app under this id, however many constructs register it. */
  readonly id: string;
  check(objects: readonly PlatformObject[], root: IConstruct): string[];
}

/**
 * Kinds whose objects have no namespace (their names are unique cluster-wide): Kubernetes 1.27 and the CRDs the
 * library writes or users commonly add.
 */
const CLUSTER_SCOPED = new Set([
  'core/Namespace', 'core/Node', 'core/PersistentVolume',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass',
  'apiextensions.k8s.io/CustomResourceDefinition', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'snapshot.storage.k8s.io/VolumeSnapshotClass',
  'kueue.x-k8s.io/ClusterQueue', 'kueue.x-k8s.io/ResourceFlavor', 'kueue.x-k8s.io/Cohort', 'kueue.x-k8s.io/AdmissionCheck',
  'kueue.x-k8s.io/WorkloadPriorityClass', 'kueue.x-k8s.io/Topology', 'nvidia.com/ClusterPolicy',
  'serving.kserve.io/ClusterServingRuntime', 'serving.kserve.io/ClusterStorageContainer',
  'argoproj.io/ClusterWorkflowTemplate', 'keda.sh/ClusterTriggerAuthentication', 'external-secrets.io/ClusterSecretStore',
  'scheduling.volcano.sh/Queue',
]);

/** Whether objects of `group/kind` are cluster-scoped. */
export function isClusterScoped(group: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${group}/${kind}`);
}

/** The library constructs of the app, by construct, with the subject their messages use (`ModelServer 'api'`). */
const subjects = new WeakMap<IConstruct, string>();
/** The checks of each app (by its root construct). */
const registries = new WeakMap<IConstruct, Map<string, PlatformCheck>>();

/**
 * Registers a construct of the library (its objects are named after it in platform messages) and the platform checks
 * it needs; each check is added once per app, to the app's root, and runs when the app is synthesized.
 */
export function registerConstruct(construct: IConstruct, kind: string, checks: PlatformCheck[] = []): void {
  subjects.set(construct, `${kind} '${construct.node.id}'`);
  addPlatformChecks(construct, [UNIQUE_NAMES, SUSPENDED_AND_QUEUED, ...checks]);
}

/** Adds `checks` to the app of `scope`, each once. */
export function addPlatformChecks(scope: IConstruct, checks: PlatformCheck[]): void {
  const root = scope.node.root;
  let registry = registries.get(root);
  if (registry === undefined) {
    const checksOfApp = registry = new Map<string, PlatformCheck>();
    registries.set(root, checksOfApp);
    const validation: IValidation = { validate: () => runChecks(root, [...checksOfApp.values()]) };
    root.node.addValidation(validation);
  }
  for (const check of checks) if (!registry.has(check.id)) registry.set(check.id, check);
}

/** The subject of a construct in messages (`GpuTrainingJob 'train'`), with its path. */
export function describeConstruct(construct: IConstruct): string {
  const subject = subjects.get(construct);
  return subject === undefined ? construct.node.path : `${subject} (${construct.node.path})`;
}

/** The nearest library construct at or above `construct`. */
export function ownerOf(construct: IConstruct): IConstruct | undefined {
  for (const scope of [...construct.node.scopes].reverse()) if (subjects.has(scope)) return scope;
  return undefined;
}

function runChecks(root: IConstruct, checks: PlatformCheck[]): string[] {
  const objects = platformObjects(root);
  return checks.flatMap((check) => check.check(objects, root).map((message) => `platform check: ${message}`));
}

/** Every ApiObject under `root`, as the checks see it. */
function platformObjects(root: IConstruct): PlatformObject[] {
  return root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((object) => {
    const ownerConstruct = ownerOf(object);
    let json: any;
    return {
      object,
      group: object.apiGroup,
      kind: object.kind,
      name: object.name,
      namespace: isClusterScoped(object.apiGroup, object.kind) ? '' : object.metadata.namespace ?? 'default',
      owner: ownerConstruct === undefined ? object.node.path : describeConstruct(ownerConstruct),
      ownerConstruct,
      manifest: () => (json ??= object.toJson()),
    };
  });
}

/** The kind and name of an object in messages: `Job 'train' in namespace 'ml'` (cluster-scoped: no namespace). */
export function describeObject(o: PlatformObject): string {
  return o.namespace === '' ? `${o.kind} '${o.name}'` : `${o.kind} '${o.name}' in namespace '${o.namespace}'`;
}

/** Two objects of one kind, namespace and name: the second replaces the first when applied. */
const UNIQUE_NAMES: PlatformCheck = {
  id: 'unique-names',
  check(objects) {
    const seen = new Map<string, PlatformObject>();
    const messages: string[] = [];
    for (const o of objects) {
      if (o.name === undefined) continue;
      const key = `${o.group}/${o.kind}/${o.namespace}/${o.name}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, o);
        continue;
      }
      const writers = first.owner === o.owner ? `twice by ${o.owner}` : `by ${first.owner} and by ${o.owner}`;
      messages.push(`${describeObject(o)} is written ${writers}: names must be unique per kind and namespace across the app (applied, the second replaces the first); give one of them another name or namespace`);
    }
    return messages;
  },
};

/** The label Kueue reads a workload's LocalQueue from. */
const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/** The Kueue LocalQueue a workload manifest names (a CronJob's, in its Job template). */
export function queueOf(manifest: any): string | undefined {
  return manifest?.metadata?.labels?.[QUEUE_LABEL] ?? manifest?.spec?.jobTemplate?.metadata?.labels?.[QUEUE_LABEL];
}

/**
 * A Job meant to wait (`suspend: true`) in a Kueue queue: Kueue suspends queued Jobs itself and resumes them when it
 * admits them, so the Job would start without anyone resuming it.
 */
const SUSPENDED_AND_QUEUED: PlatformCheck = {
  id: 'suspended-and-queued',
  check(objects) {
    const messages: string[] = [];
    for (const o of objects) {
      // Only queued workloads are resolved: the queue label is on the object (a CronJob's on its Job template).
      if (!mayHavePods(o.group, o.kind) || (o.kind !== 'CronJob' && o.object.metadata.getLabel(QUEUE_LABEL) === undefined)) continue;
      const m = o.manifest();
      const suspended = m.spec?.suspend === true || m.spec?.runPolicy?.suspend === true || m.spec?.jobTemplate?.spec?.suspend === true;
      const queue = queueOf(m);
      if (!suspended || queue === undefined) continue;
      messages.push(`${o.owner}: ${describeObject(o)} is suspended (suspend: true) and queued to the Kueue LocalQueue '${queue}': Kueue resumes a queued Job as soon as it admits it, so it would not wait for anyone; leave suspend out to let Kueue start it, or run it without a queue (no scheduling.queue, a team with kueue: false) to start it by hand`);
    }
    return messages;
  },
};
