// Where the data of an existing volume is (an NFS export, a CSI volume, an S3 bucket): the source of a
// PersistentVolume that MlStorage adds for it.
import { k8s } from 'cdk8s-plus-27';
import { Validator } from '../core/errors';
import { validateDnsSubdomain, validateHost } from '../core/validation';
import { AccessMode } from '../core/volumes';
import { validateExportPath } from './nfs';
import { s3BucketVolume, S3BucketVolumeOptions } from './s3-bucket';

/** Where an existing volume's data is: an NFS export, a CSI volume, or an S3 bucket. */
export class PersistentVolumeSource {
  /** A directory exported by an NFS server. */
  public static nfs(options: { readonly server: string; readonly path: string }): PersistentVolumeSource {
    const v = Validator.forFactory('PersistentVolumeSource.nfs');
    validateHost(v, 'server', options?.server);
    validateExportPath(v, 'path', options.path);
    return new PersistentVolumeSource('NFS', [AccessMode.READ_WRITE_MANY], () => ({ nfs: { server: options.server, path: options.path } }));
  }

  /** A volume that exists in a CSI driver (an EBS volume id, a PD path, a file system id...). */
  public static csi(options: CsiVolumeOptions): PersistentVolumeSource {
    const v = Validator.forFactory('PersistentVolumeSource.csi');
    validateDnsSubdomain(v, 'driver', options?.driver);
    if (typeof options.volumeHandle !== 'string' || options.volumeHandle.length === 0) {
      v.fail('volumeHandle', 'must be the driver\'s id of the volume', options.volumeHandle);
    }
    return new PersistentVolumeSource(options.driver, options.accessModes ?? [AccessMode.READ_WRITE_ONCE], () => ({
      csi: { driver: options.driver, volumeHandle: options.volumeHandle, fsType: options.fsType, volumeAttributes: options.volumeAttributes },
    }), options.mountOptions);
  }

  /**
   * An S3 bucket through the Mountpoint for Amazon S3 CSI driver (`s3.csi.aws.com`), which mounts existing buckets
   * only (no dynamic provisioning). Mountpoint reads large objects fast and writes new objects sequentially; it
   * cannot modify files in place. Files are owned by user and group 1000 (the library's pod user) so non-root pods
   * can read them.
   */
  public static s3Bucket(options: S3BucketVolumeOptions): PersistentVolumeSource {
    const s3 = s3BucketVolume(options);
    return new PersistentVolumeSource('Mountpoint for S3', s3.accessModes, s3.render, s3.mountOptions);
  }

  private constructor(
    /** @internal */ public readonly _description: string,
    /** @internal */ public readonly _accessModes: AccessMode[],
    /** @internal */ public readonly _render: (pvName: string) => Partial<k8s.PersistentVolumeSpec>,
    /** @internal */ public readonly _mountOptions?: string[],
  ) {}
}

/** Options of {@link PersistentVolumeSource.csi}. */
export interface CsiVolumeOptions {
  /** The CSI driver, e.g. `ebs.csi.aws.com`. */
  readonly driver: string;
  /** The driver's id of the volume, e.g. `vol-0123456789abcdef0`. */
  readonly volumeHandle: string;
  /**
   * The volume's file system.
   * @default - the driver's default
   */
  readonly fsType?: string;
  /**
   * Driver-specific attributes.
   * @default - none
   */
  readonly volumeAttributes?: Record<string, string>;
  /**
   * The access modes the volume supports.
   * @default [AccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: AccessMode[];
  /**
   * Mount options.
   * @default - none
   */
  readonly mountOptions?: string[];
}
