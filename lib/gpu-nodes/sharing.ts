// The typed configuration of the NVIDIA device plugin (its `version: v1` config file): GPU sharing by CUDA
// time-slicing or MPS, the MIG strategy, and the named per-node configurations a node picks with its
// `nvidia.com/device-plugin.config` label.
import { IValidator, Validator } from '../core/errors';
import { lazyModule } from '../core/lazy';
import { validateEnum, validateInteger } from '../core/validation';

const yamlModule = lazyModule(() => require('yaml') as typeof import('yaml'));

/** The node label that selects a named per-node configuration of the device plugin. */
export const NODE_CONFIG_LABEL = 'nvidia.com/device-plugin.config';

/** The name of the configuration of nodes without the {@link NODE_CONFIG_LABEL} label. */
export const DEFAULT_NODE_CONFIG = 'default';

/** How the device plugin exposes Multi-Instance GPUs (its `migStrategy` flag). */
export enum MigStrategy {
  /** MIG devices are not exposed: GPUs in MIG mode are unusable; whole GPUs are `nvidia.com/gpu`. */
  NONE = 'none',
  /** Every GPU of a node is split into MIG devices of one profile, advertised as `nvidia.com/gpu`. */
  SINGLE = 'single',
  /** Each MIG profile is its own resource, `nvidia.com/mig-<profile>` (what `Accelerator.mig(profile)` requests). */
  MIXED = 'mixed',
}

/** How one GPU is shared between pods (the device plugin's `sharing` config). */
export enum GpuSharingStrategy {
  /** Each pod gets whole GPUs. */
  NONE = 'none',
  /** CUDA time-slicing: pods take turns on the GPU, with no memory or fault isolation between them. */
  TIME_SLICING = 'timeSlicing',
  /**
   * CUDA MPS: a control daemon per GPU partitions memory and compute in equal shares. The device plugin runs it (no
   * `nvidia-smi -c EXCLUSIVE_PROCESS` on the node); not available on GPUs in MIG mode.
   */
  MPS = 'mps',
}

/** Options of {@link GpuSharing.timeSlicing} and {@link GpuSharing.mps}. */
export interface GpuSharingOptions {
  /**
   * Shares per GPU: how many pods (containers) one GPU takes. From 2 to 128 for time-slicing; from 2 to 48 for MPS
   * (the MPS client limit of Volta and newer GPUs), where each share gets `1/replicas` of the memory and compute.
   */
  readonly replicas: number;
  /**
   * Advertise the shares as `nvidia.com/gpu.shared` (what `Accelerator.sharedGpu()` requests) instead of
   * `nvidia.com/gpu`, so that no workload mistakes a share for a whole GPU. Without it, `nvidia.com/gpu` on these
   * nodes means a share, and a pod asking for 2 GPUs gets 2 shares, possibly of one GPU.
   * @default true
   */
  readonly renameByDefault?: boolean;
  /**
   * Refuse (with an `UnexpectedAdmissionError`) a container that requests more than one share: more shares give no
   * more compute or memory. The plugin's own default is false for time-slicing.
   * @default true
   */
  readonly failRequestsGreaterThanOne?: boolean;
}

/** GPU sharing on the nodes of one configuration: none, CUDA time-slicing or CUDA MPS. */
export class GpuSharing {
  /** No sharing: each pod gets whole GPUs (`nvidia.com/gpu`). */
  public static none(): GpuSharing {
    return new GpuSharing(GpuSharingStrategy.NONE, 0, false, false);
  }

  /**
   * CUDA time-slicing: each GPU is advertised `replicas` times. The pods sharing a GPU take turns and see all of its
   * memory: size each one for the memory it really gets.
   */
  public static timeSlicing(options: GpuSharingOptions): GpuSharing {
    return GpuSharing.make('GpuSharing.timeSlicing', GpuSharingStrategy.TIME_SLICING, 128, options);
  }

  /**
   * CUDA MPS: each GPU is advertised `replicas` times, and the device plugin's MPS control daemon limits each share
   * to `1/replicas` of the GPU's memory and compute. Whole GPUs only (not with MIG).
   */
  public static mps(options: GpuSharingOptions): GpuSharing {
    return GpuSharing.make('GpuSharing.mps', GpuSharingStrategy.MPS, 48, options);
  }

  private static make(factory: string, strategy: GpuSharingStrategy, maxReplicas: number, options: GpuSharingOptions): GpuSharing {
    const v = Validator.forFactory(factory);
    if (options === null || typeof options !== 'object') v.fail('options', 'must be an object with \'replicas\'', options);
    const replicas = validateInteger(v, 'replicas', options.replicas, 2, maxReplicas);
    const rename = optionalBoolean(v, 'renameByDefault', options.renameByDefault, true);
    const failAboveOne = optionalBoolean(v, 'failRequestsGreaterThanOne', options.failRequestsGreaterThanOne, true);
    return new GpuSharing(strategy, replicas, rename, failAboveOne);
  }

  private constructor(
    /** The strategy. */
    public readonly strategy: GpuSharingStrategy,
    /** Shares per GPU (0 without sharing). */
    public readonly replicas: number,
    /** Whether shares are advertised as `nvidia.com/gpu.shared`. */
    public readonly renameByDefault: boolean,
    /** Whether a container asking for more than one share is refused. */
    public readonly failRequestsGreaterThanOne: boolean,
  ) {}

  /** The resource the shared GPUs are advertised as (`nvidia.com/gpu` when not shared or not renamed). */
  public get resourceName(): string {
    return this.strategy !== GpuSharingStrategy.NONE && this.renameByDefault ? 'nvidia.com/gpu.shared' : 'nvidia.com/gpu';
  }
}

/** One configuration of the device plugin: what the nodes that use it advertise. */
export interface GpuNodeConfig {
  /**
   * GPU sharing on these nodes.
   * @default GpuSharing.none()
   */
  readonly sharing?: GpuSharing;
  /**
   * How MIG devices are exposed.
   * @default MigStrategy.NONE
   */
  readonly migStrategy?: MigStrategy;
}

/** A device plugin configuration with its name (the value of the `nvidia.com/device-plugin.config` label), checked and with its defaults. */
export interface NamedGpuNodeConfig {
  /** The configuration's name: `default`, or a key of `nodeConfigs`. */
  readonly name: string;
  /** GPU sharing on its nodes. */
  readonly sharing: GpuSharing;
  /** How MIG devices are exposed on its nodes. */
  readonly migStrategy: MigStrategy;
}

/**
 * Checks one configuration. `prefix` is how its props are named in messages: `''` for the default configuration
 * (the setup's own `sharing` and `migStrategy`), `nodeConfigs.<name>.` for a named one.
 */
export function resolveNodeConfig(v: IValidator, prefix: string, name: string, config: GpuNodeConfig | undefined): NamedGpuNodeConfig {
  if (config !== undefined && (config === null || typeof config !== 'object')) v.fail(prefix.slice(0, -1), 'must be an object with \'sharing\' and/or \'migStrategy\'', config);
  const sharing = config?.sharing ?? GpuSharing.none();
  if (!(sharing instanceof GpuSharing)) v.fail(`${prefix}sharing`, 'must be made with GpuSharing.none(), GpuSharing.timeSlicing() or GpuSharing.mps()', sharing);
  const migStrategy = validateEnum(v, `${prefix}migStrategy`, config?.migStrategy ?? MigStrategy.NONE, MigStrategy, 'MigStrategy');
  if (sharing.strategy === GpuSharingStrategy.MPS && migStrategy !== MigStrategy.NONE) {
    v.fail(`${prefix}migStrategy`, 'must be MigStrategy.NONE with GpuSharing.mps(): the device plugin does not share MIG devices with MPS', migStrategy);
  }
  return { name, sharing, migStrategy };
}

/** The config file (`version: v1`) of one configuration. */
export function renderNodeConfig(config: NamedGpuNodeConfig): string {
  const file: Record<string, unknown> = { version: 'v1', flags: { migStrategy: config.migStrategy, failOnInitError: true } };
  const sharing = config.sharing;
  if (sharing.strategy !== GpuSharingStrategy.NONE) {
    file.sharing = {
      [sharing.strategy]: {
        renameByDefault: sharing.renameByDefault,
        failRequestsGreaterThanOne: sharing.failRequestsGreaterThanOne,
        resources: [{ name: 'nvidia.com/gpu', replicas: sharing.replicas }],
      },
    };
  }
  return yamlModule().stringify(file);
}

function optionalBoolean(v: IValidator, prop: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') v.fail(prop, 'must be true or false', value);
  return value;
}
