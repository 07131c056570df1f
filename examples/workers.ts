// Queue workers: the seed's computer-vision pipeline (video processor ×3, object detector ×5, feature extractor ×4,
// one GPU each), as GPU workers that pull their work from Redis and Kafka and serve no port.
import { App, Chart, Duration } from 'cdk8s';
import {
  AccessMode, Accelerator, KafkaSaslMechanism, QueueLocation, QueueWorker, SecretValue, VolumeClaim, WorkerQueue,
} from '../lib';

export function build(app: App): void {
  visionPipeline(app);
}

/** The data services of the pipeline, in the `data` namespace (run by their own charts or operators). */
const REDIS = {
  address: 'redis.data.svc:6379',
  location: QueueLocation.inCluster({ 'app.kubernetes.io/name': 'redis' }, 'data'),
  password: SecretValue.fromSecret('vision-redis', 'password'),
};
const KAFKA = {
  bootstrapServers: ['kafka-0.kafka.data.svc:9092', 'kafka-1.kafka.data.svc:9092', 'kafka-2.kafka.data.svc:9092'],
  location: QueueLocation.inCluster({ 'app.kubernetes.io/name': 'kafka' }, 'data'),
  username: SecretValue.fromSecret('vision-kafka', 'username'),
  password: SecretValue.fromSecret('vision-kafka', 'password'),
};

/**
 * The seed's "Computer Vision Processing Pipeline": three Deployments of `company/*:latest` images with a GPU each,
 * cpu and memory only as limits, no probes, no disruption budget and no network policy. Here each stage is a
 * QueueWorker: pinned images, requests equal to the seed's limits, a heartbeat probe (a stalled worker is
 * restarted), a grace period to finish the video or frame in hand, and egress only to the queues it uses.
 *
 * The stages hand work on through queues (the seed names none): the video processor pops videos from a Redis list
 * and writes frames to Kafka; the object detector reads the frames (its lag scales it, to zero when idle) and writes
 * detections to a Redis stream; the feature extractor reads the stream in a consumer group. The queue credentials
 * are Secret references, for the workers and for KEDA alike, never inside a URI.
 */
function visionPipeline(app: App): void {
  const chart = new Chart(app, 'workers-vision', { namespace: 'vision' });
  const redisEnv = { REDIS_ADDRESS: REDIS.address };
  const kafkaEnv = { KAFKA_BOOTSTRAP_SERVERS: KAFKA.bootstrapServers.join(',') };
  const kafkaSecrets = { KAFKA_USERNAME: KAFKA.username, KAFKA_PASSWORD: KAFKA.password };

  const videoProcessor = new QueueWorker(chart, 'video-processor', {
    image: 'registry.example.com/vision/video-processor:2.3.0',
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 2,
    memory: '4Gi',
    replicas: 3,
    mounts: [{ claim: VolumeClaim.fromClaimName('video-data-pvc', { accessModes: [AccessMode.READ_ONLY_MANY] }), path: '/data' }],
    queue: WorkerQueue.redisList({ ...REDIS, listName: 'videos' }),
    env: { ...redisEnv, ...kafkaEnv, FRAMES_TOPIC: 'frames' },
    secretEnv: { REDIS_PASSWORD: REDIS.password, ...kafkaSecrets },
    // A video takes minutes: let the processor finish the one in hand.
    terminationGracePeriod: Duration.minutes(10),
  });
  // It also writes frames to Kafka.
  KAFKA.location.allowFrom(videoProcessor.networkPolicy, [{ port: 9092 }]);

  const objectDetector = new QueueWorker(chart, 'object-detector', {
    image: 'registry.example.com/vision/object-detector:1.8.1',
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '8Gi',
    mounts: [{ claim: VolumeClaim.fromClaimName('model-data-pvc', { accessModes: [AccessMode.READ_ONLY_MANY] }), path: '/models' }],
    queue: WorkerQueue.kafka({
      ...KAFKA, topic: 'frames', consumerGroup: 'object-detector',
      sasl: { mechanism: KafkaSaslMechanism.SCRAM_SHA_512, username: KAFKA.username, password: KAFKA.password },
    }),
    // Up to the seed's five replicas on the frames' lag; none while no video is processed (the GPUs are freed).
    autoscaling: { minReplicas: 0, maxReplicas: 5, messagesPerReplica: 100, cooldown: Duration.minutes(10) },
    env: { ...kafkaEnv, ...redisEnv, DETECTIONS_STREAM: 'detections' },
    secretEnv: { ...kafkaSecrets, REDIS_PASSWORD: REDIS.password },
    // Loading the detection model takes a while on a cold node.
    startupTimeout: Duration.minutes(10),
  });
  // It also writes detections to Redis.
  REDIS.location.allowFrom(objectDetector.networkPolicy, [{ port: 6379 }]);

  new QueueWorker(chart, 'feature-extractor', {
    image: 'registry.example.com/vision/feature-extractor:0.9.4',
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '8Gi',
    sharedMemory: '1Gi',
    queue: WorkerQueue.redisStream({ ...REDIS, stream: 'detections', consumerGroup: 'feature-extractor' }),
    autoscaling: { minReplicas: 1, maxReplicas: 4, messagesPerReplica: 50 },
    env: redisEnv,
    secretEnv: { REDIS_PASSWORD: REDIS.password },
    preStop: ['/app/bin/stop-claiming'],
  });
}
