// The pipeline area's public API: MlPipeline, its steps and the vocabulary they use. The Argo rendering, the runner's
// RBAC and the step pod builders stay internal.
export { ArtifactRepository, type GcsRepositoryOptions, type S3RepositoryOptions } from './artifact-repository';
export { MlPipeline, PodGcStrategy, ARGO_API_VERSION, type MlPipelineProps } from './ml-pipeline';
export { PodStep, type StepIoOptions } from './pod-step';
export { ArtifactRef, Condition, ParameterRef, type IStepHandle } from './refs';
export { Retry, type BackoffOptions } from './retry';
export { PipelineStep, type RunOptions, type StepOptions } from './step';
export { type ContainerStepProps, type ExitHandlerProps, type TrainingStepProps } from './steps';
export { ApprovalStep, ResourceCondition, ResourceStep, type ApprovalStepProps, type ResourceStepProps } from './gate-steps';
export { SparkStep, type SparkStepProps } from './spark-step';
