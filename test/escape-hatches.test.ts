import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  Accelerator, ArtifactStore, Backend, BackendStore, DistributedTraining, ExternalWorkload, FeatureRepository, FeatureStore, Framework,
  GpuTrainingJob, MlflowPlatform, ModelServer, OnlineStore, QueueLocation, QueueWorker, Registry, Schedule, SecretValue,
  ServingBackend, ServingRuntime, ModelSource, VolumeClaim, WorkerQueue, AccessMode,
} from '../lib';
import { expectValidManifests } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const chartOf = (namespace = 'ml') => new Chart(Testing.app(), 'test', { namespace });
const find = (objects: any[], kind: string, name?: string) => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
};

describe('handles', () => {
  test('ModelServer: deployment, service, autoscaler, disruption budget and ingress are the objects it wrote', () => {
    const chart = chartOf();
    const server = new ModelServer(chart, 'ranker', {
      runtime: ServingRuntime.tfServing({ modelName: 'ranker' }),
      autoscaling: { minReplicas: 2, maxReplicas: 4, cpuUtilization: 70 },
      ingress: { host: 'ml.example.com', className: 'nginx', tlsSecretName: 'tls' },
    });
    expect(server.deployment).toBeInstanceOf(k8s.KubeDeployment);
    expect(server.deployment!.name).toBe('ranker');
    expect(server.deployments).toEqual([server.deployment]);
    expect(server.service).toBeInstanceOf(k8s.KubeService);
    expect(server.autoscaler!.kind).toBe('HorizontalPodAutoscaler');
    expect(server.disruptionBudget).toBeInstanceOf(k8s.KubePodDisruptionBudget);
    expect(server.ingress).toBeInstanceOf(k8s.KubeIngress);
    expect(server.inferenceService).toBeUndefined();
  });

  test('ModelServer: variants have one Deployment each; KServe has an InferenceService and no Deployment', () => {
    const chart = chartOf();
    const ab = new ModelServer(chart, 'ab', {
      runtime: ServingRuntime.tfServing({ modelName: 'm' }),
      variants: [{ name: 'a', weight: 90 }, { name: 'b', weight: 10 }],
    });
    expect(ab.deployment).toBeUndefined();
    expect(ab.deployments.map((d) => d.name)).toEqual(['ab-a', 'ab-b']);
    const kserve = new ModelServer(chart, 'ks', {
      backend: ServingBackend.kserve(),
      runtime: ServingRuntime.tfServing({ modelName: 'm' }),
      model: ModelSource.s3('s3://bucket/m'),
    });
    expect(kserve.deployment).toBeUndefined();
    expect(kserve.service).toBeUndefined();
    expect(kserve.inferenceService!.kind).toBe('InferenceService');
  });

  test('training: the Job or CronJob, the hyperparameters ConfigMap, the Jobs and headless Service of a run', () => {
    const chart = chartOf();
    const once = new GpuTrainingJob(chart, 'once', { image: IMAGE, hyperparameters: { lr: 0.1 } });
    expect(once.job).toBe(once.resource);
    expect(once.cronJob).toBeUndefined();
    expect(once.hyperparametersConfigMap!.name).toBe('once-hparams');
    const nightly = new GpuTrainingJob(chart, 'nightly', { image: IMAGE, schedule: Schedule.daily(2) });
    expect(nightly.job).toBeUndefined();
    expect(nightly.cronJob).toBe(nightly.resource);
    const tf = new DistributedTraining(chart, 'tf', {
      image: 'tensorflow/tensorflow:2.15.0-gpu', framework: Framework.tensorflow({ workers: 2, parameterServers: 1, chief: true }),
    });
    expect(tf.jobs.map((j) => j.name)).toEqual(['tf-worker', 'tf-chief', 'tf-ps']);
    expect(tf.service).toBeInstanceOf(k8s.KubeService);
    const js = new DistributedTraining(chart, 'js', { image: IMAGE, command: ['python', 'x.py'], framework: Framework.pytorch(), backend: Backend.JOBSET });
    expect(js.jobs).toEqual([]);
    expect(js.service).toBeUndefined();
    expect(js.resource.kind).toBe('JobSet');
  });

  test('MlflowPlatform, FeatureStore and QueueWorker', () => {
    const chart = chartOf();
    const mlflow = new MlflowPlatform(chart, 'mlflow', {
      backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
      artifactStore: ArtifactStore.minio({ bucket: 'mlflow', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password') }),
      replicas: 2,
    });
    expect(mlflow.deployment.name).toBe('mlflow');
    expect(mlflow.service.name).toBe('mlflow');
    expect(mlflow.disruptionBudget).toBeDefined();
    expect(mlflow.migrationJob).toBeInstanceOf(k8s.KubeJob);
    expect(mlflow.ingress).toBeUndefined();
    const store = new FeatureStore(chart, 'features', {
      registry: Registry.file(VolumeClaim.fromClaimName('reg', { accessModes: [AccessMode.READ_WRITE_MANY] })),
      onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('redis', 'password') }),
      featureRepository: FeatureRepository.fromImage('registry.example.com/ml/repo:1.0.0', '/app/repo'),
      materialization: { schedule: Schedule.cron('0 * * * *') },
    });
    expect(store.deployment.name).toBe('features');
    expect(store.service.name).toBe('features');
    expect(store.configMap.name).toBe(store.configMapName);
    expect(store.applyJob).toBeInstanceOf(k8s.KubeJob);
    expect(store.materializationCronJob).toBeInstanceOf(k8s.KubeCronJob);
    expect(store.autoscaler).toBeUndefined();
    const worker = new QueueWorker(chart, 'detector', {
      image: 'registry.example.com/vision/detector:1.0.0', accelerator: Accelerator.nvidiaGpu(1),
      queue: WorkerQueue.redisList({ address: 'redis.data.svc:6379', listName: 'frames', location: QueueLocation.inCluster({ app: 'redis' }, 'data') }),
      autoscaling: { maxReplicas: 3 },
    });
    expect(worker.autoscaler!.kind).toBe('ScaledObject');
    expect(worker.disruptionBudget).toBeInstanceOf(k8s.KubePodDisruptionBudget);
  });
});

describe('escape hatches', () => {
  test('addJsonPatch on a handle changes the manifest', () => {
    const chart = chartOf();
    const server = new ModelServer(chart, 'ranker', { runtime: ServingRuntime.tfServing({ modelName: 'ranker' }) });
    server.deployment!.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'serving-high'));
    server.service!.addJsonPatch(JsonPatch.add('/metadata/annotations', { 'example.com/owner': 'search' }));
    const objects = Testing.synth(chart);
    expect(find(objects, 'Deployment').spec.template.spec.priorityClassName).toBe('serving-high');
    expect(find(objects, 'Service').metadata.annotations).toEqual({ 'example.com/owner': 'search' });
  });

  test('ApiObject.of reaches any object by its construct', () => {
    const chart = chartOf();
    const run = new GpuTrainingJob(chart, 'train', { image: IMAGE });
    ApiObject.of(run.node.findChild('NetworkPolicy')).metadata.addAnnotation('example.com/reviewed', 'yes');
    expect(find(Testing.synth(chart), 'NetworkPolicy').metadata.annotations).toEqual({ 'example.com/reviewed': 'yes' });
  });

  test('a raw Deployment beside a construct: connect() gives it the env by JSON patch and opens both sides', () => {
    const chart = chartOf();
    const server = new ModelServer(chart, 'ranker', { runtime: ServingRuntime.tfServing({ modelName: 'ranker' }) });
    const raw = new k8s.KubeDeployment(chart, 'scorer', {
      metadata: { name: 'scorer' },
      spec: {
        selector: { matchLabels: { app: 'scorer' } },
        template: {
          metadata: { labels: { app: 'scorer' } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'scorer', image: 'registry.example.com/scorer:1.0.0', env: [],
              resources: { requests: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') }, limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    });
    const scorer = new ExternalWorkload(chart, 'scorer-wiring', { name: 'scorer', podSelector: { app: 'scorer' }, resource: raw });
    server.connect(scorer);
    scorer.addEnv('TOKEN', SecretValue.fromSecret('scorer', 'token'));
    scorer.addPodLabel('example.com/team', 'search');
    const objects = Testing.synth(chart);
    const deployment = find(objects, 'Deployment', 'scorer');
    expect(deployment.spec.template.spec.containers[0].env).toEqual([
      { name: 'MODEL_SERVER_URL', value: 'http://ranker.ml.svc:8501' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'scorer', key: 'token' } } },
    ]);
    expect(deployment.spec.template.metadata.labels).toEqual({ 'app': 'scorer', 'example.com/team': 'search' });
    const egress = find(objects, 'NetworkPolicy', 'scorer').spec.egress;
    expect(egress).toContainEqual(expect.objectContaining({ to: [{ podSelector: { matchLabels: server.podSelector } }] }));
    const ingress = find(objects, 'NetworkPolicy', 'ranker').spec.ingress;
    expect(ingress).toContainEqual(expect.objectContaining({ from: [{ podSelector: { matchLabels: { app: 'scorer' } } }] }));
    expectValidManifests(objects);
  });

  test('a raw object wired by hand with allowFrom, without a resource', () => {
    const chart = chartOf();
    const server = new ModelServer(chart, 'ranker', { runtime: ServingRuntime.tfServing({ modelName: 'ranker' }) });
    const batch = new ExternalWorkload(chart, 'batch', { name: 'batch', podSelector: { app: 'batch' }, namespace: 'analytics' });
    server.networkPolicy.allowFrom({ podSelector: batch.podSelector, namespace: batch.namespace }, [{ port: server.port }]);
    batch.networkPolicy.allowTo({ podSelector: server.podSelector, namespace: server.namespace }, [{ port: server.port }]);
    const objects = Testing.synth(chart);
    expect(find(objects, 'NetworkPolicy', 'batch').metadata.namespace).toBe('analytics');
    expect(() => server.connect(new ExternalWorkload(chart, 'other', { name: 'other', podSelector: { app: 'other' } }))).toThrow(
      "ExternalWorkload 'other': 'resource' must be given for addEnv('MODEL_SERVER_URL') (wiring such as connect() sets environment variables): the library cannot change pods it does not know, got nothing",
    );
  });

  test('ExternalWorkload: bad input', () => {
    const chart = chartOf();
    expect(() => new ExternalWorkload(chart, 'a', { name: 'A_B', podSelector: { app: 'x' } })).toThrow(/ExternalWorkload 'a': 'name' must be a DNS-1123 label/);
    expect(() => new ExternalWorkload(chart, 'b', { name: 'b', podSelector: {} })).toThrow(
      "ExternalWorkload 'b': 'podSelector' must have at least one label (an empty selector would select every pod of the namespace), got {}",
    );
    expect(() => new ExternalWorkload(chart, 'c', { name: 'c', podSelector: { app: 'c' }, resource: {} as any })).toThrow(/'resource' must be an ApiObject/);
    const cm = new k8s.KubeConfigMap(chart, 'cm', {});
    const d = new ExternalWorkload(chart, 'd', { name: 'd', podSelector: { app: 'd' }, resource: cm });
    expect(() => d.addEnv('X', 'y')).toThrow(/'resource' must be a kind with a pod template .* got 'ConfigMap'/);
    const e = new ExternalWorkload(chart, 'e', { name: 'e', podSelector: { app: 'e' }, resource: cm });
    expect(() => e.addEnv('API_TOKEN', 'secret')).toThrow(/looks like a credential/);
  });
});

test('ExternalWorkload: a container without an env list is reported at synth, by construct', () => {
  const chart = chartOf();
  const raw = new k8s.KubeDeployment(chart, 'raw', {
    spec: { selector: { matchLabels: { app: 'raw' } }, template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
  });
  new ExternalWorkload(chart, 'raw-wiring', { name: 'raw', podSelector: { app: 'raw' }, resource: raw }).addEnv('A', 'b');
  expect(() => Testing.synth(chart)).toThrow(/ExternalWorkload 'raw-wiring': 'resource' must have the lists and maps addEnv write to: a container 0 with an `env` list/);
});

test('FeatureStore.connect: envName names the variable; a bad name is refused', () => {
  const chart = chartOf();
  const store = new FeatureStore(chart, 'features', {
    registry: Registry.file(VolumeClaim.fromClaimName('reg', { accessModes: [AccessMode.READ_WRITE_MANY] })),
    onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('redis', 'password') }),
  });
  const job = new GpuTrainingJob(chart, 'train', { image: IMAGE });
  store.connect(job, { envName: 'FEATURES_URL' });
  const container = find(Testing.synth(chart), 'Job').spec.template.spec.containers[0];
  expect(container.env).toContainEqual({ name: 'FEATURES_URL', value: 'http://features.ml.svc:6566' });
  expect(() => store.connect(new GpuTrainingJob(chart, 'other', { image: IMAGE }), { envName: '1BAD' })).toThrow(
    /FeatureStore 'features': 'connect.envName' must be an environment variable name/,
  );
});
