// The whole platform in one app: the seeds' namespace layout (platform services in mlops-platform, Prometheus in
// mlops-monitoring, training and serving in team namespaces instead of one shared mlops-training) with all seven
// constructs wired together. `npm run synth` writes it to dist/platform.k8s.yaml, ordered for `kubectl apply -f`
// and annotated with Argo CD sync waves.
import { App, Chart, Duration } from 'cdk8s';
import {
  Accelerator, AlertSeverity, ArtifactStore, BackendStore, ClaimPurpose, DistributedTraining, FeatureRepository,
  FeatureStore, Framework, GpuTrainingJob, MlflowPlatform, MlRbac, MlStorage, ModelServer, ModelSource, OnlineStore,
  orderForDeployment, Persona, Registry, Schedule, SecretValue, ServingRuntime, StorageProvisioner, Subject,
} from '../lib';

/** Where Prometheus runs: it may scrape the metrics ports, nothing else. */
export const MONITORING_NAMESPACE = 'mlops-monitoring';

export function build(app: App): void {
  // One chart, so one file that `kubectl apply -f` reads top to bottom: every object names its namespace.
  const chart = new Chart(app, 'platform');

  // Tenancy: every namespace is a team's, under Pod Security "restricted", with a quota, a default-deny
  // NetworkPolicy and (for the GPU teams) a Kueue queue in a shared cohort. The platform team runs the shared
  // services; its quota has no GPUs and it queues no batch work, so it has no Kueue queue.
  const a100 = { name: 'a100', nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } };
  const rbac = new MlRbac(chart, 'tenancy');
  const platform = rbac.addTeam({
    name: 'platform',
    namespaces: ['mlops-platform'],
    quota: { gpus: 0, cpu: 32, memory: '128Gi', storage: '2Ti' },
    kueue: false,
    personas: [Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER, Persona.VIEWER],
    members: [{ subject: Subject.group('oidc:ml-platform'), persona: Persona.VIEWER }],
  });
  const vision = rbac.addTeam({
    name: 'vision',
    quota: { gpus: 16, cpu: 192, memory: '1536Gi', storage: '20Ti' },
    queue: { clusterQueue: { cohort: 'research', flavor: a100 } },
    members: [{ subject: Subject.group('oidc:ml-vision'), persona: Persona.TRAINER }],
  });
  const recsys = rbac.addTeam({
    name: 'recsys',
    quota: { gpus: 8, cpu: 96, memory: '768Gi', storage: '10Ti' },
    queue: { clusterQueue: { cohort: 'research', flavor: a100 } },
    members: [
      { subject: Subject.group('oidc:ml-recsys'), persona: Persona.TRAINER },
      { subject: Subject.group('oidc:ml-recsys'), persona: Persona.VIEWER },
    ],
  });

  // Storage: shared StorageClasses, and each team's claims in its own namespace (a pod mounts only claims of its
  // namespace). Datasets, models and checkpoints are on EFS (ReadWriteMany: the multi-node run and the replicated
  // servers mount them from several nodes).
  const classes = new MlStorage(chart, 'storage');
  const shared = classes.addStorageClass('efs-shared', { provisioner: StorageProvisioner.awsEfs({ fileSystemId: 'fs-0123456789abcdef0' }) });
  const visionData = new MlStorage(chart, 'vision-storage', { team: vision });
  const imagenet = visionData.addClaim('imagenet', { purpose: ClaimPurpose.DATASET, size: '2Ti', storageClass: shared });
  const visionCheckpoints = visionData.addClaim('vision-checkpoints', { purpose: ClaimPurpose.CHECKPOINT, size: '1Ti', storageClass: shared });
  const visionModels = visionData.addClaim('vision-models', { purpose: ClaimPurpose.MODEL, size: '500Gi', storageClass: shared });
  const recsysData = new MlStorage(chart, 'recsys-storage', { team: recsys });
  const interactions = recsysData.addClaim('interactions', { purpose: ClaimPurpose.DATASET, size: '1Ti', storageClass: shared });
  const recsysModels = recsysData.addClaim('recsys-models', { purpose: ClaimPurpose.MODEL, size: '200Gi', storageClass: shared });
  const featureRegistry = recsysData.addClaim('feast-registry', { purpose: ClaimPurpose.MODEL, size: '5Gi', storageClass: shared });

  // Platform services: MLflow with PostgreSQL and MinIO in the cluster (the seeds' mlops-platform), scraped by
  // Prometheus in mlops-monitoring. Its schema migration and bucket Jobs run before the tracking server.
  const mlflow = new MlflowPlatform(chart, 'mlflow', {
    team: platform,
    // The platform team's pipeline runner creates Jobs in this namespace: it could mount MLflow's database and MinIO
    // Secrets. Accepted here (the same people run both); otherwise give the runner its own namespace.
    allowSecretsInJobNamespace: true,
    replicas: 2,
    backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('mlflow-postgres', 'password'), storage: '20Gi' }),
    artifactStore: ArtifactStore.minio({
      bucket: 'mlflow-artifacts',
      rootUser: SecretValue.fromSecret('mlflow-minio', 'root-user'),
      rootPassword: SecretValue.fromSecret('mlflow-minio', 'root-password'),
      storage: '200Gi',
    }),
    metrics: { scraperNamespace: MONITORING_NAMESPACE, serviceMonitor: true },
  });

  // Vision: a 2-node x 4-GPU PyTorch run and a nightly fine-tuning job, both logging to MLflow, and the classifier
  // they produce served by Triton from the same models claim.
  const resnet = new DistributedTraining(chart, 'resnet-ddp', {
    team: vision,
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train_resnet.py'],
    framework: Framework.pytorch(),
    nodes: 2,
    accelerator: Accelerator.nvidiaGpu(4),
    cpu: 32,
    memory: '256Gi',
    dataset: { claim: imagenet, path: '/data' },
    checkpoints: { claim: visionCheckpoints, path: '/checkpoints' },
    modelOutput: { claim: visionModels, path: '/models' },
    activeDeadline: Duration.hours(48),
  });
  mlflow.connect(resnet, { experimentName: 'resnet50-imagenet', acrossTeams: true });

  const finetune = new GpuTrainingJob(chart, 'resnet-finetune', {
    team: vision,
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/finetune.py'],
    schedule: Schedule.cron('0 2 * * *'),
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 8,
    memory: '64Gi',
    dataset: { claim: imagenet, path: '/data' },
    modelOutput: { claim: visionModels, path: '/models' },
    hyperparameters: { learning_rate: 0.0001, epochs: 3 },
  });
  mlflow.connect(finetune, { experimentName: 'resnet50-finetune', acrossTeams: true });

  const classifier = new ModelServer(chart, 'classifier', {
    team: vision,
    runtime: ServingRuntime.triton(),
    model: ModelSource.claim(visionModels, 'triton'),
    accelerator: Accelerator.nvidiaGpu(1),
    replicas: 2,
    monitoring: { scraperNamespace: MONITORING_NAMESPACE },
  });
  mlflow.connect(classifier, { acrossTeams: true });

  // Recsys: a Feast feature store on the team's registry claim and Redis, a nightly ranker training run, and the
  // ranker served as an 80/20 A/B test of two model versions, reading online features, with alerts.
  const features = new FeatureStore(chart, 'features', {
    team: recsys,
    // The recsys team's trainers create Jobs here and could mount the Redis password: accepted, as they own it.
    allowSecretsInJobNamespace: true,
    registry: Registry.file(featureRegistry),
    onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password'), storage: '20Gi' }),
    replicas: 2,
    featureRepository: FeatureRepository.fromImage('registry.example.com/recsys/feature-repo:2.1.0', '/app/feature_repo'),
    materialization: { schedule: Schedule.cron('*/30 * * * *') },
  });

  const rankerTraining = new GpuTrainingJob(chart, 'ranker-train', {
    team: recsys,
    image: 'registry.example.com/recsys/ranker-train:1.8.0',
    command: ['python', '-m', 'ranker.train'],
    schedule: Schedule.cron('0 3 * * *'),
    accelerator: Accelerator.nvidiaGpu(2),
    cpu: 16,
    memory: '128Gi',
    dataset: { claim: interactions, path: '/data' },
    modelOutput: { claim: recsysModels, path: '/models' },
  });
  mlflow.connect(rankerTraining, { experimentName: 'ranker', acrossTeams: true });

  const ranker = new ModelServer(chart, 'ranker', {
    team: recsys,
    runtime: ServingRuntime.tfServing({ modelName: 'ranker' }),
    variants: [
      { name: 'v1', weight: 80, model: ModelSource.claim(recsysModels, 'ranker/v1') },
      { name: 'v2', weight: 20, model: ModelSource.claim(recsysModels, 'ranker/v2') },
    ],
    cpu: 4,
    memory: '8Gi',
    autoscaling: { minReplicas: 2, maxReplicas: 10 },
    monitoring: {
      scraperNamespace: MONITORING_NAMESPACE,
      alerts: { latencyAbove: Duration.millis(200), errorRateAbove: 0.02, severity: AlertSeverity.CRITICAL },
    },
  });
  features.connect(ranker);
  mlflow.connect(ranker, { acrossTeams: true });

  // The recommendations API, reached through the ingress controller, calls the ranker (the A/B split applies to
  // its calls) and reads online features itself.
  const api = new ModelServer(chart, 'recommendations-api', {
    team: recsys,
    allowSecretsInJobNamespace: true, // its TLS Secret, as for the feature store
    runtime: ServingRuntime.custom({
      image: 'registry.example.com/recsys/recommendations-api:4.7.1',
      ports: [{ name: 'http', port: 8000 }],
      probes: { readiness: { port: 'http', path: '/health' }, liveness: { port: 'http', path: '/health' } },
    }),
    cpu: 1,
    memory: '2Gi',
    autoscaling: { minReplicas: 3, maxReplicas: 30 },
    ingress: { host: 'recommendations.example.com', tlsSecretName: 'recommendations-tls', className: 'nginx', controllerNamespace: 'ingress-nginx' },
  });
  ranker.connect(api, { envName: 'RANKER_URL' });
  features.connect(api);

  // Last, once everything is added: sync waves and the kubectl order.
  orderForDeployment(chart);
}
