// The serving area's public API: the ModelServer, its props and the vocabulary they use. The render helpers and the
// AuthorizationPolicy L1 class stay internal.
export { ModelServer } from './model-server';
export { type ModelServerProps, type ModelServerConnectOptions } from './model-server-props';
export { ServiceType, type AccessOptions } from './access';
export { AlertSeverity, type CustomAlert, type AlertThresholds, type MonitoringOptions } from './monitoring';
export { type ServiceAccountRef, HttpMethod, type AllowedCallers, type IstioOptions } from './istio';
export { VARIANT_LABEL, type ModelVariant } from './variants';
export { VariantSplit, type InferencePoolOptions, type ModelServerGatewayOptions } from './gateway';
export { MODEL_DOWNLOAD_IMAGE } from './replicas';
export { ScalingMetric, type ScalingPolicy, type PrometheusScaler, type AutoscalingOptions } from './autoscaling';
export { KServeDeploymentMode, ModelFormat, type KServeOptions, ServingBackend } from './backend';
export { type S3SourceOptions, type GcsSourceOptions, type HttpsSourceOptions, ModelSourceKind, ModelSource, type DownloadSpec } from './model-source';
export {
  type RuntimeProbe, type RuntimeProbes, type RuntimeMetrics, type RuntimeAlertQueries, type RuntimePresetOptions,
  type TfServingOptions, type VllmOptions, type CustomRuntimeOptions, type RuntimeConfigFile, type RuntimeContext,
} from './runtime-options';
export { ServingRuntime } from './runtime';
