// The workers area's public API: the QueueWorker, its props and the vocabulary they use. The KEDA render helpers and
// the TriggerAuthentication L1 class stay internal.
export { QueueWorker } from './queue-worker';
export { type QueueWorkerProps } from './queue-worker-props';
export { WorkerHealthCheck, type HeartbeatFileOptions, DEFAULT_HEARTBEAT_FILE, HEARTBEAT_FILE_ENV } from './health-check';
export {
  WorkerQueue, QueueLocation, KafkaSaslMechanism,
  type QueueCommonOptions, type RedisQueueOptions, type RedisListOptions, type RedisStreamOptions, type KafkaOptions, type SqsOptions, type RabbitMqOptions,
  type QueueTriggerSpec,
} from './queue';
export { type QueueScalingOptions } from './scaling';
