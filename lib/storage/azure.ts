// Azure preset: managed disks through the Azure Disk CSI driver.
import { Validator } from '../core/errors';
import { validateEnum, validateInteger } from '../core/validation';
import { BLOCK_MODES } from './access-modes';
import { BlockDiskOptions, fsTypeParameter } from './block-disk';
import { ProvisionerSpec } from './provisioner-spec';

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

/** Azure managed disks (see StorageProvisioner.azureDisk). */
export function azureDiskSpec(options: AzureDiskOptions): ProvisionerSpec {
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
  validateEnum(v, 'cachingMode', caching, AzureCachingMode, 'AzureCachingMode');
  if (provisioned && caching !== AzureCachingMode.NONE) v.fail('cachingMode', `must be None on ${sku} disks`, caching);
  return {
    description: `Azure Disk ${sku}`,
    provisioner: 'disk.csi.azure.com',
    parameters: {
      skuName: sku,
      cachingMode: caching,
      ...(options.iops !== undefined ? { DiskIOPSReadWrite: String(options.iops) } : {}),
      ...(options.throughputMBps !== undefined ? { DiskMBpsReadWrite: String(options.throughputMBps) } : {}),
      ...fsTypeParameter(v, options.fsType),
    },
    accessModes: BLOCK_MODES,
    topologyConstrained: true,
    supportsExpansion: true,
  };
}
