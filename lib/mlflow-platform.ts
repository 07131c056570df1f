import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  addIngress, allowBetween, childName, componentLabels, connectWorkload, DeployPhase, IService, ITeam, IValidator, IngressOptions,
  IWorkload, jobRunSpec, PodBuilder, resolveNamespace, setDeployPhase,
  PodNetworkPolicy, QuantityInput, RequiredSecret, requiredSecretsOf, resolveMount, SecretUse, SecretValue, selectorLabels,
  serviceHost, STATEFUL_DATA_VOLUME, StatefulService, validateCidr, validateDnsLabel, validateDnsSubdomain, validateImage,
  validateInteger, validatePort, Validator, validateIngressOptions, VolumeClaim,
} from './core';
import { imageTag } from './core/labels';
import { lazyModule } from './core/lazy';
import { validateEnum, validateLabels } from './core/validation';

const serviceMonitorCrd = lazyModule(() => require('../imports/prometheus-servicemonitor-monitoring.coreos.com') as typeof import('../imports/prometheus-servicemonitor-monitoring.coreos.com'));

/** The MLflow image: the `-full` variant ships the PostgreSQL drivers (psycopg2/psycopg) and boto3. */
const MLFLOW_IMAGE = 'ghcr.io/mlflow/mlflow:v3.16.1-full';
const POSTGRES_IMAGE = 'postgres:16.4';
const MINIO_IMAGE = 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z';
const MC_IMAGE = 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z';
const POSTGRES_PORT = 5432;
const MINIO_PORT = 9000;
/** Where the file backend keeps its SQLite database. */
const FILE_STORE_DIR = '/var/lib/mlflow';
const METRICS_DIR = '/mlflow-metrics';
const AUTH_CONFIG_DIR = '/etc/mlflow-auth';
/** RFC 1918 addresses as MLflow's Host patterns (fnmatch): what a scraper sends as Host when it scrapes a pod. */
const PRIVATE_ADDRESS_PATTERNS = ['10.*', '172.1[6-9].*', '172.2[0-9].*', '172.3[0-1].*', '192.168.*'];
/** S3 bucket naming rules: 3-63 characters, lower-case letters, digits, '.' and '-', not an IP address. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** PostgreSQL user and database names the library accepts (unquoted identifiers). */
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** How the connection to an external PostgreSQL is secured (libpq `sslmode`). */
export enum PostgresSslMode {
  /** No TLS (only inside a trusted network). */
  DISABLE = 'disable',
  /** TLS without verifying the server certificate. */
  REQUIRE = 'require',
  /** TLS, verifying the certificate and the host name (needs the CA in the image or `PGSSLROOTCERT`). */
  VERIFY_FULL = 'verify-full',
}

/** Options of {@link BackendStore.postgres}: PostgreSQL as a StatefulSet next to the tracking server. */
export interface InClusterPostgresOptions {
  /** The database password, in a Secret you create (`kubectl create secret generic ...`). */
  readonly password: SecretValue;
  /**
   * The database user.
   * @default 'mlflow'
   */
  readonly username?: string;
  /**
   * The database name.
   * @default 'mlflow'
   */
  readonly database?: string;
  /**
   * The PostgreSQL image, pinned.
   * @default 'postgres:16.4'
   */
  readonly image?: string;
  /**
   * The size of the data volume.
   * @default '10Gi'
   */
  readonly storage?: QuantityInput;
  /**
   * The StorageClass of the data volume.
   * @default - the cluster's default
   */
  readonly storageClassName?: string;
  /**
   * CPU request and limit.
   * @default '500m'
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory request and limit.
   * @default '1Gi'
   */
  readonly memory?: QuantityInput;
}

/** Options of {@link BackendStore.externalPostgres}: a managed or existing PostgreSQL. */
export interface ExternalPostgresOptions {
  /** The server's host name. */
  readonly host: string;
  /**
   * The server's port.
   * @default 5432
   */
  readonly port?: number;
  /** The database name. */
  readonly database: string;
  /** The database user. */
  readonly username: string;
  /** The password, in a Secret you create. */
  readonly password: SecretValue;
  /**
   * TLS mode of the connection.
   * @default PostgresSslMode.REQUIRE
   */
  readonly sslMode?: PostgresSslMode;
  /**
   * The addresses the database is reachable at, for the egress NetworkPolicy.
   * @default '0.0.0.0/0' (any address, on the database port only)
   */
  readonly cidr?: string;
}

/** Options of {@link BackendStore.file}. */
export interface FileBackendOptions {
  /** The claim that holds the SQLite database file (ReadWriteOnce is enough: one replica only). */
  readonly claim: VolumeClaim;
}

type BackendConfig =
  | { readonly kind: 'postgres'; readonly options: InClusterPostgresOptions }
  | { readonly kind: 'external'; readonly options: ExternalPostgresOptions }
  | { readonly kind: 'file'; readonly options: FileBackendOptions };

/** Where MLflow keeps runs, parameters, metrics and the model registry. */
export class BackendStore {
  /**
   * PostgreSQL in the cluster: a StatefulSet `<name>-postgres` with a volume claim template and a headless Service.
   * Only the tracking server and the migration Job can reach it.
   */
  public static postgres(options: InClusterPostgresOptions): BackendStore {
    const v = Validator.forFactory('BackendStore.postgres');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with at least a password', options);
    checkSecret(v, 'password', options.password);
    checkPgIdentifier(v, 'username', options.username ?? 'mlflow');
    checkPgIdentifier(v, 'database', options.database ?? 'mlflow');
    validateImage(v, 'image', options.image ?? POSTGRES_IMAGE);
    return new BackendStore({ kind: 'postgres', options });
  }

  /** A PostgreSQL outside the cluster (Cloud SQL, RDS, Azure Database...). */
  public static externalPostgres(options: ExternalPostgresOptions): BackendStore {
    const v = Validator.forFactory('BackendStore.externalPostgres');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with host, database, username and password', options);
    validateDnsSubdomain(v, 'host', options.host);
    validatePort(v, 'port', options.port ?? POSTGRES_PORT);
    checkPgIdentifier(v, 'database', options.database);
    checkPgIdentifier(v, 'username', options.username);
    checkSecret(v, 'password', options.password);
    if (options.sslMode !== undefined) validateEnum(v, 'sslMode', options.sslMode, PostgresSslMode, 'PostgresSslMode');
    if (options.cidr !== undefined) validateCidr(v, 'cidr', options.cidr);
    return new BackendStore({ kind: 'external', options });
  }

  /**
   * A SQLite database file on a volume: for a single-user or evaluation setup. It allows one replica only (SQLite
   * on a shared volume does not survive concurrent writers).
   */
  public static file(options: FileBackendOptions): BackendStore {
    const v = Validator.forFactory('BackendStore.file');
    if (!options || !(options.claim instanceof VolumeClaim)) {
      v.fail('claim', 'must be a VolumeClaim (from MlStorage or VolumeClaim.fromClaimName)', options?.claim);
    }
    return new BackendStore({ kind: 'file', options });
  }

  private constructor(
    /** @internal */
    public readonly _config: BackendConfig,
  ) {}
}

/** Options of {@link ArtifactStore.minio}: MinIO as a StatefulSet next to the tracking server. */
export interface InClusterMinioOptions {
  /** The bucket for artifacts; a Job creates it and keeps it private. */
  readonly bucket: string;
  /** The MinIO root user (the access key the tracking server uses), in a Secret you create. */
  readonly rootUser: SecretValue;
  /** The MinIO root password, in a Secret you create (at least 8 characters). */
  readonly rootPassword: SecretValue;
  /**
   * The MinIO server image, pinned.
   * @default 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z'
   */
  readonly image?: string;
  /**
   * The MinIO client image of the bucket-creation Job, pinned.
   * @default 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z'
   */
  readonly clientImage?: string;
  /**
   * The size of the data volume.
   * @default '50Gi'
   */
  readonly storage?: QuantityInput;
  /**
   * The StorageClass of the data volume.
   * @default - the cluster's default
   */
  readonly storageClassName?: string;
  /**
   * CPU request and limit.
   * @default '500m'
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory request and limit.
   * @default '1Gi'
   */
  readonly memory?: QuantityInput;
}

/** How the tracking server authenticates to object storage. */
export class ArtifactCredentials {
  /** An access key pair in Secrets (AWS, or any S3-compatible store). */
  public static accessKeys(accessKeyId: SecretValue, secretAccessKey: SecretValue): ArtifactCredentials {
    const v = Validator.forFactory('ArtifactCredentials.accessKeys');
    checkSecret(v, 'accessKeyId', accessKeyId);
    checkSecret(v, 'secretAccessKey', secretAccessKey);
    return new ArtifactCredentials({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey }, {}, [], undefined);
  }

  /** EKS IAM roles for service accounts: the server's ServiceAccount is annotated with the role. */
  public static awsIamRole(roleArn: string): ArtifactCredentials {
    const v = Validator.forFactory('ArtifactCredentials.awsIamRole');
    if (typeof roleArn !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) {
      v.fail('roleArn', 'must be an IAM role ARN such as \'arn:aws:iam::123456789012:role/mlflow\'', roleArn);
    }
    // STS is reached over HTTPS, which the object-storage egress already allows.
    return new ArtifactCredentials({}, { 'eks.amazonaws.com/role-arn': roleArn }, [], undefined);
  }

  /** GKE Workload Identity: the server's ServiceAccount is annotated with the Google service account. */
  public static gkeWorkloadIdentity(serviceAccountEmail: string): ArtifactCredentials {
    const v = Validator.forFactory('ArtifactCredentials.gkeWorkloadIdentity');
    if (typeof serviceAccountEmail !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/.test(serviceAccountEmail)) {
      v.fail('serviceAccountEmail', 'must be a Google service account e-mail such as \'mlflow@my-project.iam.gserviceaccount.com\'', serviceAccountEmail);
    }
    // Tokens come from the GKE metadata server (169.254.169.254:80; 169.254.169.252:988 with Dataplane V2).
    return new ArtifactCredentials({}, { 'iam.gke.io/gcp-service-account': serviceAccountEmail }, [
      { cidr: '169.254.169.254/32', port: 80 }, { cidr: '169.254.169.252/32', port: 988 },
    ], undefined);
  }

  /** A Google service account key (JSON) in a Secret, mounted as a file for `GOOGLE_APPLICATION_CREDENTIALS`. */
  public static gcpServiceAccountKey(key: SecretValue): ArtifactCredentials {
    checkSecret(Validator.forFactory('ArtifactCredentials.gcpServiceAccountKey'), 'key', key);
    return new ArtifactCredentials({}, {}, [], key);
  }

  private constructor(
    /** @internal env vars read from Secrets */
    public readonly _env: Record<string, SecretValue>,
    /** @internal ServiceAccount annotations */
    public readonly _serviceAccountAnnotations: Record<string, string>,
    /** @internal extra egress (metadata servers) */
    public readonly _egress: Array<{ cidr: string; port: number }>,
    /** @internal a key file to mount */
    public readonly _keyFile: SecretValue | undefined,
  ) {}
}

/** Options of {@link ArtifactStore.s3}. */
export interface S3ArtifactOptions {
  /** The bucket. */
  readonly bucket: string;
  /**
   * A prefix inside the bucket.
   * @default - the bucket's root
   */
  readonly path?: string;
  /**
   * The endpoint of an S3-compatible store (`https://s3.example.com`).
   * @default - AWS S3
   */
  readonly endpoint?: string;
  /**
   * The region.
   * @default - the SDK's default
   */
  readonly region?: string;
  /** How the server authenticates. */
  readonly credentials: ArtifactCredentials;
  /**
   * The addresses of the store, for the egress NetworkPolicy.
   * @default '0.0.0.0/0' (any address, on the endpoint's port only)
   */
  readonly cidr?: string;
}

/** Options of {@link ArtifactStore.gcs}. */
export interface GcsArtifactOptions {
  /** The bucket. */
  readonly bucket: string;
  /**
   * A prefix inside the bucket.
   * @default - the bucket's root
   */
  readonly path?: string;
  /** How the server authenticates (Workload Identity or a key file). */
  readonly credentials: ArtifactCredentials;
}

type ArtifactConfig =
  | { readonly kind: 'minio'; readonly options: InClusterMinioOptions }
  | { readonly kind: 's3'; readonly options: S3ArtifactOptions }
  | { readonly kind: 'gcs'; readonly options: GcsArtifactOptions };

/**
 * Where MLflow keeps artifacts. The tracking server proxies them (`--serve-artifacts`), so clients need no bucket
 * credentials and only the server reaches the store.
 */
export class ArtifactStore {
  /**
   * MinIO in the cluster: a StatefulSet `<name>-minio` with a volume claim template, and a Job `<name>-minio-bucket`
   * that creates the bucket and sets its anonymous access to none.
   */
  public static minio(options: InClusterMinioOptions): ArtifactStore {
    const v = Validator.forFactory('ArtifactStore.minio');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with bucket, rootUser and rootPassword', options);
    checkBucket(v, 'bucket', options.bucket);
    checkSecret(v, 'rootUser', options.rootUser);
    checkSecret(v, 'rootPassword', options.rootPassword);
    validateImage(v, 'image', options.image ?? MINIO_IMAGE);
    validateImage(v, 'clientImage', options.clientImage ?? MC_IMAGE);
    return new ArtifactStore({ kind: 'minio', options });
  }

  /** An S3 bucket (AWS or an S3-compatible endpoint). */
  public static s3(options: S3ArtifactOptions): ArtifactStore {
    const v = Validator.forFactory('ArtifactStore.s3');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with bucket and credentials', options);
    checkBucket(v, 'bucket', options.bucket);
    if (options.path !== undefined) checkPrefix(v, 'path', options.path);
    if (options.endpoint !== undefined) endpointPort(v, 'endpoint', options.endpoint);
    if (options.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) {
      v.fail('region', 'must be a region name such as \'eu-west-1\'', options.region);
    }
    checkCredentials(v, options.credentials);
    if (options.cidr !== undefined) validateCidr(v, 'cidr', options.cidr);
    return new ArtifactStore({ kind: 's3', options });
  }

  /** A Google Cloud Storage bucket. */
  public static gcs(options: GcsArtifactOptions): ArtifactStore {
    const v = Validator.forFactory('ArtifactStore.gcs');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with bucket and credentials', options);
    checkBucket(v, 'bucket', options.bucket);
    if (options.path !== undefined) checkPrefix(v, 'path', options.path);
    checkCredentials(v, options.credentials);
    if (Object.keys(options.credentials._env).length > 0) {
      v.fail('credentials', 'must be ArtifactCredentials.gkeWorkloadIdentity(...) or ArtifactCredentials.gcpServiceAccountKey(...) for GCS', 'access keys');
    }
    return new ArtifactStore({ kind: 'gcs', options });
  }

  private constructor(
    /** @internal */
    public readonly _config: ArtifactConfig,
  ) {}
}

/** Options of {@link Exposure.loadBalancer}. */
export interface LoadBalancerOptions {
  /** The client address ranges allowed (`loadBalancerSourceRanges` and the NetworkPolicy); never the whole internet by default. */
  readonly sourceRanges: string[];
  /**
   * The host names or addresses clients put in the URL (`mlflow.corp.example.com`, `10.1.2.3`): MLflow checks
   * the Host header against an allow list (DNS rebinding protection) and rejects any other name.
   */
  readonly hosts: string[];
  /**
   * Annotations of the Service (an internal load balancer: `networking.gke.io/load-balancer-type: Internal`...).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** Options of {@link Exposure.ingress}: an Ingress with TLS, since MLflow carries credentials and artifacts. */
export interface MlflowIngressOptions extends IngressOptions {
  /** The Secret holding the TLS certificate for the host (cert-manager can create it). */
  readonly tlsSecretName: string;
}

/** How the tracking server is reached from outside its namespace's wired clients. */
export class Exposure {
  /** Inside the cluster only (a ClusterIP Service). */
  public static clusterIp(): Exposure {
    return new Exposure({ kind: 'cluster-ip' });
  }

  /** A LoadBalancer Service restricted to `sourceRanges`, preserving client addresses so the NetworkPolicy can match them. */
  public static loadBalancer(options: LoadBalancerOptions): Exposure {
    const v = Validator.forFactory('Exposure.loadBalancer');
    if (!options || !Array.isArray(options.sourceRanges) || options.sourceRanges.length === 0) {
      v.fail('sourceRanges', 'must list the client address ranges allowed (e.g. [\'10.0.0.0/8\']); a public MLflow without auth is open to anyone', options?.sourceRanges);
    }
    options.sourceRanges.forEach((cidr, i) => validateCidr(v, `sourceRanges[${i}]`, cidr));
    if (!Array.isArray(options.hosts) || options.hosts.length === 0) {
      v.fail('hosts', 'must list the host names or addresses clients use for the load balancer (MLflow rejects requests for other Host headers)', options.hosts);
    }
    options.hosts.forEach((host, i) => {
      if (typeof host !== 'string' || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host)) {
        v.fail(`hosts[${i}]`, 'must be a lower-case DNS name or an IPv4 address', host);
      }
    });
    return new Exposure({ kind: 'load-balancer', lb: options });
  }

  /** An Ingress with TLS. */
  public static ingress(options: MlflowIngressOptions): Exposure {
    const v = Validator.forFactory('Exposure.ingress');
    validateIngressOptions(v, '', options);
    if ((options.path ?? '/') !== '/') v.fail('path', 'must be \'/\': the tracking server and its UI are served from the root', options.path);
    if (options.tlsSecretName === undefined) v.fail('tlsSecretName', 'must name the TLS Secret for the host: MLflow carries credentials and artifacts', options.tlsSecretName);
    return new Exposure({ kind: 'ingress', ingress: options });
  }

  private constructor(
    /** @internal */
    public readonly _config: { kind: 'cluster-ip' | 'load-balancer' | 'ingress'; lb?: LoadBalancerOptions; ingress?: MlflowIngressOptions },
  ) {}
}

/** MLflow's built-in basic authentication (`--app-name basic-auth`). */
export interface BasicAuthOptions {
  /**
   * The `basic_auth.ini` file, in a Secret you create: it holds the admin password and the auth database URI.
   * Put no password in `database_uri` (e.g. `postgresql://mlflow@mlflow-postgres.mlops-platform.svc:5432/mlflow`):
   * the server's `PGPASSWORD` is used.
   */
  readonly config: SecretValue;
  /**
   * The Flask secret key that signs sessions and CSRF tokens, in a Secret: stable across restarts and the same in
   * every replica (a random per-process key breaks logins as soon as two replicas serve one user).
   */
  readonly secretKey: SecretValue;
}

/** Prometheus metrics of the tracking server. */
export interface MlflowMetricsOptions {
  /** The namespace of the Prometheus that scrapes `/metrics` (allowed through the NetworkPolicy). */
  readonly scraperNamespace: string;
  /**
   * Add a Prometheus Operator ServiceMonitor for the Service (needs the monitoring.coreos.com CRDs).
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /**
   * The MLflow user the ServiceMonitor scrapes as, in a Secret in the server's namespace: with `auth`, MLflow
   * answers `/metrics` only to a signed-in user. Required with `auth` and `serviceMonitor`.
   * @default - none (scrapes without credentials)
   */
  readonly username?: SecretValue;
  /**
   * The password of `username`, in a Secret in the server's namespace. Required with `auth` and `serviceMonitor`.
   * @default - none
   */
  readonly password?: SecretValue;
}

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
   * The port of the server and of its Service.
   * @default 5000
   */
  readonly port?: number;
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
}

/** Options of {@link MlflowPlatform.connect}. */
export interface MlflowConnectOptions {
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
export class MlflowPlatform extends Construct implements IService {
  /** The tracking server's Service name. */
  public readonly serviceName: string;
  /** The namespace, if set. */
  public readonly namespace?: string;
  /** The in-cluster DNS name of the Service. */
  public readonly host: string;
  /** The Service port. */
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

  private readonly secretUses: SecretUse[] = [];
  private readonly auth?: BasicAuthOptions;
  private readonly v: Validator;

  public constructor(scope: Construct, id: string, props: MlflowPlatformProps) {
    super(scope, id);
    const v = this.v = Validator.forConstruct('MlflowPlatform', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with backendStore and artifactStore', props);
    if (!(props.backendStore instanceof BackendStore)) v.fail('backendStore', 'must be made with BackendStore.postgres(...), BackendStore.externalPostgres(...) or BackendStore.file(...)', props.backendStore);
    if (!(props.artifactStore instanceof ArtifactStore)) v.fail('artifactStore', 'must be made with ArtifactStore.minio(...), ArtifactStore.s3(...) or ArtifactStore.gcs(...)', props.artifactStore);
    const name = validateDnsLabel(v, 'name', props.name ?? id, 40);
    const namespace = this.namespace = resolveNamespace(v, this, props);
    const image = validateImage(v, 'image', props.image ?? MLFLOW_IMAGE);
    const replicas = validateInteger(v, 'replicas', props.replicas ?? 1, 1, 100);
    const port = this.port = validatePort(v, 'port', props.port ?? 5000);
    const workers = validateInteger(v, 'workers', props.workers ?? 2, 1, 64);
    const backend = props.backendStore._config;
    const artifacts = props.artifactStore._config;
    if (backend.kind === 'file' && replicas > 1) {
      v.fail('replicas', 'must be 1 with BackendStore.file (a SQLite file cannot be shared by several servers); use BackendStore.postgres or externalPostgres to replicate', replicas);
    }
    if (props.exposure !== undefined && !(props.exposure instanceof Exposure)) {
      v.fail('exposure', 'must be made with Exposure.clusterIp(), Exposure.loadBalancer(...) or Exposure.ingress(...)', props.exposure);
    }
    const exposure = (props.exposure ?? Exposure.clusterIp())._config;
    if (props.auth !== undefined) {
      checkSecret(v.nested('auth'), 'config', props.auth.config);
      checkSecret(v.nested('auth'), 'secretKey', props.auth.secretKey);
      this.auth = props.auth;
    }
    if (props.metrics !== undefined) checkMetrics(v, props.metrics, props.auth !== undefined);
    if (props.serviceAccountName !== undefined) validateDnsSubdomain(v, 'serviceAccountName', props.serviceAccountName);
    validateLabels(v, 'labels', props.labels);

    const labelsOf = (component: string, app = 'mlflow', img = image) => ({
      ...props.labels,
      ...componentLabels({ name: app, instance: name, component, version: imageTag(img) }),
    });
    const labels = labelsOf('tracking-server');
    const selector = this.podSelector = selectorLabels({ instance: name, component: 'tracking-server' });
    this.serviceName = name;
    this.host = serviceHost(name, namespace);
    this.trackingUri = this.url = `http://${this.host}:${port}`;

    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name, namespace, podSelector: selector, labels });

    // ---- backend store: the URI never carries the password; libpq reads PGPASSWORD from the environment.
    const storeEnv: Record<string, SecretValue> = {};
    let backendUri: string;
    let postgresPolicy: PodNetworkPolicy | undefined;
    let dbEgress: { cidr: string; port: number } | undefined;
    if (backend.kind === 'postgres') {
      const o = backend.options;
      const pg = this.inClusterPostgres(childName(name, 'postgres'), namespace, o, labelsOf('database', 'postgres', o.image ?? POSTGRES_IMAGE));
      postgresPolicy = pg.networkPolicy;
      backendUri = `postgresql://${o.username ?? 'mlflow'}@${pg.host}:${POSTGRES_PORT}/${o.database ?? 'mlflow'}`;
      storeEnv.PGPASSWORD = o.password;
      this.secretUses.push({ value: o.password, namespace, purpose: 'PostgreSQL password (the database and the tracking server read it)' });
      allowBetween(this.networkPolicy, postgresPolicy, [{ port: POSTGRES_PORT }]);
    } else if (backend.kind === 'external') {
      const o = backend.options;
      const pgPort = o.port ?? POSTGRES_PORT;
      backendUri = `postgresql://${o.username}@${o.host}:${pgPort}/${o.database}?sslmode=${o.sslMode ?? PostgresSslMode.REQUIRE}`;
      storeEnv.PGPASSWORD = o.password;
      this.secretUses.push({ value: o.password, namespace, purpose: 'password of the external PostgreSQL' });
      dbEgress = { cidr: o.cidr ?? '0.0.0.0/0', port: pgPort };
      this.networkPolicy.allowToCidr(dbEgress.cidr, [{ port: dbEgress.port }]);
    } else {
      backendUri = `sqlite:///${FILE_STORE_DIR}/mlflow.db`;
    }

    // ---- artifact store
    const artifactEnv: Record<string, string> = {};
    const artifactSecretEnv: Record<string, SecretValue> = {};
    let destination: string;
    let credentials: ArtifactCredentials | undefined;
    if (artifacts.kind === 'minio') {
      const o = artifacts.options;
      const minio = this.inClusterMinio(childName(name, 'minio'), namespace, o, labelsOf('object-store', 'minio', o.image ?? MINIO_IMAGE));
      destination = `s3://${o.bucket}`;
      artifactEnv.MLFLOW_S3_ENDPOINT_URL = `http://${minio.host}:${MINIO_PORT}`;
      artifactSecretEnv.AWS_ACCESS_KEY_ID = o.rootUser;
      artifactSecretEnv.AWS_SECRET_ACCESS_KEY = o.rootPassword;
      this.secretUses.push({ value: o.rootUser, namespace, purpose: 'MinIO root user and password (MinIO, the bucket Job and the tracking server read them)' });
      this.secretUses.push({ value: o.rootPassword, namespace, purpose: 'MinIO root user and password (MinIO, the bucket Job and the tracking server read them)' });
      allowBetween(this.networkPolicy, minio.networkPolicy, [{ port: MINIO_PORT }]);
      this.bucketJob(childName(name, 'minio-bucket'), namespace, o, minio, labelsOf('bucket-setup', 'minio', o.clientImage ?? MC_IMAGE));
    } else if (artifacts.kind === 's3') {
      const o = artifacts.options;
      destination = `s3://${o.bucket}${o.path ? `/${o.path}` : ''}`;
      if (o.endpoint) artifactEnv.MLFLOW_S3_ENDPOINT_URL = o.endpoint;
      if (o.region) artifactEnv.AWS_DEFAULT_REGION = o.region;
      credentials = o.credentials;
      const storePort = o.endpoint ? endpointPort(v, 'endpoint', o.endpoint) : 443;
      this.networkPolicy.allowToCidr(o.cidr ?? '0.0.0.0/0', [{ port: storePort }]);
    } else {
      const o = artifacts.options;
      destination = `gs://${o.bucket}${o.path ? `/${o.path}` : ''}`;
      credentials = o.credentials;
      this.networkPolicy.allowToCidr('0.0.0.0/0', [{ port: 443 }]);
    }
    for (const [envName, secret] of Object.entries(credentials?._env ?? {})) {
      artifactSecretEnv[envName] = secret;
      this.secretUses.push({ value: secret, namespace, purpose: 'object storage access key of the tracking server' });
    }
    for (const e of credentials?._egress ?? []) this.networkPolicy.allowToCidr(e.cidr, [{ port: e.port }]);

    // ---- service account: workload identity annotations live on it; the pod never needs an API token.
    let serviceAccountName = props.serviceAccountName;
    const saAnnotations = credentials?._serviceAccountAnnotations ?? {};
    if (serviceAccountName === undefined) {
      serviceAccountName = name;
      new k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { name, namespace, labels, annotations: Object.keys(saAnnotations).length > 0 ? saAnnotations : undefined },
        automountServiceAccountToken: false,
      });
    } else if (Object.keys(saAnnotations).length > 0) {
      v.fail('serviceAccountName', `must be left out with workload identity credentials (the library annotates the ServiceAccount it creates with ${Object.keys(saAnnotations).join(', ')})`, serviceAccountName);
    }

    // ---- the server pod
    const pod = new PodBuilder(v, {
      labels: { ...labels, ...selector },
      serviceAccountName,
      terminationGracePeriodSeconds: 30,
      topologySpreadConstraints: replicas > 1
        ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }]
        : undefined,
    });
    const volumeMounts: k8s.VolumeMount[] = [];
    const env: Record<string, string> = { ...artifactEnv };
    const secretEnv: Record<string, SecretValue> = { ...storeEnv, ...artifactSecretEnv };
    if (credentials?._keyFile) {
      const key = credentials._keyFile;
      pod.addVolume({ name: 'gcp-key', secret: { secretName: key.secretName, items: [{ key: key.key, path: 'key.json' }] } });
      volumeMounts.push({ name: 'gcp-key', mountPath: '/var/run/secrets/gcp', readOnly: true });
      env.GOOGLE_APPLICATION_CREDENTIALS = '/var/run/secrets/gcp/key.json';
      this.secretUses.push({ value: key, namespace, purpose: 'Google service account key (JSON) of the tracking server' });
    }
    // With auth, the migration also brings the auth database to its head revision: it reads basic_auth.ini.
    let authFiles: MigrationFiles | undefined;
    if (this.auth) {
      const c = this.auth.config;
      authFiles = {
        volume: { name: 'auth-config', secret: { secretName: c.secretName, items: [{ key: c.key, path: 'basic_auth.ini' }] } },
        mount: { name: 'auth-config', mountPath: AUTH_CONFIG_DIR, readOnly: true },
        env: { MLFLOW_AUTH_CONFIG_PATH: `${AUTH_CONFIG_DIR}/basic_auth.ini` },
      };
      pod.addVolume(authFiles.volume);
      volumeMounts.push(authFiles.mount);
      Object.assign(env, authFiles.env);
      secretEnv.MLFLOW_FLASK_SERVER_SECRET_KEY = this.auth.secretKey;
      this.secretUses.push({ value: c, namespace, purpose: 'MLflow basic_auth.ini (admin user and password, auth database URI without password)' });
      this.secretUses.push({ value: this.auth.secretKey, namespace, purpose: 'MLflow Flask secret key (stable across restarts and replicas)' });
    }
    if (backend.kind === 'file') {
      const mount = resolveMount(v, 'backendStore.claim', { claim: backend.options.claim, path: FILE_STORE_DIR }, false);
      if (mount.claim.namespace !== undefined && namespace !== undefined && mount.claim.namespace !== namespace) {
        v.fail('backendStore.claim', `must be in the namespace '${namespace}'`, `${mount.claim.namespace}/${mount.claim.claimName}`);
      }
      volumeMounts.push({ name: 'backend-store', mountPath: FILE_STORE_DIR });
      pod.addVolume({ name: 'backend-store', persistentVolumeClaim: { claimName: mount.claim.claimName } });
    }

    // Host headers as clients send them: the Ingress host behind TLS on 443; a load balancer's name with its port.
    const externalHosts = exposure.kind === 'ingress'
      ? [exposure.ingress!.host]
      : (exposure.lb?.hosts ?? []).map((h) => (port === 80 ? h : `${h}:${port}`));
    const args = [
      'server',
      '--host', '0.0.0.0',
      '--port', String(port),
      '--workers', String(workers),
      '--backend-store-uri', backendUri,
      '--serve-artifacts',
      '--artifacts-destination', destination,
      // Host-header allow list (DNS rebinding protection): the Service names, the external names, localhost (kubectl
      // port-forward); /health is exempt. Prometheus scrapes pod addresses, so with metrics the private ranges
      // (MLflow's own default) too.
      '--allowed-hosts', [...allowedHosts(name, namespace, port, externalHosts), ...(props.metrics ? PRIVATE_ADDRESS_PATTERNS : [])].join(','),
    ];
    if (this.auth) args.push('--app-name', 'basic-auth');
    if (props.metrics) args.push('--expose-prometheus', METRICS_DIR);

    const probe = (periodSeconds: number, failureThreshold: number): k8s.Probe => ({
      // /health is exempt from the Host-header check (kubelet sends the pod address).
      httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') },
      periodSeconds,
      timeoutSeconds: 5,
      failureThreshold,
    });
    const serverResources = { cpu: props.cpu ?? 1, memory: props.memory ?? '2Gi' };

    if (backend.kind === 'file') {
      // One replica and the Recreate strategy: no other server can race this upgrade.
      pod.addInitContainer({
        name: 'db-upgrade', image, command: ['python', '-c', MIGRATE_SCHEMA], env: { MLFLOW_BACKEND_STORE_URI: backendUri, ...authFiles?.env },
        resources: { cpu: '250m', memory: '512Mi' },
        volumeMounts: [{ name: 'backend-store', mountPath: FILE_STORE_DIR }, ...(authFiles ? [authFiles.mount] : [])],
      });
    } else {
      this.migrationJobName = childName(name, `db-upgrade-${slug(imageTag(image) ?? 'pinned')}`);
      const job = this.migrationJob(this.migrationJobName, namespace, image, backendUri, storeEnv, labelsOf('db-migration'), authFiles);
      if (postgresPolicy) allowBetween(job, postgresPolicy, [{ port: POSTGRES_PORT }]);
      if (dbEgress) job.allowToCidr(dbEgress.cidr, [{ port: dbEgress.port }]);
      // Servers start only once the Job has brought the schema to this image's head revision, so no replica ever
      // creates or migrates tables itself (two replicas would race on an empty database).
      pod.addInitContainer({
        name: 'wait-for-schema', image, command: ['python', '-c', WAIT_FOR_SCHEMA],
        env: { MLFLOW_BACKEND_STORE_URI: backendUri }, secretEnv: storeEnv,
        resources: { cpu: '250m', memory: '512Mi' },
      });
    }
    pod.addContainer({
      name: 'mlflow',
      image,
      command: ['mlflow'],
      args,
      env,
      secretEnv,
      resources: serverResources,
      ports: [{ name: 'http', port }],
      volumeMounts,
      writablePaths: props.metrics ? [METRICS_DIR] : undefined,
      startupProbe: probe(5, 60),
      readinessProbe: probe(10, 3),
      livenessProbe: probe(20, 3),
    });

    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        strategy: backend.kind === 'file'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: pod.template(),
      },
    });
    if (replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name, namespace, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });
    }

    // ---- exposure
    const lb = exposure.kind === 'load-balancer' ? exposure.lb! : undefined;
    new k8s.KubeService(this, 'Service', {
      metadata: { name, namespace, labels, annotations: lb?.annotations },
      spec: {
        type: lb ? 'LoadBalancer' : 'ClusterIP',
        selector,
        ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
        loadBalancerSourceRanges: lb?.sourceRanges,
        // Keeps the client address, so that the NetworkPolicy's ipBlock rules see it.
        externalTrafficPolicy: lb ? 'Local' : undefined,
      },
    });
    for (const cidr of lb?.sourceRanges ?? []) this.networkPolicy.allowFromCidr(cidr, [{ port }]);
    if (exposure.kind === 'ingress') {
      addIngress(this, 'Ingress', exposure.ingress!, { serviceName: name, namespace, labels, servicePort: { number: port }, networkPolicy: this.networkPolicy, podPort: port });
    }
    if (props.metrics) {
      this.networkPolicy.allowFromNamespace(props.metrics.scraperNamespace, [{ port }]);
      if (props.metrics.serviceMonitor) {
        const { username, password } = props.metrics;
        const basicAuth = username && password
          ? { username: { name: username.secretName, key: username.key }, password: { name: password.secretName, key: password.key } }
          : undefined;
        for (const value of username && password ? [username, password] : []) {
          this.secretUses.push({ value, namespace, purpose: 'MLflow user and password the ServiceMonitor scrapes /metrics as' });
        }
        new (serviceMonitorCrd().ServiceMonitor)(this, 'ServiceMonitor', {
          metadata: { name, namespace, labels },
          spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s', basicAuth }] },
        });
      }
    }
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
    connectWorkload(this.v, this, workload, env, [{ port: this.port }]);
    for (const value of [options.username, options.password]) {
      if (value !== undefined) this.secretUses.push({ value, namespace: workload.namespace, purpose: `MLflow credentials of ${workload.workloadName}` });
    }
  }

  private inClusterPostgres(name: string, namespace: string | undefined, o: InClusterPostgresOptions, labels: Record<string, string>): StatefulService {
    const v = this.v.nested('backendStore');
    const selector = selectorLabels({ instance: labels['app.kubernetes.io/instance'], component: 'database' });
    const user = o.username ?? 'mlflow';
    const database = o.database ?? 'mlflow';
    // The official image runs PostgreSQL as uid/gid 999; fsGroup 999 makes the volume writable for it.
    const pod = new PodBuilder(v, { labels: { ...labels, ...selector }, security: { user: 999, group: 999 }, terminationGracePeriodSeconds: 60 });
    const ready = ['pg_isready', '-h', '127.0.0.1', '-p', String(POSTGRES_PORT), '-U', user, '-d', database];
    pod.addContainer({
      name: 'postgres',
      image: o.image ?? POSTGRES_IMAGE,
      env: {
        POSTGRES_USER: user,
        POSTGRES_DB: database,
        // A subdirectory: the volume's root may hold lost+found, which initdb refuses.
        PGDATA: '/var/lib/postgresql/data/pgdata',
      },
      secretEnv: { POSTGRES_PASSWORD: o.password },
      resources: { cpu: o.cpu ?? '500m', memory: o.memory ?? '1Gi' },
      ports: [{ name: 'postgres', port: POSTGRES_PORT }],
      volumeMounts: [{ name: STATEFUL_DATA_VOLUME, mountPath: '/var/lib/postgresql/data' }],
      // The socket and lock file directory; the root filesystem is read-only.
      writablePaths: ['/var/run/postgresql'],
      readinessProbe: { exec: { command: ready }, periodSeconds: 10, timeoutSeconds: 5 },
      livenessProbe: { exec: { command: ready }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
    });
    return new StatefulService(this, 'Postgres', {
      name, namespace, labels, selector, pod,
      ports: [{ name: 'postgres', port: POSTGRES_PORT }],
      storage: o.storage ?? '10Gi',
      storageClassName: o.storageClassName,
      validator: v,
    });
  }

  private inClusterMinio(name: string, namespace: string | undefined, o: InClusterMinioOptions, labels: Record<string, string>): StatefulService {
    const v = this.v.nested('artifactStore');
    const selector = selectorLabels({ instance: labels['app.kubernetes.io/instance'], component: 'object-store' });
    const pod = new PodBuilder(v, { labels: { ...labels, ...selector }, terminationGracePeriodSeconds: 30 });
    const health = (path: string): k8s.HttpGetAction => ({ path, port: k8s.IntOrString.fromString('s3') });
    pod.addContainer({
      name: 'minio',
      image: o.image ?? MINIO_IMAGE,
      command: ['minio'],
      args: ['server', '/data/minio', '--address', `:${MINIO_PORT}`],
      // The web console is not exposed: the bucket is managed by the Job and used through MLflow.
      env: { MINIO_BROWSER: 'off' },
      secretEnv: { MINIO_ROOT_USER: o.rootUser, MINIO_ROOT_PASSWORD: o.rootPassword },
      resources: { cpu: o.cpu ?? '500m', memory: o.memory ?? '1Gi' },
      ports: [{ name: 's3', port: MINIO_PORT }],
      volumeMounts: [{ name: STATEFUL_DATA_VOLUME, mountPath: '/data' }],
      readinessProbe: { httpGet: health('/minio/health/ready'), periodSeconds: 10, timeoutSeconds: 5 },
      livenessProbe: { httpGet: health('/minio/health/live'), initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 5 },
    });
    return new StatefulService(this, 'Minio', {
      name, namespace, labels, selector, pod,
      ports: [{ name: 's3', port: MINIO_PORT }],
      storage: o.storage ?? '50Gi',
      storageClassName: o.storageClassName,
      validator: v,
    });
  }

  /** Creates the bucket once MinIO is ready and removes any anonymous access to it. */
  private bucketJob(name: string, namespace: string | undefined, o: InClusterMinioOptions, minio: StatefulService, labels: Record<string, string>): void {
    const v = this.v.nested('artifactStore');
    const selector = selectorLabels({ instance: labels['app.kubernetes.io/instance'], component: 'bucket-setup' });
    const pod = new PodBuilder(v, { labels: { ...labels, ...selector }, restartPolicy: 'Never' });
    // The credentials go into mc's config file through a here-document (in /tmp, an emptyDir), so they appear
    // neither in the manifest nor in any process's arguments.
    const script = [
      'set -eu',
      'mkdir -p "$HOME/.mc"',
      'cat > "$HOME/.mc/config.json" <<EOF',
      `{"version":"10","aliases":{"minio":{"url":"http://${minio.host}:${MINIO_PORT}","accessKey":"$MINIO_ROOT_USER","secretKey":"$MINIO_ROOT_PASSWORD","api":"s3v4","path":"auto"}}}`,
      'EOF',
      'until mc ready minio; do sleep 3; done',
      `mc mb --ignore-existing minio/${o.bucket}`,
      `mc anonymous set none minio/${o.bucket}`,
    ].join('\n');
    pod.addContainer({
      name: 'create-bucket',
      image: o.clientImage ?? MC_IMAGE,
      command: ['/bin/sh', '-c', script],
      secretEnv: { MINIO_ROOT_USER: o.rootUser, MINIO_ROOT_PASSWORD: o.rootPassword },
      resources: { cpu: '100m', memory: '128Mi' },
    });
    const job = new k8s.KubeJob(this, 'BucketJob', {
      metadata: { name, namespace, labels },
      // `mc ready` waits for MinIO without end: the deadline turns a MinIO that never comes up into a failed Job.
      spec: jobRunSpec(v, { backoffLimit: 6, activeDeadline: Duration.minutes(15) }, 'create-bucket', { template: pod.template() }),
    });
    setDeployPhase(job, DeployPhase.SETUP);
    const policy = new PodNetworkPolicy(this, 'BucketJobNetworkPolicy', { name, namespace, podSelector: selector, labels });
    allowBetween(policy, minio.networkPolicy, [{ port: MINIO_PORT }]);
  }

  /** The Job that creates or upgrades the schema ({@link MIGRATE_SCHEMA}). */
  private migrationJob(
    name: string, namespace: string | undefined, image: string, uri: string, secretEnv: Record<string, SecretValue>,
    labels: Record<string, string>, files?: MigrationFiles,
  ): PodNetworkPolicy {
    const selector = selectorLabels({ instance: labels['app.kubernetes.io/instance'], component: 'db-migration' });
    const pod = new PodBuilder(this.v, { labels: { ...labels, ...selector }, restartPolicy: 'Never' });
    if (files) pod.addVolume(files.volume);
    pod.addContainer({
      name: 'db-upgrade',
      image,
      command: ['python', '-c', MIGRATE_SCHEMA],
      env: { MLFLOW_BACKEND_STORE_URI: uri, ...files?.env },
      secretEnv,
      volumeMounts: files ? [files.mount] : undefined,
      resources: { cpu: '500m', memory: '1Gi' },
    });
    // The database may still be starting: retries are cheap and the upgrade is idempotent.
    const job = new k8s.KubeJob(this, 'Migration', {
      metadata: { name, namespace, labels },
      spec: jobRunSpec(this.v, { backoffLimit: 10, activeDeadline: Duration.hours(2) }, 'db-upgrade', { template: pod.template() }),
    });
    setDeployPhase(job, DeployPhase.SETUP);
    return new PodNetworkPolicy(this, 'MigrationNetworkPolicy', { name, namespace, podSelector: selector, labels });
  }
}

/**
 * Brings the schema to the head revision of the MLflow in this image: creates the initial tables where they are
 * missing (an empty database; `mlflow db upgrade` alone fails there on older MLflow versions, its first migration
 * alters tables it expects to exist), then runs the alembic migrations that `mlflow db upgrade` runs. This is what
 * `mlflow server` does at start, run once instead of by every replica at the same time.
 */
const MIGRATE_SCHEMA = [
  'import os',
  'from mlflow.store.db.utils import create_sqlalchemy_engine_with_retry, _initialize_tables',
  // The auth database first: servers wait only for the tracking schema, so it must be the last step.
  'if os.environ.get("MLFLOW_AUTH_CONFIG_PATH"):',
  '    from mlflow.server.auth.config import read_auth_config',
  '    from mlflow.server.auth.db.utils import migrate',
  '    migrate(create_sqlalchemy_engine_with_retry(read_auth_config().database_uri), "head")',
  '_initialize_tables(create_sqlalchemy_engine_with_retry(os.environ["MLFLOW_BACKEND_STORE_URI"]))',
].join('\n');

/** Files the migration reads besides the database (the auth configuration). */
interface MigrationFiles {
  readonly volume: k8s.Volume;
  readonly mount: k8s.VolumeMount;
  readonly env: Record<string, string>;
}

/**
 * Waits until the database schema is at the head revision of the MLflow in this image (the migration Job's work).
 * `_verify_schema` is what `mlflow server` itself checks at start; the image is pinned, so the module path is too.
 */
const WAIT_FOR_SCHEMA = [
  'import os, time',
  'from mlflow.store.db.utils import create_sqlalchemy_engine, _verify_schema',
  'engine = create_sqlalchemy_engine(os.environ["MLFLOW_BACKEND_STORE_URI"])',
  'while True:',
  '    try:',
  '        _verify_schema(engine)',
  '        break',
  '    except Exception as e:',
  '        print("waiting for the schema migration Job:", type(e).__name__, flush=True)',
  '        time.sleep(5)',
].join('\n');

/** The Host headers the server accepts: its Service names (with the port), localhost for probes, external names. */
function allowedHosts(name: string, namespace: string | undefined, port: number, externalHosts: string[]): string[] {
  const names = [name, 'localhost'];
  if (namespace) names.push(`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`);
  return [...names.flatMap((n) => [n, `${n}:${port}`]), ...externalHosts];
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '') || 'pinned';
}

function checkSecret(v: IValidator, prop: string, value: unknown): void {
  if (!(value instanceof SecretValue)) v.fail(prop, 'must be a SecretValue (SecretValue.fromSecret(name, key)) naming a Secret you create', value);
}

function checkMetrics(v: IValidator, metrics: MlflowMetricsOptions, auth: boolean): void {
  validateDnsLabel(v, 'metrics.scraperNamespace', metrics.scraperNamespace);
  for (const prop of ['username', 'password'] as const) {
    if (metrics[prop] !== undefined) checkSecret(v, `metrics.${prop}`, metrics[prop]);
  }
  if (metrics.username !== undefined && metrics.password === undefined) v.fail('metrics.password', 'must be given with \'metrics.username\'', undefined);
  if (metrics.password !== undefined && metrics.username === undefined) v.fail('metrics.username', 'must be given with \'metrics.password\'', undefined);
  if (auth && metrics.serviceMonitor && metrics.username === undefined) {
    v.fail('metrics.username', 'and \'metrics.password\' must be given with auth and serviceMonitor: MLflow answers /metrics only to a signed-in user', undefined);
  }
  if (!metrics.serviceMonitor && metrics.username !== undefined) {
    v.fail('metrics.serviceMonitor', 'must be true when \'metrics.username\' is given (the ServiceMonitor scrapes with those credentials)', metrics.serviceMonitor);
  }
}

function checkPgIdentifier(v: IValidator, prop: string, value: string): void {
  if (typeof value !== 'string' || !PG_IDENTIFIER.test(value)) {
    v.fail(prop, 'must be a PostgreSQL name (lower-case letters, digits and \'_\', not starting with a digit, at most 63 characters)', value);
  }
}

function checkBucket(v: IValidator, prop: string, bucket: string): void {
  if (typeof bucket !== 'string' || !BUCKET.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    v.fail(prop, 'must be a bucket name (3 to 63 lower-case letters, digits, \'.\' and \'-\', starting and ending with a letter or digit, not an IP address)', bucket);
  }
}

function checkPrefix(v: IValidator, prop: string, path: string): void {
  if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.endsWith('/') || path.split('/').includes('..') || /\s/.test(path)) {
    v.fail(prop, 'must be a relative key prefix without leading or trailing \'/\', \'..\' or spaces (e.g. \'mlflow/artifacts\')', path);
  }
}

function checkCredentials(v: IValidator, credentials: unknown): void {
  if (!(credentials instanceof ArtifactCredentials)) {
    v.fail('credentials', 'must be made with ArtifactCredentials.accessKeys(...), .awsIamRole(...), .gkeWorkloadIdentity(...) or .gcpServiceAccountKey(...)', credentials);
  }
}

/** The port of an http(s) endpoint URL (443/80 by scheme when not given). */
function endpointPort(v: IValidator, prop: string, endpoint: string): number {
  const match = typeof endpoint === 'string' ? /^(https?):\/\/([a-z0-9.-]+)(?::(\d+))?\/?$/.exec(endpoint) : null;
  if (!match) v.fail(prop, 'must be an http(s) URL with a host and optional port, without credentials or path (e.g. \'https://s3.example.com\')', endpoint);
  if (match[3] !== undefined) return validatePort(v, prop, Number(match[3]));
  return match[1] === 'https' ? 443 : 80;
}
