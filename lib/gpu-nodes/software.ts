import { Validator } from '../core/errors';
import { rejectUnknownProps } from '../core/props';
import { validateImage } from '../core/validation';
import { DEVICE_PLUGIN_IMAGE } from './device-plugin';

/** Which software configures the GPU nodes. */
export enum GpuNodeSoftwareKind {
  /** The NVIDIA device plugin DaemonSet, rendered by the library. */
  DEVICE_PLUGIN = 'devicePlugin',
  /** The NVIDIA GPU Operator, configured by a `ClusterPolicy` the library renders (the operator runs the daemons). */
  GPU_OPERATOR = 'gpuOperator',
}

/** Options of {@link GpuNodeSoftware.devicePlugin}. */
export interface DevicePluginOptions {
  /**
   * The device plugin image (it also holds GPU Feature Discovery, the config manager and the MPS control daemon).
   * @default 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0'
   */
  readonly image?: string;
  /**
   * Run GPU Feature Discovery, which labels each GPU node with its GPU model, memory and MIG and MPS capabilities
   * (`nvidia.com/gpu.product`, `nvidia.com/gpu.memory`, `nvidia.com/mps.capable`...). It writes the labels through
   * Node Feature Discovery, which must run in the cluster. `Accelerator.nvidiaGpu({ product, minMemoryMiB })` and
   * MPS sharing need these labels.
   * @default true
   */
  readonly featureDiscovery?: boolean;
}

/** Options of {@link GpuNodeSoftware.gpuOperator}. */
export interface GpuOperatorOptions {
  /**
   * Let the operator install the NVIDIA driver on the GPU nodes (as a container). False where the node image
   * already has it (GKE, EKS and AKS GPU node images).
   * @default true
   */
  readonly driver?: boolean;
  /**
   * Let the operator install the NVIDIA container toolkit on the GPU nodes. False where the node image already has it.
   * @default true
   */
  readonly toolkit?: boolean;
  /**
   * Run GPU Feature Discovery (the `nvidia.com/gpu.product`, `nvidia.com/mps.capable`... node labels). MPS sharing
   * needs it.
   * @default true
   */
  readonly featureDiscovery?: boolean;
  /**
   * Run the MIG manager, which partitions the GPUs of a node labelled `nvidia.com/mig.config=<layout>` into that
   * layout's MIG devices.
   * @default - on when the MIG strategy is `SINGLE` or `MIXED`
   */
  readonly migManager?: boolean;
  /**
   * Named MIG layouts for the MIG manager: the MIG devices of each GPU of a node labelled
   * `nvidia.com/mig.config=<name>`, as profile → count (`{ '3g.40gb': 1, '2g.20gb': 1, '1g.10gb': 2 }`). The
   * layout `all-disabled` (MIG off) is always there and is the default. Every profile must be offered by one of
   * the setup's `gpuModels`; with `MigStrategy.SINGLE` a layout has one profile.
   * @default - the operator's own layouts (`all-1g.10gb`, `all-balanced`...)
   */
  readonly migLayouts?: Record<string, Record<string, number>>;
}

/** The GPU Operator options, checked. @internal */
export interface ResolvedOperatorOptions {
  readonly driver: boolean;
  readonly toolkit: boolean;
  readonly migManager?: boolean;
  readonly migLayouts?: Record<string, Record<string, number>>;
}

/** The software that configures the GPU nodes: the NVIDIA device plugin, or the NVIDIA GPU Operator. */
export class GpuNodeSoftware {
  /**
   * The NVIDIA device plugin (and GPU Feature Discovery), rendered as DaemonSets with the configuration ConfigMap.
   * The NVIDIA driver and container toolkit must already be on the nodes (as on GKE, EKS and AKS GPU node images).
   */
  public static devicePlugin(options: DevicePluginOptions = {}): GpuNodeSoftware {
    const v = Validator.forFactory('GpuNodeSoftware.devicePlugin');
    rejectUnknownProps(v, options, ['image', 'featureDiscovery']);
    const image = validateImage(v, 'image', options.image ?? DEVICE_PLUGIN_IMAGE);
    return new GpuNodeSoftware(GpuNodeSoftwareKind.DEVICE_PLUGIN, image, optionalBoolean(v, 'featureDiscovery', options.featureDiscovery, true));
  }

  /**
   * The NVIDIA GPU Operator (v25+/v26; CRD of v26.7.0): the setup renders its `ClusterPolicy` (cluster-scoped, named
   * `cluster-policy`) with the same sharing, per-node configurations (the device plugin config ConfigMap the policy
   * references), MIG strategy, MIG manager and DCGM exporter settings; the operator runs the daemons in the setup's
   * namespace (default `gpu-operator`). Install the operator's Helm chart without its own ClusterPolicy:
   * `helm install gpu-operator nvidia/gpu-operator --version v26.7.0 -n gpu-operator --set clusterPolicy.deployCR=false`.
   * The chart's release pins the operand images.
   */
  public static gpuOperator(options: GpuOperatorOptions = {}): GpuNodeSoftware {
    const v = Validator.forFactory('GpuNodeSoftware.gpuOperator');
    if (options === null || typeof options !== 'object') v.fail('options', 'must be an object of GpuOperatorOptions', options);
    rejectUnknownProps(v, options, ['driver', 'toolkit', 'featureDiscovery', 'migManager', 'migLayouts']);
    const operator: ResolvedOperatorOptions = {
      driver: optionalBoolean(v, 'driver', options.driver, true),
      toolkit: optionalBoolean(v, 'toolkit', options.toolkit, true),
      migManager: options.migManager === undefined ? undefined : optionalBoolean(v, 'migManager', options.migManager, true),
      migLayouts: checkLayoutShapes(v, options.migLayouts),
    };
    return new GpuNodeSoftware(GpuNodeSoftwareKind.GPU_OPERATOR, undefined, optionalBoolean(v, 'featureDiscovery', options.featureDiscovery, true), operator);
  }

  private constructor(
    /** Which software. */
    public readonly kind: GpuNodeSoftwareKind,
    /** The device plugin image; undefined with the GPU Operator (the release of its Helm chart pins the images). */
    public readonly image: string | undefined,
    /** Whether GPU Feature Discovery runs. */
    public readonly featureDiscovery: boolean,
    /** The GPU Operator's options. @internal */
    public readonly _operator?: ResolvedOperatorOptions,
  ) {}
}

function optionalBoolean(v: Validator, prop: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') v.fail(prop, 'must be true or false', value);
  return value;
}

/** The layouts' names and counts; their profiles are checked against the setup's GPU models. */
function checkLayoutShapes(v: Validator, layouts: Record<string, Record<string, number>> | undefined): Record<string, Record<string, number>> | undefined {
  if (layouts === undefined) return undefined;
  if (layouts === null || typeof layouts !== 'object' || Array.isArray(layouts)) v.fail('migLayouts', 'must map layout names to { profile: count } objects', layouts);
  const checked: Record<string, Record<string, number>> = {};
  for (const [name, layout] of Object.entries(layouts)) {
    const prop = `migLayouts.${name}`;
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)) v.fail(prop, 'must be a label value (the node label nvidia.com/mig.config names it): at most 63 letters, digits, -, _ and .', name);
    if (name === 'all-disabled') v.fail(prop, 'must not be named \'all-disabled\': that layout (MIG off) is always there', name);
    if (layout === null || typeof layout !== 'object' || Array.isArray(layout) || Object.keys(layout).length === 0) {
      v.fail(prop, 'must map at least one MIG profile to its count per GPU, e.g. { \'1g.10gb\': 7 }', layout);
    }
    let slices = 0;
    for (const [profile, count] of Object.entries(layout)) {
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 7) v.fail(`${prop}.${profile}`, 'must be a whole number of MIG devices per GPU from 1 to 7', count);
      const match = /^([1-7])g\.\d+gb(\+me)?$/.exec(profile);
      if (!match) v.fail(`${prop}`, 'must name MIG profiles such as \'1g.10gb\' or \'1g.10gb+me\'', profile);
      slices += Number(match[1]) * count;
    }
    if (slices > 7) v.fail(prop, 'must fit one GPU: its profiles take more than the 7 compute slices a GPU has', JSON.stringify(layout));
    checked[name] = { ...layout };
  }
  return checked;
}
