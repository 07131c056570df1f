// PersistentVolumes for data that exists already, each reserved for the one claim bound to it, and always retained.
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { QuantityInput, validateDnsSubdomain, validateMountOptions, validateQuantity } from '../core/validation';
import { AccessMode } from '../core/volumes';
import { checkAccessModes } from './access-modes';
import { clusterScoped } from './cluster-scoped';
import { PersistentVolumeSource } from './persistent-volume-source';
import { ReclaimPolicy } from './reclaim-policy';

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

/** Checks the options of a PersistentVolume named `name` and adds it (child `PersistentVolume-<name>` of `scope`). */
export function addPersistentVolumeObject(scope: Construct, v: IValidator, name: string, options: PersistentVolumeOptions,
  labels: Record<string, string>): PersistentVolumeRef {
  if (!(options?.source instanceof PersistentVolumeSource)) {
    v.fail('source', 'must be made with a PersistentVolumeSource factory such as PersistentVolumeSource.nfs()', options?.source);
  }
  const capacity = validateQuantity(v, 'capacity', options.capacity);
  const accessModes = checkAccessModes(v, options.accessModes ?? options.source._accessModes);
  if (options.zone !== undefined) validateDnsSubdomain(v, 'zone', options.zone);
  const ref = new PersistentVolumeRef(name, capacity, accessModes);
  clusterScoped(new k8s.KubePersistentVolume(scope, `PersistentVolume-${name}`, {
    metadata: { name, labels },
    spec: {
      ...options.source._render(name),
      capacity: { storage: k8s.Quantity.fromString(capacity) },
      accessModes,
      persistentVolumeReclaimPolicy: ReclaimPolicy.RETAIN,
      mountOptions: validateMountOptions(v, 'mountOptions', options.mountOptions ?? options.source._mountOptions),
      // Reserves the volume for its claim: no other claim can take it.
      claimRef: Lazy.any({ produce: () => ref._boundClaim }),
      nodeAffinity: options.zone === undefined ? undefined : {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [options.zone] }] }] },
      },
    },
  }));
  return ref;
}
