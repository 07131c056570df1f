import { GpuModel } from '../core/accelerator';
import { propNames } from '../core/props';
import { GpuMetricsOptions } from './metrics';
import { GpuNodeConfig, GpuSharing, MigStrategy } from './sharing';
import { GpuNodeSoftware } from './software';

/** Props of {@link GpuNodeSetup}. */
export interface GpuNodeSetupProps {
  /**
   * The software that runs on the GPU nodes: the NVIDIA device plugin itself, or the NVIDIA GPU Operator's
   * ClusterPolicy.
   * @default GpuNodeSoftware.devicePlugin()
   */
  readonly software?: GpuNodeSoftware;
  /**
   * The namespace the node software runs in. The setup creates it and labels it Pod Security `privileged` (the one
   * namespace of the library that is not `restricted`); nothing else may run in it. With the GPU Operator it is the
   * operator's namespace (where its Helm chart is installed and where it runs the daemons).
   * @default 'nvidia-gpu' for the device plugin, 'gpu-operator' for the GPU Operator
   */
  readonly namespace?: string;
  /**
   * GPU sharing on nodes without a `nvidia.com/device-plugin.config` label (the `default` configuration).
   * @default GpuSharing.none()
   */
  readonly sharing?: GpuSharing;
  /**
   * How MIG devices are exposed on nodes without a `nvidia.com/device-plugin.config` label. With the GPU Operator,
   * on every node: its ClusterPolicy has one MIG strategy, so `nodeConfigs` must not name another.
   * @default MigStrategy.NONE
   */
  readonly migStrategy?: MigStrategy;
  /**
   * Named configurations for some nodes: a node labelled `nvidia.com/device-plugin.config=<name>` uses the
   * configuration `<name>` (e.g. `{ 'mig-mixed': { migStrategy: MigStrategy.MIXED } }`). Names are label values;
   * `default` is the configuration of the props above.
   * @default - every node uses the default configuration
   */
  readonly nodeConfigs?: Record<string, GpuNodeConfig>;
  /**
   * The GPU models of the cluster. Required with `MigStrategy.MIXED`: a workload's `Accelerator.mig(profile)` must
   * name a profile one of them offers.
   * @default - not declared
   */
  readonly gpuModels?: GpuModel[];
  /**
   * Node labels that select the GPU nodes. Device-plugin mode only: the GPU Operator picks the nodes Node Feature
   * Discovery found NVIDIA GPUs on.
   * @default - nodes labelled by Node Feature Discovery with the NVIDIA PCI vendor
   * (`feature.node.kubernetes.io/pci-10de.present=true`), or labelled `nvidia.com/gpu.present=true`
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * The priority class of the node daemons. Without the GPU software a node's GPUs disappear, so it runs at node
   * priority by default (on GKE the namespace then needs a ResourceQuota for that class: see the guide).
   * @default 'system-node-critical'
   */
  readonly priorityClassName?: string;
  /**
   * GPU metrics: the DCGM exporter with a ServiceMonitor and a PrometheusRule of GPU alerts (XID errors,
   * temperature, memory, low utilisation, a GPU allocated to a pod but idle).
   * @default - the exporter, scraped from the `monitoring` namespace, with the alerts at their default thresholds
   */
  readonly metrics?: GpuMetricsOptions;
}

/** Every prop of {@link GpuNodeSetupProps}, to refuse unknown ones. */
export const GPU_NODE_SETUP_PROPS = propNames<GpuNodeSetupProps>()({
  software: true, namespace: true, sharing: true, migStrategy: true, nodeConfigs: true, gpuModels: true, nodeSelector: true, priorityClassName: true, metrics: true,
});
