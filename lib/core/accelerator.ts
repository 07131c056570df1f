import { Validator } from './errors';
import { validateInteger } from './validation';

/** A Kubernetes toleration, as the accelerators and scheduling options compute them. */
export interface TolerationSpec {
  readonly key: string;
  readonly operator: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** The vendor of an accelerator, which decides device visibility and taints. */
export enum AcceleratorVendor {
  NVIDIA = 'nvidia',
  AMD = 'amd',
  GOOGLE = 'google',
  /** No device: a CPU-only pod. */
  NONE = 'none',
}

/** MIG profiles of the A100 40GB. */
const MIG_A100_40GB = ['1g.5gb', '1g.5gb+me', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'];
/** MIG profiles of the A100 80GB and H100 80GB. */
const MIG_80GB = ['1g.10gb', '1g.10gb+me', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'];
/**
 * MIG profiles of the H100 NVL (94GB), H200 (141GB) and B200 (180GB), as NVIDIA's MIG user guide lists them and the
 * GPU Operator v26.7.0's MIG manager configuration (`assets/state-mig-manager/0400_configmap.yaml`) creates them:
 * each has a 1g profile with the media extensions (`+me`), like the A100 and H100 80GB.
 */
const MIG_H100_NVL = ['1g.12gb', '1g.12gb+me', '1g.24gb', '2g.24gb', '3g.47gb', '4g.47gb', '7g.94gb'];
const MIG_H200 = ['1g.18gb', '1g.18gb+me', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'];
const MIG_B200 = ['1g.23gb', '1g.23gb+me', '1g.45gb', '2g.45gb', '3g.90gb', '4g.90gb', '7g.180gb'];
const MIG_LARGE = [...MIG_H100_NVL, ...MIG_H200, ...MIG_B200];
const MIG_PROFILES = [...new Set([...MIG_A100_40GB, ...MIG_80GB, ...MIG_LARGE])];

/**
 * An NVIDIA GPU model and the MIG profiles it offers, declared in `GpuNodeSetup`'s `gpuModels` so that a workload's
 * `Accelerator.mig(profile)` is checked against the GPUs the cluster really has.
 */
export class GpuModel {
  /** A100 40GB (PCIe or SXM4). */
  public static readonly A100_40GB = new GpuModel('A100 40GB', MIG_A100_40GB);
  /** A100 80GB (PCIe or SXM4). */
  public static readonly A100_80GB = new GpuModel('A100 80GB', MIG_80GB);
  /** H100 80GB (PCIe or SXM5). */
  public static readonly H100_80GB = new GpuModel('H100 80GB', MIG_80GB);
  /** H100 NVL 94GB. */
  public static readonly H100_NVL = new GpuModel('H100 NVL 94GB', MIG_H100_NVL);
  /** H200 141GB. */
  public static readonly H200 = new GpuModel('H200 141GB', MIG_H200);
  /** B200 180GB. */
  public static readonly B200 = new GpuModel('B200 180GB', MIG_B200);

  /**
   * A model without MIG (T4, L4, A10, L40S...): it is shared by time-slicing or MPS only.
   * @param name the model's name, for messages (e.g. `L4`)
   */
  public static withoutMig(name: string): GpuModel {
    const v = Validator.forFactory('GpuModel.withoutMig');
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/.test(name)) v.fail('name', 'must be a model name such as \'L4\' (letters, digits, space, dot, dash, underscore; at most 63)', name);
    return new GpuModel(name, []);
  }

  private constructor(
    /** The model's name, for messages. */
    public readonly name: string,
    /** The MIG profiles it offers (`1g.10gb`...); empty for a GPU without MIG. */
    public readonly migProfiles: readonly string[],
  ) {}
}

/** GKE TPU generations, with the node label value and how many chips one host has at most. */
export class TpuVersion {
  /** TPU v4 (3D topology such as 2x2x1, 2x2x4). */
  public static readonly V4 = new TpuVersion('v4', 'tpu-v4-podslice', 4, 3);
  /** TPU v5e (2D topology such as 1x1, 2x2, 2x4, 4x4). */
  public static readonly V5E = new TpuVersion('v5e', 'tpu-v5-lite-podslice', 8, 2);
  /** TPU v5p (3D topology). */
  public static readonly V5P = new TpuVersion('v5p', 'tpu-v5p-slice', 4, 3);
  /** TPU v6e Trillium (2D topology). */
  public static readonly V6E = new TpuVersion('v6e', 'tpu-v6e-slice', 8, 2);

  private constructor(
    /** A short name for messages. */
    public readonly name: string,
    /** The value of `cloud.google.com/gke-tpu-accelerator`. */
    public readonly nodeLabel: string,
    /** The most chips one host (node) of this generation has. */
    public readonly maxChipsPerHost: number,
    /** The number of dimensions of a topology (`2x4` is 2, `2x2x4` is 3). */
    public readonly topologyDimensions: number,
  ) {}
}

/** Options for {@link Accelerator.nvidiaGpu}. */
export interface NvidiaGpuOptions {
  /**
   * Require a GPU model, matched against the GPU Feature Discovery label `nvidia.com/gpu.product`
   * (e.g. `NVIDIA-A100-SXM4-80GB`).
   * @default - any GPU model
   */
  readonly product?: string;
  /**
   * Require at least this much memory per GPU, in MiB, matched against the GPU Feature Discovery label
   * `nvidia.com/gpu.memory`.
   * @default - any GPU memory
   */
  readonly minMemoryMiB?: number;
}

/** Options for {@link Accelerator.tpu}. */
export interface TpuOptions {
  /** The TPU generation. */
  readonly version: TpuVersion;
  /** The slice topology, `AxB` for v5e/v6e or `AxBxC` for v4/v5p (e.g. `2x4`). */
  readonly topology: string;
  /**
   * TPU chips per node (per pod). A slice spans `chips in topology / chips` nodes; only the value the topology
   * implies is accepted, so a mismatch fails at synth instead of leaving pods pending.
   * @default - all chips of the topology when it fits on one host, else 4 (multi-host slices use 4-chip hosts)
   */
  readonly chips?: number;
}

// Most accelerators select no node label and need no node affinity: they share these instead of empty copies.
const NO_SELECTOR: Readonly<Record<string, string>> = Object.freeze({});
const NO_REQUIREMENTS: readonly NodeRequirement[] = Object.freeze([]);

/**
 * The toleration of each vendor's node taint. One frozen object per vendor, shared by every pod: thousands of
 * training pods need not each hold a copy until synth ends.
 */
const VENDOR_TOLERATIONS: Partial<Record<AcceleratorVendor, TolerationSpec>> = {
  [AcceleratorVendor.NVIDIA]: Object.freeze({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }),
  [AcceleratorVendor.AMD]: Object.freeze({ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' }),
  [AcceleratorVendor.GOOGLE]: Object.freeze({ key: 'google.com/tpu', operator: 'Exists', effect: 'NoSchedule' }),
};

/**
 * What a pod runs on: NVIDIA GPUs, MIG slices, time-sliced shared GPUs, AMD GPUs or Google TPUs. Each computes
 * the extended resources it requests, the tolerations for the tainted accelerator nodes and the node selection it
 * needs; the pod builder applies them.
 */
export class Accelerator {
  /**
   * No accelerator: a CPU-only pod (data preparation, DVC, feature engineering, CPU training with Gloo). It requests
   * no device, tolerates no accelerator taint and selects no accelerator node; torchrun starts one process per pod.
   */
  public static none(): Accelerator {
    return new Accelerator(AcceleratorVendor.NONE, '', 0, 1, 'no accelerator (CPU only)', NO_SELECTOR, NO_REQUIREMENTS);
  }

  /**
   * Whole NVIDIA GPUs (`nvidia.com/gpu`), with the `nvidia.com/gpu` taint tolerated.
   * @param count GPUs per pod, a whole number from 1 to 16
   */
  public static nvidiaGpu(count: number = 1, options: NvidiaGpuOptions = {}): Accelerator {
    const v = Validator.forFactory('Accelerator.nvidiaGpu');
    validateInteger(v, 'count', count, 1, 16);
    let nodeSelector = NO_SELECTOR;
    if (options.product !== undefined) {
      if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(options.product)) {
        v.fail('product', 'must be a GPU Feature Discovery product label value such as \'NVIDIA-A100-SXM4-80GB\'', options.product);
      }
      nodeSelector = { 'nvidia.com/gpu.product': options.product };
    }
    let affinity = NO_REQUIREMENTS;
    if (options.minMemoryMiB !== undefined) {
      validateInteger(v, 'minMemoryMiB', options.minMemoryMiB, 1);
      // `Gt` is strict, so ask for more than one less than the minimum.
      affinity = [{ key: 'nvidia.com/gpu.memory', operator: 'Gt', values: [String(options.minMemoryMiB - 1)] }];
    }
    return new Accelerator(AcceleratorVendor.NVIDIA, 'nvidia.com/gpu', count, count, `${count} NVIDIA GPU${count > 1 ? 's' : ''}`, nodeSelector, affinity);
  }

  /**
   * NVIDIA Multi-Instance GPU slices (`nvidia.com/mig-<profile>`, the device plugin's `mixed` strategy).
   * @param profile a MIG profile such as `1g.10gb` (A100 80GB / H100 80GB) or `1g.5gb` (A100 40GB)
   * @param count slices per pod
   */
  public static mig(profile: string, count: number = 1): Accelerator {
    const v = Validator.forFactory('Accelerator.mig');
    if (!MIG_PROFILES.includes(profile)) {
      v.fail('profile', `must be a MIG profile: A100 40GB ${MIG_A100_40GB.join(', ')}; A100/H100 80GB ${MIG_80GB.join(', ')}`, profile);
    }
    validateInteger(v, 'count', count, 1, 7);
    // A MIG slice runs one process: it counts as one device for torchrun. Resource names cannot hold '+': the
    // device plugin advertises a media-extension profile such as `1g.10gb+me` as `nvidia.com/mig-1g.10gb.me`.
    return new Accelerator(AcceleratorVendor.NVIDIA, migResourceName(profile), count, count, `${count} MIG ${profile} slice${count > 1 ? 's' : ''}`, NO_SELECTOR, NO_REQUIREMENTS);
  }

  /**
   * A share of a time-sliced (or MPS) NVIDIA GPU (`nvidia.com/gpu.shared`, the device plugin's `renameByDefault`).
   * Time slicing has no memory isolation: size the workload for the memory it will really get.
   * @param count shares per container; more than one gives no more GPU, so only 1 is allowed
   */
  public static sharedGpu(count: number = 1): Accelerator {
    const v = Validator.forFactory('Accelerator.sharedGpu');
    if (count !== 1) {
      v.fail('count', 'must be 1: a container with several shares of one time-sliced GPU gets no more compute or memory', count);
    }
    return new Accelerator(AcceleratorVendor.NVIDIA, 'nvidia.com/gpu.shared', 1, 1, 'a shared (time-sliced) NVIDIA GPU', NO_SELECTOR, NO_REQUIREMENTS);
  }

  /**
   * Whole AMD GPUs (`amd.com/gpu`), with the `amd.com/gpu` taint tolerated.
   * @param count GPUs per pod, a whole number from 1 to 16
   */
  public static amdGpu(count: number = 1): Accelerator {
    validateInteger(Validator.forFactory('Accelerator.amdGpu'), 'count', count, 1, 16);
    return new Accelerator(AcceleratorVendor.AMD, 'amd.com/gpu', count, count, `${count} AMD GPU${count > 1 ? 's' : ''}`, NO_SELECTOR, NO_REQUIREMENTS);
  }

  /**
   * Google Cloud TPU chips (`google.com/tpu`) on GKE, selecting the TPU generation and slice topology.
   */
  public static tpu(options: TpuOptions): Accelerator {
    const v = Validator.forFactory('Accelerator.tpu');
    if (!(options.version instanceof TpuVersion)) {
      v.fail('version', 'must be a TpuVersion (TpuVersion.V4, V5E, V5P or V6E)', options.version);
    }
    const dims = typeof options.topology === 'string' ? options.topology.split('x') : [];
    if (dims.length !== options.version.topologyDimensions || !dims.every((d) => /^[1-9]\d*$/.test(d))) {
      const example = options.version.topologyDimensions === 2 ? '2x4' : '2x2x4';
      v.fail('topology', `must be a ${options.version.topologyDimensions}-dimensional TPU ${options.version.name} topology such as '${example}'`, options.topology);
    }
    const totalChips = dims.reduce((product, d) => product * Number(d), 1);
    // A slice that fits on one host puts all its chips in one pod; larger slices are built from 4-chip hosts.
    const singleHost = totalChips <= options.version.maxChipsPerHost;
    if (singleHost && ![1, 4, 8].includes(totalChips)) {
      v.fail('topology', `must give 1, 4 or 8 chips on a single TPU ${options.version.name} host, or a multiple of 4 across hosts`, options.topology);
    }
    if (!singleHost && totalChips % 4 !== 0) {
      v.fail('topology', 'must give a multiple of 4 chips for a multi-host slice', options.topology);
    }
    const expected = singleHost ? totalChips : 4;
    const chips = options.chips ?? expected;
    if (chips !== expected) {
      v.fail('chips', `must be ${expected} for topology ${options.topology} (${totalChips} chips, ${singleHost ? 'one host' : `${totalChips / 4} hosts of 4 chips`})`, chips);
    }
    const nodeSelector = {
      'cloud.google.com/gke-tpu-accelerator': options.version.nodeLabel,
      'cloud.google.com/gke-tpu-topology': options.topology,
    };
    return new Accelerator(AcceleratorVendor.GOOGLE, 'google.com/tpu', chips, 1, `${chips} TPU ${options.version.name} chip${chips > 1 ? 's' : ''} (topology ${options.topology})`, nodeSelector, NO_REQUIREMENTS, totalChips / chips);
  }

  private constructor(
    /** Who makes the device. */
    public readonly vendor: AcceleratorVendor,
    /** The extended resource name (`nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, `google.com/tpu`; empty for {@link Accelerator.none}). */
    public readonly resourceName: string,
    /** Devices per pod. */
    public readonly count: number,
    /** Processes a pod should start to use every device (torchrun's `--nproc_per_node`). */
    public readonly processesPerPod: number,
    /** A readable description for messages and docs. */
    public readonly description: string,
    private readonly selector: Readonly<Record<string, string>>,
    private readonly requirements: readonly NodeRequirement[],
    /** Nodes (pods) one TPU slice spans: 1 for every other accelerator. A single-pod workload needs 1. */
    public readonly hostsInSlice: number = 1,
  ) {}

  /** The extended resource limits (requests equal limits for extended resources). */
  public get resources(): Record<string, string> {
    return this.vendor === AcceleratorVendor.NONE ? {} : { [this.resourceName]: String(this.count) };
  }

  /** Tolerations for the taints accelerator nodes usually carry (shared, frozen objects). */
  public get tolerations(): TolerationSpec[] {
    const toleration = VENDOR_TOLERATIONS[this.vendor];
    return toleration === undefined ? [] : [toleration];
  }

  /** Node labels the pod must select. */
  public get nodeSelector(): Record<string, string> {
    return { ...this.selector };
  }

  /** Node affinity requirements (e.g. minimum GPU memory). */
  public get nodeRequirements(): NodeRequirement[] {
    return [...this.requirements];
  }

  /** True for NVIDIA devices, whose containers see every GPU of the node unless told otherwise. */
  public get isNvidia(): boolean {
    return this.vendor === AcceleratorVendor.NVIDIA;
  }
}

/** A node affinity requirement (`matchExpressions` entry). */
export interface NodeRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly values?: string[];
}

/**
 * Every extended resource an {@link Accelerator} can request: whole NVIDIA GPUs, each MIG profile, shared GPUs,
 * AMD GPUs and TPU chips, for quotas that must cover every kind of device and not only `nvidia.com/gpu`.
 */
export function acceleratorResourceNames(): string[] {
  const mig = MIG_PROFILES.map(migResourceName);
  return ['nvidia.com/gpu', ...mig, 'nvidia.com/gpu.shared', 'amd.com/gpu', 'google.com/tpu'];
}

/** The resource the NVIDIA device plugin (MIG strategy `mixed`) advertises for a profile; `+me` becomes `.me`. */
export function migResourceName(profile: string): string {
  return `nvidia.com/mig-${profile.replace('+', '.')}`;
}
