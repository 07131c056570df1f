import { IValidator, QuantityInput, SecretValue, validateCidr, validateImage, Validator } from '../core';
import { parseObjectStoreEndpoint, validateAwsRegion, validateS3BucketName } from '../core/object-store';
import { checkSecret } from './checks';
import { ArtifactCredentials } from './credentials';

/** The images of the in-cluster MinIO and of its bucket Job. */
export const MINIO_IMAGE = 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z';
export const MC_IMAGE = 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z';
export const MINIO_PORT = 9000;

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
  /**
   * The addresses of Google Cloud Storage, for the egress NetworkPolicy (Private Google Access: `199.36.153.8/30`).
   * @default '0.0.0.0/0' (any address, on port 443 only)
   */
  readonly cidr?: string;
}

/** What an ArtifactStore factory was given. */
export type ArtifactConfig =
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
    validateS3BucketName(v, 'bucket', options.bucket);
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
    validateS3BucketName(v, 'bucket', options.bucket);
    if (options.path !== undefined) checkPrefix(v, 'path', options.path);
    if (options.endpoint !== undefined) parseObjectStoreEndpoint(v, 'endpoint', options.endpoint);
    if (options.region !== undefined) validateAwsRegion(v, 'region', options.region);
    checkCredentials(v, options.credentials);
    if (options.cidr !== undefined) validateCidr(v, 'cidr', options.cidr);
    return new ArtifactStore({ kind: 's3', options });
  }

  /** A Google Cloud Storage bucket. */
  public static gcs(options: GcsArtifactOptions): ArtifactStore {
    const v = Validator.forFactory('ArtifactStore.gcs');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with bucket and credentials', options);
    validateS3BucketName(v, 'bucket', options.bucket);
    if (options.path !== undefined) checkPrefix(v, 'path', options.path);
    if (options.cidr !== undefined) validateCidr(v, 'cidr', options.cidr);
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
