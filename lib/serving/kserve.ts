import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator, IValidator, Placement, PodBuilder, PodNetworkPolicy, PodOptions, resolveConfigEnv, resolveFileMounts } from '../core';
import { durationSeconds } from '../core/job';
import { validateEnum, validateInteger, validateQuantity } from '../core/validation';
import { ResolvedAutoscaling, scaleToZeroCooldown, StartupBudget } from './autoscaling';
import { KServeDeploymentMode, KServeOptions, ModelFormat } from './backend';
import { ModelServerProps } from './model-server-props';
import { ModelSource } from './model-source';

/** The KServe options of a ModelServer, with the mode resolved. */
type KServeBackend = KServeOptions & { readonly mode: KServeDeploymentMode };

/** What the ModelServer passes to {@link renderInferenceService}. */
export interface InferenceServiceInput {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  readonly props: ModelServerProps;
  readonly kserve: KServeBackend;
  readonly replicas: number;
  readonly autoscaling?: ResolvedAutoscaling;
  readonly placement: Placement;
  readonly pod: (options: PodOptions) => PodBuilder;
}

/** What the ModelServer needs of the rendered InferenceService: its pods, its Service and the pods' port. */
export interface InferenceServiceEndpoint {
  readonly podSelector: Record<string, string>;
  readonly serviceName: string;
  readonly podPort: number;
}

/** The KServe predictor container listens here (the Service maps port 80 to it). */
const KSERVE_CONTAINER_PORT = 8080;

/**
 * Renders the ModelServer props as an InferenceService. Every prop KServe would silently ignore is an error.
 * The predictor is a pod spec: it is built by PodBuilder (restricted security context on the pod and the model
 * container, accelerator resources, tolerations, node selection) and serialised as the Kubernetes JSON, since
 * the generated class's own quantity and IntOrString wrappers would need the pod re-typed field by field.
 */
export function renderInferenceService(scope: Construct, v: IValidator, input: InferenceServiceInput): InferenceServiceEndpoint {
  const { props, kserve } = input;
  const raw = kserve.mode === KServeDeploymentMode.RAW_DEPLOYMENT;
  const { modelFormat, model } = checkKServeProps(v, props, kserve);
  const scaling = kserveScaling(v, props, kserve, input.autoscaling);
  const pod = predictorPod(v, input);
  const a = input.autoscaling;

  const predictor = (): Record<string, unknown> => {
    const spec = k8s.toJson_PodSpec(pod.podSpec())!;
    const { containers, ...podFields } = spec;
    const { ports: _ports, ...container } = containers[0];
    // Serverless without autoscaling or replicas: KServe's own scaling (Knative on concurrency) decides.
    const kserveDecides = a === undefined && !raw && props.replicas === undefined;
    return {
      ...podFields,
      minReplicas: kserveDecides ? undefined : a?.minReplicas ?? input.replicas,
      maxReplicas: kserveDecides ? undefined : a?.maxReplicas ?? input.replicas,
      scaleMetric: scaling.scaleMetric,
      scaleTarget: scaling.scaleTarget,
      canaryTrafficPercent: kserve.canaryTrafficPercent,
      // Never take a replica down before its replacement is ready (RawDeployment builds a Deployment).
      deploymentStrategy: raw ? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } : undefined,
      model: {
        ...container,
        modelFormat: { name: modelFormat, version: kserve.modelFormatVersion },
        runtime: kserve.runtimeName,
        storageUri: model.uri,
      },
    };
  };

  new ApiObject(scope, 'Resource', {
    // Not the generated InferenceService class: its toJson would re-type the pod spec, and loading its module (5 MB
    // of source) costs about 0.1 s in every synth that uses KServe.
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: input.labels,
      annotations: scaling.annotations,
    },
    spec: { predictor: Lazy.any({ produce: predictor }) },
  });
  return {
    podSelector: { 'serving.kserve.io/inferenceservice': input.name },
    // RawDeployment creates `<name>-predictor`; Serverless routes `<name>` through Knative.
    serviceName: raw ? `${input.name}-predictor` : input.name,
    podPort: raw ? KSERVE_CONTAINER_PORT : 8012,
  };
}

/**
 * Opens the paths KServe's pods need besides the callers': in Serverless mode Knative's activator and the mesh
 * gateway forward requests to the queue-proxy sidecar, and Knative's autoscaler scrapes the queue-proxy's request
 * statistics on 9090; KServe's storage initializer downloads the model inside the predictor pod. True when callers
 * reach the server through Knative's local gateway.
 */
export function allowKServeTraffic(policy: PodNetworkPolicy, mode: KServeDeploymentMode, model: ModelSource | undefined): boolean {
  const serverless = mode === KServeDeploymentMode.SERVERLESS;
  if (serverless) {
    policy.allowFromNamespace('knative-serving', [{ port: 8012 }, { port: 8022 }, { port: 9090 }]);
    policy.allowFromNamespace('istio-system', [{ port: 8012 }]);
  }
  const download = model?.download;
  if (download !== undefined) policy.allowToCidr(download.cidr ?? '0.0.0.0/0', [{ port: download.port }]);
  return serverless;
}

/** Refuses the props KServe would ignore; the model format and the model, which KServe needs. */
function checkKServeProps(v: IValidator, props: ModelServerProps, kserve: KServeBackend): { modelFormat: string; model: ModelSource } {
  const raw = kserve.mode === KServeDeploymentMode.RAW_DEPLOYMENT;
  validateEnum(v, 'backend.mode', kserve.mode, KServeDeploymentMode, 'KServeDeploymentMode');
  const unsupported = (prop: string, why: string, value: unknown) => {
    if (value !== undefined) v.fail(prop, `is not supported with the KServe backend: ${why}`, value);
  };
  unsupported('variants', 'use ServingBackend.kserve({ canaryTrafficPercent }) for canary rollouts', props.variants);
  unsupported('ingress', 'KServe exposes the InferenceService through its own ingress configuration', props.ingress);
  unsupported('gateway', 'KServe routes to the InferenceService itself (its ingress configuration, Gateway API included)', props.gateway === undefined ? undefined : props.gateway.gateway?.name ?? props.gateway);
  if (!(kserve.mode === KServeDeploymentMode.SERVERLESS && props.autoscaling?.minReplicas === 0)) {
    unsupported('startupTimeout', 'the ServingRuntime defines the probes of the model container (with KServe Serverless scaling to zero it is the cold-start budget autoscaling.cooldown is checked against)', props.startupTimeout?.toHumanString?.() ?? props.startupTimeout);
  }
  unsupported('probePeriod', 'the ServingRuntime defines the probes of the model container', props.probePeriod?.toHumanString?.() ?? props.probePeriod);
  unsupported('monitoring', 'enable scraping in KServe\'s ServingRuntime (serving.kserve.io/enable-prometheus-scraping)', props.monitoring);
  unsupported('requireSpreadAcrossNodes', 'KServe builds the predictor Deployment', props.requireSpreadAcrossNodes);
  unsupported('maxSurge', 'KServe builds the predictor Deployment', props.maxSurge);
  if (props.serviceType !== undefined && props.serviceType !== 'ClusterIP') unsupported('serviceType', 'KServe creates the Service', props.serviceType);
  if (kserve.canaryTrafficPercent !== undefined) {
    validateInteger(v, 'backend.canaryTrafficPercent', kserve.canaryTrafficPercent, 0, 100);
    if (raw) {
      v.fail('backend.canaryTrafficPercent', 'is ignored by KServe in RawDeployment mode (traffic splitting needs Knative): use KServeDeploymentMode.SERVERLESS or ModelServer variants', kserve.canaryTrafficPercent);
    }
  }
  const runtime = props.runtime;
  if (runtime !== undefined && runtime.kind === 'custom') {
    v.fail('runtime', 'must be a preset with the KServe backend (a custom image needs its own KServe ServingRuntime: set backend runtimeName)', runtime.kind);
  }
  const modelFormat = kserve.modelFormat ?? runtime?.kserveFormat;
  if (modelFormat === undefined) v.fail('backend.modelFormat', 'must be set when the KServe backend has no runtime preset', modelFormat);
  validateEnum(v, 'backend.modelFormat', modelFormat, ModelFormat, 'ModelFormat');
  const model = props.model;
  if (model === undefined) v.fail('model', 'must be set with the KServe backend (it becomes the storageUri)', model);
  if (model.hasCredentials) {
    v.fail('model', 'must not carry credentials with the KServe backend: KServe reads storage credentials from the Secrets of the predictor\'s service account (set serviceAccountName)', model.uri);
  }
  return { modelFormat, model };
}

/** KServe's predictor `scaleMetric`, its target and the annotations that pick the mode and autoscaler class. */
function kserveScaling(v: IValidator, props: ModelServerProps, kserve: KServeBackend, a: ResolvedAutoscaling | undefined): {
  scaleMetric?: 'rps' | 'cpu'; scaleTarget?: number; annotations: Record<string, string>;
} {
  const raw = kserve.mode === KServeDeploymentMode.RAW_DEPLOYMENT;
  let scaleMetric: 'rps' | 'cpu' | undefined;
  let scaleTarget: number | undefined;
  const annotations: Record<string, string> = { 'serving.kserve.io/deploymentMode': kserve.mode };
  if (a !== undefined) {
    if (props.autoscaling?.scaleUp !== undefined || props.autoscaling?.scaleDown !== undefined) {
      v.fail('autoscaling.scaleUp', 'is not supported with the KServe backend: KServe sets the scaling behaviour itself', props.autoscaling.scaleUp ?? props.autoscaling.scaleDown);
    }
    if (a.prometheus !== undefined) v.fail('autoscaling.prometheus', 'is not supported with the KServe backend', a.prometheus.query);
    const custom = a.metrics;
    if (custom.length + (a.cpuUtilization !== undefined ? 1 : 0) > 1) {
      v.fail('autoscaling', 'must have one scaling signal with the KServe backend (cpuUtilization or one requestsPerSecond metric)', custom.map((m) => m.metricName));
    }
    if (custom.length === 1) {
      if (custom[0].kind !== 'rps') v.fail('autoscaling.metrics[0]', 'must be ScalingMetric.requestsPerSecond with the KServe backend', custom[0].metricName);
      if (raw) v.fail('autoscaling.metrics[0]', 'is ignored by KServe in RawDeployment mode (its HPA scales on cpu or memory): use cpuUtilization or KServeDeploymentMode.SERVERLESS', custom[0].metricName);
      scaleMetric = 'rps';
      scaleTarget = Math.round(custom[0].target);
    } else if (raw) {
      scaleMetric = 'cpu';
      scaleTarget = a.cpuUtilization;
    } else if (props.autoscaling?.cpuUtilization !== undefined) {
      // Knative's default autoscaler (KPA) cannot scale on CPU: the revision must use Knative's HPA class.
      scaleMetric = 'cpu';
      scaleTarget = a.cpuUtilization;
      annotations['autoscaling.knative.dev/class'] = 'hpa.autoscaling.knative.dev';
    }
    // Serverless without a signal: Knative's KPA scales on concurrency (its default).
    if (a.minReplicas === 0) scaleToZero(v, props, kserve, a, annotations);
  }
  return { scaleMetric, scaleTarget, annotations };
}

/**
 * Scale to zero with KServe: only Knative's own autoscaler (KPA) can, so not RawDeployment (an HPA) nor Knative's
 * HPA class; the last replica stays for the cooldown (`scale-to-zero-pod-retention-period`), at least the startup
 * budget: `startupTimeout`, else the runtime preset's, else 10 minutes.
 */
function scaleToZero(v: IValidator, props: ModelServerProps, kserve: KServeBackend, a: ResolvedAutoscaling, annotations: Record<string, string>): void {
  if (kserve.mode === KServeDeploymentMode.RAW_DEPLOYMENT) {
    v.fail('autoscaling.minReplicas', 'can be 0 with KServe only in KServeDeploymentMode.SERVERLESS: RawDeployment scales with a HorizontalPodAutoscaler, which cannot scale to zero', a.minReplicas);
  }
  if (annotations['autoscaling.knative.dev/class'] !== undefined) {
    v.fail('autoscaling.minReplicas', 'can be 0 only with Knative\'s own autoscaler (KPA): autoscaling.cpuUtilization selects Knative\'s HPA class, which cannot scale to zero; scale on concurrency (no metric) or ScalingMetric.requestsPerSecond', a.minReplicas);
  }
  const given = props.startupTimeout;
  const budget: StartupBudget = given !== undefined
    ? { seconds: durationSeconds(v, 'startupTimeout', given), source: 'startupTimeout' }
    : props.runtime !== undefined
      ? { seconds: durationSeconds(v, 'startupTimeout', props.runtime.startupBudget), source: `the ${props.runtime.kind} runtime's default startup budget; set startupTimeout for a faster model load` }
      : { seconds: 600, source: 'the default startup budget of a model load; set startupTimeout for a faster one' };
  annotations['autoscaling.knative.dev/scale-to-zero-pod-retention-period'] = `${scaleToZeroCooldown(v, a, budget)}s`;
}

/** The predictor's pod: the model container, built by PodBuilder like every pod of the library. */
function predictorPod(v: IValidator, input: InferenceServiceInput): PodBuilder {
  const props = input.props;
  const runtime = props.runtime;
  const accelerator = props.accelerator;
  if (accelerator !== undefined && !(accelerator instanceof Accelerator)) v.fail('accelerator', 'must be made with an Accelerator factory such as Accelerator.nvidiaGpu(1)', accelerator);
  const pod = input.pod({
    scheduling: input.placement.scheduling,
    serviceAccountName: input.placement.serviceAccountName,
    sharedMemory: props.sharedMemory === undefined ? undefined : validateQuantity(v, 'sharedMemory', props.sharedMemory),
    security: props.security,
  });
  pod.addContainer({
    name: 'kserve-container',
    image: runtime?.imageOverridden ? runtime.image(false) : undefined,
    imageFromPlatform: true,
    env: props.env,
    secretEnv: props.secretEnv,
    files: resolveFileMounts(v, 'files', props.files),
    envFrom: resolveConfigEnv(v, 'envFrom', props.envFrom),
    resources: { cpu: props.cpu ?? 1, cpuLimit: props.cpuLimit, memory: props.memory ?? '2Gi', memoryLimit: props.memoryLimit },
    accelerator,
  });
  return pod;
}
