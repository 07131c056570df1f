import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  allowBetween, childName, componentLabels, connectWorkload, cronJobFields, DeployPhase, durationSeconds, imageTag, IService, ITeam, IWorkload,
  IValidator, jobRunSpec, JobRunOptions, NetworkPort, PodBuilder, PodNetworkPolicy, QuantityInput, setDeployPhase,
  RequiredSecret, resolveMount, ResolvedMount, Schedule, ScheduleOptions, SchedulingOptions, SecretValue,
  selectorLabels, serviceHost, STATEFUL_DATA_VOLUME, StatefulService, Validator, VolumeClaim, WorkloadRole, resolvePlacement,
} from './core';
import { lazyModule } from './core/lazy';
import { checkMounts } from './core/volumes';
import {
  quantityToNumber, validateDnsLabel, validateDnsSubdomain, validateEnum, validateImage, validateInteger, validateLabels, validateQuantity,
} from './core/validation';

// The YAML writer is needed only when a FeatureStore is built: loading it on first use keeps `require` fast.
const yamlModule = lazyModule(() => require('yaml') as typeof import('yaml'));

/** The Feast feature server image the library is tested with (Feast publishes its images on quay.io since 0.47). */
export const FEAST_IMAGE = 'quay.io/feastdev/feature-server:0.62.0';
/** The Redis image of the in-cluster online store. The official image runs Redis as uid/gid 999. */
export const REDIS_IMAGE = 'redis:7.4.2';

/** The port of the Feast online feature server (`feast serve`). */
const SERVER_PORT = 6566;
const REDIS_PORT = 6379;
/** Where feature_store.yaml is mounted in every Feast container. */
const CONFIG_DIR = '/etc/feast';
const CONFIG_FILE = `${CONFIG_DIR}/feature_store.yaml`;
/** Where a file registry's claim is mounted. */
const REGISTRY_DIR = '/var/lib/feast/registry';
/** Environment variable names that feature_store.yaml expands (`${NAME}`) into secrets. */
const REDIS_PASSWORD_ENV = 'FEAST_REDIS_PASSWORD';
const REGISTRY_URL_ENV = 'FEAST_REGISTRY_URL';
const OFFLINE_PASSWORD_ENV = 'FEAST_OFFLINE_STORE_PASSWORD';
/** Feast's own project-name rule: letters, digits and underscores, not starting with an underscore. */
const FEAST_PROJECT = /^[A-Za-z0-9][A-Za-z0-9_]*$/;

/** What a store contributes to the Feast pods: config, secret env, mounts and network reach. */
interface StoreBinding {
  /** The section of feature_store.yaml. */
  readonly config: unknown;
  /** Secret env the `${...}` references of the section read. */
  readonly secretEnv: Record<string, SecretValue>;
  /** Plain env the Feast client libraries read. */
  readonly env: Record<string, string>;
  /** Ports reached on addresses outside the cluster (managed databases, object storage). */
  readonly externalPorts: number[];
  /** A claim the Feast pods mount. */
  readonly claim?: { claim: VolumeClaim; dir: string };
}

/** Where Feast keeps its registry (the catalogue of entities, feature views and materialization state). */
export class Registry {
  /**
   * A registry file on a volume claim. The feature server mounts it read-only and the apply and materialization
   * jobs write it, from pods on any node: the claim must be ReadWriteMany.
   * @param claim the claim holding the registry
   * @param path the file's path inside the claim (relative)
   */
  public static file(claim: VolumeClaim, path: string = 'registry.db'): Registry {
    const v = Validator.forFactory('Registry.file');
    if (!(claim instanceof VolumeClaim)) v.fail('claim', 'must be a VolumeClaim (from MlStorage or VolumeClaim.fromClaimName)', claim);
    checkRelativePath(v, 'path', path);
    return new Registry('file', (ttl) => ({
      config: { registry_type: 'file', path: `${REGISTRY_DIR}/${path}`, cache_ttl_seconds: ttl },
      secretEnv: {}, env: {}, externalPorts: [], claim: { claim, dir: REGISTRY_DIR },
    }));
  }

  /**
   * A registry file in S3 (or an S3-compatible store such as MinIO).
   * @param uri `s3://bucket/path/registry.db`
   */
  public static s3(uri: string, options: S3RegistryOptions = {}): Registry {
    const v = Validator.forFactory('Registry.s3');
    if (typeof uri !== 'string' || !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/.test(uri)) {
      v.fail('uri', 'must be an S3 object URI such as \'s3://bucket/feast/registry.db\'', uri);
    }
    const secretEnv: Record<string, SecretValue> = {};
    const { accessKeyId, secretAccessKey } = options;
    if (accessKeyId !== undefined || secretAccessKey !== undefined) {
      if (!(accessKeyId instanceof SecretValue) || !(secretAccessKey instanceof SecretValue)) {
        return v.fail('accessKeyId', 'and secretAccessKey must both be given with SecretValue.fromSecret(name, key)', accessKeyId);
      }
      secretEnv.AWS_ACCESS_KEY_ID = accessKeyId;
      secretEnv.AWS_SECRET_ACCESS_KEY = secretAccessKey;
    }
    const env: Record<string, string> = {};
    let port = 443;
    if (options.endpoint !== undefined) {
      const match = /^https?:\/\/[^/\s:@]+(?::(\d+))?\/?$/.exec(options.endpoint);
      if (match === null) return v.fail('endpoint', 'must be an http(s) URL without credentials such as \'http://minio.storage:9000\'', options.endpoint);
      // Feast's S3 registry store reads its endpoint from this variable.
      env.FEAST_S3_ENDPOINT_URL = options.endpoint;
      port = match[1] ? Number(match[1]) : options.endpoint.startsWith('https') ? 443 : 80;
    }
    if (options.region !== undefined) env.AWS_DEFAULT_REGION = options.region;
    return new Registry('s3', (ttl) => ({
      config: { registry_type: 'file', path: uri, cache_ttl_seconds: ttl }, secretEnv, env, externalPorts: [port],
    }));
  }

  /**
   * A registry file in Google Cloud Storage (credentials from Workload Identity).
   * @param uri `gs://bucket/path/registry.db`
   */
  public static gcs(uri: string): Registry {
    const v = Validator.forFactory('Registry.gcs');
    if (typeof uri !== 'string' || !/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]\/\S+$/.test(uri)) {
      v.fail('uri', 'must be a GCS object URI such as \'gs://bucket/feast/registry.db\'', uri);
    }
    return new Registry('gcs', (ttl) => ({
      config: { registry_type: 'file', path: uri, cache_ttl_seconds: ttl }, secretEnv: {}, env: {}, externalPorts: [443],
    }));
  }

  /**
   * A SQL registry (PostgreSQL, MySQL, SQLite through SQLAlchemy). The whole SQLAlchemy URL, which carries the
   * password, is read from a Secret (`postgresql+psycopg://feast:...@db.example.com:5432/feast`).
   * @param url the Secret value holding the URL
   * @param options the database port, for the network policy
   */
  public static sql(url: SecretValue, options: SqlRegistryOptions = {}): Registry {
    const v = Validator.forFactory('Registry.sql');
    if (!(url instanceof SecretValue)) v.fail('url', 'must be made with SecretValue.fromSecret(name, key) (the URL carries a password)', url);
    const port = validateInteger(v, 'port', options.port ?? 5432, 1, 65535);
    return new Registry('sql', (ttl) => ({
      config: { registry_type: 'sql', path: `\${${REGISTRY_URL_ENV}}`, cache_ttl_seconds: ttl },
      secretEnv: { [REGISTRY_URL_ENV]: url }, env: {}, externalPorts: [port],
    }));
  }

  private constructor(
    /** The registry kind: `file`, `s3`, `gcs` or `sql`. */
    public readonly kind: string,
    private readonly render: (cacheTtlSeconds: number) => StoreBinding,
  ) {}

  /** @internal */
  public _bind(cacheTtlSeconds: number): StoreBinding {
    return this.render(cacheTtlSeconds);
  }
}

/** Options of {@link Registry.s3}. */
export interface S3RegistryOptions {
  /**
   * The S3 endpoint, for S3-compatible stores (MinIO).
   * @default - AWS S3
   */
  readonly endpoint?: string;
  /**
   * The AWS region.
   * @default - from the environment (IRSA, instance profile)
   */
  readonly region?: string;
  /**
   * The access key id, from a Secret.
   * @default - none: credentials come from IRSA or the node's instance profile
   */
  readonly accessKeyId?: SecretValue;
  /**
   * The secret access key, from a Secret.
   * @default - none
   */
  readonly secretAccessKey?: SecretValue;
}

/** Options of {@link Registry.sql}. */
export interface SqlRegistryOptions {
  /**
   * The database port, opened in the network policies.
   * @default 5432
   */
  readonly port?: number;
}

/** How Redis is deployed: one server, or a Redis Cluster. */
export enum RedisMode {
  /** One Redis server (or a primary with replicas behind one address). */
  STANDALONE = 'redis',
  /** A Redis Cluster (sharded); give several seed nodes. */
  CLUSTER = 'redis_cluster',
}

/** Options shared by every Redis online store. */
export interface RedisStoreOptions {
  /**
   * Expire feature values this long after they were written (Feast's `key_ttl_seconds`).
   * @default - values never expire
   */
  readonly keyTtl?: Duration;
}

/** Options of {@link OnlineStore.redis}: a Redis StatefulSet in the cluster. */
export interface InClusterRedisOptions extends RedisStoreOptions {
  /**
   * The Redis password, from a Secret you create. Use letters and digits (`openssl rand -hex 32`): Feast splits its
   * connection string on ','.
   */
  readonly password: SecretValue;
  /**
   * The Redis image, pinned.
   * @default REDIS_IMAGE
   */
  readonly image?: string;
  /**
   * Size of the persistent volume (append-only file and snapshots).
   * @default '10Gi'
   */
  readonly storage?: QuantityInput;
  /**
   * The StorageClass of the volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * CPU of the Redis container.
   * @default 1
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory of the Redis container; Redis is capped at 80% of it (`maxmemory`) so it is not OOM-killed.
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
}

/** Options of {@link OnlineStore.externalRedis}: a managed or existing Redis. */
export interface ExternalRedisOptions extends RedisStoreOptions {
  /** The servers, `host:port` (several seed nodes for a cluster). */
  readonly endpoints: string[];
  /**
   * Standalone or cluster.
   * @default RedisMode.STANDALONE
   */
  readonly mode?: RedisMode;
  /**
   * The password, from a Secret.
   * @default - no authentication
   */
  readonly password?: SecretValue;
  /**
   * Connect with TLS (managed services such as ElastiCache with in-transit encryption, Memorystore).
   * @default false
   */
  readonly tls?: boolean;
  /**
   * The addresses the Redis servers live in, for the network policies.
   * @default '0.0.0.0/0' (any address, on the Redis ports only)
   */
  readonly cidr?: string;
}

/** Where Feast serves online features from. */
export class OnlineStore {
  /**
   * Redis in the cluster: a StatefulSet `<name>-redis` with a persistent volume and a password from a Secret you
   * create; only the feature server and the Feast jobs may reach it.
   */
  public static redis(options: InClusterRedisOptions): OnlineStore {
    const v = Validator.forFactory('OnlineStore.redis');
    if (!options || !(options.password instanceof SecretValue)) {
      v.fail('password', 'must be made with SecretValue.fromSecret(name, key)', options?.password);
    }
    validateImage(v, 'image', options.image ?? REDIS_IMAGE);
    validateQuantity(v, 'storage', options.storage ?? '10Gi');
    if (options.storageClassName !== undefined) validateDnsSubdomain(v, 'storageClassName', options.storageClassName);
    return new OnlineStore('redis', RedisMode.STANDALONE, keyTtlSeconds(v, options.keyTtl), options, undefined);
  }

  /** A Redis outside the cluster (or managed by another team), standalone or a Redis Cluster, with TLS. */
  public static externalRedis(options: ExternalRedisOptions): OnlineStore {
    const v = Validator.forFactory('OnlineStore.externalRedis');
    if (!options || !Array.isArray(options.endpoints) || options.endpoints.length === 0) {
      v.fail('endpoints', 'must list at least one \'host:port\'', options?.endpoints);
    }
    options.endpoints.forEach((e, i) => {
      const match = typeof e === 'string' ? /^[A-Za-z0-9.-]+:(\d{1,5})$/.exec(e) : null;
      if (!match || Number(match[1]) < 1 || Number(match[1]) > 65535) v.fail(`endpoints[${i}]`, 'must be \'host:port\'', e);
    });
    const mode = options.mode ?? RedisMode.STANDALONE;
    validateEnum(v, 'mode', mode, RedisMode, 'RedisMode');
    if (mode === RedisMode.STANDALONE && options.endpoints.length > 1) {
      v.fail('endpoints', 'must hold one address for a standalone Redis (use mode: RedisMode.CLUSTER for several)', options.endpoints);
    }
    if (options.password !== undefined && !(options.password instanceof SecretValue)) {
      v.fail('password', 'must be made with SecretValue.fromSecret(name, key)', options.password);
    }
    if (options.cidr !== undefined && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(options.cidr)) {
      v.fail('cidr', 'must be an IPv4 CIDR such as \'10.0.0.0/8\'', options.cidr);
    }
    return new OnlineStore('redis', mode, keyTtlSeconds(v, options.keyTtl), undefined, options);
  }

  private constructor(
    /** The Feast online store type. */
    public readonly type: string,
    /** Standalone or cluster. */
    public readonly mode: RedisMode,
    private readonly keyTtlSeconds: number | undefined,
    /** @internal */
    public readonly _inCluster: InClusterRedisOptions | undefined,
    private readonly external: ExternalRedisOptions | undefined,
  ) {}

  /** True when the library runs Redis in the cluster. */
  public get inCluster(): boolean {
    return this._inCluster !== undefined;
  }

  /** @internal */
  public _bind(redisHost: string | undefined): StoreBinding {
    const password = this._inCluster?.password ?? this.external?.password;
    const parts = this.external ? [...this.external.endpoints] : [`${redisHost}:${REDIS_PORT}`];
    if (this.external?.tls) parts.push('ssl=true');
    // Feast expands ${VAR} in feature_store.yaml from its environment: the password never enters the file.
    if (password) parts.push(`password=\${${REDIS_PASSWORD_ENV}}`);
    const ports = this.external ? [...new Set(this.external.endpoints.map((e) => Number(e.split(':')[1])))] : [];
    return {
      config: {
        type: 'redis',
        redis_type: this.mode,
        connection_string: parts.join(','),
        key_ttl_seconds: this.keyTtlSeconds,
      },
      secretEnv: password ? { [REDIS_PASSWORD_ENV]: password } : {},
      env: {},
      externalPorts: ports,
    };
  }

  /** @internal */
  public get _externalCidr(): string {
    return this.external?.cidr ?? '0.0.0.0/0';
  }
}

/** Options of {@link OfflineStore.postgres}. */
export interface PostgresOfflineStoreOptions {
  /** The database host. */
  readonly host: string;
  /**
   * The port.
   * @default 5432
   */
  readonly port?: number;
  /** The database. */
  readonly database: string;
  /**
   * The schema.
   * @default 'public'
   */
  readonly schema?: string;
  /** The user. */
  readonly user: string;
  /** The password, from a Secret. */
  readonly password: SecretValue;
  /**
   * The libpq SSL mode.
   * @default 'require'
   */
  readonly sslMode?: string;
}

/** Options of {@link OfflineStore.snowflake}. */
export interface SnowflakeOfflineStoreOptions {
  /** The account identifier (`xy12345.eu-central-1`). */
  readonly account: string;
  /** The user. */
  readonly user: string;
  /** The password, from a Secret. */
  readonly password: SecretValue;
  /** The role. */
  readonly role: string;
  /** The virtual warehouse. */
  readonly warehouse: string;
  /** The database. */
  readonly database: string;
  /**
   * The schema.
   * @default 'PUBLIC'
   */
  readonly schema?: string;
}

/** Where Feast reads historical feature data from (materialization reads it; the online server does not). */
export class OfflineStore {
  /** Parquet/CSV files, read by the jobs in-process (paths in the feature definitions). */
  public static file(): OfflineStore {
    return new OfflineStore('file', () => ({ config: { type: 'file' }, secretEnv: {}, env: {}, externalPorts: [] }));
  }

  /** A PostgreSQL warehouse; the password comes from a Secret through `${...}` expansion. */
  public static postgres(options: PostgresOfflineStoreOptions): OfflineStore {
    const v = Validator.forFactory('OfflineStore.postgres');
    if (!options || typeof options.host !== 'string' || !/^[A-Za-z0-9.-]+$/.test(options.host)) v.fail('host', 'must be a host name', options?.host);
    const port = validateInteger(v, 'port', options.port ?? 5432, 1, 65535);
    for (const field of ['database', 'user'] as const) {
      if (typeof options[field] !== 'string' || options[field].length === 0) v.fail(field, 'must be a non-empty string', options[field]);
    }
    if (!(options.password instanceof SecretValue)) v.fail('password', 'must be made with SecretValue.fromSecret(name, key)', options.password);
    return new OfflineStore('postgres', () => ({
      config: {
        type: 'postgres', host: options.host, port, database: options.database, db_schema: options.schema ?? 'public',
        user: options.user, password: `\${${OFFLINE_PASSWORD_ENV}}`, sslmode: options.sslMode ?? 'require',
      },
      secretEnv: { [OFFLINE_PASSWORD_ENV]: options.password }, env: {}, externalPorts: [port],
    }));
  }

  /** A Snowflake warehouse; the password comes from a Secret through `${...}` expansion. */
  public static snowflake(options: SnowflakeOfflineStoreOptions): OfflineStore {
    const v = Validator.forFactory('OfflineStore.snowflake');
    for (const field of ['account', 'user', 'role', 'warehouse', 'database'] as const) {
      if (!options || typeof options[field] !== 'string' || options[field].length === 0) v.fail(field, 'must be a non-empty string', options?.[field]);
    }
    if (!(options.password instanceof SecretValue)) v.fail('password', 'must be made with SecretValue.fromSecret(name, key)', options.password);
    return new OfflineStore('snowflake.offline', () => ({
      config: {
        type: 'snowflake.offline', account: options.account, user: options.user, password: `\${${OFFLINE_PASSWORD_ENV}}`,
        role: options.role, warehouse: options.warehouse, database: options.database, schema: options.schema ?? 'PUBLIC',
      },
      secretEnv: { [OFFLINE_PASSWORD_ENV]: options.password }, env: {}, externalPorts: [443],
    }));
  }

  /** BigQuery (credentials from GKE Workload Identity). */
  public static bigquery(options: { readonly projectId?: string; readonly dataset: string; readonly location?: string }): OfflineStore {
    const v = Validator.forFactory('OfflineStore.bigquery');
    if (!options || typeof options.dataset !== 'string' || !/^[A-Za-z0-9_]{1,1024}$/.test(options.dataset)) {
      v.fail('dataset', 'must be a BigQuery dataset name (letters, digits and underscores)', options?.dataset);
    }
    return new OfflineStore('bigquery', () => ({
      config: { type: 'bigquery', project_id: options.projectId, dataset: options.dataset, location: options.location },
      secretEnv: {}, env: {}, externalPorts: [443],
    }));
  }

  private constructor(
    /** The Feast offline store type. */
    public readonly type: string,
    private readonly render: () => StoreBinding,
  ) {}

  /** @internal */
  public _bind(): StoreBinding {
    return this.render();
  }
}

/** The Feast provider. */
export enum FeastProvider {
  /** Runs everything in-process (Redis, file and SQL stores): the usual choice on Kubernetes. */
  LOCAL = 'local',
  /** Google Cloud defaults (Datastore, BigQuery). */
  GCP = 'gcp',
  /** AWS defaults (DynamoDB, Redshift). */
  AWS = 'aws',
}

/** The feature definitions (`feast apply` reads the Python files of a feature repository). */
export class FeatureRepository {
  /**
   * A feature repository baked into an image (which must have Feast installed, e.g. built `FROM` the Feast image).
   * @param image the image, pinned
   * @param path the repository's directory in the image
   */
  public static fromImage(image: string, path: string): FeatureRepository {
    const v = Validator.forFactory('FeatureRepository.fromImage');
    validateImage(v, 'image', image);
    checkAbsolutePath(v, 'path', path);
    return new FeatureRepository(image, path, undefined);
  }

  /**
   * A feature repository on a volume claim, run with the Feast image.
   * @param claim the claim
   * @param subPath the repository's directory inside the claim
   */
  public static fromClaim(claim: VolumeClaim, subPath?: string): FeatureRepository {
    const v = Validator.forFactory('FeatureRepository.fromClaim');
    if (!(claim instanceof VolumeClaim)) v.fail('claim', 'must be a VolumeClaim (from MlStorage or VolumeClaim.fromClaimName)', claim);
    if (subPath !== undefined) checkRelativePath(v, 'subPath', subPath);
    return new FeatureRepository(undefined, '/feast/repo', { claim, path: '/feast/repo', subPath, readOnly: true });
  }

  private constructor(
    /** The image that holds the repository, if baked in. */
    public readonly image: string | undefined,
    /** The repository's path in the container. */
    public readonly path: string,
    /** @internal */
    public readonly _mount: { claim: VolumeClaim; path: string; subPath?: string; readOnly: boolean } | undefined,
  ) {}
}

/** Autoscaling of the feature server. */
export interface FeatureServerAutoscaling {
  /** The fewest replicas. */
  readonly minReplicas: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization, in percent of the request.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
}

/** The scheduled materialization (`feast materialize-incremental` up to the current time). */
export interface MaterializationOptions extends JobRunOptions {
  /** When to run. */
  readonly schedule: Schedule;
  /**
   * How the CronJob recurs.
   * @default - UTC, Forbid overlapping runs, 1 hour starting deadline, keep 3 successful and 3 failed runs
   */
  readonly scheduleOptions?: ScheduleOptions;
  /**
   * Materialize only these feature views.
   * @default - every feature view
   */
  readonly featureViews?: string[];
  /**
   * CPU of the materialization pod.
   * @default 1
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory of the materialization pod (the local engine holds a batch of rows in memory).
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
}

/** Props of {@link FeatureStore}. */
export interface FeatureStoreProps {
  /**
   * The name of the feature server's Deployment and Service, and the prefix of every other object. A DNS-1123
   * label of at most 40 characters (the materialization CronJob adds `-materialize`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of every object.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that owns the store: its namespace and serving service account are used unless given here.
   * @default - no team
   */
  readonly team?: ITeam;
  /**
   * The Feast project: letters, digits and underscores, not starting with an underscore (Feast's rule).
   * @default - the name with '-' replaced by '_'
   */
  readonly project?: string;
  /**
   * The Feast provider.
   * @default FeastProvider.LOCAL
   */
  readonly provider?: FeastProvider;
  /** Where the registry lives. */
  readonly registry: Registry;
  /**
   * How long the feature server and clients cache the registry before re-reading it.
   * @default Duration.minutes(1)
   */
  readonly registryTtl?: Duration;
  /** The online store. */
  readonly onlineStore: OnlineStore;
  /**
   * The offline store.
   * @default OfflineStore.file()
   */
  readonly offlineStore?: OfflineStore;
  /**
   * The entity key serialization version (3 is the current scheme; 1 and 2 are kept only for stores written by
   * older Feast releases).
   * @default 3
   */
  readonly entityKeySerializationVersion?: number;
  /**
   * The Feast image of the feature server and the jobs, pinned.
   * @default FEAST_IMAGE
   */
  readonly image?: string;
  /**
   * Feature server replicas (not together with `autoscaling`). With two or more, a PodDisruptionBudget keeps one
   * serving during node drains.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Scale the feature server on CPU with a HorizontalPodAutoscaler.
   * @default - a fixed number of replicas
   */
  readonly autoscaling?: FeatureServerAutoscaling;
  /**
   * Worker processes per feature server pod (`feast serve --workers`).
   * @default 1
   */
  readonly workers?: number;
  /**
   * CPU of a feature server pod.
   * @default 1
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory of a feature server pod.
   * @default '1Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * The feature definitions. When given, a Job `<name>-apply` runs `feast apply`. A Job's pod template cannot
   * change: it is deleted after `ttlAfterFinished` (1 day), or delete it to apply new definitions sooner.
   * @default - no apply Job (definitions are applied from CI)
   */
  readonly featureRepository?: FeatureRepository;
  /**
   * Scheduled materialization from the offline to the online store, as a CronJob `<name>-materialize`.
   * @default - no scheduled materialization
   */
  readonly materialization?: MaterializationOptions;
  /**
   * Where the feature server pods are scheduled.
   * @default - anywhere
   */
  readonly scheduling?: SchedulingOptions;
  /**
   * The ServiceAccount of the feature server.
   * @default - the team's serving service account, else the namespace's default, without a token
   */
  readonly serviceAccountName?: string;
  /**
   * Extra labels on every object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A Feast feature store: the online feature server (`feast serve`, port 6566) as a Deployment and Service, its
 * `feature_store.yaml` generated from typed props and mounted from a ConfigMap (secrets reach it only through
 * `${VAR}` expansion from Secret references), Redis as the online store (a StatefulSet in the cluster or an
 * external Redis), a `feast apply` Job and a materialization CronJob, and NetworkPolicies that let only the
 * feature server and the jobs reach Redis and only connected workloads reach the feature server.
 *
 * @example
 * const store = new FeatureStore(chart, 'feast', {
 *   registry: Registry.file(VolumeClaim.fromClaimName('feast-registry', { accessModes: [AccessMode.READ_WRITE_MANY] })),
 *   onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password') }),
 *   replicas: 2,
 *   materialization: { schedule: Schedule.cron('0 * * * *') },
 * });
 * store.connect(trainingJob);
 */
export class FeatureStore extends Construct implements IService {
  /** The feature server's Service name. */
  public readonly serviceName: string;
  /** The namespace. */
  public readonly namespace?: string;
  /** The feature server port. */
  public readonly port = SERVER_PORT;
  /** `name.namespace.svc` (or `name` without a namespace). */
  public readonly host: string;
  /** `http://host:6566`, what clients put in FEAST_FEATURE_SERVER_URL. */
  public readonly url: string;
  /** The Feast project. */
  public readonly project: string;
  /** The ConfigMap holding feature_store.yaml (key `feature_store.yaml`). */
  public readonly configMapName: string;
  /** The generated feature_store.yaml. */
  public readonly featureStoreYaml: string;
  /** Labels that select the feature server pods. */
  public readonly podSelector: Record<string, string>;
  /** The feature server's NetworkPolicy. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The in-cluster Redis's Service host, if the library runs Redis. */
  public readonly redisHost?: string;
  /** The in-cluster Redis's NetworkPolicy, if the library runs Redis. */
  public readonly redisNetworkPolicy?: PodNetworkPolicy;
  /** The Secrets you must create before applying the manifests. */
  public readonly requiredSecrets: RequiredSecret[];

  public constructor(scope: Construct, id: string, props: FeatureStoreProps) {
    super(scope, id);
    const v = Validator.forConstruct('FeatureStore', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least registry and onlineStore', props);
    const name = validateDnsLabel(v, 'name', props.name ?? id, 40);
    const placement = resolvePlacement(v, this, props, WorkloadRole.SERVING);
    this.namespace = placement.namespace;
    this.serviceName = name;
    this.host = serviceHost(name, this.namespace);
    this.url = `http://${this.host}:${SERVER_PORT}`;

    this.project = props.project ?? name.replace(/-/g, '_');
    if (typeof this.project !== 'string' || !FEAST_PROJECT.test(this.project)) {
      v.fail('project', 'must be a Feast project name (letters, digits and underscores, not starting with an underscore)', this.project);
    }
    const provider = props.provider ?? FeastProvider.LOCAL;
    validateEnum(v, 'provider', provider, FeastProvider, 'FeastProvider');
    if (!(props.registry instanceof Registry)) {
      v.fail('registry', 'must be made with Registry.file(...), Registry.s3(...), Registry.gcs(...) or Registry.sql(...)', props.registry);
    }
    if (!(props.onlineStore instanceof OnlineStore)) {
      v.fail('onlineStore', 'must be made with OnlineStore.redis(...) or OnlineStore.externalRedis(...) (the supported online store type is redis)', props.onlineStore);
    }
    const offlineStore = props.offlineStore ?? OfflineStore.file();
    if (!(offlineStore instanceof OfflineStore)) {
      v.fail('offlineStore', 'must be made with OfflineStore.file(), .postgres(...), .snowflake(...) or .bigquery(...)', offlineStore);
    }
    const serializationVersion = validateInteger(v, 'entityKeySerializationVersion', props.entityKeySerializationVersion ?? 3, 1, 3);
    const image = validateImage(v, 'image', props.image ?? FEAST_IMAGE);
    const registryTtl = validateInteger(v, 'registryTtl', durationSeconds(v, 'registryTtl', props.registryTtl ?? Duration.minutes(1)), 1);
    const workers = validateInteger(v, 'workers', props.workers ?? 1, 1, 64);

    validateLabels(v, 'labels', props.labels);
    const labelsOf = (component: string) => ({
      ...props.labels,
      ...componentLabels({ name: 'feast', instance: name, component, version: imageTag(image) }),
    });
    const serverLabels = labelsOf('feature-server');
    this.podSelector = selectorLabels({ instance: name, component: 'feature-server' });

    // In-cluster Redis first: its address goes into the connection string.
    const redis = props.onlineStore._inCluster
      ? inClusterRedis(this, v, { name: childName(name, 'redis'), namespace: this.namespace, options: props.onlineStore._inCluster, labels: props.labels })
      : undefined;
    this.redisHost = redis?.host;
    this.redisNetworkPolicy = redis?.networkPolicy;

    const registry = props.registry._bind(registryTtl);
    const online = props.onlineStore._bind(redis?.host);
    const offline = offlineStore._bind();
    const config = {
      project: this.project,
      provider,
      registry: registry.config,
      online_store: online.config,
      offline_store: offline.config,
      entity_key_serialization_version: serializationVersion,
    };
    this.featureStoreYaml = yamlModule().stringify(config, { lineWidth: 0 });
    this.configMapName = childName(name, 'config');
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: this.configMapName, namespace: this.namespace, labels: labelsOf('config') },
      data: { 'feature_store.yaml': this.featureStoreYaml },
    });
    this.requiredSecrets = requiredSecrets(this.namespace, [
      ['the Redis password of the Feast online store', online.secretEnv],
      ['the Feast registry', registry.secretEnv],
      ['the Feast offline store', offline.secretEnv],
    ]);

    const configVolume: k8s.Volume = { name: 'feast-config', configMap: { name: this.configMapName } };
    const configMount: k8s.VolumeMount = { name: 'feast-config', mountPath: CONFIG_DIR, readOnly: true };
    const registryMount = (readOnly: boolean): ResolvedMount[] => (registry.claim
      ? [resolveMount(v, 'registry', { claim: registry.claim.claim, path: registry.claim.dir, readOnly }, readOnly)]
      : []);

    // Feature server.
    const autoscaling = props.autoscaling;
    if (props.replicas !== undefined && autoscaling !== undefined) v.fail('replicas', 'cannot be combined with autoscaling (use autoscaling.minReplicas)', props.replicas);
    let replicas = validateInteger(v, 'replicas', props.replicas ?? 1, 1, 1000);
    if (autoscaling !== undefined) {
      if (props.replicas !== undefined) v.fail('replicas', 'cannot be combined with autoscaling (use autoscaling.minReplicas)', props.replicas);
      const min = validateInteger(v, 'autoscaling.minReplicas', autoscaling.minReplicas, 1, 1000);
      validateInteger(v, 'autoscaling.maxReplicas', autoscaling.maxReplicas, min, 1000);
      validateInteger(v, 'autoscaling.targetCpuUtilization', autoscaling.targetCpuUtilization ?? 70, 1, 100);
      replicas = min;
    }
    const replicated = replicas > 1 || (autoscaling !== undefined && autoscaling.maxReplicas > 1);
    const serverMounts = registryMount(true);
    checkMounts(v, serverMounts, { podsMaySpanNodes: true, namespace: this.namespace, why: 'the feature server runs while the Feast jobs write the registry, on any node' });

    const server = new PodBuilder(v, {
      scheduling: placement.scheduling,
      serviceAccountName: placement.serviceAccountName,
      labels: { ...serverLabels, ...this.podSelector },
      topologySpreadConstraints: replicated
        ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: this.podSelector } }]
        : undefined,
    });
    server.addVolume(configVolume);
    server.addContainer({
      name: 'feature-server',
      image,
      command: [
        'feast', '--feature-store-yaml', CONFIG_FILE, 'serve',
        '--host', '0.0.0.0', '--port', String(SERVER_PORT),
        '--workers', String(workers), '--registry_ttl_sec', String(registryTtl),
      ],
      env: { ...registry.env, ...online.env },
      secretEnv: { ...registry.secretEnv, ...online.secretEnv },
      resources: { cpu: props.cpu ?? 1, memory: props.memory ?? '1Gi' },
      ports: [{ name: 'http', port: SERVER_PORT }],
      mounts: serverMounts,
      volumeMounts: [configMount],
      // /health answers 503 until the registry was loaded: it gates traffic, but must not restart the pod.
      startupProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 5, failureThreshold: 60 },
      readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold: 3 },
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 20, failureThreshold: 3 },
    });

    const serverMetadata = { name, namespace: this.namespace, labels: serverLabels };
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: serverMetadata,
      spec: {
        replicas: autoscaling ? undefined : replicas,
        selector: { matchLabels: this.podSelector },
        // Never drop below the current capacity while rolling out.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: server.template(),
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: serverMetadata,
      spec: {
        selector: this.podSelector,
        ports: [{ name: 'http', port: SERVER_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
    if (autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: serverMetadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: autoscaling.minReplicas,
          maxReplicas: autoscaling.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.targetCpuUtilization ?? 70 } } }],
        },
      });
    }
    if (replicated) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: serverMetadata,
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.podSelector } },
      });
    }
    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name, namespace: this.namespace, podSelector: this.podSelector, labels: serverLabels });

    // Every Feast pod reaches the online store and the registry; the jobs also reach the offline store.
    const reachStores = (policy: PodNetworkPolicy, withOffline: boolean) => {
      if (redis) {
        allowBetween(policy, redis.networkPolicy, [{ port: REDIS_PORT }]);
      } else {
        policy.allowToCidr(props.onlineStore._externalCidr, toPorts(online.externalPorts));
      }
      const external = [...registry.externalPorts, ...(withOffline ? offline.externalPorts : [])];
      if (external.length > 0) policy.allowToCidr('0.0.0.0/0', toPorts([...new Set(external)]));
    };
    reachStores(this.networkPolicy, false);

    // Jobs: feast apply, and the materialization CronJob.
    const repo = props.featureRepository;
    if (repo !== undefined && !(repo instanceof FeatureRepository)) {
      v.fail('featureRepository', 'must be made with FeatureRepository.fromImage(...) or FeatureRepository.fromClaim(...)', repo);
    }
    const jobPod = (component: string, serviceAccountName: string, jobImage: string, command: string[], resources: { cpu: QuantityInput; memory: QuantityInput }) => {
      const selector = selectorLabels({ instance: name, component });
      const labels = labelsOf(component);
      const mounts = [...registryMount(false)];
      if (repo?._mount) mounts.push(resolveMount(v, 'featureRepository', repo._mount, true));
      checkMounts(v, mounts, { podsMaySpanNodes: true, namespace: this.namespace, why: 'the Feast jobs write the registry while the feature server reads it, on any node' });
      const pod = new PodBuilder(v, {
        serviceAccountName,
        restartPolicy: 'Never',
        labels: { ...labels, ...selector },
      });
      pod.addVolume(configVolume);
      pod.addContainer({
        name: component,
        image: jobImage,
        command,
        env: { ...registry.env, ...online.env, ...offline.env },
        secretEnv: { ...registry.secretEnv, ...online.secretEnv, ...offline.secretEnv },
        resources,
        mounts,
        volumeMounts: [configMount],
      });
      const policy = new PodNetworkPolicy(this, `${component === 'apply' ? 'Apply' : 'Materialize'}NetworkPolicy`, {
        name: childName(name, component), namespace: this.namespace, podSelector: selector, labels,
      });
      reachStores(policy, true);
      return { pod, labels };
    };
    const jobServiceAccount = (component: string, construct: string) => {
      const saName = childName(name, component);
      // Its own identity with no token and no RBAC: Feast jobs never call the Kubernetes API.
      new k8s.KubeServiceAccount(this, construct, {
        metadata: { name: saName, namespace: this.namespace, labels: labelsOf(component) },
        automountServiceAccountToken: false,
      });
      return saName;
    };
    const repoPath = repo?.path;
    const feastArgs = (...rest: string[]) => ['feast', ...(repoPath ? ['--chdir', repoPath] : []), '--feature-store-yaml', CONFIG_FILE, ...rest];

    if (repo) {
      const { pod, labels } = jobPod('apply', jobServiceAccount('apply', 'ApplyServiceAccount'), repo.image ?? image, feastArgs('apply'), { cpu: 1, memory: '1Gi' });
      const job = new k8s.KubeJob(this, 'Apply', {
        metadata: { name: childName(name, 'apply'), namespace: this.namespace, labels },
        spec: jobRunSpec(v, { activeDeadline: Duration.minutes(30) }, 'apply', { template: pod.template() }),
      });
      setDeployPhase(job, DeployPhase.SETUP);
    }

    const m = props.materialization;
    if (m !== undefined) {
      const mv = v.nested('materialization');
      if (!(m.schedule instanceof Schedule)) mv.fail('schedule', 'must be made with Schedule.cron(...) or Schedule.daily(...)', m.schedule);
      // Checked here so that a bad value is named 'materialization.cpu', not the feature server's 'cpu'.
      if (m.cpu !== undefined) validateQuantity(mv, 'cpu', m.cpu);
      if (m.memory !== undefined) validateQuantity(mv, 'memory', m.memory);
      const views = (m.featureViews ?? []).map((view, i) => {
        if (typeof view !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(view)) mv.fail(`featureViews[${i}]`, 'must be a feature view name (letters, digits, \'_\', \'-\' and \'.\')', view);
        return `--views ${view}`;
      });
      // The end time must be computed when the run starts, so the command goes through a shell.
      const script = ['exec', ...feastArgs('materialize-incremental'), ...views, '"$(date -u +%Y-%m-%dT%H:%M:%S)"'].join(' ');
      const { pod, labels } = jobPod('materialize', jobServiceAccount('materialize', 'MaterializeServiceAccount'), repo?.image ?? image,
        ['/bin/sh', '-c', script], { cpu: m.cpu ?? 1, memory: m.memory ?? '2Gi' });
      new k8s.KubeCronJob(this, 'Materialize', {
        metadata: { name: childName(name, 'materialize'), namespace: this.namespace, labels },
        spec: {
          ...cronJobFields(mv, m.schedule, m.scheduleOptions),
          jobTemplate: { metadata: { labels }, spec: jobRunSpec(mv, m, 'materialize', { template: pod.template() }) },
        },
      });
    }
  }

  /**
   * Connects a workload (a training job, a model server) to the feature server: FEAST_FEATURE_SERVER_URL in its
   * environment, and the network path from its pods to the feature server opened on both sides.
   */
  public connect(workload: IWorkload): void {
    connectWorkload(Validator.forConstruct('FeatureStore', this.node.id), this, workload, { FEAST_FEATURE_SERVER_URL: this.url }, [{ port: SERVER_PORT }]);
  }
}

interface InClusterRedisProps {
  readonly name: string;
  readonly namespace?: string;
  readonly options: InClusterRedisOptions;
  readonly labels?: Record<string, string>;
}

/**
 * Redis as a one-replica StatefulService (StatefulSet with a persistent volume, headless Service, NetworkPolicy).
 * The password is read from the Secret into the environment and handed to redis-server on stdin, so it is in
 * neither the manifest nor the process arguments.
 */
function inClusterRedis(scope: Construct, v: Validator, props: InClusterRedisProps): StatefulService {
  const o = props.options;
  const image = o.image ?? REDIS_IMAGE;
  const labels = { ...props.labels, ...componentLabels({ name: 'redis', instance: props.name, component: 'online-store', version: imageTag(image) }) };
  const selector = selectorLabels({ instance: props.name, component: 'online-store' });
  const rv = v.nested('onlineStore');
  const memory = validateQuantity(rv, 'memory', o.memory ?? '2Gi');

  // The official image runs Redis as uid/gid 999; fsGroup 999 makes the volume writable for it.
  const pod = new PodBuilder(rv, { labels: { ...labels, ...selector }, security: { user: 999, group: 999 }, terminationGracePeriodSeconds: 30 });
  // maxmemory below the container limit: Redis evicts old keys instead of being OOM-killed.
  const maxMemory = Math.floor(quantityToNumber(memory) * 0.8);
  // `redis-server -` reads its configuration from stdin: the here-document carries the password.
  const script = [
    `exec redis-server - --dir /data --appendonly yes --maxmemory ${maxMemory} --maxmemory-policy allkeys-lru <<EOF`,
    'requirepass "$REDIS_PASSWORD"',
    'EOF',
  ].join('\n');
  pod.addContainer({
    name: 'redis',
    image,
    command: ['/bin/sh', '-c', script],
    secretEnv: { REDIS_PASSWORD: o.password, REDISCLI_AUTH: o.password },
    resources: { cpu: o.cpu ?? 1, memory },
    ports: [{ name: 'redis', port: REDIS_PORT }],
    volumeMounts: [{ name: STATEFUL_DATA_VOLUME, mountPath: '/data' }],
    readinessProbe: { exec: { command: ['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'] }, periodSeconds: 10, timeoutSeconds: 5 },
    livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, initialDelaySeconds: 15, periodSeconds: 20 },
  });
  return new StatefulService(scope, 'Redis', {
    name: props.name,
    namespace: props.namespace,
    labels,
    selector,
    pod,
    ports: [{ name: 'redis', port: REDIS_PORT }],
    storage: o.storage ?? '10Gi',
    storageClassName: o.storageClassName,
    validator: rv,
  });
}

function keyTtlSeconds(v: IValidator, keyTtl: Duration | undefined): number | undefined {
  if (keyTtl === undefined) return undefined;
  return validateInteger(v, 'keyTtl', durationSeconds(v, 'keyTtl', keyTtl), 1);
}

function toPorts(ports: number[]): NetworkPort[] {
  return ports.map((port) => ({ port }));
}

function checkRelativePath(v: IValidator, prop: string, path: string): void {
  if (typeof path !== 'string' || path.length === 0 || path.startsWith('/') || path.split('/').includes('..') || /\s|:/.test(path)) {
    v.fail(prop, 'must be a relative path without \'..\', \':\' or spaces', path);
  }
}

function checkAbsolutePath(v: IValidator, prop: string, path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path.split('/').includes('..') || /\s|:/.test(path)) {
    v.fail(prop, 'must be an absolute path without \'..\', \':\' or spaces', path);
  }
}

/** Groups the secret references by Secret, for the documentation of what a user must create. */
function requiredSecrets(namespace: string | undefined, groups: Array<[string, Record<string, SecretValue>]>): RequiredSecret[] {
  const bySecret = new Map<string, { keys: Set<string>; purposes: Set<string> }>();
  for (const [purpose, env] of groups) {
    for (const secret of Object.values(env)) {
      const entry = bySecret.get(secret.secretName) ?? { keys: new Set<string>(), purposes: new Set<string>() };
      entry.keys.add(secret.key);
      entry.purposes.add(purpose);
      bySecret.set(secret.secretName, entry);
    }
  }
  return [...bySecret.entries()].map(([name, entry]) => ({
    name, namespace, keys: [...entry.keys].sort(), purpose: [...entry.purposes].join('; '),
  }));
}
