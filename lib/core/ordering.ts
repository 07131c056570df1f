import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

/** The annotation Argo CD reads to apply objects in waves (lowest first, each wave healthy before the next). */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * The phases of a deployment, in the order objects must reach the cluster. The value is the Argo CD sync wave.
 */
export enum DeployPhase {
  /** Namespaces: everything else lives in them. */
  NAMESPACES = -3,
  /**
   * Objects that hold no pods and need no CRD: StorageClasses, PersistentVolumes and claims, RBAC, quotas, limit
   * ranges, NetworkPolicies, ConfigMaps, ServiceAccounts, Services.
   */
  FOUNDATION = -2,
  /** Stateful backing stores (databases, object stores, online stores): StatefulSets. */
  STORES = -1,
  /** Setup Jobs the servers need first: schema migrations, bucket creation, `feast apply`. */
  SETUP = 0,
  /** Long-running servers: Deployments and what scales, shields or exposes them. */
  SERVERS = 1,
  /**
   * Objects of kinds that come from CRDs (Kueue queues, ServiceMonitors, Istio routes, KServe, PodGroups): they
   * fail until their operator is installed, so they come after everything that does not need one.
   */
  CUSTOM_RESOURCES = 2,
  /**
   * Training runs (Jobs, CronJobs, JobSets, Kubeflow jobs): last, because Argo CD waits for a running Job before it
   * starts the next wave, and because they need the servers and queues above.
   */
  RUNS = 3,
}

/** API groups that are part of Kubernetes itself (every other group comes from a CRD). */
const BUILT_IN_GROUPS = new Set([
  '', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'scheduling.k8s.io', 'node.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'admissionregistration.k8s.io',
  'apiextensions.k8s.io', 'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io',
]);

const BY_KIND: Record<string, DeployPhase> = {
  Namespace: DeployPhase.NAMESPACES,
  StatefulSet: DeployPhase.STORES,
  Deployment: DeployPhase.SERVERS,
  DaemonSet: DeployPhase.SERVERS,
  HorizontalPodAutoscaler: DeployPhase.SERVERS,
  PodDisruptionBudget: DeployPhase.SERVERS,
  Ingress: DeployPhase.SERVERS,
  Job: DeployPhase.RUNS,
  CronJob: DeployPhase.RUNS,
};

/** Phases set explicitly by the constructs (setup Jobs), which a kind alone cannot tell. */
const explicitPhases = new WeakMap<ApiObject, DeployPhase>();

/**
 * Marks `obj` as belonging to `phase` whatever its kind (a migration Job is SETUP, not RUNS). Constructs call it;
 * it only takes effect when the app is ordered with {@link orderForDeployment}.
 */
export function setDeployPhase(obj: ApiObject, phase: DeployPhase): void {
  explicitPhases.set(obj, phase);
}

/** The phase of an object: the one set with {@link setDeployPhase}, else the one of its kind and API group. */
function deployPhaseOf(obj: ApiObject): DeployPhase {
  const explicit = explicitPhases.get(obj);
  if (explicit !== undefined) return explicit;
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  const training = ['JobSet', 'PyTorchJob', 'TFJob', 'MPIJob'].includes(obj.kind);
  if (training) return DeployPhase.RUNS;
  if (!BUILT_IN_GROUPS.has(group)) return DeployPhase.CUSTOM_RESOURCES;
  return BY_KIND[obj.kind] ?? DeployPhase.FOUNDATION;
}

/**
 * Orders every object under `scope` (an App, a Chart or any construct) for deployment, by {@link DeployPhase}:
 * each object gets the Argo CD annotation `argocd.argoproj.io/sync-wave`, and, inside each chart, a dependency on
 * the objects of the earlier phases, so the chart's YAML lists them in that order for `kubectl apply -f`. Call it
 * once, after every construct was added. Charts are not made to depend on each other (that would rename their
 * files); within one `kubectl apply`, put the platform in one chart or apply the tenancy chart first.
 */
export function orderForDeployment(scope: IConstruct): void {
  const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const byChart = new Map<Chart, Map<DeployPhase, ApiObject[]>>();
  for (const obj of objects) {
    const phase = deployPhaseOf(obj);
    obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(phase));
    const chart = Chart.of(obj);
    const phases = byChart.get(chart) ?? new Map<DeployPhase, ApiObject[]>();
    byChart.set(chart, phases);
    const members = phases.get(phase) ?? [];
    phases.set(phase, members);
    members.push(obj);
  }
  for (const [chart, phases] of byChart) {
    // A tree, walked once: barrier k depends on barrier k-1 and on the objects of phase k, so cdk8s lists every
    // earlier phase, then phase k's objects (in construct order). cdk8s walks every dependency path recursively
    // without remembering what it visited: fan-in (each object behind every object of the phase before) grows with
    // the product of the phase sizes, and a chain through all objects is as deep as there are objects (a stack
    // overflow at 10,000); in a tree each object has one path, and the depth is the number of phases.
    let previous: Construct | undefined;
    for (const phase of [...phases.keys()].sort((a, b) => a - b)) {
      const id = `DeployPhase${phase}`;
      const barrier = (chart.node.tryFindChild(id) as Construct | undefined) ?? new Construct(chart, id);
      if (previous !== undefined) barrier.node.addDependency(previous);
      barrier.node.addDependency(...phases.get(phase)!);
      previous = barrier;
    }
  }
}
