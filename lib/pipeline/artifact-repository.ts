import { IValidator, Validator } from '../core/errors';
import { PodNetworkPolicy } from '../core/network';
import { parseObjectStoreEndpoint, validateAwsRegion, validateS3BucketName } from '../core/object-store';
import { SecretValue } from '../core/secrets';
import { IObjectStoreAccess } from '../core/object-store-access';
import type { MlflowPlatform } from '../mlflow/mlflow-platform';
import { validateCidr, validateRelativePath } from '../core/validation';

/** Options of {@link ArtifactRepository.s3}: an S3 bucket, on AWS or an S3-compatible store (MinIO, Ceph). */
export interface S3RepositoryOptions {
  /** The bucket. */
  readonly bucket: string;
  /**
   * The endpoint of an S3-compatible store (`https://minio.storage:9000`); `http://` makes Argo connect without TLS.
   * @default - AWS S3 (`s3.amazonaws.com`)
   */
  readonly endpoint?: string;
  /**
   * The region.
   * @default - the bucket's
   */
  readonly region?: string;
  /** The access key id, in a Secret in the pipeline's namespace. */
  readonly accessKeyId: SecretValue;
  /** The secret access key, in a Secret in the pipeline's namespace. */
  readonly secretAccessKey: SecretValue;
  /**
   * The prefix of the keys artifacts are stored under.
   * @default - `<workflow name>/<pod name>` at the bucket's root (Argo's default)
   */
  readonly keyPrefix?: string;
  /**
   * The addresses of the store, for the step pods' egress NetworkPolicy.
   * @default '0.0.0.0/0' (any address, on the endpoint's port only)
   */
  readonly cidr?: string;
}

/** Options of {@link ArtifactRepository.gcs}. */
export interface GcsRepositoryOptions {
  /** The bucket. */
  readonly bucket: string;
  /** A Google service account key (JSON), in a Secret in the pipeline's namespace. */
  readonly serviceAccountKey: SecretValue;
  /**
   * The prefix of the keys artifacts are stored under.
   * @default - `<workflow name>/<pod name>` at the bucket's root (Argo's default)
   */
  readonly keyPrefix?: string;
}

/**
 * Where the pipeline's artifacts are kept between steps: the configuration Argo reads from a ConfigMap
 * (`artifactRepositoryRef`). Credentials are only ever Secret references: Argo mounts them into its executor
 * containers, never into the program's.
 */
export class ArtifactRepository {
  /** An S3 bucket (AWS or an S3-compatible endpoint such as MinIO). */
  public static s3(options: S3RepositoryOptions): ArtifactRepository {
    const v = Validator.forFactory('ArtifactRepository.s3');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with bucket, accessKeyId and secretAccessKey', options);
    validateS3BucketName(v, 'bucket', options.bucket);
    const endpoint = options.endpoint === undefined ? undefined : parseObjectStoreEndpoint(v, 'endpoint', options.endpoint);
    if (options.region !== undefined) validateAwsRegion(v, 'region', options.region);
    checkSecret(v, 'accessKeyId', options.accessKeyId);
    checkSecret(v, 'secretAccessKey', options.secretAccessKey);
    if (options.keyPrefix !== undefined) validateRelativePath(v, 'keyPrefix', options.keyPrefix);
    const cidr = options.cidr === undefined ? '0.0.0.0/0' : validateCidr(v, 'cidr', options.cidr);
    const port = endpoint?.port ?? 443;
    return new ArtifactRepository('s3', {
      bucket: options.bucket,
      endpoint: endpoint === undefined ? 's3.amazonaws.com' : `${endpoint.host}:${endpoint.port}`,
      insecure: endpoint === undefined ? undefined : !endpoint.https,
      region: options.region,
      accessKeySecret: secretSelector(options.accessKeyId),
      secretKeySecret: secretSelector(options.secretAccessKey),
      keyFormat: keyFormat(options.keyPrefix),
    }, [options.accessKeyId, options.secretAccessKey], (policy) => policy.allowToCidr(cidr, [{ port }]));
  }

  /** A Google Cloud Storage bucket. */
  public static gcs(options: GcsRepositoryOptions): ArtifactRepository {
    const v = Validator.forFactory('ArtifactRepository.gcs');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with bucket and serviceAccountKey', options);
    validateS3BucketName(v, 'bucket', options.bucket);
    checkSecret(v, 'serviceAccountKey', options.serviceAccountKey);
    if (options.keyPrefix !== undefined) validateRelativePath(v, 'keyPrefix', options.keyPrefix);
    return new ArtifactRepository('gcs', {
      bucket: options.bucket,
      serviceAccountKeySecret: secretSelector(options.serviceAccountKey),
      keyFormat: keyFormat(options.keyPrefix),
    }, [options.serviceAccountKey], (policy) => policy.allowToCidr('0.0.0.0/0', [{ port: 443 }]));
  }

  /**
   * The artifact store of an `MlflowPlatform` (its in-cluster MinIO, or its S3 bucket with access keys), under the
   * prefix `keyPrefix`: step pods get the network path to the in-cluster MinIO, and MinIO accepts them. The Secrets
   * must exist in the pipeline's namespace too.
   */
  public static fromMlflow(mlflow: MlflowPlatform, keyPrefix: string = 'pipelines'): ArtifactRepository {
    const v: Validator = Validator.forFactory('ArtifactRepository.fromMlflow');
    if (!mlflow || typeof mlflow !== 'object' || !('_objectStore' in mlflow)) v.fail('mlflow', 'must be an MlflowPlatform', mlflow);
    const store = mlflow._objectStore as IObjectStoreAccess;
    if (store === undefined) v.fail('mlflow', 'must keep its artifacts in MinIO or S3 (a GCS store is not S3-compatible for Argo): use ArtifactRepository.gcs(...)', 'gcs');
    validateRelativePath(v, 'keyPrefix', keyPrefix);
    const { accessKeyId, secretAccessKey } = store;
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      v.fail('mlflow', 'must keep its artifacts in MinIO or in S3 with access keys (workload identity credentials belong to the tracking server\'s ServiceAccount): use ArtifactRepository.s3(...) or .gcs(...)', store.url);
    }
    const endpoint = store.endpoint;
    return new ArtifactRepository('s3', {
      bucket: store.bucket,
      endpoint: endpoint === undefined ? 's3.amazonaws.com' : `${endpoint.host}:${endpoint.port}`,
      insecure: endpoint === undefined ? undefined : !endpoint.https,
      region: store.region,
      accessKeySecret: secretSelector(accessKeyId),
      secretKeySecret: secretSelector(secretAccessKey),
      keyFormat: keyFormat(store.keyPrefix === undefined ? keyPrefix : `${store.keyPrefix}/${keyPrefix}`),
    }, [accessKeyId, secretAccessKey], (policy) => store.allowClient(policy));
  }

  private constructor(
    /** `s3` or `gcs`. @internal */
    public readonly _kind: 's3' | 'gcs',
    /** The repository configuration Argo reads. @internal */
    public readonly _config: Record<string, unknown>,
    /** The Secrets the executor reads. @internal */
    public readonly _secrets: SecretValue[],
    /** Opens the path from a step's pods to the store. @internal */
    public readonly _allow: (policy: PodNetworkPolicy) => void,
  ) {}

  /** The ConfigMap value Argo reads (`s3:` or `gcs:`, as JSON, which is YAML). @internal */
  public _render(): string {
    return JSON.stringify({ [this._kind]: this._config }, null, 2);
  }
}

function checkSecret(v: IValidator, prop: string, value: unknown): void {
  if (!(value instanceof SecretValue)) v.fail(prop, 'must be made with SecretValue.fromSecret(name, key)', value);
}

function secretSelector(secret: SecretValue): { name: string; key: string } {
  return { name: secret.secretName, key: secret.key };
}

/** Argo's key format: the prefix, then the workflow and pod names (unique per run and step). */
function keyFormat(prefix: string | undefined): string | undefined {
  return prefix === undefined ? undefined : `${prefix}/{{workflow.name}}/{{pod.name}}`;
}
