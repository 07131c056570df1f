// The training area's public API, re-exported by lib/index.ts: what was public before the area had its own folder.
// The framework and backend implementations (frameworks/, backends/) and their contracts (contracts.ts, roles.ts)
// are internal.
export { Backend } from './backend';
export { DistributedTraining, type DistributedTrainingProps } from './distributed-training';
export { Framework, FrameworkKind } from './framework';
export type { MpiOptions } from './frameworks/mpi';
export type { ElasticOptions, PyTorchOptions } from './frameworks/pytorch';
export type { TensorFlowOptions } from './frameworks/tensorflow';
export { GpuTrainingJob, type GpuTrainingJobProps } from './gpu-training-job';
export { GPU_CHECK_IMAGE, GpuCheckJob, type GpuCheckJobProps } from './gpu-check-job';
export { RENDEZVOUS_WAIT_IMAGE } from './rendezvous';
export type { TrainingRoles, TrainingRoleSettings } from './role-settings';
export { TRAINING_ROLE_LABEL } from './roles';
export {
  HYPERPARAMETERS_PATH, type Hyperparameters, type TrainingMounts, type TrainingRunProps,
} from './run';
export { CleanPodPolicy } from './contracts';
