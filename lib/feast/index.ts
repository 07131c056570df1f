// The public part of the Feast area; the render steps and rules behind it stay inside the folder.
export { FeastProvider } from './config';
export { FeatureRepository } from './feature-repository';
export type { FeatureServerAutoscaling } from './feature-server';
export { FEAST_IMAGE, FeatureStore } from './feature-store';
export type { FeatureStoreConnectOptions, FeatureStoreProps } from './feature-store';
export type { MaterializationOptions } from './materialization';
export { OfflineStore } from './offline-store';
export type { PostgresOfflineStoreOptions, SnowflakeOfflineStoreOptions, BigQueryOfflineStoreOptions } from './offline-store';
export { OnlineStore, REDIS_IMAGE, RedisMode } from './online-store';
// In declaration order: the API reference lists the interfaces that extend RedisStoreOptions in this order.
export type { RedisStoreOptions, InClusterRedisOptions, ExternalRedisOptions } from './online-store';
export { Registry } from './registry';
export type { S3RegistryOptions, GcsRegistryOptions, SqlRegistryOptions } from './registry';
