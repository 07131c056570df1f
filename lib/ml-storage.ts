import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AccessMode, ITeam, IValidator, QuantityInput, resolveNamespace, Validator, VolumeClaim } from './core';
import { componentLabels } from './core/labels';
import { quantityToNumber, validateDnsLabel, validateDnsSubdomain, validateEnum, validateInteger, validateLabels, validateQuantity } from './core/validation';

const GIB = 2 ** 30;
const TIB = 2 ** 40;

/** What a claim holds. It decides the default reclaim policy of the StorageClass the claim uses. */
export enum ClaimPurpose {
  /** Training or evaluation data: expensive to recreate, so its volume is retained when the claim is deleted. */
  DATASET = 'dataset',
  /** Trained models: the product of hours of GPU time, retained when the claim is deleted. */
  MODEL = 'model',
  /** Checkpoints: scratch state of running jobs, deleted with the claim unless a class says otherwise. */
  CHECKPOINT = 'checkpoint',
}

/** What happens to a volume when its claim is deleted. */
export enum ReclaimPolicy {
  /** Keep the volume and its data; an administrator deletes it. */
  RETAIN = 'Retain',
  /** Delete the volume and its data with the claim. */
  DELETE = 'Delete',
}

/** When a StorageClass provisions a claim's volume. */
export enum VolumeBindingMode {
  /**
   * When the first pod using the claim is scheduled, in that pod's zone. Zonal disks need it: provisioned at once
   * they land in a zone that may have no GPU node, and the pod never schedules.
   */
  WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer',
  /** As soon as the claim is created (fine for network file systems reachable from every zone). */
  IMMEDIATE = 'Immediate',
}

/** The file system formatted onto a new block volume. */
export enum FilesystemType {
  /** ext4. */
  EXT4 = 'ext4',
  /** XFS (faster for large files and parallel writers). */
  XFS = 'xfs',
}

/** GCE Persistent Disk types. */
export enum GcePdType {
  /** Balanced persistent disk (SSD), the general-purpose choice. */
  BALANCED = 'pd-balanced',
  /** SSD persistent disk. */
  SSD = 'pd-ssd',
  /** Standard (HDD) persistent disk. */
  STANDARD = 'pd-standard',
}

/** GCE Hyperdisk types. */
export enum HyperdiskType {
  /** Hyperdisk Balanced: provisioned IOPS and throughput. */
  BALANCED = 'hyperdisk-balanced',
  /** Hyperdisk Throughput: provisioned throughput, for sequential reads of large files. */
  THROUGHPUT = 'hyperdisk-throughput',
  /** Hyperdisk Extreme: provisioned IOPS. */
  EXTREME = 'hyperdisk-extreme',
  /** Hyperdisk ML: provisioned throughput for loading models and datasets. */
  ML = 'hyperdisk-ml',
}

/** Azure managed disk SKUs. */
export enum AzureDiskSku {
  /** Standard HDD, locally redundant. */
  STANDARD_LRS = 'Standard_LRS',
  /** Standard SSD, locally redundant. */
  STANDARD_SSD_LRS = 'StandardSSD_LRS',
  /** Standard SSD, zone-redundant. */
  STANDARD_SSD_ZRS = 'StandardSSD_ZRS',
  /** Premium SSD, locally redundant. */
  PREMIUM_LRS = 'Premium_LRS',
  /** Premium SSD, zone-redundant. */
  PREMIUM_ZRS = 'Premium_ZRS',
  /** Premium SSD v2: provisioned IOPS and throughput. */
  PREMIUM_V2_LRS = 'PremiumV2_LRS',
  /** Ultra Disk: provisioned IOPS and throughput. */
  ULTRA_SSD_LRS = 'UltraSSD_LRS',
}

/** Options shared by the block-disk presets. */
export interface BlockDiskOptions {
  /**
   * The file system formatted onto new volumes.
   * @default FilesystemType.EXT4
   */
  readonly fsType?: FilesystemType;
}

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

/** Options of {@link StorageProvisioner.gcePersistentDisk}. */
export interface GcePdOptions extends BlockDiskOptions {
  /**
   * The disk type.
   * @default GcePdType.BALANCED
   */
  readonly type?: GcePdType;
  /**
   * Replicate each disk across two zones of the region (regional persistent disk).
   * @default false
   */
  readonly regional?: boolean;
  /**
   * The Cloud KMS key that encrypts disks (`projects/.../cryptoKeys/...`).
   * @default - Google-managed encryption
   */
  readonly kmsKey?: string;
}

/** Options of {@link StorageProvisioner.gceHyperdisk}. */
export interface GceHyperdiskOptions extends BlockDiskOptions {
  /** The Hyperdisk type. */
  readonly type: HyperdiskType;
  /**
   * Provisioned IOPS (Balanced and Extreme only).
   * @default - the type's default for the disk size
   */
  readonly iops?: number;
  /**
   * Provisioned throughput in MiB/s (Balanced, Throughput and ML only).
   * @default - the type's default for the disk size
   */
  readonly throughputMiBps?: number;
}

/** Azure disk caching modes. */
export enum AzureCachingMode {
  /** No host caching (required for Premium SSD v2 and Ultra Disk). */
  NONE = 'None',
  /** Read caching. */
  READ_ONLY = 'ReadOnly',
  /** Read and write caching. */
  READ_WRITE = 'ReadWrite',
}

/** Options of {@link StorageProvisioner.azureDisk}. */
export interface AzureDiskOptions extends BlockDiskOptions {
  /**
   * The disk SKU.
   * @default AzureDiskSku.PREMIUM_LRS
   */
  readonly sku?: AzureDiskSku;
  /**
   * Host caching.
   * @default - ReadOnly, and None for Premium SSD v2 and Ultra Disk (which support nothing else)
   */
  readonly cachingMode?: AzureCachingMode;
  /**
   * Provisioned IOPS (Premium SSD v2 and Ultra Disk only).
   * @default - the SKU's baseline
   */
  readonly iops?: number;
  /**
   * Provisioned throughput in MB/s (Premium SSD v2 and Ultra Disk only).
   * @default - the SKU's baseline
   */
  readonly throughputMBps?: number;
}

/** Options of {@link StorageProvisioner.nfs}. */
export interface NfsProvisionerOptions {
  /** The NFS server's host name or IP. */
  readonly server: string;
  /** The exported directory under which each claim gets a sub-directory. */
  readonly share: string;
  /**
   * NFS mount options, e.g. `['nfsvers=4.1', 'hard']`.
   * @default - the node's defaults
   */
  readonly mountOptions?: string[];
}

/** Options of {@link StorageProvisioner.custom}. */
export interface CustomProvisionerOptions {
  /** The CSI driver name (`provisioner` of the StorageClass), e.g. `cephfs.csi.ceph.com`. */
  readonly provisioner: string;
  /**
   * The driver's StorageClass parameters.
   * @default - none
   */
  readonly parameters?: Record<string, string>;
  /**
   * The access modes the driver can provide; claims asking for others are refused.
   * @default - not checked
   */
  readonly accessModes?: AccessMode[];
  /**
   * Volumes are tied to a zone (or node), so provisioning waits for the first pod.
   * @default true
   */
  readonly topologyConstrained?: boolean;
  /**
   * The driver can grow volumes.
   * @default false
   */
  readonly supportsExpansion?: boolean;
  /**
   * Mount options of the class.
   * @default - none
   */
  readonly mountOptions?: string[];
}

/** The CSI drivers that replaced the in-tree provisioners removed from Kubernetes. */
const REMOVED_IN_TREE: Record<string, string> = {
  'kubernetes.io/aws-ebs': 'ebs.csi.aws.com',
  'kubernetes.io/gce-pd': 'pd.csi.storage.gke.io',
  'kubernetes.io/azure-disk': 'disk.csi.azure.com',
  'kubernetes.io/azure-file': 'file.csi.azure.com',
  'kubernetes.io/cinder': 'cinder.csi.openstack.org',
};

const BLOCK_MODES = [AccessMode.READ_WRITE_ONCE, AccessMode.READ_WRITE_ONCE_POD];
const SHARED_MODES = [AccessMode.READ_WRITE_ONCE, AccessMode.READ_WRITE_ONCE_POD, AccessMode.READ_ONLY_MANY, AccessMode.READ_WRITE_MANY];

/** A size limit of the volumes a provisioner can make, checked against each claim. */
type ClaimCheck = (v: IValidator, prop: string, bytes: number) => void;

interface ProvisionerSpec {
  readonly description: string;
  readonly provisioner: string;
  readonly parameters: Record<string, string>;
  readonly accessModes?: AccessMode[];
  readonly topologyConstrained: boolean;
  readonly supportsExpansion: boolean;
  readonly mountOptions?: string[];
  readonly checkClaim?: ClaimCheck;
}

/**
 * A CSI driver and its parameters: what a StorageClass provisions. Presets know which access modes their volumes
 * support (block disks attach to one node: never ReadWriteMany), whether volumes are zonal (then provisioning waits
 * for the first pod) and the size and performance limits of the cloud's volume types.
 */
export class StorageProvisioner {
  /**
   * AWS EBS gp3 through the EBS CSI driver (`ebs.csi.aws.com`), encrypted. Limits are those of gp3 since AWS's
   * 2025 increase: 1 GiB to 64 TiB, 3000 to 80000 IOPS, 125 to 2000 MiB/s.
   */
  public static awsEbsGp3(options: EbsGp3Options = {}): StorageProvisioner {
    const v = Validator.forFactory('StorageProvisioner.awsEbsGp3');
    const iops = options.iops === undefined ? undefined : validateInteger(v, 'iops', options.iops, 3000, 80000);
    const throughput = options.throughputMiBps === undefined ? undefined : validateInteger(v, 'throughputMiBps', options.throughputMiBps, 125, 2000);
    if (throughput !== undefined && throughput > (iops ?? 3000) / 4) {
      v.fail('throughputMiBps', `must be at most a quarter of the IOPS (${iops ?? 3000} IOPS allow ${Math.floor((iops ?? 3000) / 4)} MiB/s); raise 'iops'`, throughput);
    }
    return new StorageProvisioner({
      description: 'AWS EBS gp3',
      provisioner: 'ebs.csi.aws.com',
      parameters: {
        type: 'gp3',
        ...(iops !== undefined ? { iops: String(iops) } : {}),
        ...(throughput !== undefined ? { throughput: String(throughput) } : {}),
        ...ebsEncryption(v, options),
        ...fsTypeParameter(options.fsType),
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
    });
  }

  /**
   * AWS EBS io2 (Block Express) through the EBS CSI driver, encrypted: 4 GiB to 64 TiB, 100 to 256000 IOPS, at most
   * 1000 IOPS per GiB. Give `iops` or `iopsPerGb`.
   */
  public static awsEbsIo2(options: EbsIo2Options): StorageProvisioner {
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
    return new StorageProvisioner({
      description: 'AWS EBS io2',
      provisioner: 'ebs.csi.aws.com',
      parameters: {
        type: 'io2',
        ...(iops !== undefined ? { iops: String(iops) } : {}),
        ...(perGb !== undefined ? { iopsPerGB: String(perGb) } : {}),
        ...(autoIncrease ? { allowAutoIOPSPerGBIncrease: 'true' } : {}),
        ...ebsEncryption(v, options),
        ...fsTypeParameter(options.fsType),
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
    });
  }

  /**
   * Amazon EFS through the EFS CSI driver (`efs.csi.aws.com`): one access point (directory) per claim, shared by
   * any number of nodes (ReadWriteMany). EFS grows elastically: the claim's size is not enforced.
   */
  public static awsEfs(options: EfsOptions): StorageProvisioner {
    const v = Validator.forFactory('StorageProvisioner.awsEfs');
    if (typeof options?.fileSystemId !== 'string' || !/^fs-[0-9a-f]{8,40}$/.test(options.fileSystemId)) {
      v.fail('fileSystemId', 'must be an EFS file system id (\'fs-\' and hex digits)', options?.fileSystemId);
    }
    const perms = options.directoryPerms ?? '700';
    if (!/^[0-7]{3,4}$/.test(perms)) v.fail('directoryPerms', 'must be octal permissions such as \'700\'', perms);
    const uid = validateInteger(v, 'uid', options.uid ?? 1000, 0, 2147483647);
    const gid = validateInteger(v, 'gid', options.gid ?? 1000, 0, 2147483647);
    if (options.basePath !== undefined && (!options.basePath.startsWith('/') || options.basePath.includes('..'))) {
      v.fail('basePath', 'must be an absolute path without \'..\'', options.basePath);
    }
    return new StorageProvisioner({
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
    });
  }

  /** GCE Persistent Disk through the GKE PD CSI driver (`pd.csi.storage.gke.io`). */
  public static gcePersistentDisk(options: GcePdOptions = {}): StorageProvisioner {
    const v = Validator.forFactory('StorageProvisioner.gcePersistentDisk');
    const type = options.type ?? GcePdType.BALANCED;
    validateEnum(v, 'type', type, GcePdType, 'GcePdType');
    return new StorageProvisioner({
      description: `GCE ${type}`,
      provisioner: 'pd.csi.storage.gke.io',
      parameters: {
        'type': type,
        ...(options.regional ? { 'replication-type': 'regional-pd' } : {}),
        ...(options.kmsKey !== undefined ? { 'disk-encryption-kms-key': options.kmsKey } : {}),
        ...fsTypeParameter(options.fsType),
      },
      accessModes: BLOCK_MODES,
      topologyConstrained: true,
      supportsExpansion: true,
      checkClaim: (cv, prop, bytes) => {
        if (bytes > 64 * TIB) cv.fail(prop, 'must be at most 64Ti (the largest persistent disk)', formatBytes(bytes));
      },
    });
  }

  /** GCE Hyperdisk through the GKE PD CSI driver. */
  public static gceHyperdisk(options: GceHyperdiskOptions): StorageProvisioner {
    const v = Validator.forFactory('StorageProvisioner.gceHyperdisk');
    validateEnum(v, 'type', options?.type, HyperdiskType, 'HyperdiskType');
    const takesIops = [HyperdiskType.BALANCED, HyperdiskType.EXTREME].includes(options.type);
    const takesThroughput = options.type !== HyperdiskType.EXTREME;
    if (options.iops !== undefined) {
      if (!takesIops) v.fail('iops', `cannot be provisioned on ${options.type} (only hyperdisk-balanced and hyperdisk-extreme)`, options.iops);
      validateInteger(v, 'iops', options.iops, 1);
    }
    if (options.throughputMiBps !== undefined) {
      if (!takesThroughput) v.fail('throughputMiBps', 'cannot be provisioned on hyperdisk-extreme', options.throughputMiBps);
      validateInteger(v, 'throughputMiBps', options.throughputMiBps, 1);
    }
    return new StorageProvisioner({
      description: `GCE ${options.type}`,
      provisioner: 'pd.csi.storage.gke.io',
      parameters: {
        'type': options.type,
        ...(options.iops !== undefined ? { 'provisioned-iops-on-create': String(options.iops) } : {}),
        ...(options.throughputMiBps !== undefined ? { 'provisioned-throughput-on-create': `${options.throughputMiBps}Mi` } : {}),
        ...fsTypeParameter(options.fsType),
      },
      accessModes: BLOCK_MODES,
      topologyConstrained: true,
      supportsExpansion: true,
    });
  }

  /** Azure managed disks through the Azure Disk CSI driver (`disk.csi.azure.com`). */
  public static azureDisk(options: AzureDiskOptions = {}): StorageProvisioner {
    const v = Validator.forFactory('StorageProvisioner.azureDisk');
    const sku = options.sku ?? AzureDiskSku.PREMIUM_LRS;
    validateEnum(v, 'sku', sku, AzureDiskSku, 'AzureDiskSku');
    const provisioned = sku === AzureDiskSku.PREMIUM_V2_LRS || sku === AzureDiskSku.ULTRA_SSD_LRS;
    for (const [prop, value] of [['iops', options.iops], ['throughputMBps', options.throughputMBps]] as const) {
      if (value === undefined) continue;
      if (!provisioned) v.fail(prop, `can only be provisioned on PremiumV2_LRS and UltraSSD_LRS disks, not ${sku}`, value);
      validateInteger(v, prop, value, 1);
    }
    const caching = options.cachingMode ?? (provisioned ? AzureCachingMode.NONE : AzureCachingMode.READ_ONLY);
    if (provisioned && caching !== AzureCachingMode.NONE) v.fail('cachingMode', `must be None on ${sku} disks`, caching);
    return new StorageProvisioner({
      description: `Azure Disk ${sku}`,
      provisioner: 'disk.csi.azure.com',
      parameters: {
        skuName: sku,
        cachingMode: caching,
        ...(options.iops !== undefined ? { DiskIOPSReadWrite: String(options.iops) } : {}),
        ...(options.throughputMBps !== undefined ? { DiskMBpsReadWrite: String(options.throughputMBps) } : {}),
        ...fsTypeParameter(options.fsType),
      },
      accessModes: BLOCK_MODES,
      topologyConstrained: true,
      supportsExpansion: true,
    });
  }

  /**
   * An NFS server through the NFS CSI driver (`nfs.csi.k8s.io`): a sub-directory of `share` per claim, shared by any
   * number of nodes. NFS has no quotas: the claim's size is not enforced and cannot be expanded.
   */
  public static nfs(options: NfsProvisionerOptions): StorageProvisioner {
    const v = Validator.forFactory('StorageProvisioner.nfs');
    validateNfsServer(v, 'server', options?.server);
    validateExportPath(v, 'share', options.share);
    return new StorageProvisioner({
      description: 'NFS',
      provisioner: 'nfs.csi.k8s.io',
      parameters: { server: options.server, share: options.share },
      accessModes: SHARED_MODES,
      topologyConstrained: false,
      supportsExpansion: false,
      mountOptions: options.mountOptions,
    });
  }

  /** Any other CSI driver with its parameters. */
  public static custom(options: CustomProvisionerOptions): StorageProvisioner {
    const v = Validator.forFactory('StorageProvisioner.custom');
    const name = options?.provisioner;
    if (typeof name === 'string' && REMOVED_IN_TREE[name] !== undefined) {
      v.fail('provisioner', `must be a CSI driver, not an in-tree provisioner removed from Kubernetes (use '${REMOVED_IN_TREE[name]}')`, name);
    }
    // A CSI driver name (a DNS subdomain) or a prefixed name such as `kubernetes.io/no-provisioner` (local volumes).
    if (typeof name !== 'string' || name.length > 253 || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9_.]*[a-z0-9])?)?$/.test(name)) {
      v.fail('provisioner', 'must be a CSI driver name such as \'cephfs.csi.ceph.com\'', name);
    }
    for (const [key, value] of Object.entries(options.parameters ?? {})) {
      if (typeof value !== 'string') v.fail(`parameters.${key}`, 'must be a string', value);
    }
    return new StorageProvisioner({
      description: name,
      provisioner: name,
      parameters: { ...options.parameters },
      accessModes: options.accessModes,
      topologyConstrained: options.topologyConstrained ?? true,
      supportsExpansion: options.supportsExpansion ?? false,
      mountOptions: options.mountOptions,
    });
  }

  /** The StorageClass `provisioner` (the CSI driver name). */
  public readonly provisioner: string;
  /** The StorageClass parameters. */
  public readonly parameters: Record<string, string>;
  /** The access modes its volumes support (undefined: not known, not checked). */
  public readonly accessModes?: AccessMode[];
  /** Volumes are tied to a zone, so binding waits for the first pod by default. */
  public readonly topologyConstrained: boolean;
  /** Volumes can grow, so classes allow expansion by default. */
  public readonly supportsExpansion: boolean;
  /** Default mount options of the class. */
  public readonly mountOptions?: string[];
  /** A short description for messages (`AWS EBS io2`). */
  public readonly description: string;
  private readonly checkClaim?: ClaimCheck;

  private constructor(spec: ProvisionerSpec) {
    this.provisioner = spec.provisioner;
    this.parameters = spec.parameters;
    this.accessModes = spec.accessModes;
    this.topologyConstrained = spec.topologyConstrained;
    this.supportsExpansion = spec.supportsExpansion;
    this.mountOptions = spec.mountOptions;
    this.description = spec.description;
    this.checkClaim = spec.checkClaim;
  }

  /** @internal checks a claim's access modes and size against what the volumes can be */
  public _checkClaim(v: IValidator, accessModes: AccessMode[], bytes: number): void {
    if (this.accessModes !== undefined) {
      const unsupported = accessModes.filter((m) => !this.accessModes!.includes(m));
      if (unsupported.length > 0) {
        v.fail('accessModes', `must be among ${this.accessModes.join(', ')}: ${this.description} volumes (${this.provisioner}) cannot do ${unsupported.join(', ')}`, accessModes);
      }
    }
    this.checkClaim?.(v, 'size', bytes);
  }
}

/** A StorageClass claims can use: one made by {@link MlStorage.addStorageClass}, or an existing one by name. */
export class StorageClassRef {
  /** A StorageClass that exists in the cluster (its capabilities are not checked). */
  public static fromName(storageClassName: string): StorageClassRef {
    validateDnsSubdomain(Validator.forFactory('StorageClassRef.fromName'), 'storageClassName', storageClassName);
    return new StorageClassRef(storageClassName, undefined);
  }

  /** @internal */
  public static _of(storageClassName: string, provisioner: StorageProvisioner): StorageClassRef {
    return new StorageClassRef(storageClassName, provisioner);
  }

  private readonly purposes = new Set<ClaimPurpose>();

  private constructor(
    /** The StorageClass's name. */
    public readonly storageClassName: string,
    /** Its provisioner, when made by MlStorage. */
    public readonly provisioner: StorageProvisioner | undefined,
  ) {}

  /** @internal records a claim's purpose; it decides the default reclaim policy */
  public _use(purpose: ClaimPurpose): void {
    this.purposes.add(purpose);
  }

  /** @internal Delete only when every claim of the class holds checkpoints; Retain otherwise. */
  public _defaultReclaimPolicy(): ReclaimPolicy {
    const onlyCheckpoints = this.purposes.size > 0 && [...this.purposes].every((p) => p === ClaimPurpose.CHECKPOINT);
    return onlyCheckpoints ? ReclaimPolicy.DELETE : ReclaimPolicy.RETAIN;
  }
}

/** Options of {@link MlStorage.addStorageClass}. */
export interface StorageClassOptions {
  /** The CSI driver and its parameters, e.g. `StorageProvisioner.awsEbsGp3({ iops: 6000 })`. */
  readonly provisioner: StorageProvisioner;
  /**
   * What happens to a volume when its claim is deleted. Kubernetes does not let a StorageClass's reclaim policy
   * change: set it explicitly on a class whose claims may change purpose later.
   * @default - Delete when every claim of this MlStorage that uses the class holds checkpoints, else Retain
   *   (datasets and models are expensive to recreate; a class no claim uses yet is Retain)
   */
  readonly reclaimPolicy?: ReclaimPolicy;
  /**
   * When volumes are provisioned.
   * @default - WaitForFirstConsumer for zonal disks (EBS, PD, Azure Disk, custom), Immediate for NFS and EFS
   */
  readonly volumeBindingMode?: VolumeBindingMode;
  /**
   * Claims may grow.
   * @default - true where the driver can grow volumes (block disks), false for NFS and EFS
   */
  readonly allowVolumeExpansion?: boolean;
  /**
   * Mount options.
   * @default - the provisioner's (NFS mount options), else none
   */
  readonly mountOptions?: string[];
  /**
   * Make this the cluster's default StorageClass (claims without a class get it).
   * @default false
   */
  readonly isDefault?: boolean;
}

/** Where an existing volume's data is: an NFS export, a CSI volume, or an S3 bucket. */
export class PersistentVolumeSource {
  /** A directory exported by an NFS server. */
  public static nfs(options: { readonly server: string; readonly path: string }): PersistentVolumeSource {
    const v = Validator.forFactory('PersistentVolumeSource.nfs');
    validateNfsServer(v, 'server', options?.server);
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
    const v = Validator.forFactory('PersistentVolumeSource.s3Bucket');
    if (typeof options?.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      v.fail('bucket', 'must be an S3 bucket name (3 to 63 lower-case letters, digits, \'.\' and \'-\')', options?.bucket);
    }
    if (options.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) {
      v.fail('region', 'must be an AWS region such as \'us-east-1\'', options.region);
    }
    if (options.prefix !== undefined && (options.prefix.startsWith('/') || !options.prefix.endsWith('/'))) {
      v.fail('prefix', 'must be a key prefix ending in \'/\' and not starting with \'/\'', options.prefix);
    }
    const uid = validateInteger(v, 'uid', options.uid ?? 1000, 0, 2147483647);
    const gid = validateInteger(v, 'gid', options.gid ?? 1000, 0, 2147483647);
    const mountOptions = [
      'allow-other', `uid=${uid}`, `gid=${gid}`,
      ...(options.region ? [`region ${options.region}`] : []),
      ...(options.prefix ? [`prefix ${options.prefix}`] : []),
    ];
    return new PersistentVolumeSource('Mountpoint for S3', options.accessModes ?? [AccessMode.READ_WRITE_MANY], (pvName) => ({
      csi: { driver: 's3.csi.aws.com', volumeHandle: pvName, volumeAttributes: { bucketName: options.bucket } },
    }), mountOptions);
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

/** Options of {@link MlStorage.addPersistentVolume}. */
export interface PersistentVolumeOptions {
  /** Where the data is. */
  readonly source: PersistentVolumeSource;
  /** The volume's capacity (a quantity such as `1Ti`). */
  readonly capacity: QuantityInput;
  /**
   * How it can be mounted.
   * @default - the source's: ReadWriteMany for NFS and S3, ReadWriteOnce for CSI volumes
   */
  readonly accessModes?: AccessMode[];
  /**
   * Mount options (NFS: e.g. `['nfsvers=4.1', 'hard']`).
   * @default - the source's (S3: ownership by the pod user), else none
   */
  readonly mountOptions?: string[];
  /**
   * Restrict the volume to nodes of this zone (`topology.kubernetes.io/zone`); zonal disks need it, or pods land in
   * zones where the disk cannot attach.
   * @default - no restriction
   */
  readonly zone?: string;
}

/** A PersistentVolume made by {@link MlStorage.addPersistentVolume}, which one claim can be bound to. */
export class PersistentVolumeRef {
  /** @internal */
  public _boundClaim?: { name: string; namespace: string };

  /** @internal */
  public constructor(
    /** The PersistentVolume's name. */
    public readonly volumeName: string,
    /** Its capacity. */
    public readonly capacity: string,
    /** Its access modes. */
    public readonly accessModes: AccessMode[],
  ) {}
}

/** Options of {@link MlStorage.addClaim}. */
export interface ClaimOptions {
  /** What the claim holds; it sets the reclaim-policy default of its StorageClass. */
  readonly purpose: ClaimPurpose;
  /** The requested size (a quantity such as `500Gi`). */
  readonly size: QuantityInput;
  /**
   * How it can be mounted.
   * @default - the bound volume's modes; else ReadWriteMany where the provisioner can share across nodes (NFS,
   *   EFS), else ReadWriteOnce
   */
  readonly accessModes?: AccessMode[];
  /**
   * The StorageClass that provisions the volume.
   * @default - the cluster's default StorageClass, or none when bound to `volume`
   */
  readonly storageClass?: StorageClassRef;
  /**
   * Bind the claim to this existing volume (made with `addPersistentVolume`) instead of provisioning one.
   * @default - a volume is provisioned by the StorageClass
   */
  readonly volume?: PersistentVolumeRef;
}

/** Props of {@link MlStorage}. */
export interface MlStorageProps {
  /**
   * The namespace of the claims (StorageClasses and PersistentVolumes are cluster-wide).
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team whose workloads mount the claims: they go to its namespace (a pod mounts only claims of its own
   * namespace) unless given here.
   * @default - no team
   */
  readonly team?: ITeam;
  /**
   * The `app.kubernetes.io/instance` label of every object.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Extra labels on every object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * StorageClasses, PersistentVolumes and claims for datasets, models and checkpoints. Each claim gives a
 * {@link VolumeClaim} handle that workloads mount (`dataset: { claim: storage.claim('datasets'), path: '/data' }`);
 * the handle carries the claim's access modes, so mounting a ReadWriteOnce claim where pods on several nodes need it
 * fails at synth.
 *
 * Reclaim policy rule: a StorageClass retains its volumes unless every claim using it holds checkpoints (datasets
 * and models are expensive to recreate; checkpoints are scratch). Existing volumes added with
 * `addPersistentVolume` are always retained: the library never deletes data it did not create.
 *
 * @example
 * const storage = new MlStorage(chart, 'storage');
 * const fast = storage.addStorageClass('fast-io2', { provisioner: StorageProvisioner.awsEbsIo2({ iopsPerGb: 50 }) });
 * storage.addClaim('models', { purpose: ClaimPurpose.MODEL, size: '200Gi', storageClass: fast });
 * new GpuTrainingJob(chart, 'train', { image, modelOutput: { claim: storage.claim('models'), path: '/models' } });
 */
export class MlStorage extends Construct {
  /** The namespace of the claims, if set. */
  public readonly namespace?: string;

  private readonly v: Validator;
  private readonly instance: string;
  private readonly labels: Record<string, string>;
  private readonly classes = new Map<string, StorageClassRef>();
  private readonly volumes = new Map<string, PersistentVolumeRef>();
  private readonly claims = new Map<string, VolumeClaim>();

  public constructor(scope: Construct, id: string, props: MlStorageProps = {}) {
    super(scope, id);
    this.v = Validator.forConstruct('MlStorage', id);
    this.namespace = resolveNamespace(this.v, this, props);
    this.instance = validateDnsLabel(this.v, 'name', props.name ?? id);
    this.labels = { ...validateLabels(this.v, 'labels', props.labels) };
  }

  /** Adds a StorageClass (cluster-wide) named `name` and returns its handle for claims. */
  public addStorageClass(name: string, options: StorageClassOptions): StorageClassRef {
    const v = this.v.nested(`storageClasses.${name}`);
    validateDnsSubdomain(this.v, 'storageClasses', name);
    if (this.classes.has(name)) this.v.fail('storageClasses', 'must have unique names', name);
    const provisioner = options?.provisioner;
    if (!(provisioner instanceof StorageProvisioner)) {
      v.fail('provisioner', 'must be made with a StorageProvisioner factory such as StorageProvisioner.awsEbsGp3()', provisioner);
    }
    if (options.reclaimPolicy !== undefined) validateEnum(v, 'reclaimPolicy', options.reclaimPolicy, ReclaimPolicy, 'ReclaimPolicy');
    if (options.volumeBindingMode !== undefined) validateEnum(v, 'volumeBindingMode', options.volumeBindingMode, VolumeBindingMode, 'VolumeBindingMode');
    const ref = StorageClassRef._of(name, provisioner);
    const binding = options.volumeBindingMode
      ?? (provisioner.topologyConstrained ? VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER : VolumeBindingMode.IMMEDIATE);
    const storageClass = new k8s.KubeStorageClass(this, `StorageClass-${name}`, {
      metadata: {
        name,
        labels: this.objectLabels(name, 'storage-class'),
        annotations: options.isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : undefined,
      },
      provisioner: provisioner.provisioner,
      parameters: Object.keys(provisioner.parameters).length > 0 ? provisioner.parameters : undefined,
      reclaimPolicy: Lazy.any({ produce: () => options.reclaimPolicy ?? ref._defaultReclaimPolicy() }),
      volumeBindingMode: binding,
      allowVolumeExpansion: options.allowVolumeExpansion ?? provisioner.supportsExpansion,
      mountOptions: options.mountOptions ?? provisioner.mountOptions,
    });
    clusterScoped(storageClass);
    this.classes.set(name, ref);
    return ref;
  }

  /**
   * Adds a PersistentVolume (cluster-wide) for data that exists already: an NFS export, a CSI volume, an S3 bucket.
   * Its reclaim policy is Retain. Bind one claim to it with `addClaim(name, { volume })`.
   */
  public addPersistentVolume(name: string, options: PersistentVolumeOptions): PersistentVolumeRef {
    const v = this.v.nested(`persistentVolumes.${name}`);
    validateDnsSubdomain(this.v, 'persistentVolumes', name);
    if (this.volumes.has(name)) this.v.fail('persistentVolumes', 'must have unique names', name);
    if (!(options?.source instanceof PersistentVolumeSource)) {
      v.fail('source', 'must be made with a PersistentVolumeSource factory such as PersistentVolumeSource.nfs()', options?.source);
    }
    const capacity = validateQuantity(v, 'capacity', options.capacity);
    const accessModes = checkAccessModes(v, options.accessModes ?? options.source._accessModes);
    if (options.zone !== undefined) validateDnsSubdomain(v, 'zone', options.zone);
    const ref = new PersistentVolumeRef(name, capacity, accessModes);
    const pv = new k8s.KubePersistentVolume(this, `PersistentVolume-${name}`, {
      metadata: { name, labels: this.objectLabels(name, 'volume') },
      spec: {
        ...options.source._render(name),
        capacity: { storage: k8s.Quantity.fromString(capacity) },
        accessModes,
        persistentVolumeReclaimPolicy: ReclaimPolicy.RETAIN,
        mountOptions: options.mountOptions ?? options.source._mountOptions,
        // Reserves the volume for its claim: no other claim can take it.
        claimRef: Lazy.any({ produce: () => ref._boundClaim }),
        nodeAffinity: options.zone === undefined ? undefined : {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [options.zone] }] }] },
        },
      },
    });
    clusterScoped(pv);
    this.volumes.set(name, ref);
    return ref;
  }

  /** Adds a PersistentVolumeClaim named `name` and returns the handle workloads mount. */
  public addClaim(name: string, options: ClaimOptions): VolumeClaim {
    const v: IValidator = this.v.nested(`claims.${name}`);
    validateDnsSubdomain(this.v, 'claims', name);
    if (this.claims.has(name)) this.v.fail('claims', 'must have unique names', name);
    validateEnum(v, 'purpose', options?.purpose, ClaimPurpose, 'ClaimPurpose');
    const size = validateQuantity(v, 'size', options.size);
    const bytes = quantityToNumber(size);
    const { storageClass, volume } = options;
    if (storageClass !== undefined && !(storageClass instanceof StorageClassRef)) {
      v.fail('storageClass', 'must be a StorageClassRef (from addStorageClass or StorageClassRef.fromName)', storageClass);
    }
    if (volume !== undefined) {
      if (!(volume instanceof PersistentVolumeRef) || this.volumes.get(volume.volumeName) !== volume) {
        v.fail('volume', 'must be a volume added to this MlStorage with addPersistentVolume', volume);
      }
      if (storageClass !== undefined) v.fail('storageClass', 'must not be given with \'volume\' (a bound claim uses no StorageClass)', storageClass.storageClassName);
    }
    const provisioner = storageClass?.provisioner;
    const defaultModes = volume?.accessModes
      ?? (provisioner?.accessModes?.includes(AccessMode.READ_WRITE_MANY) ? [AccessMode.READ_WRITE_MANY] : [AccessMode.READ_WRITE_ONCE]);
    const accessModes = checkAccessModes(v, options.accessModes ?? defaultModes);
    provisioner?._checkClaim(v, accessModes, bytes);

    if (volume !== undefined) {
      const missing = accessModes.filter((m) => !volume.accessModes.includes(m));
      if (missing.length > 0) {
        v.fail('accessModes', `must be among the modes of volume '${volume.volumeName}' (${volume.accessModes.join(', ')}), or the claim never binds`, accessModes);
      }
      if (bytes > quantityToNumber(volume.capacity)) {
        v.fail('size', `must be at most the capacity of volume '${volume.volumeName}' (${volume.capacity}), or the claim never binds`, size);
      }
      if (volume._boundClaim !== undefined) {
        v.fail('volume', `must not be bound already (claim '${volume._boundClaim.name}' has it)`, volume.volumeName);
      }
      const namespace = this.namespace;
      if (namespace === undefined) {
        v.fail('volume', 'needs the MlStorage \'namespace\' (or the chart\'s): the volume reserves its claim by namespace and name', volume.volumeName);
      }
      volume._boundClaim = { name, namespace };
    }
    storageClass?._use(options.purpose);

    new k8s.KubePersistentVolumeClaim(this, `Claim-${name}`, {
      metadata: { name, namespace: this.namespace, labels: this.objectLabels(name, options.purpose) },
      spec: {
        accessModes,
        resources: { requests: { storage: k8s.Quantity.fromString(size) } },
        // '' keeps a bound claim from being given the default StorageClass.
        storageClassName: volume !== undefined ? '' : storageClass?.storageClassName,
        volumeName: volume?.volumeName,
      },
    });
    const handle = VolumeClaim._of(name, accessModes, this.namespace);
    this.claims.set(name, handle);
    return handle;
  }

  /** The handle of the claim named `name`. */
  public claim(name: string): VolumeClaim {
    const handle = this.claims.get(name);
    if (handle === undefined) {
      const known = [...this.claims.keys()];
      this.v.fail('claim', `must name a claim of this MlStorage (${known.length > 0 ? known.join(', ') : 'none added yet'})`, name);
    }
    return handle;
  }

  /** The names of the claims, in the order they were added. */
  public get claimNames(): string[] {
    return [...this.claims.keys()];
  }

  private objectLabels(name: string, component: string): Record<string, string> {
    return { ...this.labels, ...componentLabels({ name, instance: this.instance, component }) };
  }
}

/** Removes the chart's namespace, which cdk8s puts on every object, from a cluster-scoped one. */
function clusterScoped(obj: ApiObject): void {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}

function checkAccessModes(v: IValidator, modes: AccessMode[]): AccessMode[] {
  const known = Object.values(AccessMode);
  if (!Array.isArray(modes) || modes.length === 0 || modes.some((m) => !known.includes(m))) {
    v.fail('accessModes', `must be a non-empty list of ${known.join(', ')}`, modes);
  }
  if (modes.includes(AccessMode.READ_WRITE_ONCE_POD) && modes.length > 1) {
    v.fail('accessModes', 'must not combine ReadWriteOncePod with other modes', modes);
  }
  return [...new Set(modes)];
}

function checkSizeRange(v: IValidator, prop: string, bytes: number, min: number, max: number, why: string): void {
  if (bytes < min || bytes > max) v.fail(prop, `must be from ${formatBytes(min)} to ${formatBytes(max)} (${why})`, formatBytes(bytes));
}

function formatBytes(bytes: number): string {
  if (bytes >= TIB && bytes % TIB === 0) return `${bytes / TIB}Ti`;
  if (bytes % GIB === 0) return `${bytes / GIB}Gi`;
  return `${Math.round((bytes / GIB) * 1000) / 1000}Gi`;
}

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

function fsTypeParameter(fsType: FilesystemType | undefined): Record<string, string> {
  // The external-provisioner sidecar reads this key for every CSI driver and formats the volume with it.
  return { 'csi.storage.k8s.io/fstype': fsType ?? FilesystemType.EXT4 };
}

function validateNfsServer(v: IValidator, prop: string, server: string): void {
  if (typeof server !== 'string' || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\d{1,3}(\.\d{1,3}){3})$/i.test(server)) {
    v.fail(prop, 'must be a host name or IPv4 address', server);
  }
}

function validateExportPath(v: IValidator, prop: string, path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path.split('/').includes('..') || /\s/.test(path)) {
    v.fail(prop, 'must be an absolute export path without \'..\' or spaces', path);
  }
}
