// Feast: the seed's two-replica online feature serving with Redis, and the seed's real-time recommendation system
// (feature processor, GPU recommendation engine, API with autoscaling) reading features from it.
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AccessMode, Accelerator, ContainerSpec, FeatureRepository, FeatureStore, IWorkload, OfflineStore, OnlineStore,
  PodBuilder, PodNetworkPolicy, Registry, Schedule, SecretValue, Validator, VolumeClaim, componentLabels, selectorLabels,
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
 * registry; the recommendation engine and API are wired to the feature server with `connect()`.
 */
function recommendationSystem(app: App): void {
  const chart = new Chart(app, 'feast-recommendations', { namespace: 'recommendations' });
  const store = new FeatureStore(chart, 'features', {
    project: 'recommendations',
    registry: Registry.sql(SecretValue.fromSecret('feast-registry-db', 'url')),
    onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password'), memory: '8Gi', cpu: 2 }),
    offlineStore: OfflineStore.postgres({
      host: 'warehouse.db.example.com', database: 'events', user: 'feast_reader',
      password: SecretValue.fromSecret('feast-warehouse', 'password'),
    }),
    autoscaling: { minReplicas: 2, maxReplicas: 10 },
    featureRepository: FeatureRepository.fromImage('registry.example.com/recsys/feature-repo:2.1.0', '/app/feature_repo'),
    materialization: { schedule: Schedule.cron('*/15 * * * *'), featureViews: ['user_activity', 'item_popularity'], memory: '4Gi' },
  });

  // These three become ModelServer instances once it lands; until then a plain Deployment built with the public
  // building blocks (PodBuilder, PodNetworkPolicy) that implements IWorkload so the store can connect to it.
  const processor = new ExampleDeployment(chart, 'feature-processor', {
    replicas: 3,
    container: { name: 'processor', image: 'registry.example.com/recsys/feature-processor:3.0.2', resources: { cpu: 2, memory: '4Gi' } },
  });
  const engine = new ExampleDeployment(chart, 'recommendation-engine', {
    replicas: 5,
    container: {
      name: 'engine', image: 'registry.example.com/recsys/recommendation-engine:5.2.0',
      resources: { cpu: 4, memory: '8Gi' }, accelerator: Accelerator.nvidiaGpu(1), ports: [{ name: 'grpc', port: 9000 }],
    },
  });
  const api = new ExampleDeployment(chart, 'recommendation-api', {
    autoscaling: { minReplicas: 5, maxReplicas: 50 },
    container: {
      name: 'api', image: 'registry.example.com/recsys/recommendation-api:4.7.1',
      resources: { cpu: 1, memory: '2Gi', cpuLimit: 2, memoryLimit: '4Gi' },
      ports: [{ name: 'http', port: 8000 }],
      readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') }, initialDelaySeconds: 15, periodSeconds: 30 },
    },
  });
  store.connect(processor);
  store.connect(engine);
  api.connectTo(engine, 9000);
}

interface ExampleDeploymentProps {
  readonly container: ContainerSpec;
  readonly replicas?: number;
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number };
}

/** A minimal restricted Deployment implementing IWorkload (stands in for ModelServer in this example). */
class ExampleDeployment extends Construct implements IWorkload {
  public readonly workloadName: string;
  public readonly namespace?: string;
  public readonly podSelector: Record<string, string>;
  public readonly networkPolicy: PodNetworkPolicy;
  private readonly pod: PodBuilder;

  public constructor(scope: Chart, id: string, props: ExampleDeploymentProps) {
    super(scope, id);
    this.workloadName = id;
    this.namespace = scope.namespace;
    const labels = componentLabels({ name: id, instance: id, component: 'server' });
    this.podSelector = selectorLabels({ instance: id, component: 'server' });
    this.pod = new PodBuilder(Validator.forConstruct('ExampleDeployment', id), { labels: { ...labels, ...this.podSelector } });
    this.pod.addContainer(props.container);
    const metadata = { name: id, namespace: this.namespace, labels };
    new k8s.KubeDeployment(this, 'Resource', {
      metadata,
      spec: { replicas: props.autoscaling ? undefined : props.replicas, selector: { matchLabels: this.podSelector }, template: this.pod.template() },
    });
    const ports = props.container.ports ?? [];
    if (ports.length > 0) {
      new k8s.KubeService(this, 'Service', {
        metadata,
        spec: { selector: this.podSelector, ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name) })) },
      });
    }
    if (props.autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: id },
          minReplicas: props.autoscaling.minReplicas,
          maxReplicas: props.autoscaling.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        },
      });
    }
    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name: id, namespace: this.namespace, podSelector: this.podSelector, labels });
  }

  public addEnv(name: string, value: string | SecretValue): void {
    this.pod.addEnv(name, value);
  }

  /** Opens the path to `server` on `port` and tells this workload its address. */
  public connectTo(server: ExampleDeployment, port: number): void {
    this.addEnv('RECOMMENDATION_ENGINE_ADDRESS', `${server.workloadName}:${port}`);
    this.networkPolicy.allowTo(server.networkPolicy.peer, [{ port }]);
    server.networkPolicy.allowFrom(this.networkPolicy.peer, [{ port }]);
  }
}
