import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Accelerator, connectWorkload, ContainerSpec, IService, ISTIO_INJECT_LABEL, ITeam, IWorkload, NetworkPeer, NetworkPort, PodBuilder, PodNetworkPolicy, PodSecurityOptions,
  QuantityInput, resolvePlacement, SchedulingOptions, SecretValue, serviceHost, Validator, WorkloadRole,
} from './core';
import { IValidator } from './core/errors';
import { addIngress, IngressOptions, validateIngressOptions } from './core/ingress';
import { childName, componentLabels, imageTag, selectorLabels } from './core/labels';
import { trainingSharedMemory } from './core/training';
import { durationSeconds } from './core/job';
import { validateCidr, validateDnsLabel, validateEnum, validateEnvName, validateInteger, validateLabels } from './core/validation';
import { checkMounts, resolveMount, ResolvedMount } from './core/volumes';
import { AuthorizationPolicy, AuthorizationRule } from './serving/authorization-policy';
import { AutoscalingOptions, resolveAutoscaling, ResolvedAutoscaling } from './serving/autoscaling';
import { renderInferenceService, ServingBackend, KServeDeploymentMode } from './serving/kserve';
import { ModelSource } from './serving/model-source';
import { ServingRuntime } from './serving/runtime';
import { RuntimeProbe } from './serving/runtime-options';
import { lazyModule } from './core/lazy';

// Generated CRD classes, loaded when first used (see lazyModule).
const destinationRuleCrd = lazyModule(() => require('../imports/istio-destinationrule-networking.istio.io') as typeof import('../imports/istio-destinationrule-networking.istio.io'));
const virtualServiceCrd = lazyModule(() => require('../imports/istio-virtualservice-networking.istio.io') as typeof import('../imports/istio-virtualservice-networking.istio.io'));
const scaledObjectCrd = lazyModule(() => require('../imports/keda-scaledobject-keda.sh') as typeof import('../imports/keda-scaledobject-keda.sh'));
const prometheusRuleCrd = lazyModule(() => require('../imports/prometheus-prometheusrule-monitoring.coreos.com') as typeof import('../imports/prometheus-prometheusrule-monitoring.coreos.com'));
const serviceMonitorCrd = lazyModule(() => require('../imports/prometheus-servicemonitor-monitoring.coreos.com') as typeof import('../imports/prometheus-servicemonitor-monitoring.coreos.com'));

/** The image of the init container that downloads models from object storage (KServe's storage initializer). */
export const MODEL_DOWNLOAD_IMAGE = 'kserve/storage-initializer:v0.15.2';

/** Istio's control plane, which every sidecar gets its configuration and certificates from. */
const ISTIOD: NetworkPeer = { podSelector: { app: 'istiod' }, namespace: 'istio-system' };
const ISTIOD_PORT = 15012;

/** The pod label that tells the variants of a ModelServer apart. */
export const VARIANT_LABEL = 'serving.cdk8s-mlops.io/variant';

/** How the Service is reachable. */
export enum ServiceType {
  /** Inside the cluster only. */
  CLUSTER_IP = 'ClusterIP',
  /** On a port of every node. */
  NODE_PORT = 'NodePort',
  /** Through a cloud load balancer. */
  LOAD_BALANCER = 'LoadBalancer',
}

/** Who may call the server (besides workloads wired with `connect`). */
export interface AccessOptions {
  /**
   * Every pod of these namespaces.
   * @default - none
   */
  readonly namespaces?: string[];
  /**
   * Pods with these labels (in their namespace).
   * @default - none
   */
  readonly peers?: NetworkPeer[];
  /**
   * Client address ranges outside the cluster (IPv4 CIDRs). Required with a LoadBalancer or NodePort Service: they
   * become its `loadBalancerSourceRanges`, and the Service keeps client addresses (`externalTrafficPolicy: Local`)
   * so that the NetworkPolicy can admit them.
   * @default - none
   */
  readonly cidrs?: string[];
}

/** Alert severities. */
export enum AlertSeverity {
  WARNING = 'warning',
  CRITICAL = 'critical',
}

/**
 * An alert on a metric of your own model (accuracy drift, prediction distribution, feature freshness), next to the
 * runtime's latency and error-rate alerts.
 */
export interface CustomAlert {
  /** The alert's name, in Prometheus' `CamelCase` style (`ModelAccuracyDrop`). */
  readonly name: string;
  /**
   * The PromQL condition. `$selector` is replaced with the label matchers of this server's series
   * (`job="ranker",namespace="recsys"`), e.g. `increase(model_accuracy_drop_count{$selector}[1h]) > 10`.
   */
  readonly expr: string;
  /** One line for the people paged (the `summary` annotation). */
  readonly summary: string;
  /**
   * More detail (the `description` annotation).
   * @default - none
   */
  readonly description?: string;
  /**
   * How long the condition must hold before the alert fires.
   * @default - the `for` of the alerts
   */
  readonly for?: Duration;
  /**
   * The alert's `severity` label.
   * @default - the `severity` of the alerts
   */
  readonly severity?: AlertSeverity;
}

/** Thresholds of the PrometheusRule alerts. */
export interface AlertThresholds {
  /**
   * Alert when request latency (the runtime's p99, or its mean where it only exports totals) exceeds this.
   * @default - no latency alert
   */
  readonly latencyAbove?: Duration;
  /**
   * Alert when the fraction of failed requests exceeds this (0 to 1, e.g. 0.05).
   * @default - no error-rate alert
   */
  readonly errorRateAbove?: number;
  /**
   * How long a threshold must be exceeded before the alert fires.
   * @default Duration.minutes(10)
   */
  readonly for?: Duration;
  /**
   * The alerts' `severity` label.
   * @default AlertSeverity.WARNING
   */
  readonly severity?: AlertSeverity;
  /**
   * Alerts on the model's own metrics, which the runtime's presets cannot know.
   * @default - none
   */
  readonly custom?: CustomAlert[];
}

/** Metrics scraping and alerts. */
export interface MonitoringOptions {
  /**
   * The namespace of the Prometheus that scrapes the metrics port (allowed through the NetworkPolicy).
   * @default 'monitoring'
   */
  readonly scraperNamespace?: string;
  /**
   * Emit a ServiceMonitor for the metrics port.
   * @default true
   */
  readonly serviceMonitor?: boolean;
  /**
   * Scrape interval.
   * @default Duration.seconds(15)
   */
  readonly interval?: Duration;
  /**
   * Latency and error-rate alerts as a PrometheusRule.
   * @default - no alerts
   */
  readonly alerts?: AlertThresholds;
}

/** A Kubernetes service account, as an Istio caller identity. */
export interface ServiceAccountRef {
  /** The service account's name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
}

/** HTTP methods for Istio authorization. */
export enum HttpMethod {
  GET = 'GET',
  POST = 'POST',
  PUT = 'PUT',
  DELETE = 'DELETE',
}

/**
 * Callers an Istio AuthorizationPolicy lets through (all others are denied). The server's NetworkPolicy admits
 * their namespaces on the serving ports (it cannot select service accounts); the mesh narrows it to these identities.
 */
export interface AllowedCallers {
  /** Their service accounts (mTLS identities). */
  readonly serviceAccounts: ServiceAccountRef[];
  /**
   * The HTTP methods they may use.
   * @default - any method
   */
  readonly methods?: HttpMethod[];
  /**
   * The paths they may call (`/v1/models/*`).
   * @default - any path
   */
  readonly paths?: string[];
}

/** Istio service mesh options. */
export interface IstioOptions {
  /**
   * Require Istio mutual TLS to the server (DestinationRule `ISTIO_MUTUAL`).
   * @default false
   */
  readonly mtls?: boolean;
  /**
   * Restrict callers with an AuthorizationPolicy.
   * @default - no AuthorizationPolicy
   */
  readonly allowedCallers?: AllowedCallers;
}

/** A variant of the model for an A/B test or canary: its own Deployment, a share of the traffic. */
export interface ModelVariant {
  /** The variant's name (a DNS label, e.g. `v1`). */
  readonly name: string;
  /** Its share of the traffic in percent; the variants' weights sum to 100. */
  readonly weight: number;
  /**
   * Its model.
   * @default - the server's `model`
   */
  readonly model?: ModelSource;
  /**
   * Its runtime (with the same ports as the server's).
   * @default - the server's `runtime`
   */
  readonly runtime?: ServingRuntime;
}

/** Props of {@link ModelServer}. */
export interface ModelServerProps {
  /**
   * The name of the Service, Deployment and other objects (a DNS-1035 label: starts with a letter).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of every object.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that owns the server: its namespace and serving service account are used unless given here.
   * @default - no team
   */
  readonly team?: ITeam;
  /**
   * The server software. Required with the Deployment backend; with KServe it only picks the model format.
   * @default - none (KServe: the backend's `modelFormat`)
   */
  readonly runtime?: ServingRuntime;
  /**
   * Where the model comes from.
   * @default - none: the image or the runtime (`ServingRuntime.vllm({ model })`) brings it
   */
  readonly model?: ModelSource;
  /**
   * Plain Deployments (default) or a KServe InferenceService.
   * @default ServingBackend.deployment()
   */
  readonly backend?: ServingBackend;
  /**
   * Replicas when not autoscaled.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Autoscaling (a HorizontalPodAutoscaler, or KEDA on a Prometheus query).
   * @default - a fixed replica count
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * The accelerator of each replica.
   * @default - CPU only
   */
  readonly accelerator?: Accelerator;
  /**
   * CPU cores requested (and the limit unless `cpuLimit`).
   * @default 2 (vLLM: 4)
   */
  readonly cpu?: QuantityInput;
  /**
   * CPU limit.
   * @default - the request
   */
  readonly cpuLimit?: QuantityInput;
  /**
   * Memory requested (and the limit unless `memoryLimit`).
   * @default '8Gi' (vLLM: '32Gi')
   */
  readonly memory?: QuantityInput;
  /**
   * Memory limit.
   * @default - the request
   */
  readonly memoryLimit?: QuantityInput;
  /**
   * Size of the memory-backed `/dev/shm`.
   * @default - vLLM: a quarter of the memory (at most 16Gi); others: none
   */
  readonly sharedMemory?: QuantityInput;
  /**
   * Plain environment variables of the server.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables read from Secrets.
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretValue>;
  /**
   * How long a replica may take to load its model before it is restarted (the startup probe's budget).
   * Liveness and readiness probes start only after startup succeeds.
   * @default - 10 minutes (vLLM: 30 minutes)
   */
  readonly startupTimeout?: Duration;
  /**
   * The period of the probes.
   * @default Duration.seconds(10)
   */
  readonly probePeriod?: Duration;
  /**
   * Extra pods a rolling update may start above the desired count (none is ever taken down first).
   * @default 1
   */
  readonly maxSurge?: number;
  /**
   * Require replicas on different nodes (else only preferred). Zones are always preferred.
   * @default false
   */
  readonly requireSpreadAcrossNodes?: boolean;
  /**
   * The Service type. LoadBalancer and NodePort need `access.cidrs`, the client ranges allowed from outside.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;
  /**
   * An Ingress for the serving port.
   * @default - none
   */
  readonly ingress?: IngressOptions;
  /**
   * Namespaces and pods allowed to call the server.
   * @default - only wired workloads, the ingress controller and the metrics scraper
   */
  readonly access?: AccessOptions;
  /**
   * ServiceMonitor and alerts.
   * @default - no ServiceMonitor (the scraper namespace 'monitoring' may still reach the metrics port)
   */
  readonly monitoring?: MonitoringOptions;
  /**
   * Istio mTLS and authorization.
   * @default - no Istio objects (unless `variants` are given)
   */
  readonly istio?: IstioOptions;
  /**
   * Two or more variants with traffic weights (A/B test or canary), split by an Istio VirtualService.
   * @default - one variant
   */
  readonly variants?: ModelVariant[];
  /**
   * Scheduling: spot, node labels, tolerations, priority.
   * @default - any node with the accelerator
   */
  readonly scheduling?: SchedulingOptions;
  /**
   * The ServiceAccount of the pods.
   * @default - the team's serving service account, else the namespace's default, without a token
   */
  readonly serviceAccountName?: string;
  /**
   * The user and group the containers run as.
   * @default - user 1000, group 1000
   */
  readonly security?: PodSecurityOptions;
  /**
   * Extra labels on every object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Options of {@link ModelServer.connect}. */
export interface ModelServerConnectOptions {
  /**
   * The environment variable that receives the server's URL.
   * @default 'MODEL_SERVER_URL'
   */
  readonly envName?: string;
}

interface VariantSpec {
  readonly name?: string;
  readonly weight: number;
  readonly runtime: ServingRuntime;
  readonly model?: ModelSource;
  readonly prop: string;
}

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
    const v: Validator = Validator.forConstruct('ModelServer', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least a runtime', props);
    const name = props.name ?? id;
    if (typeof name !== 'string' || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
      v.fail('name', 'must be a DNS-1035 label (lower-case letters, digits and \'-\', starting with a letter, at most 63 characters)', name);
    }
    this.workloadName = name;
    const placement = resolvePlacement(v, this, props, WorkloadRole.SERVING);
    this.namespace = placement.namespace;
    const backend = props.backend ?? ServingBackend.deployment();
    if (!(backend instanceof ServingBackend)) v.fail('backend', 'must be made with ServingBackend.deployment() or ServingBackend.kserve()', backend);
    if (props.runtime !== undefined && !(props.runtime instanceof ServingRuntime)) v.fail('runtime', 'must be made with a ServingRuntime factory such as ServingRuntime.triton()', props.runtime);
    if (props.model !== undefined && !(props.model instanceof ModelSource)) v.fail('model', 'must be made with a ModelSource factory such as ModelSource.s3()', props.model);
    if (props.replicas !== undefined && props.autoscaling !== undefined) v.fail('replicas', 'cannot be combined with autoscaling (use autoscaling.minReplicas)', props.replicas);
    const replicas = validateInteger(v, 'replicas', props.replicas ?? 2, 1, 1000);
    const autoscaling = props.autoscaling ? resolveAutoscaling(v, props.autoscaling) : undefined;
    const maxReplicas = autoscaling?.maxReplicas ?? replicas;
    validateLabels(v, 'labels', props.labels);
    const labels = (component: string, version?: string) => ({
      ...props.labels,
      ...componentLabels({ name: this.workloadName, instance: this.workloadName, component, version }),
    });

    if (backend.kserve !== undefined) {
      const rendered = renderInferenceService(this, v, {
        name, namespace: this.namespace, labels: labels('predictor'), props, kserve: backend.kserve,
        replicas, autoscaling, placement,
        pod: (options) => this.newPod(v, options),
      });
      this.podSelector = rendered.podSelector;
      this.serviceName = rendered.serviceName;
      this.port = 80;
      this.callerPorts = [{ port: rendered.podPort }];
      this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name, namespace: this.namespace, podSelector: this.podSelector, labels: labels('predictor') });
      if (backend.kserve.mode === KServeDeploymentMode.SERVERLESS) {
        // Knative's activator and the mesh gateway forward requests to the queue-proxy sidecar; Knative's
        // autoscaler scrapes the queue-proxy's request statistics on 9090.
        this.networkPolicy.allowFromNamespace('knative-serving', [{ port: 8012 }, { port: 8022 }, { port: 9090 }]);
        this.networkPolicy.allowFromNamespace('istio-system', [{ port: 8012 }]);
        this.viaKnativeGateway = true;
      }
      // KServe's storage initializer downloads the model inside the predictor pod.
      const download = props.model?.download;
      if (download !== undefined) this.networkPolicy.allowToCidr('0.0.0.0/0', [{ port: download.port }]);
      this.host = serviceHost(this.serviceName, this.namespace);
      this.url = `http://${this.host}`;
      this.applyAccess(v, props, this.callerPorts);
      if (props.istio !== undefined) this.renderIstio(v, props, labels('server'), [], undefined);
      return;
    }

    if (props.runtime === undefined) v.fail('runtime', 'must be set for the Deployment backend (e.g. ServingRuntime.triton())', props.runtime);
    const runtime = props.runtime;
    const variants = this.resolveVariants(v, props, runtime);
    this.podSelector = selectorLabels({ instance: this.workloadName, component: 'server' });
    this.serviceName = name;
    this.port = runtime.servingPort;
    this.host = serviceHost(name, this.namespace);
    this.url = `http://${this.host}:${this.port}`;
    const metricsPortName = runtime.metrics?.port;
    // Callers reach every port except a dedicated metrics port and TorchServe's management API.
    const callerPortSpecs = runtime.ports.filter((p) => p.name === runtime.servingPortName || (p.name !== metricsPortName && p.name !== 'management'));
    this.callerPorts = callerPortSpecs.map((p) => ({ port: p.port }));
    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name, namespace: this.namespace, podSelector: this.podSelector, labels: labels('server') });

    const period = this.probePeriod(v, props);
    if (props.serviceType !== undefined) validateEnum(v, 'serviceType', props.serviceType, ServiceType, 'ServiceType');
    for (const variant of variants) {
      const scope = variant.name === undefined ? this : new Construct(this, `Variant-${variant.name}`);
      this.renderVariant(scope, v, props, variant, {
        name: variant.name === undefined ? name : `${name}-${variant.name}`,
        labels: labels('server', imageTag(variant.runtime.image(false))),
        replicas, autoscaling, maxReplicas, period, placement,
      });
    }

    const serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
    const external = serviceType !== ServiceType.CLUSTER_IP;
    if (external && (props.access?.cidrs ?? []).length === 0) {
      // The pods' NetworkPolicy admits outside clients only from listed ranges; never the whole internet by default.
      v.fail('serviceType', 'needs access.cidrs, the client address ranges allowed from outside the cluster (e.g. [\'10.0.0.0/8\'])', serviceType);
    }
    new k8s.KubeService(this, 'Service', {
      metadata: { name, namespace: this.namespace, labels: labels('server') },
      spec: {
        type: serviceType,
        externalTrafficPolicy: external ? 'Local' : undefined,
        loadBalancerSourceRanges: serviceType === ServiceType.LOAD_BALANCER ? props.access?.cidrs : undefined,
        selector: this.podSelector,
        ports: runtime.ports.map((p) => ({
          name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP',
          // Istio and L7 load balancers pick the protocol from appProtocol.
          appProtocol: p.name === 'grpc' ? 'grpc' : ['http', 'metrics', 'management'].includes(p.name) ? 'http' : undefined,
        })),
      },
    });

    this.applyAccess(v, props, this.callerPorts);
    if (props.ingress !== undefined) this.renderIngress(v, props.ingress, name, runtime, labels('server'));
    this.renderMonitoring(v, props, runtime, labels('server'));
    if (props.istio !== undefined || props.variants !== undefined) {
      this.renderIstio(v, props, labels('server'), variants.filter((x) => x.name !== undefined), runtime);
    }
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
    connectWorkload(v, this, workload, { [envName]: this.url }, this.callerPorts);
    // The Serverless URL resolves to knative-local-gateway (pods listen on 8081), which forwards to the activator or the pod.
    if (this.viaKnativeGateway) workload.networkPolicy.allowTo({ podSelector: {}, namespace: 'istio-system' }, [{ port: 8081 }]);
    // The caller's sidecar applies the VirtualService split and presents its mTLS identity: the caller gets one,
    // whatever its namespace's injection label, and may fetch its configuration from istiod.
    if (this.inMesh) {
      workload.addPodLabel(ISTIO_INJECT_LABEL, 'true');
      workload.networkPolicy.allowTo(ISTIOD, [{ port: ISTIOD_PORT }]);
    }
  }

  private newPod(v: IValidator, options: ConstructorParameters<typeof PodBuilder>[1]): PodBuilder {
    const pod = new PodBuilder(v, options);
    this.pods.push(pod);
    return pod;
  }

  private probePeriod(v: IValidator, props: ModelServerProps): number {
    return validateInteger(v, 'probePeriod', durationSeconds(v, 'probePeriod', props.probePeriod ?? Duration.seconds(10)), 1, 300);
  }

  private resolveVariants(v: IValidator, props: ModelServerProps, runtime: ServingRuntime): VariantSpec[] {
    if (props.variants === undefined) return [{ weight: 100, runtime, model: props.model, prop: 'model' }];
    if (!Array.isArray(props.variants) || props.variants.length < 2) v.fail('variants', 'must list at least two variants', props.variants);
    const seen = new Set<string>();
    const variants = props.variants.map((variant, i): VariantSpec => {
      const at = `variants[${i}]`;
      if (!variant || typeof variant !== 'object') v.fail(at, 'must be a variant { name, weight }', variant);
      validateDnsLabel(v, `${at}.name`, variant.name, 63 - this.workloadName.length - 1);
      if (seen.has(variant.name)) v.fail(`${at}.name`, 'must be unique among the variants', variant.name);
      seen.add(variant.name);
      validateInteger(v, `${at}.weight`, variant.weight, 0, 100);
      const variantRuntime = variant.runtime ?? runtime;
      if (!(variantRuntime instanceof ServingRuntime)) v.fail(`${at}.runtime`, 'must be made with a ServingRuntime factory', variantRuntime);
      if (JSON.stringify(variantRuntime.ports) !== JSON.stringify(runtime.ports)) {
        v.fail(`${at}.runtime`, `must expose the same ports as 'runtime' (${runtime.ports.map((p) => `${p.name}:${p.port}`).join(', ')}), one Service fronts every variant`, variantRuntime.ports.map((p) => `${p.name}:${p.port}`).join(', '));
      }
      return { name: variant.name, weight: variant.weight, runtime: variantRuntime, model: variant.model ?? props.model, prop: variant.model ? `${at}.model` : 'model' };
    });
    const total = variants.reduce((sum, x) => sum + x.weight, 0);
    if (total !== 100) v.fail('variants', `must have weights that sum to 100 (${variants.map((x) => `${x.name}: ${x.weight}`).join(', ')})`, total);
    return variants;
  }

  private renderVariant(scope: Construct, v: IValidator, props: ModelServerProps, variant: VariantSpec, options: {
    name: string; labels: Record<string, string>; replicas: number; autoscaling?: ResolvedAutoscaling; maxReplicas: number;
    period: number; placement: ReturnType<typeof resolvePlacement>;
  }): void {
    const runtime = variant.runtime;
    const selector = variant.name === undefined ? this.podSelector : { ...this.podSelector, [VARIANT_LABEL]: variant.name };
    const accelerator = props.accelerator;
    if (accelerator !== undefined && !(accelerator instanceof Accelerator)) v.fail('accelerator', 'must be made with an Accelerator factory such as Accelerator.nvidiaGpu(1)', accelerator);
    if (accelerator !== undefined && accelerator.hostsInSlice !== 1) v.fail('accelerator', 'must fit on one node (a replica is one pod)', accelerator.description);
    const gpus = accelerator?.isNvidia || accelerator?.vendor === 'amd' ? accelerator.count : 0;
    const isVllm = runtime.kind === 'vllm';
    const memory = props.memory ?? (isVllm ? '32Gi' : '8Gi');
    const sharedMemory = props.sharedMemory !== undefined || runtime.needsSharedMemory ? trainingSharedMemory(v, memory, props.sharedMemory) : undefined;
    const spread = (topologyKey: string, required: boolean): k8s.TopologySpreadConstraint => ({
      maxSkew: 1, topologyKey, whenUnsatisfiable: required ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: selector },
      // Only pods of the same revision count, so a rolling update is not skewed by the pods it replaces.
      matchLabelKeys: ['pod-template-hash'],
    });
    const pod = this.newPod(v, {
      scheduling: options.placement.scheduling,
      serviceAccountName: options.placement.serviceAccountName,
      sharedMemory,
      security: props.security,
      labels: { ...options.labels, ...selector },
      topologySpreadConstraints: [spread('kubernetes.io/hostname', props.requireSpreadAcrossNodes ?? false), spread('topology.kubernetes.io/zone', false)],
    });

    const volumeMounts: k8s.VolumeMount[] = [];
    const mounts: ResolvedMount[] = [];
    const model = variant.model;
    if (model?.claim !== undefined) {
      mounts.push(resolveMount(v, variant.prop, { claim: model.claim, path: runtime.modelPath, subPath: model.subPath, readOnly: true }, true));
      checkMounts(v, mounts, {
        podsMaySpanNodes: options.maxReplicas > 1,
        namespace: this.namespace,
        why: `the ${options.maxReplicas} replicas may run on different nodes`,
      });
    } else if (model?.download !== undefined) {
      const download = model.download;
      pod.addVolume({ name: 'model', emptyDir: { sizeLimit: download.sizeLimit ? k8s.Quantity.fromString(download.sizeLimit) : undefined } });
      const initMounts: k8s.VolumeMount[] = [{ name: 'model', mountPath: runtime.modelPath }];
      const env = { ...download.env };
      if (download.keyFile) {
        pod.addVolume({ name: 'model-credentials', secret: { secretName: download.keyFile.secretName, items: [{ key: download.keyFile.key, path: 'key.json' }] } });
        initMounts.push({ name: 'model-credentials', mountPath: '/var/run/secrets/model-storage', readOnly: true });
        env.GOOGLE_APPLICATION_CREDENTIALS = '/var/run/secrets/model-storage/key.json';
      }
      pod.addInitContainer({
        name: 'model-download',
        image: MODEL_DOWNLOAD_IMAGE,
        args: [model.uri, runtime.modelPath],
        env,
        secretEnv: download.secretEnv,
        resources: { cpu: '100m', cpuLimit: 1, memory: '256Mi', memoryLimit: '1Gi' },
        volumeMounts: initMounts,
        prop: `${variant.prop}`,
      });
      volumeMounts.push({ name: 'model', mountPath: runtime.modelPath, readOnly: true });
      this.networkPolicy.allowToCidr('0.0.0.0/0', [{ port: download.port }]);
    }
    if (runtime.downloadsFromInternet) this.networkPolicy.allowToCidr('0.0.0.0/0', [{ port: 443 }]);

    if (runtime.configFiles.length > 0) {
      const configName = childName(options.name, 'config');
      const data: Record<string, string> = {};
      runtime.configFiles.forEach((file, i) => {
        const key = `file-${i}-${file.path.split('/').pop()}`;
        data[key] = file.content;
        volumeMounts.push({ name: 'runtime-config', mountPath: file.path, subPath: key, readOnly: true });
      });
      new k8s.KubeConfigMap(scope, 'RuntimeConfig', { metadata: { name: configName, namespace: this.namespace, labels: options.labels }, data });
      pod.addVolume({ name: 'runtime-config', configMap: { name: configName } });
    }

    const startup = props.startupTimeout ?? runtime.startupBudget;
    const startupSeconds = durationSeconds(v, 'startupTimeout', startup);
    if (startupSeconds < options.period) {
      v.fail('startupTimeout', `must be at least one probe period (${options.period}s): the startup probe needs one check to succeed`, `${startupSeconds}s`);
    }
    const probe = (p: RuntimeProbe, failureThreshold: number): k8s.Probe => ({
      ...(p.path === undefined
        ? { tcpSocket: { port: k8s.IntOrString.fromString(p.port) } }
        : { httpGet: { path: p.path, port: k8s.IntOrString.fromString(p.port) } }),
      periodSeconds: options.period,
      timeoutSeconds: Math.min(5, options.period),
      failureThreshold,
    });

    const container: ContainerSpec = {
      name: 'server',
      image: runtime.image(gpus > 0),
      command: runtime.command,
      args: runtime.args({ serverName: this.workloadName, gpus, hasModelSource: model !== undefined }, v),
      env: props.env,
      secretEnv: { ...runtime.secretEnv, ...props.secretEnv },
      resources: { cpu: props.cpu ?? (isVllm ? 4 : 2), cpuLimit: props.cpuLimit, memory, memoryLimit: props.memoryLimit },
      accelerator,
      ports: runtime.ports,
      mounts,
      volumeMounts,
      writablePaths: runtime.writablePaths,
      startupProbe: probe(runtime.probes.startup ?? runtime.probes.readiness, Math.ceil(startupSeconds / options.period)),
      readinessProbe: probe(runtime.probes.readiness, 3),
      livenessProbe: probe(runtime.probes.liveness, 3),
    };
    pod.addContainer(container);

    const metadata = { name: options.name, namespace: this.namespace, labels: options.labels };
    const maxSurge = validateInteger(v, 'maxSurge', props.maxSurge ?? 1, 1, 100);
    new k8s.KubeDeployment(scope, 'Resource', {
      metadata,
      spec: {
        // An autoscaler owns the replica count; setting it here would reset the scale on every apply.
        replicas: options.autoscaling ? undefined : options.replicas,
        selector: { matchLabels: selector },
        // Never take a serving replica down before its replacement is ready.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(maxSurge) } },
        template: pod.template(),
      },
    });
    new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
      metadata,
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selector },
        // Crash-looping pods must not block node drains.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    if (options.autoscaling) this.renderAutoscaler(scope, metadata, options.autoscaling);
  }

  private renderAutoscaler(scope: Construct, metadata: { name: string; namespace?: string; labels: Record<string, string> }, a: ResolvedAutoscaling): void {
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: metadata.name };
    if (a.prometheus !== undefined) {
      new (scaledObjectCrd().ScaledObject)(scope, 'Autoscaler', {
        metadata,
        spec: {
          scaleTargetRef: target,
          minReplicaCount: a.minReplicas,
          maxReplicaCount: a.maxReplicas,
          advanced: { horizontalPodAutoscalerConfig: { behavior: a.behavior as any } },
          triggers: [
            { type: 'prometheus', metadata: { serverAddress: a.prometheus.serverAddress, query: a.prometheus.query, threshold: String(a.prometheus.threshold) } },
            ...(a.cpuUtilization !== undefined ? [{ type: 'cpu', metricType: 'Utilization', metadata: { value: String(a.cpuUtilization) } }] : []),
          ],
        },
      });
      return;
    }
    const metrics: k8s.MetricSpecV2[] = [];
    if (a.cpuUtilization !== undefined) {
      metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuUtilization } } });
    }
    metrics.push(...a.metrics.map((m) => m.toMetricSpec()));
    new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Autoscaler', {
      metadata,
      spec: { scaleTargetRef: target, minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, metrics, behavior: a.behavior },
    });
  }

  private applyAccess(v: IValidator, props: ModelServerProps, ports: NetworkPort[]): void {
    const access = props.access ?? {};
    (access.namespaces ?? []).forEach((ns, i) => {
      validateDnsLabel(v, `access.namespaces[${i}]`, ns);
      this.networkPolicy.allowFromNamespace(ns, ports);
    });
    (access.peers ?? []).forEach((peer, i) => {
      if (!peer || typeof peer.podSelector !== 'object') v.fail(`access.peers[${i}]`, 'must be a NetworkPeer with a podSelector', peer);
      validateLabels(v, `access.peers[${i}].podSelector`, peer.podSelector);
      if (peer.namespace !== undefined) validateDnsLabel(v, `access.peers[${i}].namespace`, peer.namespace);
      this.networkPolicy.allowFrom(peer, ports);
    });
    (access.cidrs ?? []).forEach((cidr, i) => {
      validateCidr(v, `access.cidrs[${i}]`, cidr);
      this.networkPolicy.allowFromCidr(cidr, ports);
    });
  }

  private renderIngress(v: IValidator, ingress: IngressOptions, name: string, runtime: ServingRuntime, labels: Record<string, string>): void {
    validateIngressOptions(v, 'ingress', ingress);
    addIngress(this, 'Ingress', ingress, {
      serviceName: name,
      namespace: this.namespace,
      labels,
      servicePort: { name: runtime.servingPortName },
      networkPolicy: this.networkPolicy,
      podPort: runtime.servingPort,
    });
  }

  private renderMonitoring(v: IValidator, props: ModelServerProps, runtime: ServingRuntime, labels: Record<string, string>): void {
    const monitoring = props.monitoring ?? {};
    const scraper = validateDnsLabel(v, 'monitoring.scraperNamespace', monitoring.scraperNamespace ?? 'monitoring');
    const metrics = runtime.metrics;
    if (metrics !== undefined) this.networkPolicy.allowFromNamespace(scraper, [{ port: runtime.port(metrics.port) }]);
    if (props.monitoring === undefined) return;
    if (metrics === undefined) v.fail('monitoring', `needs a runtime that serves metrics; runtime '${runtime.kind}' has none (give ServingRuntime.custom a 'metrics' port)`, props.monitoring);
    const metadata = { name: this.workloadName, namespace: this.namespace, labels };
    if (monitoring.serviceMonitor ?? true) {
      const interval = validateInteger(v, 'monitoring.interval', durationSeconds(v, 'monitoring.interval', monitoring.interval ?? Duration.seconds(15)), 1, 3600);
      new (serviceMonitorCrd().ServiceMonitor)(this, 'ServiceMonitor', {
        metadata,
        spec: {
          selector: { matchLabels: this.podSelector },
          endpoints: [{ port: metrics.port, path: metrics.path ?? '/metrics', interval: `${interval}s` }],
        },
      });
    }
    const alerts = monitoring.alerts;
    if (alerts === undefined) return;
    const matcher = [`job="${this.serviceName}"`, ...(this.namespace ? [`namespace="${this.namespace}"`] : [])].join(',');
    const severity = alerts.severity ?? AlertSeverity.WARNING;
    const forSeconds = validateInteger(v, 'monitoring.alerts.for', durationSeconds(v, 'monitoring.alerts.for', alerts.for ?? Duration.minutes(10)), 0);
    const rules = [];
    if (alerts.latencyAbove !== undefined) {
      if (!(alerts.latencyAbove instanceof Duration)) v.fail('monitoring.alerts.latencyAbove', 'must be a Duration such as Duration.millis(500)', alerts.latencyAbove);
      if (!runtime.alerts.latencySeconds) v.fail('monitoring.alerts.latencyAbove', `needs a runtime that exports request latency; runtime '${runtime.kind}' has no latency query`, alerts.latencyAbove.toHumanString());
      const seconds = alerts.latencyAbove.toMilliseconds() / 1000;
      if (!(seconds > 0)) v.fail('monitoring.alerts.latencyAbove', 'must be a Duration greater than zero', alerts.latencyAbove.toHumanString());
      rules.push({
        alert: 'ModelServerLatencyHigh',
        expr: prometheusRuleCrd().PrometheusRuleSpecGroupsRulesExpr.fromString(`${runtime.alerts.latencySeconds(matcher)} > ${seconds}`),
        for: `${forSeconds}s`,
        labels: { severity, model_server: this.workloadName },
        annotations: {
          summary: `Model server ${this.workloadName}: high inference latency`,
          description: `The ${runtime.alerts.latencyStatistic ?? ''} inference latency of ${this.workloadName} has been above ${seconds}s for ${forSeconds}s.`.replace('  ', ' '),
        },
      });
    }
    if (alerts.errorRateAbove !== undefined) {
      if (!runtime.alerts.errorRatio) v.fail('monitoring.alerts.errorRateAbove', `needs a runtime that exports failed requests; runtime '${runtime.kind}' has no error-rate query`, alerts.errorRateAbove);
      if (typeof alerts.errorRateAbove !== 'number' || !(alerts.errorRateAbove > 0 && alerts.errorRateAbove < 1)) {
        v.fail('monitoring.alerts.errorRateAbove', 'must be a fraction between 0 and 1 (0.05 is 5%)', alerts.errorRateAbove);
      }
      rules.push({
        alert: 'ModelServerErrorRateHigh',
        expr: prometheusRuleCrd().PrometheusRuleSpecGroupsRulesExpr.fromString(`${runtime.alerts.errorRatio(matcher)} > ${alerts.errorRateAbove}`),
        for: `${forSeconds}s`,
        labels: { severity, model_server: this.workloadName },
        annotations: {
          summary: `Model server ${this.workloadName}: high error rate`,
          description: `More than ${alerts.errorRateAbove * 100}% of the requests to ${this.workloadName} have failed for ${forSeconds}s.`,
        },
      });
    }
    if (alerts.custom !== undefined && !Array.isArray(alerts.custom)) v.fail('monitoring.alerts.custom', 'must be a list of alerts', alerts.custom);
    const names = new Set(rules.map((r) => r.alert));
    (alerts.custom ?? []).forEach((alert, i) => {
      const at = `monitoring.alerts.custom[${i}]`;
      if (!alert || typeof alert !== 'object') v.fail(at, 'must be { name, expr, summary }', alert);
      if (typeof alert.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(alert.name)) v.fail(`${at}.name`, 'must be a Prometheus alert name (letters, digits and \'_\', not starting with a digit)', alert.name);
      if (names.has(alert.name)) v.fail(`${at}.name`, 'must differ from the names of the other alerts', alert.name);
      names.add(alert.name);
      if (typeof alert.expr !== 'string' || alert.expr.trim() === '') v.fail(`${at}.expr`, 'must be a PromQL expression', alert.expr);
      if (typeof alert.summary !== 'string' || alert.summary.trim() === '') v.fail(`${at}.summary`, 'must be a one-line summary', alert.summary);
      if (alert.description !== undefined && typeof alert.description !== 'string') v.fail(`${at}.description`, 'must be a string', alert.description);
      if (alert.severity !== undefined) validateEnum(v, `${at}.severity`, alert.severity, AlertSeverity, 'AlertSeverity');
      const seconds = alert.for === undefined ? forSeconds : validateInteger(v, `${at}.for`, durationSeconds(v, `${at}.for`, alert.for), 0);
      rules.push({
        alert: alert.name,
        expr: prometheusRuleCrd().PrometheusRuleSpecGroupsRulesExpr.fromString(alert.expr.split('$selector').join(matcher)),
        for: `${seconds}s`,
        labels: { severity: alert.severity ?? severity, model_server: this.workloadName },
        annotations: { summary: alert.summary, description: alert.description },
      });
    });
    if (rules.length === 0) v.fail('monitoring.alerts', 'must set latencyAbove, errorRateAbove or custom', alerts);
    new (prometheusRuleCrd().PrometheusRule)(this, 'Alerts', { metadata, spec: { groups: [{ name: `${this.workloadName}.rules`, rules }] } });
  }

  private renderIstio(v: IValidator, props: ModelServerProps, labels: Record<string, string>, variants: VariantSpec[], runtime: ServingRuntime | undefined): void {
    const istio = props.istio ?? {};
    const host = this.namespace ? `${this.serviceName}.${this.namespace}.svc.cluster.local` : this.serviceName;
    const metadata = { name: this.workloadName, namespace: this.namespace, labels };
    // The sidecar fetches its configuration and certificates from istiod.
    this.networkPolicy.allowTo(ISTIOD, [{ port: ISTIOD_PORT }]);
    this.addPodLabel(ISTIO_INJECT_LABEL, 'true');
    this.inMesh = true;
    if (istio.mtls || variants.length > 0) {
      new (destinationRuleCrd().DestinationRule)(this, 'DestinationRule', {
        metadata,
        spec: {
          host,
          trafficPolicy: istio.mtls ? { tls: { mode: destinationRuleCrd().DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } } : undefined,
          subsets: variants.length > 0 ? variants.map((x) => ({ name: x.name!, labels: { [VARIANT_LABEL]: x.name! } })) : undefined,
        },
      });
    }
    if (variants.length > 0) {
      new (virtualServiceCrd().VirtualService)(this, 'VirtualService', {
        metadata,
        spec: {
          hosts: [host],
          // No destination port: each request keeps the port it was sent to (HTTP or gRPC).
          http: [{ route: variants.map((x) => ({ destination: { host, subset: x.name }, weight: x.weight })) }],
        },
      });
    }
    const callers = istio.allowedCallers;
    if (callers === undefined) return;
    if (!Array.isArray(callers.serviceAccounts) || callers.serviceAccounts.length === 0) {
      v.fail('istio.allowedCallers.serviceAccounts', 'must list at least one service account', callers.serviceAccounts);
    }
    const principals = callers.serviceAccounts.map((sa, i) => {
      if (!sa || typeof sa !== 'object') v.fail(`istio.allowedCallers.serviceAccounts[${i}]`, 'must be { name, namespace }', sa);
      validateDnsLabel(v, `istio.allowedCallers.serviceAccounts[${i}].namespace`, sa.namespace);
      validateDnsLabel(v, `istio.allowedCallers.serviceAccounts[${i}].name`, sa.name);
      // A NetworkPolicy cannot select a service account: it admits the callers' namespaces, the mesh their identities.
      this.networkPolicy.allowFromNamespace(sa.namespace, this.callerPorts);
      return `cluster.local/ns/${sa.namespace}/sa/${sa.name}`;
    });
    (callers.paths ?? []).forEach((p, i) => {
      if (typeof p !== 'string' || !(p.startsWith('/') || p.startsWith('*'))) v.fail(`istio.allowedCallers.paths[${i}]`, 'must start with \'/\' or \'*\'', p);
      // Istio matches a path exactly, by prefix ('/v1/*') or by suffix ('*/infer'): a '*' inside is literal and
      // the rule would never match.
      if (p.length > 1 && p.slice(1, -1).includes('*')) {
        v.fail(`istio.allowedCallers.paths[${i}]`, 'must have \'*\' only as its first or last character (Istio matches exact, prefix \'/v1/models/*\' or suffix \'*/infer\' paths)', p);
      }
    });
    const rules: AuthorizationRule[] = [{
      from: [{ source: { principals } }],
      to: [{ operation: { methods: callers.methods, paths: callers.paths, ports: this.callerPorts.map((p) => String(p.port)) } }],
    }];
    if (runtime?.metrics) {
      // Prometheus usually runs outside the mesh; the NetworkPolicy limits the metrics port to its namespace.
      rules.push({ to: [{ operation: { methods: ['GET'], paths: [runtime.metrics.path ?? '/metrics'], ports: [String(runtime.port(runtime.metrics.port))] } }] });
    }
    new AuthorizationPolicy(this, 'AuthorizationPolicy', {
      metadata,
      spec: { selector: { matchLabels: this.podSelector }, action: 'ALLOW', rules },
    });
  }
}

// The serving modules' public types; their render helpers and the AuthorizationPolicy L1 class stay internal.
export { ScalingMetric, type ScalingPolicy, type PrometheusScaler, type AutoscalingOptions } from './serving/autoscaling';
export { KServeDeploymentMode, ModelFormat, type KServeOptions, ServingBackend } from './serving/kserve';
export { type S3SourceOptions, type GcsSourceOptions, type HttpsSourceOptions, ModelSourceKind, ModelSource, type DownloadSpec } from './serving/model-source';
export {
  type RuntimeProbe, type RuntimeProbes, type RuntimeMetrics, type RuntimeAlertQueries, type RuntimePresetOptions,
  type TfServingOptions, type VllmOptions, type CustomRuntimeOptions, type RuntimeConfigFile, type RuntimeContext,
} from './serving/runtime-options';
export { ServingRuntime } from './serving/runtime';
