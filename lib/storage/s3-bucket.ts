// An existing S3 bucket mounted through the Mountpoint for Amazon S3 CSI driver (PersistentVolumeSource.s3Bucket).
import { k8s } from 'cdk8s-plus-27';
import { IValidator, Validator } from '../core/errors';
import { AccessMode } from '../core/volumes';
import { fileOwner } from './file-owner';

/** Options of {@link PersistentVolumeSource.s3Bucket}. */
export interface S3BucketVolumeOptions {
  /** The bucket. */
  readonly bucket: string;
  /**
   * The bucket's region.
   * @default - the driver's region
   */
  readonly region?: string;
  /**
   * Mount only the keys under this prefix (ending in `/`).
   * @default - the whole bucket
   */
  readonly prefix?: string;
  /**
   * The user that owns the mounted files.
   * @default 1000 (the user the library's pods run as)
   */
  readonly uid?: number;
  /**
   * The group that owns the mounted files.
   * @default 1000
   */
  readonly gid?: number;
  /**
   * The access modes.
   * @default [AccessMode.READ_WRITE_MANY]
   */
  readonly accessModes?: AccessMode[];
}

/** The parts of a PersistentVolumeSource for a bucket. */
export interface S3BucketVolume {
  readonly accessModes: AccessMode[];
  readonly render: (pvName: string) => Partial<k8s.PersistentVolumeSpec>;
  readonly mountOptions: string[];
}

/** Checks the options of a bucket volume and makes its source: files owned by the pod user, one bucket per volume. */
export function s3BucketVolume(options: S3BucketVolumeOptions): S3BucketVolume {
  const v = Validator.forFactory('PersistentVolumeSource.s3Bucket');
  validateBucketName(v, options?.bucket);
  validateRegion(v, options.region);
  if (options.prefix !== undefined && (options.prefix.startsWith('/') || !options.prefix.endsWith('/'))) {
    v.fail('prefix', 'must be a key prefix ending in \'/\' and not starting with \'/\'', options.prefix);
  }
  const { uid, gid } = fileOwner(v, options);
  const mountOptions = [
    'allow-other', `uid=${uid}`, `gid=${gid}`,
    ...(options.region ? [`region ${options.region}`] : []),
    ...(options.prefix ? [`prefix ${options.prefix}`] : []),
  ];
  return {
    accessModes: options.accessModes ?? [AccessMode.READ_WRITE_MANY],
    render: (pvName) => ({
      csi: { driver: 's3.csi.aws.com', volumeHandle: pvName, volumeAttributes: { bucketName: options.bucket } },
    }),
    mountOptions,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The bucket-name and region rules below are storage's own copies: MlflowPlatform and FeatureStore check bucket names
// with the same pattern. They belong to the one object-store module in lib/core (lib/core/object-store.ts): switch
// these two functions to it, keeping the messages, once it lands.

/** Checks an S3 bucket name: 3 to 63 lower-case letters, digits, `.` and `-`, starting and ending alphanumeric. */
function validateBucketName(v: IValidator, bucket: string): void {
  if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    v.fail('bucket', 'must be an S3 bucket name (3 to 63 lower-case letters, digits, \'.\' and \'-\')', bucket);
  }
}

/** Checks an optional AWS region such as `us-east-1`. */
function validateRegion(v: IValidator, region: string | undefined): void {
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    v.fail('region', 'must be an AWS region such as \'us-east-1\'', region);
  }
}
