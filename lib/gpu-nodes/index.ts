// The GPU nodes area's public API: GpuNodeSetup, its props and the vocabulary they use. The render helpers stay
// internal.
export { GpuNodeSetup } from './gpu-node-setup';
export { type GpuNodeSetupProps } from './gpu-node-setup-props';
export { GpuNodeSoftware, GpuNodeSoftwareKind, type DevicePluginOptions, type GpuOperatorOptions } from './software';
export {
  GpuSharing, GpuSharingStrategy, MigStrategy, NODE_CONFIG_LABEL,
  type GpuSharingOptions, type GpuNodeConfig, type NamedGpuNodeConfig,
} from './sharing';
export { type GpuMetricsOptions, type GpuAlertOptions } from './metrics';
