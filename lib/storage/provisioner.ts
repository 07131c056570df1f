import { IValidator } from '../core/errors';
import { AccessMode } from '../core/volumes';
import { azureDiskSpec, AzureDiskOptions } from './azure';
import { EbsGp3Options, ebsGp3Spec, EbsIo2Options, ebsIo2Spec, EfsOptions, efsSpec } from './aws';
import { CustomProvisionerOptions, customSpec } from './custom-csi';
import { GceHyperdiskOptions, gceHyperdiskSpec, GcePdOptions, gcePersistentDiskSpec } from './gce';
import { NfsProvisionerOptions, nfsSpec } from './nfs';
import { ClaimCheck, ProvisionerSpec } from './provisioner-spec';

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
    return new StorageProvisioner(ebsGp3Spec(options));
  }

  /**
   * AWS EBS io2 (Block Express) through the EBS CSI driver, encrypted: 4 GiB to 64 TiB, 100 to 256000 IOPS, at most
   * 1000 IOPS per GiB. Give `iops` or `iopsPerGb`.
   */
  public static awsEbsIo2(options: EbsIo2Options): StorageProvisioner {
    return new StorageProvisioner(ebsIo2Spec(options));
  }

  /**
   * Amazon EFS through the EFS CSI driver (`efs.csi.aws.com`): one access point (directory) per claim, shared by
   * any number of nodes (ReadWriteMany). EFS grows elastically: the claim's size is not enforced.
   */
  public static awsEfs(options: EfsOptions): StorageProvisioner {
    return new StorageProvisioner(efsSpec(options));
  }

  /** GCE Persistent Disk through the GKE PD CSI driver (`pd.csi.storage.gke.io`). */
  public static gcePersistentDisk(options: GcePdOptions = {}): StorageProvisioner {
    return new StorageProvisioner(gcePersistentDiskSpec(options));
  }

  /** GCE Hyperdisk through the GKE PD CSI driver. */
  public static gceHyperdisk(options: GceHyperdiskOptions): StorageProvisioner {
    return new StorageProvisioner(gceHyperdiskSpec(options));
  }

  /** Azure managed disks through the Azure Disk CSI driver (`disk.csi.azure.com`). */
  public static azureDisk(options: AzureDiskOptions = {}): StorageProvisioner {
    return new StorageProvisioner(azureDiskSpec(options));
  }

  /**
   * An NFS server through the NFS CSI driver (`nfs.csi.k8s.io`): a sub-directory of `share` per claim, shared by any
   * number of nodes. NFS has no quotas: the claim's size is not enforced and cannot be expanded.
   */
  public static nfs(options: NfsProvisionerOptions): StorageProvisioner {
    return new StorageProvisioner(nfsSpec(options));
  }

  /** Any other CSI driver with its parameters. */
  public static custom(options: CustomProvisionerOptions): StorageProvisioner {
    return new StorageProvisioner(customSpec(options));
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
