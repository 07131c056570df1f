import { propNames, rejectUnknownProps } from '../core/props';
import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  connectWorkload, IService, IValidator, IWorkload, NetworkPort, Placement, PodBuilder, PodNetworkPolicy, PodOptions, resolvePlacement, SecretValue, serviceHost,
  Validator, WorkloadRole,
} from '../core';
import { childObject, childObjects } from '../core/handles';
import { addIngress, IngressOptions, validateIngressOptions } from '../core/ingress';
import { durationSeconds } from '../core/job';
import { componentLabels, imageTag, selectorLabels } from '../core/labels';
import { ServerBlock } from '../core/server';
import { validateEnum, validateEnvName, validateInteger, validateLabels, validatePort, validateServiceName } from '../core/validation';
import { applyAccess, serviceOptions, ServiceType } from './access';
import { resolveAutoscaling, ResolvedAutoscaling } from './autoscaling';
import { ServingBackend } from './backend';
import { joinMesh, renderIstio } from './istio';
import { allowKServeTraffic, renderInferenceService } from './kserve';
import { ModelServerConnectOptions, ModelServerProps } from './model-server-props';
import { ModelSource } from './model-source';
import { renderMonitoring } from './monitoring';
import { renderReplicas } from './replicas';
import { ServingRuntime } from './runtime';
import { resolveVariants, VARIANT_LABEL, VariantSpec } from './variants';
import { registerConstruct } from '../core/platform';
import { registerServerSecrets } from '../core/server-secrets';

/** The props every backend shares, checked and with their defaults. */
interface ServerBasics {
  readonly name: string;
  readonly placement: Placement;
  readonly backend: ServingBackend;
  readonly replicas: number;
  readonly autoscaling?: ResolvedAutoscaling;
}

/** What callers see of the server, decided by the backend before the server's objects are rendered. */
interface Frontend {
  readonly podSelector: Record<string, string>;
  readonly serviceName: string;
  /** The port clients call on the Service. */
  readonly port: number;
  /** The ports callers reach on the pods. */
  readonly callerPorts: NetworkPort[];
  /** The labels of the Service and the NetworkPolicy. */
  readonly labels: Record<string, string>;
}

/** What {@link ModelServer} renders its Deployments with. */
interface DeploymentsInput {
  readonly runtime: ServingRuntime;
  readonly variants: VariantSpec[];
  /** The server's Service and NetworkPolicy. */
  readonly server: ServerBlock;
  readonly basics: ServerBasics;
  readonly labels: (component: string, version?: string) => Record<string, string>;
}


/** Every prop of ModelServerProps, for refusing unknown ones (the compiler checks the list against the interface). */
const MODEL_SERVER_PROPS = propNames<ModelServerProps>()({
  name: true, namespace: true, team: true, runtime: true, model: true, backend: true, replicas: true,
  autoscaling: true, accelerator: true, cpu: true, cpuLimit: true, memory: true, memoryLimit: true,
  sharedMemory: true, env: true, secretEnv: true, files: true, envFrom: true, startupTimeout: true, probePeriod: true, maxSurge: true,
  requireSpreadAcrossNodes: true, servicePort: true, serviceName: true, serviceType: true, ingress: true, access: true, monitoring: true, istio: true,
  variants: true, scheduling: true, serviceAccountName: true, security: true, labels: true, allowSecretsInJobNamespace: true,
});
/**
 * An inference service: Deployments + Service + PodDisruptionBudget + autoscaling, with optional Ingress,
 * ServiceMonitor/PrometheusRule, Istio mTLS/authorization and weighted variants; or the same props as a KServe
 * InferenceService. Replicas load slow models under a startup probe budget, roll out without dropping below the
 * desired capacity, spread across nodes and zones, and accept connections only from the paths that were opened.
 *
 * @example
 * new ModelServer(chart, 'resnet', {
 *   runtime: ServingRuntime.tfServing({ modelName: 'resnet' }),
 *   model: ModelSource.claim(models, 'resnet'),
 *   replicas: 3,
 * });
 */
export class ModelServer extends Construct implements IWorkload, IService {
  /** The name of the server (Deployment, or the InferenceService). */
  public readonly workloadName: string;
  /** The namespace, if known. */
  public readonly namespace?: string;
  /** Labels that select every pod of the server (all variants). */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of the server's pods. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The Service clients call. */
  public readonly serviceName: string;
  /** The port clients call on the Service. */
  public readonly port: number;
  /** The Service's DNS name. */
  public readonly host: string;
  /** `http://host:port`. */
  public readonly url: string;

  /** Ports opened to callers on the pods. */
  private readonly callerPorts: NetworkPort[];
  /** KServe Serverless: callers reach the server through Knative's local gateway in istio-system. */
  private readonly viaKnativeGateway: boolean = false;
  /** True when the server is in the Istio mesh: its callers' sidecars route to it (and apply the A/B split). */
  private inMesh = false;
  private readonly pods: PodBuilder[] = [];

  public constructor(scope: Construct, id: string, props: ModelServerProps) {
    super(scope, id);
    registerConstruct(this, 'ModelServer', [registerServerSecrets(this, props?.allowSecretsInJobNamespace)]);
    const v: Validator = Validator.forConstruct('ModelServer', id);
    rejectUnknownProps(v, props, MODEL_SERVER_PROPS);
    const basics = this.resolveBasics(v, id, props);
    const name = this.workloadName = basics.name;
    this.namespace = basics.placement.namespace;
    const labels = (component: string, version?: string) => ({
      ...props.labels,
      ...componentLabels({ name, instance: name, component, version }),
    });
    // The Deployment backend runs the runtime; KServe only takes its model format (its pods come from KServe).
    const kserve = basics.backend.kserve;
    if (kserve === undefined && props.runtime === undefined) v.fail('runtime', 'must be set for the Deployment backend (e.g. ServingRuntime.triton())', props.runtime);
    const runtime = kserve === undefined ? props.runtime : undefined;
    const variants = runtime === undefined ? [] : resolveVariants(v, name, props.variants, runtime, props.model);
    const frontend = runtime === undefined ? this.renderKServe(v, props, basics, labels('predictor')) : deploymentFrontend(v, name, runtime, labels('server'), props);
    this.podSelector = frontend.podSelector;
    this.serviceName = frontend.serviceName;
    this.port = frontend.port;
    this.callerPorts = frontend.callerPorts;
    this.host = serviceHost(this.serviceName, this.namespace);
    // KServe's Service listens on 80, which the URL leaves out.
    this.url = runtime === undefined ? `http://${this.host}` : `http://${this.host}:${this.port}`;
    const server = new ServerBlock(this, { name, namespace: this.namespace, labels: frontend.labels, selector: this.podSelector });
    this.networkPolicy = server.addNetworkPolicy();

    // The order of the steps below is the order of the objects in the manifest and of the checks.
    if (kserve !== undefined) this.viaKnativeGateway = allowKServeTraffic(this.networkPolicy, kserve.mode, props.model);
    if (runtime !== undefined) this.renderDeployments(v, props, { runtime, variants, server, basics, labels });
    applyAccess(v, this.networkPolicy, props.access, this.callerPorts);
    if (runtime !== undefined) {
      if (props.ingress !== undefined) this.renderIngress(v, props.ingress, runtime, labels('server'), props.variants === undefined ? [] : variants);
      renderMonitoring(this, v, props.monitoring, {
        name, namespace: this.namespace, serviceName: this.serviceName, podSelector: this.podSelector, labels: labels('server'), networkPolicy: this.networkPolicy, runtime,
      });
    }
    if (props.istio !== undefined || props.variants !== undefined) {
      const named = variants.filter((x) => x.name !== undefined);
      renderIstio(this, v, this, { istio: props.istio ?? {}, labels: labels('server'), callerPorts: this.callerPorts, variants: named, runtime });
      this.inMesh = true;
    }
  }

  /**
   * The Deployment (child id `Resource`); undefined with `variants` (see `deployments`) and with KServe (see
   * `inferenceService`). An escape hatch: `addJsonPatch` on it changes what the library wrote.
   */
  public get deployment(): k8s.KubeDeployment | undefined {
    return childObject(this, ['Resource'], k8s.KubeDeployment);
  }

  /** Every Deployment of the server: the one Deployment, or one per variant (child `Variant-<name>/Resource`). */
  public get deployments(): k8s.KubeDeployment[] {
    const own = this.deployment;
    return own === undefined ? childObjects(this, 'Variant-', ['Resource'], k8s.KubeDeployment) : [own];
  }

  /** The Service clients call (child id `Service`); undefined with KServe, whose Services KServe creates. */
  public get service(): k8s.KubeService | undefined {
    return childObject(this, ['Service'], k8s.KubeService);
  }

  /**
   * The autoscaler of the Deployment (child id `Autoscaler`): a HorizontalPodAutoscaler, or a KEDA ScaledObject for
   * Prometheus metrics; undefined without `autoscaling`, with `variants` and with KServe.
   */
  public get autoscaler(): ApiObject | undefined {
    return childObject(this, ['Autoscaler'], ApiObject);
  }

  /** The PodDisruptionBudget of the Deployment (child id `DisruptionBudget`); undefined with `variants` and KServe. */
  public get disruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return childObject(this, ['DisruptionBudget'], k8s.KubePodDisruptionBudget);
  }

  /** The KServe InferenceService (child id `Resource`); undefined with the Deployment backend. */
  public get inferenceService(): ApiObject | undefined {
    const resource = childObject(this, ['Resource'], ApiObject);
    return resource?.kind === 'Deployment' ? undefined : resource;
  }

  /** The Ingress (child id `Ingress`), if `ingress` is set. */
  public get ingress(): k8s.KubeIngress | undefined {
    return childObject(this, ['Ingress'], k8s.KubeIngress);
  }

  /** Adds an environment variable to the server containers (every variant). */
  public addEnv(name: string, value: string | SecretValue): void {
    for (const pod of this.pods) pod.addEnv(name, value);
  }

  /** Adds a label to the server pods (every variant). */
  public addPodLabel(key: string, value: string): void {
    for (const pod of this.pods) pod.addLabel(key, value);
  }

  /**
   * Lets `workload` call the server: gives it the URL in an environment variable and opens the network path
   * (egress on the caller, ingress on the server).
   */
  public connect(workload: IWorkload, options: ModelServerConnectOptions = {}): void {
    const v = Validator.forConstruct('ModelServer', this.node.id);
    const envName = validateEnvName(v, 'connect.envName', options.envName ?? 'MODEL_SERVER_URL');
    connectWorkload(v, this, workload, { [envName]: this.url }, this.callerPorts, options);
    // The Serverless URL resolves to knative-local-gateway (pods listen on 8081), which forwards to the activator or the pod.
    if (this.viaKnativeGateway) workload.networkPolicy.allowTo({ podSelector: {}, namespace: 'istio-system' }, [{ port: 8081 }]);
    // The caller's sidecar applies the VirtualService split and presents its mTLS identity: the caller gets one,
    // whatever its namespace's injection label, and may fetch its configuration from istiod.
    if (this.inMesh) joinMesh(workload);
  }

  /** Checks the props every backend shares and applies their defaults. */
  private resolveBasics(v: IValidator, id: string, props: ModelServerProps): ServerBasics {
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least a runtime', props);
    const name = props.name ?? id;
    validateServiceName(v, 'name', name);
    const placement = resolvePlacement(v, this, props, WorkloadRole.SERVING);
    const backend = props.backend ?? ServingBackend.deployment();
    if (!(backend instanceof ServingBackend)) v.fail('backend', 'must be made with ServingBackend.deployment() or ServingBackend.kserve()', backend);
    if (props.runtime !== undefined && !(props.runtime instanceof ServingRuntime)) v.fail('runtime', 'must be made with a ServingRuntime factory such as ServingRuntime.triton()', props.runtime);
    if (props.model !== undefined && !(props.model instanceof ModelSource)) v.fail('model', 'must be made with a ModelSource factory such as ModelSource.s3()', props.model);
    if (props.replicas !== undefined && props.autoscaling !== undefined) v.fail('replicas', 'cannot be combined with autoscaling (use autoscaling.minReplicas)', props.replicas);
    const replicas = validateInteger(v, 'replicas', props.replicas ?? 2, 1, 1000);
    const autoscaling = props.autoscaling ? resolveAutoscaling(v, props.autoscaling) : undefined;
    if (autoscaling?.minReplicas === 0 && props.variants !== undefined) {
      v.fail('autoscaling.minReplicas', 'cannot be 0 with variants: the VirtualService keeps sending each variant its share of the requests, which fail while the variant has no replica', 0);
    }
    validateLabels(v, 'labels', props.labels);
    return { name, placement, backend, replicas, autoscaling };
  }

  /** The KServe backend: the InferenceService, which brings its own Service and pods. */
  private renderKServe(v: IValidator, props: ModelServerProps, basics: ServerBasics, labels: Record<string, string>): Frontend {
    for (const prop of ['servicePort', 'serviceName'] as const) {
      if (props[prop] !== undefined) v.fail(prop, 'applies only to the Deployment backend: KServe names its Services after the InferenceService and listens on 80', props[prop]);
    }
    const { name, replicas, autoscaling, placement } = basics;
    const rendered = renderInferenceService(this, v, {
      name, namespace: this.namespace, labels, props, kserve: basics.backend.kserve!,
      replicas, autoscaling, placement,
      pod: (options) => this.newPod(v, options),
    });
    return { podSelector: rendered.podSelector, serviceName: rendered.serviceName, port: 80, callerPorts: [{ port: rendered.podPort }], labels };
  }

  /** The Deployment backend: a Deployment (with its PodDisruptionBudget and autoscaler) per variant, one Service. */
  private renderDeployments(v: IValidator, props: ModelServerProps, input: DeploymentsInput): void {
    const { basics, labels } = input;
    const period = validateInteger(v, 'probePeriod', durationSeconds(v, 'probePeriod', props.probePeriod ?? Duration.seconds(10)), 1, 300);
    if (props.serviceType !== undefined) validateEnum(v, 'serviceType', props.serviceType, ServiceType, 'ServiceType');
    for (const variant of input.variants) {
      const scope = variant.name === undefined ? this : new Construct(this, `Variant-${variant.name}`);
      const block = new ServerBlock(scope, {
        name: variant.name === undefined ? this.workloadName : `${this.workloadName}-${variant.name}`,
        namespace: this.namespace,
        labels: labels('server', imageTag(variant.runtime.image(false))),
        selector: variant.name === undefined ? this.podSelector : { ...this.podSelector, [VARIANT_LABEL]: variant.name },
      });
      renderReplicas(scope, v, {
        serverName: this.workloadName, namespace: this.namespace, props, variant, block,
        replicas: basics.replicas, autoscaling: basics.autoscaling, maxReplicas: basics.autoscaling?.maxReplicas ?? basics.replicas,
        period, placement: basics.placement, networkPolicy: this.networkPolicy,
        newPod: (options) => this.newPod(v, options),
      });
    }
    input.server.addService(serviceOptions(v, props.serviceType, props.access, input.runtime, { name: this.serviceName, servingPort: this.port }));
  }

  private renderIngress(v: IValidator, ingress: IngressOptions, runtime: ServingRuntime, labels: Record<string, string>, variants: VariantSpec[]): void {
    validateIngressOptions(v, 'ingress', ingress);
    if (ingress.tlsSecretName === undefined && ingress.allowPlainHttp !== true) {
      v.fail('ingress.tlsSecretName', 'must name the TLS Secret for the host (cert-manager can create it): requests and predictions would cross the network in clear text; set ingress.allowPlainHttp: true to serve plain HTTP', ingress.tlsSecretName);
    }
    if (variants.length > 0) {
      // The ingress controller resolves the Service to its endpoints, the pods of every variant, and balances over
      // them itself: the Istio split applies only to callers whose sidecar routes the request.
      v.fail('ingress', `cannot be combined with variants: the ingress controller sends requests straight to the pods of every variant, ignoring the ${variants.map((x) => x.weight).join('/')} split the mesh applies; expose the server through an Istio Gateway (a VirtualService of yours bound to it) or through a caller in the mesh (a ModelServer with an Ingress that connect()s to this one)`, ingress);
    }
    addIngress(this, 'Ingress', ingress, {
      serviceName: this.serviceName,
      namespace: this.namespace,
      labels,
      servicePort: { name: runtime.servingPortName },
      networkPolicy: this.networkPolicy,
      podPort: runtime.servingPort,
    });
  }

  private newPod(v: IValidator, options: PodOptions): PodBuilder {
    const pod = new PodBuilder(v, options);
    this.pods.push(pod);
    return pod;
  }
}

/**
 * The Deployment backend's frontend: the Service has the server's name (or `serviceName`) and the runtime's ports
 * (the serving one on `servicePort`); callers reach every pod port except a dedicated metrics port and TorchServe's
 * management API.
 */
function deploymentFrontend(v: IValidator, name: string, runtime: ServingRuntime, labels: Record<string, string>, props: ModelServerProps): Frontend {
  const metricsPortName = runtime.metrics?.port;
  const callerPortSpecs = runtime.ports.filter((p) => p.name === runtime.servingPortName || (p.name !== metricsPortName && p.name !== 'management'));
  const serviceName = props.serviceName === undefined ? name : validateServiceName(v, 'serviceName', props.serviceName);
  let port = runtime.servingPort;
  if (props.servicePort !== undefined) {
    port = validatePort(v, 'servicePort', props.servicePort);
    const clash = runtime.ports.find((p) => p.name !== runtime.servingPortName && p.port === port);
    if (clash) v.fail('servicePort', `must differ from the runtime's '${clash.name}' port ${clash.port}, which the Service also exposes`, port);
  }
  return {
    podSelector: selectorLabels({ instance: name, component: 'server' }),
    serviceName,
    port,
    callerPorts: callerPortSpecs.map((p) => ({ port: p.port })),
    labels,
  };
}
