// Feast: the seed's two-replica online feature serving with Redis, and the seed's real-time recommendation system
// (feature processor on a Kafka topic, GPU recommendation engine, API with autoscaling) reading features from it.
import { App, Chart } from 'cdk8s';
import {
  AccessMode, Accelerator, FeatureRepository, FeatureStore, ModelServer, OfflineStore, OnlineStore, QueueLocation, QueueWorker,
  Registry, ScalingMetric, Schedule, SecretValue, ServingRuntime, VolumeClaim, WorkerQueue,
} from '../lib';

export function build(app: App): void {
  onlineServing(app);
  recommendationSystem(app);
}

/**
 * The seed's "feast-online-serving": two feature server replicas on Redis. Unlike the seed, the Redis address and
 * password are in a generated feature_store.yaml (the password by `${...}` reference to a Secret), Redis runs with
 * a password and a volume, and only the feature server and the Feast jobs can reach it.
 */
function onlineServing(app: App): void {
  const chart = new Chart(app, 'feast-online-serving', { namespace: 'feast' });
  new FeatureStore(chart, 'feast-online-serving', {
    project: 'online_serving',
    registry: Registry.file(VolumeClaim.fromClaimName('feast-registry', { accessModes: [AccessMode.READ_WRITE_MANY], namespace: 'feast' })),
    onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password'), storage: '20Gi' }),
    replicas: 2,
    featureRepository: FeatureRepository.fromImage('registry.example.com/ml/feature-repo:1.4.0', '/app/feature_repo'),
    materialization: { schedule: Schedule.cron('*/30 * * * *') },
  });
}

/**
 * The seed's recommendation system. The feature store uses a managed Postgres as its offline store and an SQL
 * registry; the processor and the recommendation engine are wired to the feature server with `connect()`, the API to
 * the engine.
 */
function recommendationSystem(app: App): void {
  const chart = new Chart(app, 'feast-recommendations', { namespace: 'recommendations' });
  const store = new FeatureStore(chart, 'features', {
    project: 'recommendations',
    // The managed databases' subnet: the only addresses the Feast pods may reach on the database port.
    registry: Registry.sql(SecretValue.fromSecret('feast-registry-db', 'url'), { cidr: '10.30.0.0/24' }),
    onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password'), memory: '8Gi', cpu: 2 }),
    offlineStore: OfflineStore.postgres({
      host: 'warehouse.db.example.com', database: 'events', user: 'feast_reader',
      password: SecretValue.fromSecret('feast-warehouse', 'password'), cidr: '10.30.0.0/24',
    }),
    autoscaling: { minReplicas: 2, maxReplicas: 10 },
    featureRepository: FeatureRepository.fromImage('registry.example.com/recsys/feature-repo:2.1.0', '/app/feature_repo'),
    materialization: { schedule: Schedule.cron('*/15 * * * *'), featureViews: ['user_activity', 'item_popularity'], memory: '4Gi' },
  });

  // The processor serves no port: a QueueWorker that reads user events from Kafka (its lag scales it between the
  // seed's three replicas and twelve, the topic's partitions), computes features and pushes them through the
  // feature server. The engine and the API are ModelServers (custom images): restricted pods, probes, PDBs,
  // NetworkPolicies.
  const processor = new QueueWorker(chart, 'feature-processor', {
    image: 'registry.example.com/recsys/feature-processor:3.0.2',
    cpu: 2,
    memory: '4Gi',
    queue: WorkerQueue.kafka({
      bootstrapServers: ['events-kafka-bootstrap.streaming.svc:9092'],
      topic: 'user-events',
      consumerGroup: 'feature-processor',
      location: QueueLocation.inCluster({ 'strimzi.io/cluster': 'events' }, 'streaming'),
    }),
    autoscaling: { minReplicas: 3, maxReplicas: 12, messagesPerReplica: 1000 },
    env: { KAFKA_BOOTSTRAP_SERVERS: 'events-kafka-bootstrap.streaming.svc:9092' },
  });
  // The GPU recommendation engine: gRPC on 9000, reading features from the store.
  const engine = new ModelServer(chart, 'recommendation-engine', {
    runtime: ServingRuntime.custom({
      image: 'registry.example.com/recsys/recommendation-engine:5.2.0',
      ports: [{ name: 'grpc', port: 9000 }],
      probes: { readiness: { port: 'grpc' }, liveness: { port: 'grpc' } },
    }),
    replicas: 5,
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '8Gi',
  });
  // The API: HPA 5-50 on CPU and requests per second, calling the engine.
  const api = new ModelServer(chart, 'recommendation-api', {
    runtime: ServingRuntime.custom({
      image: 'registry.example.com/recsys/recommendation-api:4.7.1',
      ports: [{ name: 'http', port: 8000 }],
      probes: { readiness: { port: 'http', path: '/health' }, liveness: { port: 'http', path: '/health' } },
    }),
    cpu: 1,
    cpuLimit: 2,
    memory: '2Gi',
    memoryLimit: '4Gi',
    autoscaling: { minReplicas: 5, maxReplicas: 50, cpuUtilization: 70, metrics: [ScalingMetric.requestsPerSecond(1000, 'http_requests_per_second')] },
  });
  store.connect(processor);
  store.connect(engine);
  engine.connect(api, { envName: 'RECOMMENDATION_ENGINE_URL' });
}
