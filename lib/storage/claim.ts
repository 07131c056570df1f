// PersistentVolumeClaims: provisioned by a StorageClass or bound to an existing volume, checked against what either
// can give, and handed out as the VolumeClaim handles workloads mount.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { QuantityInput, quantityToNumber, validateEnum, validateQuantity } from '../core/validation';
import { AccessMode, VolumeClaim } from '../core/volumes';
import { checkAccessModes } from './access-modes';
import { PersistentVolumeRef } from './persistent-volume';
import { ClaimPurpose } from './reclaim-policy';
import { StorageClassRef } from './storage-class';

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

/** A claim's options after the checks. */
export interface CheckedClaim {
  readonly purpose: ClaimPurpose;
  /** The size as a quantity, and in bytes. */
  readonly size: string;
  readonly bytes: number;
  readonly accessModes: AccessMode[];
  readonly storageClass?: StorageClassRef;
  readonly volume?: PersistentVolumeRef;
}

/**
 * Checks a claim's options: its class or its volume (which must be one `isOwnVolume` accepts), and that the access
 * modes and size are ones the provisioner can make.
 */
export function checkClaim(v: IValidator, options: ClaimOptions, isOwnVolume: (volume: PersistentVolumeRef) => boolean): CheckedClaim {
  validateEnum(v, 'purpose', options?.purpose, ClaimPurpose, 'ClaimPurpose');
  const size = validateQuantity(v, 'size', options.size);
  const bytes = quantityToNumber(size);
  const { storageClass, volume } = options;
  if (storageClass !== undefined && !(storageClass instanceof StorageClassRef)) {
    v.fail('storageClass', 'must be a StorageClassRef (from addStorageClass or StorageClassRef.fromName)', storageClass);
  }
  if (volume !== undefined) {
    if (!(volume instanceof PersistentVolumeRef) || !isOwnVolume(volume)) {
      v.fail('volume', 'must be a volume added to this MlStorage with addPersistentVolume', volume);
    }
    if (storageClass !== undefined) v.fail('storageClass', 'must not be given with \'volume\' (a bound claim uses no StorageClass)', storageClass.storageClassName);
  }
  const provisioner = storageClass?.provisioner;
  const defaultModes = volume?.accessModes
    ?? (provisioner?.accessModes?.includes(AccessMode.READ_WRITE_MANY) ? [AccessMode.READ_WRITE_MANY] : [AccessMode.READ_WRITE_ONCE]);
  const accessModes = checkAccessModes(v, options.accessModes ?? defaultModes);
  provisioner?._checkClaim(v, accessModes, bytes);
  return { purpose: options.purpose, size, bytes, accessModes, storageClass, volume };
}

/**
 * Reserves `volume` for the claim `name` in `namespace`, once it is clear the claim can bind: the volume has its
 * modes and room for its size, and no other claim.
 */
export function bindToVolume(v: IValidator, volume: PersistentVolumeRef, claim: CheckedClaim, name: string, namespace: string | undefined): void {
  const { accessModes, bytes, size } = claim;
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
  if (namespace === undefined) {
    v.fail('volume', 'needs the MlStorage \'namespace\' (or the chart\'s): the volume reserves its claim by namespace and name', volume.volumeName);
  }
  volume._boundClaim = { name, namespace };
}

/** Adds the PersistentVolumeClaim (child `Claim-<name>` of `scope`) and returns the handle workloads mount. */
export function addClaimObject(scope: Construct, name: string, namespace: string | undefined, labels: Record<string, string>,
  claim: CheckedClaim): VolumeClaim {
  const { accessModes, volume, storageClass } = claim;
  new k8s.KubePersistentVolumeClaim(scope, `Claim-${name}`, {
    metadata: { name, namespace, labels },
    spec: {
      accessModes,
      resources: { requests: { storage: k8s.Quantity.fromString(claim.size) } },
      // '' keeps a bound claim from being given the default StorageClass.
      storageClassName: volume !== undefined ? '' : storageClass?.storageClassName,
      volumeName: volume?.volumeName,
    },
  });
  return VolumeClaim._of(name, accessModes, namespace);
}
