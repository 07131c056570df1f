/** Finding the pod specs and containers inside workload objects, built-in and custom. */
import { childPath } from './objects';

export interface PodSpecLocation {
  /** Path of the pod spec in the object, e.g. `spec.template.spec`. */
  readonly path: string;
  /** The pod spec; for KServe, the component (a pod spec plus KServe fields). */
  readonly spec: any;
  /** Metadata the pods get: the template's metadata, or a KServe component's labels and annotations. */
  readonly metadata?: any;
  /** Labels the owning controller adds to every pod, e.g. `batch.kubernetes.io/job-name`. */
  readonly controllerLabels?: Record<string, string>;
}

export interface ContainerGroup extends PodSpecLocation {
  /**
   * The pod-level settings are not known here: KServe merges a ServingRuntime into the pods of the
   * InferenceServices that use it. Checks that accept a setting on the pod or on every container skip these.
   */
  readonly partial: boolean;
}

export interface ContainerLocation {
  readonly path: string;
  readonly name: string;
  readonly container: any;
  readonly type: 'initContainer' | 'container' | 'ephemeralContainer';
  /** A KServe container shortcut (`predictor.model`, `predictor.sklearn`, `explainer.art`...); its image may come from a runtime. */
  readonly shortcut: boolean;
}

const TEMPLATE_KINDS: Record<string, string> = {
  Deployment: 'apps', StatefulSet: 'apps', DaemonSet: 'apps', ReplicaSet: 'apps', Job: 'batch',
};
const KSERVE_COMPONENTS = ['predictor', 'transformer', 'explainer'];
// Fields of KServe components that are containers: the model and the deprecated framework specs of a
// predictor, the ART explainer. A plain PodSpec has none of them.
const KSERVE_CONTAINER_FIELDS = [
  'model', 'sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm', 'paddle', 'art',
];
const CONTAINER_LISTS = [
  ['initContainers', 'initContainer'], ['containers', 'container'], ['ephemeralContainers', 'ephemeralContainer'],
] as const;

/** Every pod spec in an object: Pod, the built-in workloads, Kubeflow jobs, JobSet, KServe InferenceService. */
export function podSpecsOf(obj: any): PodSpecLocation[] {
  const spec = obj?.spec;
  if (!spec || typeof spec !== 'object') return [];
  const group = groupOf(obj.apiVersion);
  const name: string = obj.metadata?.name ?? '';

  if (obj.kind === 'Pod' && group === '') return [{ path: 'spec', spec, metadata: obj.metadata }];
  if (TEMPLATE_KINDS[obj.kind] === group) {
    const jobLabels = obj.kind === 'Job' ? { 'batch.kubernetes.io/job-name': name, 'job-name': name } : undefined;
    return fromTemplate(spec.template, 'spec.template', jobLabels);
  }
  if (obj.kind === 'CronJob' && group === 'batch') return fromTemplate(spec.jobTemplate?.spec?.template, 'spec.jobTemplate.spec.template');
  if (group === 'kubeflow.org') return kubeflowPodSpecs(spec, name);
  if (obj.kind === 'JobSet' && group === 'jobset.x-k8s.io') {
    return (spec.replicatedJobs ?? []).flatMap((job: any, i: number) => fromTemplate(
      job?.template?.spec?.template,
      `spec.replicatedJobs[${i}].template.spec.template`,
      { 'jobset.sigs.k8s.io/jobset-name': name, 'jobset.sigs.k8s.io/replicatedjob-name': job?.name },
    ));
  }
  if (obj.kind === 'InferenceService' && group === 'serving.kserve.io') return inferenceServicePodSpecs(spec, name);
  if (group === 'argoproj.io' && ['Workflow', 'WorkflowTemplate'].includes(obj.kind)) return argoPodSpecs(spec, 'spec');
  if (group === 'argoproj.io' && obj.kind === 'CronWorkflow') return argoPodSpecs(spec.workflowSpec ?? {}, 'spec.workflowSpec');
  if (obj.kind === 'SparkApplication' && group === 'sparkoperator.k8s.io') return sparkPodSpecs(spec, 'spec', name);
  if (obj.kind === 'ScheduledSparkApplication' && group === 'sparkoperator.k8s.io') return sparkPodSpecs(spec.template, 'spec.template', name);
  return [];
}

/**
 * Argo Workflows: every template that runs a container is a pod. The pod spec is put together as the workflow
 * controller does: the template's container (and init containers), the workflow's and the template's volumes, the
 * template's security context (else the workflow's), its placement and its metadata. Argo's own containers (init,
 * wait) and volumes (var-run-argo, tmp-dir-argo) come from the controller's configuration and are not modelled.
 */
function argoPodSpecs(spec: any, path: string): PodSpecLocation[] {
  const templates: any[] = Array.isArray(spec.templates) ? spec.templates : [];
  const found: PodSpecLocation[] = [];
  templates.forEach((t, i) => {
    // A resource template creates an object that may have pods of its own (a Job, a Deployment).
    if (typeof t?.resource?.manifest === 'string') {
      let inner: any;
      try {
        inner = JSON.parse(t.resource.manifest);
      } catch {
        return;
      }
      found.push(...podSpecsOf(inner).map((p) => ({ ...p, path: `${path}.templates[${i}].resource.manifest(${p.path})` })));
    }
    if (!t?.container) return;
    found.push({
      path: `${path}.templates[${i}]`,
      spec: {
        containers: [t.container],
        initContainers: t.initContainers,
        volumes: [...(spec.volumes ?? []), ...(t.volumes ?? [])],
        securityContext: t.securityContext ?? spec.securityContext,
        serviceAccountName: t.serviceAccountName ?? spec.serviceAccountName,
        automountServiceAccountToken: t.automountServiceAccountToken ?? spec.automountServiceAccountToken,
        nodeSelector: t.nodeSelector ?? spec.nodeSelector,
        tolerations: t.tolerations ?? spec.tolerations,
        affinity: t.affinity ?? spec.affinity,
        priorityClassName: t.priorityClassName ?? spec.podPriorityClassName,
        schedulerName: t.schedulerName ?? spec.schedulerName,
      },
      metadata: { labels: { ...spec.podMetadata?.labels, ...t.metadata?.labels }, annotations: { ...spec.podMetadata?.annotations, ...t.metadata?.annotations } },
    });
  });
  return found;
}

/** podSpecsOf, plus the container sets of KServe serving runtimes, whose pod-level settings live elsewhere. */
export function containerGroupsOf(obj: any): ContainerGroup[] {
  const groups: ContainerGroup[] = podSpecsOf(obj).map((p) => ({ ...p, partial: false }));
  const isRuntime = obj?.kind === 'ServingRuntime' || obj?.kind === 'ClusterServingRuntime';
  if (isRuntime && groupOf(obj.apiVersion) === 'serving.kserve.io' && obj.spec) {
    const metadata = { labels: obj.spec.labels, annotations: obj.spec.annotations };
    groups.push({ path: 'spec', spec: obj.spec, metadata, partial: true });
    if (obj.spec.workerSpec) groups.push({ path: 'spec.workerSpec', spec: obj.spec.workerSpec, metadata, partial: true });
  }
  return groups;
}

/**
 * The Spark operator's pod templates (`driver.template`, `executor.template`): Spark merges its own container
 * settings into them (image, resources, ports), and the operator labels the pods with the application's name.
 */
function sparkPodSpecs(spec: any, path: string, name: string): PodSpecLocation[] {
  if (!spec || typeof spec !== 'object') return [];
  return (['driver', 'executor'] as const).flatMap((role) => fromTemplate(
    spec[role]?.template,
    `${path}.${role}.template`,
    { 'sparkoperator.k8s.io/app-name': name, 'spark-role': role },
  ));
}

/** Init, regular and ephemeral containers of a pod spec, and the container shortcuts of a KServe component. */
export function containersOf(location: PodSpecLocation): ContainerLocation[] {
  const spec = location.spec;
  const found: ContainerLocation[] = [];
  for (const [field, type] of CONTAINER_LISTS) {
    (Array.isArray(spec[field]) ? spec[field] : []).forEach((container: any, i: number) => {
      const path = childPath(childPath(location.path, field), i);
      found.push({ path, name: container?.name ?? path, container: container ?? {}, type, shortcut: false });
    });
  }
  for (const field of KSERVE_CONTAINER_FIELDS) {
    const container = spec[field];
    if (container && typeof container === 'object') {
      found.push({ path: childPath(location.path, field), name: container.name ?? field, container, type: 'container', shortcut: true });
    }
  }
  return found;
}

function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

function fromTemplate(template: any, path: string, controllerLabels?: Record<string, string>): PodSpecLocation[] {
  if (!template?.spec) return [];
  return [{ path: `${path}.spec`, spec: template.spec, metadata: template.metadata, controllerLabels }];
}

/** Kubeflow training jobs: `spec.<framework>ReplicaSpecs.<Role>.template` (PyTorchJob, TFJob, MPIJob, ...). */
function kubeflowPodSpecs(spec: any, name: string): PodSpecLocation[] {
  return Object.keys(spec)
    .filter((key) => key.endsWith('ReplicaSpecs') && spec[key] && typeof spec[key] === 'object')
    .flatMap((key) => Object.entries<any>(spec[key]).flatMap(([role, replica]) => fromTemplate(
      replica?.template,
      childPath(childPath(childPath('spec', key), role), 'template'),
      { 'training.kubeflow.org/job-name': name, 'training.kubeflow.org/replica-type': role.toLowerCase() },
    )));
}

function inferenceServicePodSpecs(spec: any, name: string): PodSpecLocation[] {
  const found: PodSpecLocation[] = [];
  const add = (component: any, path: string, role: string) => {
    if (!component || typeof component !== 'object') return;
    const metadata = { labels: component.labels, annotations: component.annotations };
    const isvcLabel = { 'serving.kserve.io/inferenceservice': name };
    found.push({ path, spec: component, metadata, controllerLabels: { ...isvcLabel, component: role } });
    if (component.workerSpec) found.push({ path: `${path}.workerSpec`, spec: component.workerSpec, metadata, controllerLabels: isvcLabel });
  };
  for (const role of KSERVE_COMPONENTS) add(spec[role], `spec.${role}`, role);
  (Array.isArray(spec.canary) ? spec.canary : []).forEach((canary: any, i: number) => add(canary?.predictor, `spec.canary[${i}].predictor`, 'predictor'));
  return found;
}
