// StorageClasses: the handle claims name (made here or existing), their options, and the object MlStorage renders.
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator, Validator } from '../core/errors';
import { validateBoolean, validateDnsSubdomain, validateEnum, validateMountOptions } from '../core/validation';
import { clusterScoped } from './cluster-scoped';
import { StorageProvisioner } from './provisioner';
import { ClaimPurpose, ReclaimPolicy } from './reclaim-policy';

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

/**
 * Checks the options of a StorageClass named `name` and adds it (child `StorageClass-<name>` of `scope`). Its reclaim
 * policy is decided at synth, when every claim that uses it is known.
 */
export function addStorageClassObject(scope: Construct, v: IValidator, name: string, options: StorageClassOptions,
  labels: Record<string, string>): StorageClassRef {
  const provisioner = options?.provisioner;
  if (!(provisioner instanceof StorageProvisioner)) {
    v.fail('provisioner', 'must be made with a StorageProvisioner factory such as StorageProvisioner.awsEbsGp3()', provisioner);
  }
  if (options.reclaimPolicy !== undefined) validateEnum(v, 'reclaimPolicy', options.reclaimPolicy, ReclaimPolicy, 'ReclaimPolicy');
  if (options.volumeBindingMode !== undefined) validateEnum(v, 'volumeBindingMode', options.volumeBindingMode, VolumeBindingMode, 'VolumeBindingMode');
  validateBoolean(v, 'allowVolumeExpansion', options.allowVolumeExpansion);
  validateBoolean(v, 'isDefault', options.isDefault);
  const ref = StorageClassRef._of(name, provisioner);
  const binding = options.volumeBindingMode
    ?? (provisioner.topologyConstrained ? VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER : VolumeBindingMode.IMMEDIATE);
  clusterScoped(new k8s.KubeStorageClass(scope, `StorageClass-${name}`, {
    metadata: {
      name,
      labels,
      annotations: options.isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : undefined,
    },
    provisioner: provisioner.provisioner,
    parameters: Object.keys(provisioner.parameters).length > 0 ? provisioner.parameters : undefined,
    reclaimPolicy: Lazy.any({ produce: () => options.reclaimPolicy ?? ref._defaultReclaimPolicy() }),
    volumeBindingMode: binding,
    allowVolumeExpansion: options.allowVolumeExpansion ?? provisioner.supportsExpansion,
    mountOptions: validateMountOptions(v, 'mountOptions', options.mountOptions ?? provisioner.mountOptions),
  }));
  return ref;
}
