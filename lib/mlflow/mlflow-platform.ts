import { propNames, rejectUnknownProps } from '../core/props';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  componentLabels, ConnectOptions, connectWorkload, imageTag, IService, IValidator, ITeam, IWorkload, PodBuilder, PodNetworkPolicy, QuantityInput, RequiredSecret,
  requiredSecretsOf, resolveNamespace, SecretUse, SecretValue, selectorLabels, serviceHost, validateDnsSubdomain,
  validateImage, validateInteger, validatePort, Validator,
} from '../core';
import { childObject } from '../core/handles';
import { IObjectStoreAccess } from '../core/object-store-access';
import { ServerBlock } from '../core/server';
import { validateLabels, validateServiceName } from '../core/validation';
import { ArtifactStore } from './artifact-store';
import { BasicAuthOptions, checkAuth } from './auth';
import { BackendStore } from './backend-store';
import { checkSecret } from './checks';
import { MlflowContext } from './context';
import { exposeServer, Exposure, serviceExposure } from './exposure';
import { checkMetrics, MlflowMetricsOptions, renderMetrics } from './metrics';
import { ArtifactBinding, bindArtifactStore, bindBackendStore } from './stores';
import { trackingServerPod } from './tracking-server';
import { registerConstruct } from '../core/platform';
import { registerServerSecrets } from '../core/server-secrets';

/** The MLflow image: the `-full` variant ships the PostgreSQL drivers (psycopg2/psycopg) and boto3. */
const MLFLOW_IMAGE = 'ghcr.io/mlflow/mlflow:v3.16.1-full';

/** Props of {@link MlflowPlatform}. */
export interface MlflowPlatformProps {
  /**
   * The name of the tracking server's Deployment and Service, and the prefix of the other objects.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of every object.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that runs the tracking server (a platform team, or a team with its own MLflow): its namespace is used
   * unless given here. The server keeps its own ServiceAccount (see `serviceAccountName`).
   * @default - no team
   */
  readonly team?: ITeam;
  /** Where runs, metrics and the model registry are kept. */
  readonly backendStore: BackendStore;
  /** Where artifacts are kept (proxied by the server). */
  readonly artifactStore: ArtifactStore;
  /**
   * The MLflow image, pinned; it needs the PostgreSQL driver and boto3 (the `-full` variant has them).
   * @default 'ghcr.io/mlflow/mlflow:v3.16.1-full'
   */
  readonly image?: string;
  /**
   * Tracking server replicas (more than 1 needs a database backend; a PodDisruptionBudget is added).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * The port the server listens on (and its Service's, unless `servicePort` is given).
   * @default 5000
   */
  readonly port?: number;
  /**
   * The port clients call on the Service, when it differs from `port` (the seeds serve on 80 and forward to the
   * server's port). The tracking URI and the server's allowed Host headers use it; NetworkPolicies open `port`.
   * @default - `port`
   */
  readonly servicePort?: number;
  /**
   * The Service's name, when clients must call it by another name than the Deployment's (`mlflow` while the
   * Deployment is `mlflow-tracking`). The tracking URI, `host` and the allowed Host headers use it.
   * @default - the name
   */
  readonly serviceName?: string;
  /**
   * Server worker processes per replica.
   * @default 2
   */
  readonly workers?: number;
  /**
   * CPU request and limit of the server.
   * @default 1
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory request and limit of the server.
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * How the server is reached besides wired workloads.
   * @default Exposure.clusterIp()
   */
  readonly exposure?: Exposure;
  /**
   * Basic authentication.
   * @default - none: any wired workload can read and write
   */
  readonly auth?: BasicAuthOptions;
  /**
   * Prometheus metrics at `/metrics`.
   * @default - none
   */
  readonly metrics?: MlflowMetricsOptions;
  /**
   * An existing ServiceAccount for the server.
   * @default - a ServiceAccount `<name>` (annotated for workload identity when the artifact credentials need it)
   */
  readonly serviceAccountName?: string;
  /**
   * Extra labels on every object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Accept that the Secrets this platform (PostgreSQL, MinIO, TLS, auth) uses live in a namespace where someone else may create Jobs or pods (a
   * team's trainers or pipeline runners): any such pod can run as any ServiceAccount there and mount any Secret.
   * Refused at synth otherwise (a platform check), naming the Roles that allow it.
   * @default false
   */
  readonly allowSecretsInJobNamespace?: boolean;
}

/** Options of {@link MlflowPlatform.connect}. */
export interface MlflowConnectOptions extends ConnectOptions {
  /**
   * The experiment the workload logs to (`MLFLOW_EXPERIMENT_NAME`).
   * @default - MLflow's default experiment
   */
  readonly experimentName?: string;
  /**
   * The MLflow user (`MLFLOW_TRACKING_USERNAME`), in a Secret in the workload's namespace; required with auth.
   * @default - none
   */
  readonly username?: SecretValue;
  /**
   * The MLflow password (`MLFLOW_TRACKING_PASSWORD`), in a Secret in the workload's namespace; required with auth.
   * @default - none
   */
  readonly password?: SecretValue;
}

/**
 * An MLflow tracking server with its stores: a Deployment running `mlflow server` with proxied artifacts, a
 * PostgreSQL (in the cluster or external, password from a Secret through `PGPASSWORD`, never in a URI or argument)
 * or a SQLite file, MinIO (with a private bucket) or S3/GCS for artifacts, a migration Job that the server pods wait
 * for, and NetworkPolicies that let only the server reach the stores and only wired workloads reach the server.
 *
 * @example
 * const mlflow = new MlflowPlatform(chart, 'mlflow', {
 *   backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('mlflow-postgres', 'password') }),
 *   artifactStore: ArtifactStore.minio({
 *     bucket: 'mlflow-artifacts',
 *     rootUser: SecretValue.fromSecret('mlflow-minio', 'root-user'),
 *     rootPassword: SecretValue.fromSecret('mlflow-minio', 'root-password'),
 *   }),
 * });
 * mlflow.connect(trainingJob);
 */
/** The props of an MlflowPlatform, checked, with their defaults. */
interface MlflowSettings {
  readonly name: string;
  readonly namespace?: string;
  readonly image: string;
  readonly replicas: number;
  readonly port: number;
  readonly servicePort: number;
  readonly serviceName: string;
  readonly workers: number;
  readonly exposure: Exposure;
}

/** What the Deployment, its PodDisruptionBudget and the Service of the tracking server are made of, besides the pod. */
interface ServerObjects {
  readonly replicas: number;
  readonly port: number;
  readonly serviceName: string;
  readonly servicePort: number;
  /** Stop the old pod before starting the new one (a SQLite file has one writer). */
  readonly recreate: boolean;
  readonly exposure: Exposure;
}


/** Every prop of MlflowPlatformProps, for refusing unknown ones (the compiler checks the list against the interface). */
const MLFLOW_PLATFORM_PROPS = propNames<MlflowPlatformProps>()({
  name: true, namespace: true, team: true, backendStore: true, artifactStore: true, image: true, replicas: true,
  port: true, servicePort: true, serviceName: true, workers: true, cpu: true, memory: true, exposure: true, auth: true, metrics: true,
  serviceAccountName: true, labels: true, allowSecretsInJobNamespace: true,
});
/**
 * An MLflow tracking server with its stores: a Deployment running `mlflow server` with proxied artifacts, a
 * PostgreSQL (in the cluster or external, password from a Secret through `PGPASSWORD`, never in a URI or argument)
 * or a SQLite file, MinIO (with a private bucket) or S3/GCS for artifacts, a migration Job that the server pods wait
 * for, and NetworkPolicies that let only the server reach the stores and only wired workloads reach the server.
 *
 * @example
 * const mlflow = new MlflowPlatform(chart, 'mlflow', {
 *   backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('mlflow-postgres', 'password') }),
 *   artifactStore: ArtifactStore.minio({
 *     bucket: 'mlflow-artifacts',
 *     rootUser: SecretValue.fromSecret('mlflow-minio', 'root-user'),
 *     rootPassword: SecretValue.fromSecret('mlflow-minio', 'root-password'),
 *   }),
 * });
 * mlflow.connect(trainingJob);
 */
export class MlflowPlatform extends Construct implements IService {
  /** The tracking server's Service name. */
  public readonly serviceName: string;
  /** The namespace, if set. */
  public readonly namespace?: string;
  /** The in-cluster DNS name of the Service. */
  public readonly host: string;
  /** The Service port (`servicePort`, else `port`). */
  public readonly port: number;
  /** The tracking URI clients use (`http://<host>:<port>`). */
  public readonly trackingUri: string;
  /** The same as `trackingUri` (every service's `url`). */
  public readonly url: string;
  /** Labels that select the server's pods. */
  public readonly podSelector: Record<string, string>;
  /** The server's NetworkPolicy. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The name of the schema migration Job (database backends only). */
  public readonly migrationJobName?: string;
  /** How other constructs' pods reach the artifact store (MinIO or S3), for `ArtifactRepository.fromMlflow`. @internal */
  public readonly _objectStore?: IObjectStoreAccess;

  private readonly secretUses: SecretUse[] = [];
  private readonly auth?: BasicAuthOptions;
  /** The port the server's pods listen on, which NetworkPolicies open. */
  private readonly podPort: number;
  private readonly v: Validator;

  public constructor(scope: Construct, id: string, props: MlflowPlatformProps) {
    super(scope, id);
    registerConstruct(this, 'MlflowPlatform', [registerServerSecrets(this, props?.allowSecretsInJobNamespace)]);
    const v = this.v = Validator.forConstruct('MlflowPlatform', id);
    rejectUnknownProps(v, props, MLFLOW_PLATFORM_PROPS);
    const settings = checkProps(v, this, id, props);
    const { name, namespace, image, replicas, port, serviceName, servicePort } = settings;
    this.auth = props.auth;
    this.namespace = namespace;
    this.port = servicePort;
    this.podPort = port;
    this.serviceName = serviceName;
    this.host = serviceHost(serviceName, namespace);
    this.trackingUri = this.url = `http://${this.host}:${servicePort}`;

    const labelsOf = (component: string, app = 'mlflow', img = image) => ({
      ...props.labels,
      ...componentLabels({ name: app, instance: name, component, version: imageTag(img) }),
    });
    const labels = labelsOf('tracking-server');
    const selector = this.podSelector = selectorLabels({ instance: name, component: 'tracking-server' });
    const server = new ServerBlock(this, { name, namespace, labels, selector });
    // First: every store opens a path from it.
    this.networkPolicy = server.addNetworkPolicy();
    const ctx: MlflowContext = { scope: this, v, name, namespace, image, labelsOf, networkPolicy: this.networkPolicy, secretUses: this.secretUses };

    const backend = bindBackendStore(ctx, props.backendStore._config);
    const artifacts = bindArtifactStore(ctx, props.artifactStore._config);
    this._objectStore = artifacts.objectStore;
    const serviceAccountName = this.renderServiceAccount(name, namespace, labels, props.serviceAccountName, artifacts);
    const { pod, migrationJobName } = trackingServerPod(ctx, {
      ...settings, cpu: props.cpu, memory: props.memory, server, serviceAccountName, auth: props.auth, metrics: props.metrics,
    }, backend, artifacts);
    this.migrationJobName = migrationJobName;
    renderServer(server, pod, { replicas, port, serviceName, servicePort, recreate: backend.kind === 'file', exposure: settings.exposure });
    exposeServer(this, settings.exposure, { name: serviceName, namespace, labels, port, servicePort, networkPolicy: this.networkPolicy });
    if (props.metrics) renderMetrics(ctx, props.metrics, { labels, selector, port });
  }

  /** The tracking server's Deployment (child id `Resource`). */
  public get deployment(): k8s.KubeDeployment {
    return childObject(this, ['Resource'], k8s.KubeDeployment)!;
  }

  /** The tracking server's Service (child id `Service`). */
  public get service(): k8s.KubeService {
    return childObject(this, ['Service'], k8s.KubeService)!;
  }

  /** The PodDisruptionBudget (child id `DisruptionBudget`), made when `replicas` is more than 1. */
  public get disruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return childObject(this, ['DisruptionBudget'], k8s.KubePodDisruptionBudget);
  }

  /** The schema migration Job (child id `Migration`), for database backends. */
  public get migrationJob(): k8s.KubeJob | undefined {
    return childObject(this, ['Migration'], k8s.KubeJob);
  }

  /** The Ingress (child id `Ingress`) of `Exposure.ingress(...)`. */
  public get ingress(): k8s.KubeIngress | undefined {
    return childObject(this, ['Ingress'], k8s.KubeIngress);
  }

  /** The HTTPRoute (child id `HttpRoute`) of `Exposure.gateway(...)`. */
  public get httpRoute(): ApiObject | undefined {
    return childObject(this, ['HttpRoute'], ApiObject);
  }

  /**
   * The Secrets you must create before applying the manifests (including the client credentials of workloads
   * connected so far), with their keys.
   */
  public get requiredSecrets(): RequiredSecret[] {
    return requiredSecretsOf(this.secretUses);
  }

  /**
   * Wires a workload (GpuTrainingJob, DistributedTraining, ModelServer...) to the tracking server: sets
   * `MLFLOW_TRACKING_URI` (the namespace-qualified Service name), the experiment and, with auth, the credentials
   * from Secrets; opens egress from the workload and ingress to the server on the server port only.
   */
  public connect(workload: IWorkload, options: MlflowConnectOptions = {}): void {
    const v = this.v.nested('connect');
    if (this.auth && (options.username === undefined || options.password === undefined)) {
      v.fail('options.username', 'and \'options.password\' must be given (as SecretValue) because the server uses basic auth', workload?.workloadName);
    }
    const env: Record<string, string | SecretValue> = { MLFLOW_TRACKING_URI: this.trackingUri };
    if (options.experimentName !== undefined) {
      if (typeof options.experimentName !== 'string' || options.experimentName.trim() === '') {
        v.fail('options.experimentName', 'must be a non-empty string', options.experimentName);
      }
      env.MLFLOW_EXPERIMENT_NAME = options.experimentName;
    }
    if (options.username !== undefined) {
      checkSecret(v, 'options.username', options.username);
      env.MLFLOW_TRACKING_USERNAME = options.username;
    }
    if (options.password !== undefined) {
      checkSecret(v, 'options.password', options.password);
      env.MLFLOW_TRACKING_PASSWORD = options.password;
    }
    connectWorkload(this.v, this, workload, env, [{ port: this.podPort }], options);
    for (const value of [options.username, options.password]) {
      if (value !== undefined) this.secretUses.push({ value, namespace: workload.namespace, purpose: `MLflow credentials of ${workload.workloadName}` });
    }
  }

  /**
   * The server's ServiceAccount, unless one is given: workload identity annotations live on it; the pod never needs
   * an API token. Returns its name.
   */
  private renderServiceAccount(
    name: string, namespace: string | undefined, labels: Record<string, string>, given: string | undefined, artifacts: ArtifactBinding,
  ): string {
    const annotations = artifacts.credentials?._serviceAccountAnnotations ?? {};
    if (given !== undefined) {
      if (Object.keys(annotations).length > 0) {
        this.v.fail('serviceAccountName', `must be left out with workload identity credentials (the library annotates the ServiceAccount it creates with ${Object.keys(annotations).join(', ')})`, given);
      }
      return given;
    }
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, namespace, labels, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
      automountServiceAccountToken: false,
    });
    return name;
  }
}

/** The tracking server's Deployment, a PodDisruptionBudget when replicated, and its Service (typed by the exposure). */
function renderServer(server: ServerBlock, pod: PodBuilder, s: ServerObjects): void {
  server.addDeployment({ pod, replicas: s.replicas, recreate: s.recreate });
  // No unhealthyPodEvictionPolicy: MLflow's budget as it always was (ModelServer's would change the manifests).
  if (s.replicas > 1) server.addDisruptionBudget({ evictUnhealthyPods: false });
  server.addService({ ...serviceExposure(s.exposure), name: s.serviceName, ports: [{ name: 'http', port: s.servicePort }] });
}

/** Checks the props that need no other object, and fills in the defaults. */
function checkProps(v: Validator, scope: Construct, id: string, props: MlflowPlatformProps): MlflowSettings {
  if (!props || typeof props !== 'object') v.fail('props', 'must be an object with backendStore and artifactStore', props);
  if (!(props.backendStore instanceof BackendStore)) v.fail('backendStore', 'must be made with BackendStore.postgres(...), BackendStore.externalPostgres(...) or BackendStore.file(...)', props.backendStore);
  if (!(props.artifactStore instanceof ArtifactStore)) v.fail('artifactStore', 'must be made with ArtifactStore.minio(...), ArtifactStore.s3(...) or ArtifactStore.gcs(...)', props.artifactStore);
  const name = validateServiceName(v, 'name', props.name ?? id, 40);
  const namespace = resolveNamespace(v, scope, props);
  const image = validateImage(v, 'image', props.image ?? MLFLOW_IMAGE);
  checkMlflowVersion(v, image);
  const replicas = validateInteger(v, 'replicas', props.replicas ?? 1, 1, 100);
  const port = validatePort(v, 'port', props.port ?? 5000);
  const servicePort = validatePort(v, 'servicePort', props.servicePort ?? port);
  const serviceName = validateServiceName(v, 'serviceName', props.serviceName ?? name);
  const workers = validateInteger(v, 'workers', props.workers ?? 2, 1, 64);
  if (props.backendStore._config.kind === 'file' && replicas > 1) {
    v.fail('replicas', 'must be 1 with BackendStore.file (a SQLite file cannot be shared by several servers); use BackendStore.postgres or externalPostgres to replicate', replicas);
  }
  if (props.exposure !== undefined && !(props.exposure instanceof Exposure)) {
    v.fail('exposure', 'must be made with Exposure.clusterIp(), Exposure.loadBalancer(...), Exposure.ingress(...) or Exposure.gateway(...)', props.exposure);
  }
  if (props.auth !== undefined && (props.auth === null || typeof props.auth !== 'object')) v.fail('auth', 'must be the options { config, secretKey }', props.auth);
  if (props.auth !== undefined) checkAuth(v.nested('auth'), props.auth);
  if (props.metrics !== undefined) checkMetrics(v, props.metrics, props.auth !== undefined);
  if (props.serviceAccountName !== undefined) validateDnsSubdomain(v, 'serviceAccountName', props.serviceAccountName);
  validateLabels(v, 'labels', props.labels);
  return { name, namespace, image, replicas, port, servicePort, serviceName, workers, exposure: props.exposure ?? Exposure.clusterIp() };
}

/**
 * Refuses an image whose tag names an MLflow release older than the flags the server is started with:
 * `--allowed-hosts` (the Host-header allow list) exists from MLflow 3.5.0 on. A tag without a version (a digest,
 * a custom build) is not checked.
 */
function checkMlflowVersion(v: IValidator, image: string): void {
  const version = /^v?(\d+)\.(\d+)(\.|-|$)/.exec(imageTag(image) ?? '');
  if (version && (Number(version[1]) < 3 || (Number(version[1]) === 3 && Number(version[2]) < 5))) {
    v.fail('image', 'must be MLflow 3.5.0 or newer: the server is started with --allowed-hosts (DNS rebinding protection), which older releases refuse', image);
  }
}

