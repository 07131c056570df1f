import { Duration } from 'cdk8s';
import { Accelerator, ConfigEnv, ConnectOptions, FileMount, ITeam, PodSecurityOptions, QuantityInput, SchedulingOptions, SecretValue } from '../core';
import { IngressOptions } from '../core/ingress';
import { AccessOptions, ServiceType } from './access';
import { AutoscalingOptions } from './autoscaling';
import { ServingBackend } from './backend';
import { IstioOptions } from './istio';
import { ModelSource } from './model-source';
import { MonitoringOptions } from './monitoring';
import { ServingRuntime } from './runtime';
import { ModelVariant } from './variants';

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
   * Files from ConfigMaps and Secrets that exist in the namespace, each mounted read-only as a directory (never with
   * `subPath`, so a server that watches its files sees updates): `{ source: ConfigFiles.fromConfigMap('nlp-config'),
   * path: '/app/config' }`. Pods roll only when the runtime's own `configFiles` change (a checksum annotation).
   * @default - none
   */
  readonly files?: FileMount[];
  /**
   * ConfigMaps and Secrets whose keys all become environment variables (`envFrom`), with an optional prefix.
   * @default - none
   */
  readonly envFrom?: ConfigEnv[];
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
   * The port clients call on the Service, when it differs from the runtime's serving port (the seeds serve on 80 and
   * forward to 8000). The Service forwards it to the serving port by name; the runtime's other ports keep their
   * numbers, and the NetworkPolicy opens the pods' ports. Deployment backend only (KServe's Service listens on 80).
   * @default - the runtime's serving port
   */
  readonly servicePort?: number;
  /**
   * The Service's name, when clients must call it by another name than the Deployment's (a name an existing
   * client already uses). The `host`, `url` and `connect()` use it. Deployment backend only.
   * @default - the server's name
   */
  readonly serviceName?: string;
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
  /**
   * Accept that the Secrets this server uses live in a namespace where someone else may create Jobs or pods (a
   * team's trainers or pipeline runners): any such pod can run as any ServiceAccount there and mount any Secret.
   * Refused at synth otherwise (a platform check), naming the Roles that allow it.
   * @default false
   */
  readonly allowSecretsInJobNamespace?: boolean;
}

/** Options of {@link ModelServer.connect}. */
export interface ModelServerConnectOptions extends ConnectOptions {
  /**
   * The environment variable that receives the server's URL.
   * @default 'MODEL_SERVER_URL'
   */
  readonly envName?: string;
}
