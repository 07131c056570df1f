// Google Cloud presets: Persistent Disk and Hyperdisk through the GKE PD CSI driver.
import { Validator } from '../core/errors';
import { validateEnum, validateInteger } from '../core/validation';
import { BLOCK_MODES } from './access-modes';
import { BlockDiskOptions, fsTypeParameter } from './block-disk';
import { ProvisionerSpec } from './provisioner-spec';
import { formatBytes, TIB } from './sizes';

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

/** GCE Persistent Disk (see StorageProvisioner.gcePersistentDisk). */
export function gcePersistentDiskSpec(options: GcePdOptions): ProvisionerSpec {
  const v = Validator.forFactory('StorageProvisioner.gcePersistentDisk');
  const type = options.type ?? GcePdType.BALANCED;
  validateEnum(v, 'type', type, GcePdType, 'GcePdType');
  return {
    description: `GCE ${type}`,
    provisioner: 'pd.csi.storage.gke.io',
    parameters: {
      'type': type,
      ...(options.regional ? { 'replication-type': 'regional-pd' } : {}),
      ...(options.kmsKey !== undefined ? { 'disk-encryption-kms-key': options.kmsKey } : {}),
      ...fsTypeParameter(v, options.fsType),
    },
    accessModes: BLOCK_MODES,
    topologyConstrained: true,
    supportsExpansion: true,
    checkClaim: (cv, prop, bytes) => {
      if (bytes > 64 * TIB) cv.fail(prop, 'must be at most 64Ti (the largest persistent disk)', formatBytes(bytes));
    },
  };
}

/** GCE Hyperdisk (see StorageProvisioner.gceHyperdisk). */
export function gceHyperdiskSpec(options: GceHyperdiskOptions): ProvisionerSpec {
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
  return {
    description: `GCE ${options.type}`,
    provisioner: 'pd.csi.storage.gke.io',
    parameters: {
      'type': options.type,
      ...(options.iops !== undefined ? { 'provisioned-iops-on-create': String(options.iops) } : {}),
      ...(options.throughputMiBps !== undefined ? { 'provisioned-throughput-on-create': `${options.throughputMiBps}Mi` } : {}),
      ...fsTypeParameter(v, options.fsType),
    },
    accessModes: BLOCK_MODES,
    topologyConstrained: true,
    supportsExpansion: true,
  };
}
