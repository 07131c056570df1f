import { AccessMode, QuantityInput, SecretValue, Validator, VolumeClaim } from '../core';
import { parseObjectStoreEndpoint } from '../core/object-store';
import { rejectInlineCredential, validateCidr, validateQuantity } from '../core/validation';

/** Options of {@link ModelSource.s3}. */
export interface S3SourceOptions {
  /**
   * The access key id.
   * @default - the pod's ambient credentials (IRSA, EKS Pod Identity) or a public bucket
   */
  readonly accessKeyId?: SecretValue;
  /**
   * The secret access key; required with `accessKeyId`.
   * @default - none
   */
  readonly secretAccessKey?: SecretValue;
  /**
   * An S3-compatible endpoint (MinIO, Ceph), `http(s)://host[:port]`.
   * @default - AWS S3
   */
  readonly endpoint?: string;
  /**
   * The bucket's region.
   * @default - the SDK's default
   */
  readonly region?: string;
  /**
   * The addresses of the store (the endpoint's subnet, a VPC endpoint), the only ones the download may reach on its port.
   * @default '0.0.0.0/0' (any address, on the store's port only)
   */
  readonly cidr?: string;
  /**
   * The most the downloaded model may take on the node's disk.
   * @default - no limit
   */
  readonly sizeLimit?: QuantityInput;
}

/** Options of {@link ModelSource.gcs}. */
export interface GcsSourceOptions {
  /**
   * A service account key file (JSON) in a Secret, mounted read-only for the download.
   * @default - Workload Identity or a public bucket
   */
  readonly serviceAccountKey?: SecretValue;
  /**
   * The addresses of Google Cloud Storage (Private Google Access: `199.36.153.8/30`), the only ones the download may reach on its port.
   * @default '0.0.0.0/0' (any address, on the store's port only)
   */
  readonly cidr?: string;
  /**
   * The most the downloaded model may take on the node's disk.
   * @default - no limit
   */
  readonly sizeLimit?: QuantityInput;
}

/** Options of {@link ModelSource.https}. */
export interface HttpsSourceOptions {
  /**
   * The addresses of the server, the only ones the download may reach on its port.
   * @default '0.0.0.0/0' (any address, on the store's port only)
   */
  readonly cidr?: string;
  /**
   * The most the downloaded model may take on the node's disk.
   * @default - no limit
   */
  readonly sizeLimit?: QuantityInput;
}

/** Where a served model comes from. */
export enum ModelSourceKind {
  /** A PersistentVolumeClaim mounted read-only. */
  CLAIM = 'claim',
  /** Amazon S3 or an S3-compatible store. */
  S3 = 's3',
  /** Google Cloud Storage. */
  GCS = 'gcs',
  /** A file (or archive) over HTTPS. */
  HTTPS = 'https',
}

/**
 * Where a ModelServer's model comes from: a claim (from MlStorage or an existing one) mounted read-only, or
 * object storage downloaded by an init container into a volume before the server starts. Credentials are only
 * taken from Secrets.
 */
export class ModelSource {
  /**
   * A claim mounted read-only at the runtime's model path.
   * @param claim the claim
   * @param path the directory inside the claim that holds the model
   */
  public static claim(claim: VolumeClaim, path?: string): ModelSource {
    const v = Validator.forFactory('ModelSource.claim');
    if (!(claim instanceof VolumeClaim)) v.fail('claim', 'must be a VolumeClaim (from MlStorage or VolumeClaim.fromClaimName)', claim);
    const subPath = path === undefined ? undefined : path.replace(/^\/+|\/+$/g, '');
    if (subPath !== undefined && (subPath.split('/').includes('..') || /\s/.test(subPath))) {
      v.fail('path', 'must be a path inside the claim without \'..\' or spaces', path);
    }
    return new ModelSource(ModelSourceKind.CLAIM, `pvc://${claim.claimName}${subPath ? `/${subPath}` : ''}`, { claim, subPath: subPath || undefined });
  }

  /** A prefix in S3 (`s3://bucket/path`), copied recursively. */
  public static s3(uri: string, options: S3SourceOptions = {}): ModelSource {
    const v: Validator = Validator.forFactory('ModelSource.s3');
    checkUri(v, uri, 's3://');
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      v.fail(options.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey', 'must be given together with the other half of the key pair', undefined);
    }
    for (const [prop, value] of [['accessKeyId', options.accessKeyId], ['secretAccessKey', options.secretAccessKey]] as const) {
      if (value !== undefined && !(value instanceof SecretValue)) v.fail(prop, 'must be made with SecretValue.fromSecret(name, key)', value);
    }
    const endpoint = options.endpoint === undefined ? undefined : parseObjectStoreEndpoint(v, 'endpoint', options.endpoint);
    const env: Record<string, string> = {};
    if (endpoint !== undefined) {
      env.S3_ENDPOINT = endpoint.url.replace(/^https?:\/\//, '').replace(/\/$/, '');
      env.S3_USE_HTTPS = endpoint.https ? '1' : '0';
      env.AWS_ENDPOINT_URL = endpoint.url;
    }
    if (options.region !== undefined) env.AWS_DEFAULT_REGION = options.region;
    const secretEnv: Record<string, SecretValue> = {};
    if (options.accessKeyId && options.secretAccessKey) {
      secretEnv.AWS_ACCESS_KEY_ID = options.accessKeyId;
      secretEnv.AWS_SECRET_ACCESS_KEY = options.secretAccessKey;
    }
    return new ModelSource(ModelSourceKind.S3, uri, {
      download: { env, secretEnv, port: endpoint?.port ?? 443, sizeLimit: sizeLimit(v, options.sizeLimit), cidr: downloadCidr(v, options.cidr) },
      hasCredentials: options.accessKeyId !== undefined,
    });
  }

  /** A prefix in Google Cloud Storage (`gs://bucket/path`), copied recursively. */
  public static gcs(uri: string, options: GcsSourceOptions = {}): ModelSource {
    const v = Validator.forFactory('ModelSource.gcs');
    checkUri(v, uri, 'gs://');
    if (options.serviceAccountKey !== undefined && !(options.serviceAccountKey instanceof SecretValue)) {
      v.fail('serviceAccountKey', 'must be made with SecretValue.fromSecret(name, key)', options.serviceAccountKey);
    }
    return new ModelSource(ModelSourceKind.GCS, uri, {
      download: {
        env: {}, secretEnv: {}, port: 443, sizeLimit: sizeLimit(v, options.sizeLimit), keyFile: options.serviceAccountKey, cidr: downloadCidr(v, options.cidr),
      },
      hasCredentials: options.serviceAccountKey !== undefined,
    });
  }

  /** A file over HTTPS (archives — `.tar.gz`, `.zip` — are unpacked). */
  public static https(uri: string, options: HttpsSourceOptions = {}): ModelSource {
    const v = Validator.forFactory('ModelSource.https');
    checkUri(v, uri, 'https://');
    return new ModelSource(ModelSourceKind.HTTPS, uri, {
      download: { env: {}, secretEnv: {}, port: 443, sizeLimit: sizeLimit(v, options.sizeLimit), cidr: downloadCidr(v, options.cidr) },
    });
  }

  /**
   * A source from a URI: `s3://`, `gs://`, `https://` or `pvc://<claim>/<path>` (a claim assumed ReadOnlyMany;
   * use {@link ModelSource.claim} to say otherwise). Object storage is accessed without credentials.
   */
  public static fromUri(uri: string): ModelSource {
    const v = Validator.forFactory('ModelSource.fromUri');
    if (typeof uri !== 'string') v.fail('uri', 'must be a string', uri);
    if (uri.startsWith('s3://')) return ModelSource.s3(uri);
    if (uri.startsWith('gs://')) return ModelSource.gcs(uri);
    if (uri.startsWith('https://')) return ModelSource.https(uri);
    if (uri.startsWith('pvc://')) {
      const [claimName, ...path] = uri.slice('pvc://'.length).split('/');
      return ModelSource.claim(VolumeClaim.fromClaimName(claimName, { accessModes: [AccessMode.READ_ONLY_MANY] }), path.join('/') || undefined);
    }
    return v.fail('uri', 'must start with s3://, gs://, https:// or pvc://', uri);
  }

  private constructor(
    /** Where the model comes from. */
    public readonly kind: ModelSourceKind,
    /** The model's URI (`pvc://claim/path` for claims), as KServe's `storageUri` takes it. */
    public readonly uri: string,
    private readonly details: {
      claim?: VolumeClaim;
      subPath?: string;
      download?: DownloadSpec;
      hasCredentials?: boolean;
    },
  ) {}

  /** The claim, for claim sources. */
  public get claim(): VolumeClaim | undefined {
    return this.details.claim;
  }

  /** The directory inside the claim. */
  public get subPath(): string | undefined {
    return this.details.subPath;
  }

  /** How the init container downloads the model, for object storage. */
  public get download(): DownloadSpec | undefined {
    return this.details.download;
  }

  /** True when the source was given credentials. */
  public get hasCredentials(): boolean {
    return this.details.hasCredentials ?? false;
  }
}

/** How an object-storage model is downloaded. */
export interface DownloadSpec {
  /** Plain env of the download container. */
  readonly env: Record<string, string>;
  /** Credentials of the download container. */
  readonly secretEnv: Record<string, SecretValue>;
  /** The TCP port of the storage endpoint (egress is opened to it). */
  readonly port: number;
  /** The emptyDir size limit. */
  readonly sizeLimit?: string;
  /** A credentials file to mount (GCS service account key). */
  readonly keyFile?: SecretValue;
  /** The addresses of the store (every address when not set). */
  readonly cidr?: string;
}

function downloadCidr(v: Validator, cidr: string | undefined): string | undefined {
  return cidr === undefined ? undefined : validateCidr(v, 'cidr', cidr);
}

function checkUri(v: Validator, uri: string, scheme: string): void {
  if (typeof uri !== 'string' || !uri.startsWith(scheme) || uri.length <= scheme.length || /\s/.test(uri)) {
    v.fail('uri', `must be a URI starting with ${scheme} followed by a bucket or host`, uri);
  }
  rejectInlineCredential(v, 'uri', undefined, uri);
}

function sizeLimit(v: Validator, value: QuantityInput | undefined): string | undefined {
  return value === undefined ? undefined : validateQuantity(v, 'sizeLimit', value);
}
