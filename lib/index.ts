// The public API of cdk8s-mlops: the constructs, their props and the vocabulary users need. Everything not listed
// here is internal and may change in any release; the committed API report (api/cdk8s-mlops.api.md) records this
// surface, and `npm test` fails when the code and the report differ.

// Vocabulary shared by every construct (lib/core is otherwise private).
export {
  Accelerator, AcceleratorVendor, GpuModel, TpuVersion,
  type NvidiaGpuOptions, type TpuOptions, type NodeRequirement, type TolerationSpec,
} from './core/accelerator';
export { MlopsValidationError } from './core/errors';
export { type IngressOptions } from './core/ingress';
export { ConcurrencyPolicy, Schedule, type ScheduleOptions, type JobRunOptions } from './core/job';
export { ExternalWorkload, type ExternalWorkloadProps } from './core/external-workload';
export { PodNetworkPolicy, type PodNetworkPolicyProps, type NetworkPeer, type NetworkPort } from './core/network';
export { ClusterDns, type KubeDnsOptions, type NodeLocalCacheOptions } from './core/dns';
export { DeployPhase, SYNC_WAVE_ANNOTATION, orderForDeployment, setDeployPhase } from './core/ordering';
export { Spot, Queue, Toleration, TaintEffect, type SchedulingOptions } from './core/scheduling';
export { type PodSecurityOptions, type PortSpec } from './core/pod';
export { SecretValue, createSecretCommand, type RequiredSecret } from './core/secrets';
export { type QuantityInput } from './core/validation';
export { AccessMode, VolumeClaim, type ExistingClaimOptions, type VolumeMount } from './core/volumes';
export {
  ConfigEnv, ConfigFiles, type ConfigEnvOptions, type ConfigFilePath, type ConfigFilesOptions, type FileMount,
} from './core/config-files';
export { WorkloadRole, type IWorkload, type IService, type IServiceEndpoint, type ITeam, type ConnectOptions } from './core/workload';

// The areas: each index lists what it offers.
export * from './training';
export * from './feast';
export * from './tenancy';
export * from './storage';
export * from './mlflow';
export * from './serving';
export * from './workers';
export * from './pipeline';
export * from './spark';
export * from './gpu-nodes';
