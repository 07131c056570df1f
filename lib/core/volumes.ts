import { IValidator, Validator } from './errors';
import { validateBoolean, validateDnsSubdomain, validateMountPath } from './validation';

/** How a PersistentVolume can be mounted. */
export enum AccessMode {
  /** Read-write by the pods of one node. Several nodes mounting it fail with Multi-Attach errors. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Read-write by one pod. */
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
  /** Read-only by many nodes. */
  READ_ONLY_MANY = 'ReadOnlyMany',
  /** Read-write by many nodes (NFS, EFS, Filestore, CephFS...). */
  READ_WRITE_MANY = 'ReadWriteMany',
}

/** Options for {@link VolumeClaim.fromClaimName}. */
export interface ExistingClaimOptions {
  /**
   * The access modes the claim was created with, so that misuse (a ReadWriteOnce claim shared across nodes)
   * fails at synth.
   * @default [AccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: AccessMode[];
  /**
   * The claim's namespace, when known: mounting it from another namespace is an error.
   * @default - unknown (not checked)
   */
  readonly namespace?: string;
}

/**
 * A handle to a PersistentVolumeClaim that workloads mount: made by `MlStorage`, or for a claim that exists
 * already with {@link VolumeClaim.fromClaimName}.
 */
export class VolumeClaim {
  /** A claim created outside this app. */
  public static fromClaimName(claimName: string, options: ExistingClaimOptions = {}): VolumeClaim {
    validateDnsSubdomain(Validator.forFactory('VolumeClaim.fromClaimName'), 'claimName', claimName);
    return new VolumeClaim(claimName, options.accessModes ?? [AccessMode.READ_WRITE_ONCE], options.namespace);
  }

  /** @internal used by MlStorage */
  public static _of(claimName: string, accessModes: AccessMode[], namespace: string | undefined): VolumeClaim {
    return new VolumeClaim(claimName, accessModes, namespace);
  }

  private constructor(
    /** The PersistentVolumeClaim's name. */
    public readonly claimName: string,
    /** Its access modes. */
    public readonly accessModes: AccessMode[],
    /** Its namespace, if known. */
    public readonly namespace: string | undefined,
  ) {}

  /** True when pods on several nodes can mount the claim at once (read-only when `readOnly`). */
  public canBeSharedAcrossNodes(readOnly: boolean): boolean {
    return this.accessModes.includes(AccessMode.READ_WRITE_MANY)
      || (readOnly && this.accessModes.includes(AccessMode.READ_ONLY_MANY));
  }
}

/** A claim mounted into a workload's containers. */
export interface VolumeMount {
  /** The claim to mount. */
  readonly claim: VolumeClaim;
  /** The absolute path in the container. */
  readonly path: string;
  /**
   * Mount read-only.
   * @default - depends on the slot: datasets and models to serve are read-only, outputs and checkpoints writable
   */
  readonly readOnly?: boolean;
  /**
   * A sub-directory of the volume to mount instead of its root.
   * @default - the volume's root
   */
  readonly subPath?: string;
}

/** A mount after defaults are applied: always says whether it is read-only. */
export interface ResolvedMount extends VolumeMount {
  readonly readOnly: boolean;
  /** The prop the mount came from, for messages (`dataset`, `mounts[1]`). */
  readonly prop: string;
}

/** Applies a slot's read-only default and checks the mount's fields. */
export function resolveMount(v: IValidator, prop: string, mount: VolumeMount, readOnlyByDefault: boolean): ResolvedMount {
  if (!mount || !(mount.claim instanceof VolumeClaim)) {
    v.fail(`${prop}.claim`, 'must be a VolumeClaim (from MlStorage or VolumeClaim.fromClaimName)', mount?.claim);
  }
  validateMountPath(v, `${prop}.path`, mount.path);
  validateBoolean(v, `${prop}.readOnly`, mount.readOnly);
  if (mount.subPath !== undefined && (typeof mount.subPath !== 'string' || mount.subPath.startsWith('/') || mount.subPath.split('/').includes('..'))) {
    v.fail(`${prop}.subPath`, 'must be a relative path without \'..\'', mount.subPath);
  }
  // Fields copied one by one: spreading the caller's object (whose shape varies) is the slowest line of a job.
  return { claim: mount.claim, path: mount.path, readOnly: mount.readOnly ?? readOnlyByDefault, subPath: mount.subPath, prop };
}

/**
 * Checks that mounts fit where the pods run: no two mounts at one path, claims in the workload's namespace, and no
 * ReadWriteOnce claim when the pods may land on several nodes (that fails at run time with Multi-Attach errors).
 */
export function checkMounts(v: IValidator, mounts: ResolvedMount[], placement: { podsMaySpanNodes: boolean; namespace?: string; why?: string }): void {
  const paths = new Map<string, string>();
  for (const mount of mounts) {
    const other = paths.get(mount.path);
    if (other !== undefined) v.fail(`${mount.prop}.path`, `must differ from the path of '${other}'`, mount.path);
    paths.set(mount.path, mount.prop);
    if (mount.claim.namespace !== undefined && placement.namespace !== undefined && mount.claim.namespace !== placement.namespace) {
      v.fail(`${mount.prop}.claim`, `must be in the workload's namespace '${placement.namespace}' (a pod can only mount claims of its own namespace)`, `${mount.claim.namespace}/${mount.claim.claimName}`);
    }
    if (placement.podsMaySpanNodes && !mount.claim.canBeSharedAcrossNodes(mount.readOnly)) {
      const allowed = mount.readOnly ? 'ReadOnlyMany or ReadWriteMany' : 'ReadWriteMany';
      v.fail(`${mount.prop}.claim`, `must be a claim with access mode ${allowed} because ${placement.why ?? 'the pods may run on several nodes'}`, `${mount.claim.claimName} (${mount.claim.accessModes.join(', ')})`);
    }
  }
}
