import { SecretValue, validateInteger, Validator, VolumeClaim } from '../core';
import { isS3BucketName, parseObjectStoreEndpoint } from '../core/object-store';
import { validateRelativePath } from '../core/validation';
import { ANY_ADDRESS, externalCidrOf, StoreBinding } from './binding';

/** Where a file registry's claim is mounted. */
const REGISTRY_DIR = '/var/lib/feast/registry';
/** The env var that feature_store.yaml expands (`${...}`) into the SQL registry's URL. */
const REGISTRY_URL_ENV = 'FEAST_REGISTRY_URL';

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
    validateRelativePath(v, 'path', path);
    return new Registry('file', (ttl) => ({
      config: { registry_type: 'file', path: `${REGISTRY_DIR}/${path}`, cache_ttl_seconds: ttl },
      secretEnv: {}, env: {}, externalPorts: [], externalCidr: ANY_ADDRESS, claim: { claim, dir: REGISTRY_DIR },
    }));
  }

  /**
   * A registry file in S3 (or an S3-compatible store such as MinIO).
   * @param uri `s3://bucket/path/registry.db`
   */
  public static s3(uri: string, options: S3RegistryOptions = {}): Registry {
    const v = Validator.forFactory('Registry.s3');
    const bucket = typeof uri === 'string' ? /^s3:\/\/([^/]+)\/\S+$/.exec(uri)?.[1] : undefined;
    if (!isS3BucketName(bucket)) {
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
      port = parseObjectStoreEndpoint(v, 'endpoint', options.endpoint).port;
      // Feast's S3 registry store reads its endpoint from this variable.
      env.FEAST_S3_ENDPOINT_URL = options.endpoint;
    }
    if (options.region !== undefined) env.AWS_DEFAULT_REGION = options.region;
    const externalCidr = externalCidrOf(v, options.cidr);
    return new Registry('s3', (ttl) => ({
      config: { registry_type: 'file', path: uri, cache_ttl_seconds: ttl }, secretEnv, env, externalPorts: [port], externalCidr,
    }));
  }

  /**
   * A registry file in Google Cloud Storage (credentials from Workload Identity).
   * @param uri `gs://bucket/path/registry.db`
   */
  public static gcs(uri: string, options: GcsRegistryOptions = {}): Registry {
    const v = Validator.forFactory('Registry.gcs');
    if (typeof uri !== 'string' || !/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]\/\S+$/.test(uri)) {
      v.fail('uri', 'must be a GCS object URI such as \'gs://bucket/feast/registry.db\'', uri);
    }
    const externalCidr = externalCidrOf(v, options?.cidr);
    return new Registry('gcs', (ttl) => ({
      config: { registry_type: 'file', path: uri, cache_ttl_seconds: ttl }, secretEnv: {}, env: {}, externalPorts: [443], externalCidr,
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
    const externalCidr = externalCidrOf(v, options.cidr);
    return new Registry('sql', (ttl) => ({
      config: { registry_type: 'sql', path: `\${${REGISTRY_URL_ENV}}`, cache_ttl_seconds: ttl },
      secretEnv: { [REGISTRY_URL_ENV]: url }, env: {}, externalPorts: [port], externalCidr,
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
  /**
   * The addresses of the S3 endpoint (its subnet, a VPC endpoint), the only ones the Feast pods may reach on its port.
   * @default '0.0.0.0/0' (any address, on its port only)
   */
  readonly cidr?: string;
}

/** Options of {@link Registry.gcs}. */
export interface GcsRegistryOptions {
  /**
   * The addresses of Google Cloud Storage (Private Google Access: `199.36.153.8/30`), the only ones the Feast pods may reach on port 443.
   * @default '0.0.0.0/0' (any address, on port 443 only)
   */
  readonly cidr?: string;
}

/** Options of {@link Registry.sql}. */
export interface SqlRegistryOptions {
  /**
   * The database port, opened in the network policies.
   * @default 5432
   */
  readonly port?: number;
  /**
   * The addresses of the database, the only ones the Feast pods may reach on the database port.
   * @default '0.0.0.0/0' (any address, on the database port only)
   */
  readonly cidr?: string;
}
