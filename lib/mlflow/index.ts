// The public part of the MLflow area; the render steps and rules behind it stay inside the folder.
export { ArtifactStore } from './artifact-store';
export type { GcsArtifactOptions, InClusterMinioOptions, S3ArtifactOptions } from './artifact-store';
export type { BasicAuthOptions } from './auth';
export { BackendStore, PostgresSslMode } from './backend-store';
export type { ExternalPostgresOptions, FileBackendOptions, InClusterPostgresOptions } from './backend-store';
export { ArtifactCredentials } from './credentials';
export { Exposure } from './exposure';
export type { LoadBalancerOptions, MlflowGatewayOptions, MlflowIngressOptions } from './exposure';
export type { MlflowMetricsOptions } from './metrics';
export { MlflowPlatform } from './mlflow-platform';
export type { MlflowConnectOptions, MlflowPlatformProps } from './mlflow-platform';
