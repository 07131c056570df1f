import { Duration } from 'cdk8s';
import { IValidator, QuantityInput, SecretValue, validateCidr, validateDnsSubdomain, validateImage, validateQuantity, Validator } from '../core';
import { validateDuration, validateEnum } from '../core/validation';
import { StoreBinding } from './binding';

/** The Redis image of the in-cluster online store. The official image runs Redis as uid/gid 999. */
export const REDIS_IMAGE = 'redis:7.4.2';
export const REDIS_PORT = 6379;
/** The env var that feature_store.yaml expands (`${...}`) into the Redis password. */
const REDIS_PASSWORD_ENV = 'FEAST_REDIS_PASSWORD';

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
   * Memory of the Redis container; Redis is capped at 80% of it (`maxmemory`) so it is not OOM-killed. At least
   * 64Mi: below, Redis's own footprint and an append-only-file rewrite leave no room for data (and under 2 bytes
   * `maxmemory 0` would mean no limit at all).
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
    return new OnlineStore('redis', RedisMode.STANDALONE, keyTtlSeconds(v, options), options, undefined);
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
    if (options.cidr !== undefined) validateCidr(v, 'cidr', options.cidr);
    return new OnlineStore('redis', mode, keyTtlSeconds(v, options), undefined, options);
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
      externalCidr: this._externalCidr,
    };
  }

  /** @internal */
  public get _externalCidr(): string {
    return this.external?.cidr ?? '0.0.0.0/0';
  }
}

/** Feast's `key_ttl_seconds`. */
function keyTtlSeconds(v: IValidator, options: RedisStoreOptions): number | undefined {
  return options.keyTtl === undefined ? undefined : validateDuration(v, 'keyTtl', options.keyTtl, 1);
}
