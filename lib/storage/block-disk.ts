import { IValidator } from '../core/errors';
import { validateEnum } from '../core/validation';
// Options every block-disk preset (EBS, PD, Hyperdisk, Azure Disk) shares: the file system formatted onto a volume.

/** The file system formatted onto a new block volume. */
export enum FilesystemType {
  /** ext4. */
  EXT4 = 'ext4',
  /** XFS (faster for large files and parallel writers). */
  XFS = 'xfs',
}

/** Options shared by the block-disk presets. */
export interface BlockDiskOptions {
  /**
   * The file system formatted onto new volumes.
   * @default FilesystemType.EXT4
   */
  readonly fsType?: FilesystemType;
}

/** The StorageClass parameter that formats new volumes with `fsType` (ext4 unless given). */
export function fsTypeParameter(v: IValidator, fsType: FilesystemType | undefined): Record<string, string> {
  if (fsType !== undefined) validateEnum(v, 'fsType', fsType, FilesystemType, 'FilesystemType');
  // The external-provisioner sidecar reads this key for every CSI driver and formats the volume with it.
  return { 'csi.storage.k8s.io/fstype': fsType ?? FilesystemType.EXT4 };
}
