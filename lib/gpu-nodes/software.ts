import { Validator } from '../core/errors';
import { rejectUnknownProps } from '../core/props';
import { validateImage } from '../core/validation';
import { DEVICE_PLUGIN_IMAGE } from './device-plugin';

/** Which software configures the GPU nodes. */
export enum GpuNodeSoftwareKind {
  /** The NVIDIA device plugin DaemonSet, rendered by the library. */
  DEVICE_PLUGIN = 'devicePlugin',
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

/** The software that configures the GPU nodes: the NVIDIA device plugin. */
export class GpuNodeSoftware {
  /**
   * The NVIDIA device plugin (and GPU Feature Discovery), rendered as DaemonSets with the configuration ConfigMap.
   * The NVIDIA driver and container toolkit must already be on the nodes (as on GKE, EKS and AKS GPU node images).
   */
  public static devicePlugin(options: DevicePluginOptions = {}): GpuNodeSoftware {
    const v = Validator.forFactory('GpuNodeSoftware.devicePlugin');
    rejectUnknownProps(v, options, ['image', 'featureDiscovery']);
    const image = validateImage(v, 'image', options.image ?? DEVICE_PLUGIN_IMAGE);
    const featureDiscovery = options.featureDiscovery ?? true;
    if (typeof featureDiscovery !== 'boolean') v.fail('featureDiscovery', 'must be true or false', featureDiscovery);
    return new GpuNodeSoftware(GpuNodeSoftwareKind.DEVICE_PLUGIN, image, featureDiscovery);
  }

  private constructor(
    /** Which software. */
    public readonly kind: GpuNodeSoftwareKind,
    /** The main image. */
    public readonly image: string,
    /** Whether GPU Feature Discovery runs. */
    public readonly featureDiscovery: boolean,
  ) {}
}
