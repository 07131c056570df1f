// AWS presets: EBS gp3 and io2 block volumes, and EFS access points.
import { IValidator, Validator } from '../core/errors';
import { validateInteger } from '../core/validation';
import { BLOCK_MODES, SHARED_MODES } from './access-modes';
import { BlockDiskOptions, fsTypeParameter } from './block-disk';
import { fileOwner } from './file-owner';
import { ProvisionerSpec } from './provisioner-spec';
import { checkSizeRange, GIB, TIB } from './sizes';

/** Options of {@link StorageProvisioner.awsEbsGp3}. */
export interface EbsGp3Options extends BlockDiskOptions {
  /**
   * Provisioned IOPS, 3000 to 80000 (at most 500 per GiB of the volume above the 3000 baseline).
   * @default 3000 (the free baseline)
   */
  readonly iops?: number;
  /**
   * Provisioned throughput in MiB/s, 125 to 2000, at most a quarter of the IOPS.
   * @default 125 (the free baseline)
   */
  readonly throughputMiBps?: number;
  /**
   * Encrypt volumes (with `kmsKeyId`, else the account's default EBS key).
   * @default true
   */
  readonly encrypted?: boolean;
  /**
   * The KMS key ARN that encrypts volumes.
   * @default - the account's default EBS key
   */
  readonly kmsKeyId?: string;
}

/** Options of {@link StorageProvisioner.awsEbsIo2}: give exactly one of `iops` and `iopsPerGb`. */
export interface EbsIo2Options extends BlockDiskOptions {
  /**
   * Provisioned IOPS of every volume, 100 to 256000 (at most 1000 per GiB of the volume).
   * @default - from `iopsPerGb`
   */
  readonly iops?: number;
  /**
   * IOPS per GiB of each volume, 1 to 1000; the EBS CSI driver caps the result at 256000.
   * @default - `iops` is used
   */
  readonly iopsPerGb?: number;
  /**
   * With `iopsPerGb`: raise the IOPS of small volumes to the io2 minimum of 100 instead of failing to provision.
   * @default false
   */
  readonly allowAutoIopsPerGbIncrease?: boolean;
  /**
   * Encrypt volumes.
   * @default true
   */
  readonly encrypted?: boolean;
  /**
   * The KMS key ARN that encrypts volumes.
   * @default - the account's default EBS key
   */
  readonly kmsKeyId?: string;
}

/** Options of {@link StorageProvisioner.awsEfs}. */
export interface EfsOptions {
  /** The EFS file system, `fs-` and its hex id. */
  readonly fileSystemId: string;
  /**
   * Permissions of the directory made for each claim.
   * @default '700'
   */
  readonly directoryPerms?: string;
  /**
   * The POSIX user and group that own each claim's directory (the access point's identity).
   * @default 1000 (the user the library's pods run as)
   */
  readonly uid?: number;
  /**
   * The POSIX group that owns each claim's directory.
   * @default 1000
   */
  readonly gid?: number;
  /**
   * The directory under which each claim's directory is made.
   * @default - the file system's root
   */
  readonly basePath?: string;
}

/** AWS EBS gp3 (see StorageProvisioner.awsEbsGp3). */
export function ebsGp3Spec(options: EbsGp3Options): ProvisionerSpec {
  const v = Validator.forFactory('StorageProvisioner.awsEbsGp3');
  const iops = options.iops === undefined ? undefined : validateInteger(v, 'iops', options.iops, 3000, 80000);
  const throughput = options.throughputMiBps === undefined ? undefined : validateInteger(v, 'throughputMiBps', options.throughputMiBps, 125, 2000);
  if (throughput !== undefined && throughput > (iops ?? 3000) / 4) {
    v.fail('throughputMiBps', `must be at most a quarter of the IOPS (${iops ?? 3000} IOPS allow ${Math.floor((iops ?? 3000) / 4)} MiB/s); raise 'iops'`, throughput);
  }
  return {
    description: 'AWS EBS gp3',
    provisioner: 'ebs.csi.aws.com',
    parameters: {
      type: 'gp3',
      ...(iops !== undefined ? { iops: String(iops) } : {}),
      ...(throughput !== undefined ? { throughput: String(throughput) } : {}),
      ...ebsEncryption(v, options),
      ...fsTypeParameter(v, options.fsType),
    },
    accessModes: BLOCK_MODES,
    topologyConstrained: true,
    supportsExpansion: true,
    checkClaim: (cv, prop, bytes) => {
      checkSizeRange(cv, prop, bytes, GIB, 64 * TIB, 'an EBS gp3 volume is 1Gi to 64Ti');
      // Provisioned IOPS above the 3000 baseline need 1 GiB per 500 IOPS.
      if (iops !== undefined && iops > 3000 && bytes < (iops / 500) * GIB) {
        cv.fail(prop, `must be at least ${Math.ceil(iops / 500)}Gi for ${iops} IOPS (gp3 allows 500 IOPS per GiB)`, `${bytes / GIB}Gi`);
      }
    },
  };
}

/** AWS EBS io2 (see StorageProvisioner.awsEbsIo2). */
export function ebsIo2Spec(options: EbsIo2Options): ProvisionerSpec {
  const v = Validator.forFactory('StorageProvisioner.awsEbsIo2');
  if ((options?.iops === undefined) === (options?.iopsPerGb === undefined)) {
    v.fail('iops', 'must be given, or else \'iopsPerGb\', but not both', options?.iops);
  }
  const iops = options.iops === undefined ? undefined : validateInteger(v, 'iops', options.iops, 100, 256000);
  const perGb = options.iopsPerGb === undefined ? undefined : validateInteger(v, 'iopsPerGb', options.iopsPerGb, 1, 1000);
  if (options.allowAutoIopsPerGbIncrease !== undefined && perGb === undefined) {
    v.fail('allowAutoIopsPerGbIncrease', 'can only be given with \'iopsPerGb\'', options.allowAutoIopsPerGbIncrease);
  }
  const autoIncrease = options.allowAutoIopsPerGbIncrease ?? false;
  return {
    description: 'AWS EBS io2',
    provisioner: 'ebs.csi.aws.com',
    parameters: {
      type: 'io2',
      ...(iops !== undefined ? { iops: String(iops) } : {}),
      ...(perGb !== undefined ? { iopsPerGB: String(perGb) } : {}),
      ...(autoIncrease ? { allowAutoIOPSPerGBIncrease: 'true' } : {}),
      ...ebsEncryption(v, options),
      ...fsTypeParameter(v, options.fsType),
    },
    accessModes: BLOCK_MODES,
    topologyConstrained: true,
    supportsExpansion: true,
    checkClaim: (cv, prop, bytes) => {
      checkSizeRange(cv, prop, bytes, 4 * GIB, 64 * TIB, 'an EBS io2 volume is 4Gi to 64Ti');
      const gib = bytes / GIB;
      if (iops !== undefined && iops > gib * 1000) {
        cv.fail(prop, `must be at least ${Math.ceil(iops / 1000)}Gi for ${iops} IOPS (io2 allows 1000 IOPS per GiB)`, `${gib}Gi`);
      }
      // The driver fails to provision below the io2 minimum of 100 IOPS unless allowed to raise it.
      if (perGb !== undefined && !autoIncrease && perGb * gib < 100) {
        cv.fail(prop, `must be at least ${Math.ceil(100 / perGb)}Gi at ${perGb} IOPS per GiB (io2 needs at least 100 IOPS), or set 'allowAutoIopsPerGbIncrease'`, `${gib}Gi`);
      }
    },
  };
}

/** Amazon EFS (see StorageProvisioner.awsEfs). */
export function efsSpec(options: EfsOptions): ProvisionerSpec {
  const v = Validator.forFactory('StorageProvisioner.awsEfs');
  if (typeof options?.fileSystemId !== 'string' || !/^fs-[0-9a-f]{8,40}$/.test(options.fileSystemId)) {
    v.fail('fileSystemId', 'must be an EFS file system id (\'fs-\' and hex digits)', options?.fileSystemId);
  }
  const perms = options.directoryPerms ?? '700';
  if (!/^[0-7]{3,4}$/.test(perms)) v.fail('directoryPerms', 'must be octal permissions such as \'700\'', perms);
  const { uid, gid } = fileOwner(v, options);
  if (options.basePath !== undefined && (!options.basePath.startsWith('/') || options.basePath.includes('..'))) {
    v.fail('basePath', 'must be an absolute path without \'..\'', options.basePath);
  }
  return {
    description: 'Amazon EFS',
    provisioner: 'efs.csi.aws.com',
    parameters: {
      provisioningMode: 'efs-ap',
      fileSystemId: options.fileSystemId,
      directoryPerms: perms,
      uid: String(uid),
      gid: String(gid),
      ...(options.basePath !== undefined ? { basePath: options.basePath } : {}),
    },
    accessModes: SHARED_MODES,
    topologyConstrained: false,
    supportsExpansion: false,
  };
}

/** The encryption parameters of an EBS class: encrypted unless turned off, with the given KMS key. */
function ebsEncryption(v: IValidator, options: { encrypted?: boolean; kmsKeyId?: string }): Record<string, string> {
  const encrypted = options.encrypted ?? true;
  if (options.kmsKeyId !== undefined) {
    if (!encrypted) v.fail('kmsKeyId', 'can only be given when \'encrypted\' is true', options.kmsKeyId);
    if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/.test(options.kmsKeyId)) {
      v.fail('kmsKeyId', 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)', options.kmsKeyId);
    }
  }
  return { encrypted: String(encrypted), ...(options.kmsKeyId !== undefined ? { kmsKeyId: options.kmsKeyId } : {}) };
}
