// Storage (MlStorage): what users write. The render steps in this folder stay internal. Listed in the order the
// API reference was generated from (TypeDoc orders "extended by" lists by export order).
export { ClaimPurpose, ReclaimPolicy } from './reclaim-policy';
export { VolumeBindingMode } from './storage-class';
export { FilesystemType } from './block-disk';
export { GcePdType, HyperdiskType } from './gce';
export { AzureDiskSku } from './azure';
export type { BlockDiskOptions } from './block-disk';
export type { EbsGp3Options, EbsIo2Options, EfsOptions } from './aws';
export type { GcePdOptions, GceHyperdiskOptions } from './gce';
export { AzureCachingMode } from './azure';
export type { AzureDiskOptions } from './azure';
export type { NfsProvisionerOptions } from './nfs';
export type { CustomProvisionerOptions } from './custom-csi';
export { StorageProvisioner } from './provisioner';
export { StorageClassRef } from './storage-class';
export type { StorageClassOptions } from './storage-class';
export { PersistentVolumeSource } from './persistent-volume-source';
export type { CsiVolumeOptions } from './persistent-volume-source';
export type { S3BucketVolumeOptions } from './s3-bucket';
export type { PersistentVolumeOptions } from './persistent-volume';
export { PersistentVolumeRef } from './persistent-volume';
export type { ClaimOptions } from './claim';
export type { MlStorageProps } from './ml-storage';
export { MlStorage } from './ml-storage';
