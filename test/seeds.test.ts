// Seed coverage: every manifest scenario of the seed documents (../shared/seeds) is expressed by an example, with
// its key fields really in the output and the seed's mistake not reproduced. The "Seed coverage" table of
// docs/seed-coverage.md lists the same scenarios.
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { App, Chart, Testing } from 'cdk8s';
import { exampleModules } from '../examples';
import {
  Accelerator, GpuTrainingJob, HttpMethod, ModelServer, ServiceType, ServingRuntime,
} from '../lib';
import { containersOf, podSpecsOf } from './support/validate';

// Each example is an app of its own (several define the same team or server as alternatives).
const apps = exampleModules().map((example) => {
  const app = Testing.app();
  example.build(app);
  return app;
});
const charts = new Map<string, any[]>(apps.flatMap((app) => app.charts).map((chart) => [chart.node.id, Testing.synth(chart)]));
const everything = [...charts.values()].flat();
/** Every container (init, main, KServe model) of every example pod. */
const allContainers = everything.flatMap((o) => podSpecsOf(o).flatMap(containersOf)).map((c) => c.container);

/** The object `kind/name` of `chartId`; fails the test when missing. */
function obj(chartId: string, kind: string, name: string): any {
  const objects = charts.get(chartId);
  if (!objects) throw new Error(`no chart '${chartId}' among the examples`);
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`chart '${chartId}' has no ${kind}/${name}`);
  return found;
}

/** The first pod spec of an object. */
function pod(o: any): any {
  return podSpecsOf(o)[0].spec;
}

/** The main container named `name` (the first one when not given). */
function container(o: any, name?: string): any {
  const containers = pod(o).containers;
  return name === undefined ? containers[0] : containers.find((c: any) => c.name === name);
}

function envOf(c: any): Record<string, any> {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

/** Every string anywhere in `value`. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** The seed scenarios and the example objects that express them (the README table, row by row). */
const SCENARIOS: Array<[scenario: string, chart: string, kind: string, name: string]> = [
  ['RBAC Role and RoleBinding for the training team', 'rbac-model-trainer', 'Role', 'model-trainer'],
  ['ServiceAccount with a token Secret', 'rbac-model-serving', 'ServiceAccount', 'model-serving'],
  ['PersistentVolume (NFS) and claim', 'storage-aws', 'PersistentVolumeClaim', 'training-data-claim'],
  ['StorageClass "high-performance"', 'storage-aws', 'StorageClass', 'high-performance'],
  ['CronJob model-retraining', 'training', 'CronJob', 'model-retraining'],
  ['StatefulSet of distributed training workers', 'seeds-distributed-workers', 'Job', 'distributed-training'],
  ['Node and pod affinity', 'seeds-gpu-scheduling', 'Job', 'gpu-training-affinity'],
  ['Taint and toleration', 'seeds-gpu-scheduling', 'Job', 'gpu-training-dedicated'],
  ['ConfigMap model-params', 'training', 'ConfigMap', 'model-retraining-hparams'],
  ['Secret ml-credentials', 'training', 'CronJob', 'model-retraining'],
  ['Ingress model-serving', 'serving-models', 'Ingress', 'recommendation-api'],
  ['Namespace organization', 'rbac-two-teams', 'Namespace', 'vision'],
  ['MLflow Deployment and LoadBalancer Service', 'mlflow-platform', 'Deployment', 'mlflow'],
  ['Core services postgres and minio', 'mlflow-platform', 'StatefulSet', 'mlflow-postgres'],
  ['GPU pod', 'seeds-gpu-scheduling', 'Job', 'gpu-pod'],
  ['MIG pod', 'training', 'Job', 'mig-finetune'],
  ['Time-slicing / MPS shared GPU', 'seeds-gpu-sharing', 'Deployment', 'small-model'],
  ['NVIDIA device plugin DaemonSet', 'gpu-nodes', 'DaemonSet', 'nvidia-device-plugin'],
  ['Time-slicing device plugin config', 'gpu-nodes', 'ConfigMap', 'nvidia-device-plugin-config'],
  ['NVIDIA MPS ConfigMap', 'gpu-nodes', 'DaemonSet', 'nvidia-mps-control-daemon'],
  ['TPU pod', 'training', 'Job', 'tpu-train'],
  ['Basic training Job tf-mnist', 'training', 'Job', 'tf-mnist'],
  ['TensorFlow distributed training (ConfigMap + StatefulSets)', 'distributed-tensorflow', 'JobSet', 'tf-distributed'],
  ['PyTorch distributed training (bare pods)', 'distributed-pytorch', 'Job', 'pytorch-dist'],
  ['Kubeflow TFJob', 'seeds-tfjob', 'TFJob', 'tensorflow-mnist'],
  ['Kubeflow PyTorchJob', 'distributed-pytorchjob', 'PyTorchJob', 'pytorch-mnist'],
  ['KServe sklearn-iris', 'serving-kserve', 'InferenceService', 'sklearn-iris'],
  ['KServe GPU bert-transformer', 'serving-kserve', 'InferenceService', 'bert-transformer'],
  ['MLflow tracking server', 'mlflow-external', 'Deployment', 'mlflow'],
  ['TensorFlow Serving', 'serving-models', 'Deployment', 'tensorflow-serving'],
  ['Triton Inference Server', 'serving-models', 'Deployment', 'triton-inference'],
  ['HPA with behaviour', 'seeds-model-server', 'HorizontalPodAutoscaler', 'model-server'],
  ['A/B test VirtualService', 'serving-models', 'VirtualService', 'model-service'],
  ['S3-compatible storage claim', 'storage-s3', 'PersistentVolumeClaim', 'ml-dataset'],
  ['Elastic training', 'distributed-elastic', 'Job', 'llm-finetune'],
  ['Elastic training Job (single pod)', 'training', 'Job', 'elastic-training'],
  ['Spot training', 'training', 'Job', 'spot-training'],
  ['ServiceMonitor and PrometheusRule', 'seeds-model-server', 'PrometheusRule', 'model-server'],
  ['Feast online serving', 'feast-online-serving', 'Deployment', 'feast-online-serving'],
  ['mTLS DestinationRule and AuthorizationPolicy', 'serving-models', 'AuthorizationPolicy', 'model-service'],
  ['Real-time recommendation system', 'feast-recommendations', 'HorizontalPodAutoscaler', 'recommendation-api'],
  ['NLP service with its config', 'seeds-nlp-service', 'ConfigMap', 'nlp-service-config'],
  ['AI API Deployment and LoadBalancer Service', 'seeds-ai-api', 'Service', 'ai-service'],
  ['ConfigMap, Secret and claim of an AI pod', 'seeds-config-secret-volume', 'Job', 'training-job'],
  ['Node selector has_GPU', 'seeds-gpu-scheduling', 'Job', 'gpu-node-selector'],
  ['DVC data-versioning Job', 'seeds-data-versioning', 'Job', 'data-versioning'],
  ['Computer vision pipeline: video processor', 'workers-vision', 'Deployment', 'video-processor'],
  ['Computer vision pipeline: object detector', 'workers-vision', 'ScaledObject', 'object-detector'],
  ['Computer vision pipeline: feature extractor', 'workers-vision', 'ScaledObject', 'feature-extractor'],
  ['Real-time recommendation system: feature processor', 'feast-recommendations', 'ScaledObject', 'feature-processor'],
  ['Argo Workflows ML pipeline', 'pipelines-ml', 'WorkflowTemplate', 'ml-pipeline'],
  ['Airflow DAG on its weekly schedule', 'pipelines-weekly', 'CronWorkflow', 'ml-training-pipeline'],
  ['Model validation pipeline with its approval gate', 'pipelines-validation', 'WorkflowTemplate', 'model-validation'],
  ['DVC step in a pipeline', 'pipelines-data-versioning', 'WorkflowTemplate', 'data-versioning'],
  ['Spark operator job spark-data-processing', 'spark-data-processing', 'SparkApplication', 'spark-data-processing'],
  ['Spark data processing as a pipeline step', 'pipelines-spark', 'CronWorkflow', 'data-processing'],
];

describe('every seed scenario has an example object', () => {
  test.each(SCENARIOS)('%s: %s %s/%s', (_scenario, chart, kind, name) => {
    expect(obj(chart, kind, name)).toBeDefined();
  });

  test('the Seed coverage table (docs/seed-coverage.md) names every chart', () => {
    const section = readFileSync(join(__dirname, '..', 'docs', 'seed-coverage.md'), 'utf8');
    const missing = [...new Set(SCENARIOS.map(([, chart]) => chart))].filter((chart) => !section.includes(`\`${chart}\``));
    expect(missing).toEqual([]);
  });
});

describe('the seeds\' mistakes are not reproduced by any example', () => {
  test('no password inside a URI, in any string of any object', () => {
    const withPassword = everything.flatMap(strings).filter((s) => /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(s));
    expect(withPassword).toEqual([]);
  });

  test('no in-tree provisioner (kubernetes.io/aws-ebs and friends were removed)', () => {
    const classes = everything.filter((o) => o.kind === 'StorageClass');
    expect(classes.length).toBeGreaterThan(0);
    expect(classes.filter((c) => c.provisioner.startsWith('kubernetes.io/'))).toEqual([]);
  });

  test('no field path that does not exist (the StatefulSet\'s metadata.ordinal, metadata.name as an index)', () => {
    const paths = allContainers
      .flatMap((c: any) => (c.env ?? []).map((e: any) => ({ name: e.name, path: e.valueFrom?.fieldRef?.fieldPath })))
      .filter((e: any) => e.path !== undefined);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((e: any) => e.path === 'metadata.ordinal')).toEqual([]);
    expect(paths.filter((e: any) => /INDEX|RANK/.test(e.name) && e.path === 'metadata.name')).toEqual([]);
  });

  test('no RBAC rule puts a resource in the wrong API group (jobs are in batch, not the core group)', () => {
    const core = ['pods', 'pods/log', 'pods/exec', 'configmaps', 'secrets', 'services', 'persistentvolumeclaims', 'events', 'resourcequotas', 'limitranges', 'serviceaccounts', 'nodes'];
    const wrong = everything.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .flatMap((r) => r.rules.map((rule: any) => ({ role: r.metadata.name, rule })))
      .filter(({ rule }) => rule.apiGroups.includes('') && rule.resources.some((res: string) => !core.includes(res)));
    expect(wrong).toEqual([]);
  });

  test('no bare Pods, no StatefulSet runs training (pods are owned by Jobs, Deployments or operators)', () => {
    expect(everything.filter((o) => o.kind === 'Pod')).toEqual([]);
    const trainingSets = everything.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels?.['app.kubernetes.io/component'] === 'training');
    expect(trainingSets).toEqual([]);
  });

  test('no Secret carries data in the manifests (only service-account token Secrets, which the API fills)', () => {
    const secrets = everything.filter((o) => o.kind === 'Secret');
    expect(secrets.filter((s) => s.type !== 'kubernetes.io/service-account-token' || s.data !== undefined || s.stringData !== undefined)).toEqual([]);
  });

  test('no unpinned image, no retired TPU resource, no fake time-slicing switch, no hard-wired GPU visibility', () => {
    const containers = allContainers;
    expect(containers.length).toBeGreaterThan(0);
    expect(containers.filter((c: any) => c.image !== undefined && (/:latest$/.test(c.image) || !/[:@]/.test(c.image.split('/').pop())))).toEqual([]);
    const resources = containers.flatMap((c: any) => Object.keys(c.resources?.limits ?? {}));
    expect(resources.filter((r: string) => r.startsWith('cloud-tpus.google.com/'))).toEqual([]);
    const env = containers.flatMap((c: any) => c.env ?? []);
    expect(env.filter((e: any) => ['NVIDIA_MPS_ENABLE_TIMESLICING', 'CUDA_VISIBLE_DEVICES'].includes(e.name))).toEqual([]);
    expect(env.filter((e: any) => e.name === 'NVIDIA_VISIBLE_DEVICES' && e.value === 'all')).toEqual([]);
  });

  test('extended resources are requested in limits too (the CronJob seed had the GPU only in requests)', () => {
    const containers = allContainers;
    const requestOnly = containers.filter((c: any) => Object.keys(c.resources?.requests ?? {})
      .some((r) => r.includes('/') && c.resources?.limits?.[r] !== c.resources.requests[r]));
    expect(requestOnly).toEqual([]);
  });

  test('no Ingress uses the deprecated ingress.class annotation', () => {
    const ingresses = everything.filter((o) => o.kind === 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    expect(ingresses.filter((i) => i.metadata.annotations?.['kubernetes.io/ingress.class'] !== undefined)).toEqual([]);
    expect(ingresses.filter((i) => i.spec.ingressClassName === undefined)).toEqual([]);
  });
});

describe('GPUs, MIG, time-slicing, TPU, spot and elastic runs', () => {
  test('GPU pod: a finite Job with one GPU in requests and limits, cpu and memory, the GPU taint tolerated', () => {
    const job = obj('seeds-gpu-scheduling', 'Job', 'gpu-pod');
    const c = container(job);
    expect(c.command).toEqual(['nvidia-smi']);
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(c.resources.requests).toMatchObject({ 'nvidia.com/gpu': '1', 'cpu': '1', 'memory': '2Gi' });
    expect(pod(job).tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(pod(job).restartPolicy).toBe('Never');
  });

  test('MIG: the nvidia.com/mig-1g.5gb resource', () => {
    const c = container(obj('training', 'Job', 'mig-finetune'));
    expect(c.resources.limits['nvidia.com/mig-1g.5gb']).toBe('1');
    expect(c.resources.limits['nvidia.com/gpu']).toBeUndefined();
  });

  test('time-slicing / MPS: one nvidia.com/gpu.shared per replica', () => {
    const c = container(obj('seeds-gpu-sharing', 'Deployment', 'small-model'));
    expect(c.resources.limits['nvidia.com/gpu.shared']).toBe('1');
    expect(c.resources.requests['nvidia.com/gpu.shared']).toBe('1');
  });

  test('device plugin: v0.20.0 pinned, time-slicing, MPS and MIG as typed configs; no fake switch, no exclusive-process by hand', () => {
    const config = obj('gpu-nodes', 'ConfigMap', 'nvidia-device-plugin-config').data;
    expect(parse(config.default).sharing.timeSlicing).toEqual({ renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] });
    expect(parse(config.mps).sharing.mps.resources).toEqual([{ name: 'nvidia.com/gpu', replicas: 4 }]);
    expect(parse(config['mig-mixed']).flags.migStrategy).toBe('mixed');
    const plugin = obj('gpu-nodes', 'DaemonSet', 'nvidia-device-plugin');
    expect(container(plugin).image).toBe('nvcr.io/nvidia/k8s-device-plugin:v0.20.0');
    expect(pod(plugin).tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(JSON.stringify(charts.get('gpu-nodes'))).not.toMatch(/NVIDIA_MPS_ENABLE_TIMESLICING|NVIDIA_VISIBLE_DEVICES|EXCLUSIVE_PROCESS|nvidia-smi/);
    expect(obj('gpu-nodes', 'Namespace', 'nvidia-gpu').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('TPU: google.com/tpu chips with the GKE TPU generation and topology selectors', () => {
    const job = obj('training', 'Job', 'tpu-train');
    expect(container(job).resources.limits['google.com/tpu']).toBe('8');
    expect(pod(job).nodeSelector).toEqual({
      'cloud.google.com/gke-tpu-accelerator': 'tpu-v5-lite-podslice',
      'cloud.google.com/gke-tpu-topology': '2x4',
    });
    expect(pod(job).tolerations).toContainEqual({ key: 'google.com/tpu', operator: 'Exists', effect: 'NoSchedule' });
  });

  test('spot: the GKE spot label and its real taint (not the seed\'s "preemptible"), checkpoints on a volume, Never', () => {
    const job = obj('training', 'Job', 'spot-training');
    const spec = pod(job);
    expect(spec.nodeSelector['cloud.google.com/gke-spot']).toBe('true');
    expect(spec.tolerations).toContainEqual({ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    expect(spec.tolerations.filter((t: any) => t.key === 'preemptible')).toEqual([]);
    expect(spec.restartPolicy).toBe('Never');
    expect(envOf(container(job)).CHECKPOINT_DIR).toBe('/checkpoints');
    expect(container(job).volumeMounts).toContainEqual({ name: 'spot-checkpoints', mountPath: '/checkpoints' });
    expect(job.spec.podFailurePolicy.rules[0]).toMatchObject({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
  });

  test('elastic: torchrun between 2 and 4 nodes with c10d rendezvous; the seed\'s single Job pinned', () => {
    const c = container(obj('distributed-elastic', 'Job', 'llm-finetune'));
    expect(c.command).toEqual(expect.arrayContaining(['--nnodes=2:4', '--rdzv_backend=c10d', '--max_restarts=3']));
    const single = container(obj('training', 'Job', 'elastic-training'));
    expect(single.image).toBe('company/elastic-training:1.4.2');
    expect(envOf(single).TF_FORCE_GPU_ALLOW_GROWTH).toBe('true');
  });

  test('node affinity: the GPU is requested and its model selected by its GFD label; anti-affinity between intensive runs', () => {
    const job = obj('seeds-gpu-scheduling', 'Job', 'gpu-training-affinity');
    const spec = pod(job);
    expect(container(job).resources.limits['nvidia.com/gpu']).toBe('1');
    expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' });
    expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100,
      podAffinityTerm: { labelSelector: { matchLabels: { 'training-job': 'gpu-intensive' } }, topologyKey: 'kubernetes.io/hostname' },
    }]);
    expect(podSpecsOf(job)[0].metadata.labels['training-job']).toBe('gpu-intensive');
    expect(JSON.stringify(spec.affinity.nodeAffinity ?? {})).not.toContain('"key":"nvidia.com/gpu"');
  });

  test('taint and toleration: dedicated=gpu tolerated and selected', () => {
    const spec = pod(obj('seeds-gpu-scheduling', 'Job', 'gpu-training-dedicated'));
    expect(spec.tolerations).toContainEqual({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' });
    expect(spec.nodeSelector).toEqual({ dedicated: 'gpu' });
  });

  test('node selector: has_GPU as the string "true"', () => {
    expect(pod(obj('seeds-gpu-scheduling', 'Job', 'gpu-node-selector')).nodeSelector).toEqual({ has_GPU: 'true' });
  });

  test('the seed\'s unquoted `has_GPU: true` (a boolean) is refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => new GpuTrainingJob(chart, 'bad', {
      image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
      scheduling: { nodeSelector: { has_GPU: true as unknown as string } },
    })).toThrow(/GpuTrainingJob 'bad': 'scheduling.nodeSelector.has_GPU' must be a label value/);
  });
});

describe('training Jobs, CronJobs and distributed runs', () => {
  test('tf-mnist: Never, backoffLimit 4, data read-only, models writable', () => {
    const job = obj('training', 'Job', 'tf-mnist');
    expect(job.spec.backoffLimit).toBe(4);
    expect(pod(job).restartPolicy).toBe('Never');
    const mounts = container(job).volumeMounts;
    expect(mounts).toContainEqual({ name: 'mnist-data-pvc', mountPath: '/data', readOnly: true });
    expect(mounts).toContainEqual({ name: 'model-storage-pvc', mountPath: '/models' });
  });

  test('CronJob model-retraining: 02:00, no overlapping runs, a starting deadline, a valid restartPolicy, GPU in limits', () => {
    const cron = obj('training', 'CronJob', 'model-retraining');
    expect(cron.spec).toMatchObject({ schedule: '0 2 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600 });
    const spec = cron.spec.jobTemplate.spec.template.spec;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(spec.containers[0].volumeMounts).toEqual(expect.arrayContaining([
      { name: 'training-data-claim', mountPath: '/data', readOnly: true },
      { name: 'model-storage-claim', mountPath: '/models' },
    ]));
  });

  test('ConfigMap model-params: the hyperparameters (architecture as JSON), read as env and files', () => {
    const cm = obj('training', 'ConfigMap', 'model-retraining-hparams');
    expect(cm.data).toMatchObject({ learning_rate: '0.001', batch_size: '32', epochs: '100' });
    expect(JSON.parse(cm.data.model_architecture)).toEqual({ layers: [{ type: 'Dense', units: 128 }, { type: 'Dropout', rate: 0.5 }] });
    const c = obj('training', 'CronJob', 'model-retraining').spec.jobTemplate.spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'model-retraining-hparams' } }]);
  });

  test('Secret ml-credentials: referenced by key, never written into the manifests', () => {
    const c = obj('training', 'CronJob', 'model-retraining').spec.jobTemplate.spec.template.spec.containers[0];
    expect(envOf(c).MODEL_REGISTRY_KEY).toEqual({ secretKeyRef: { name: 'ml-credentials', key: 'model_registry_key' } });
    expect(everything.filter((o) => o.kind === 'Secret' && o.metadata.name === 'ml-credentials')).toEqual([]);
  });

  test('StatefulSet seed: 4 workers as an Indexed Job, the rank from the completion index, rank 0 behind a headless Service', () => {
    const job = obj('seeds-distributed-workers', 'Job', 'distributed-training');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    const env = envOf(container(job));
    expect(env.NODE_RANK).toEqual({ fieldRef: { fieldPath: 'metadata.annotations[\'batch.kubernetes.io/job-completion-index\']' } });
    expect(env.WORLD_SIZE).toBe('4');
    expect(env.MASTER_ADDR).toBe('distributed-training-0.distributed-training.mlops-training.svc');
    expect(obj('seeds-distributed-workers', 'Service', 'distributed-training').spec.clusterIP).toBe('None');
  });

  test('TensorFlow seed: each pod\'s TF_CONFIG computed (no ${POD_TYPE} placeholders, index from the completion index)', () => {
    const jobset = obj('distributed-tensorflow', 'JobSet', 'tf-distributed');
    const jobs = jobset.spec.replicatedJobs;
    expect(jobs.map((j: any) => [j.name, j.template.spec.parallelism])).toEqual([['worker', 2], ['ps', 1]]);
    for (const j of jobs) {
      const env = envOf(j.template.spec.template.spec.containers[0]);
      const tfConfig = JSON.parse(env.TF_CONFIG.replace('$(TASK_INDEX)', '0'));
      expect(tfConfig.task.type).toBe(j.name);
      expect(tfConfig.cluster.worker).toHaveLength(2);
      expect(tfConfig.cluster.ps).toHaveLength(1);
      expect(env.TASK_INDEX).toEqual({ fieldRef: { fieldPath: 'metadata.annotations[\'batch.kubernetes.io/job-completion-index\']' } });
    }
    expect(JSON.stringify(everything)).not.toContain('${POD_TYPE}');
  });

  test('PyTorch seed: world size 3 over port 29500, no hand-written ranks', () => {
    const c = container(obj('distributed-pytorch', 'Job', 'pytorch-dist'));
    expect(c.command).toEqual(expect.arrayContaining(['torchrun', '--nnodes=3', '--node_rank=$(NODE_RANK)']));
    expect(envOf(c).MASTER_PORT).toBe('29500');
    expect(c.args ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^--rank=/)]));
  });

  test('TFJob: 2 GPU workers and 1 parameter server, cpu and memory on every pod', () => {
    const tfjob = obj('seeds-tfjob', 'TFJob', 'tensorflow-mnist');
    const specs = tfjob.spec.tfReplicaSpecs;
    expect(specs.Worker.replicas).toBe(2);
    expect(specs.PS.replicas).toBe(1);
    expect(specs.Worker.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(specs.PS.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(specs.Worker.template.spec.containers[0].resources.requests).toMatchObject({ cpu: '4', memory: '32Gi' });
    // The seed's parameter server: its CPU image, sized on its own.
    expect(specs.PS.template.spec.containers[0].image).toBe('tensorflow/tensorflow:2.12.0');
    expect(specs.PS.template.spec.containers[0].resources.requests).toEqual({ cpu: '2', memory: '8Gi' });
  });

  test('PyTorchJob: one master and two workers with a GPU each', () => {
    const specs = obj('distributed-pytorchjob', 'PyTorchJob', 'pytorch-mnist').spec.pytorchReplicaSpecs;
    expect([specs.Master.replicas, specs.Worker.replicas]).toEqual([1, 2]);
    expect(specs.Worker.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
  });
});

describe('serving, autoscaling, A/B, monitoring, Ingress and mTLS', () => {
  test('TF Serving on a GPU runs the GPU build of the image (the seed ran the CPU image with a GPU)', () => {
    const c = container(obj('serving-models', 'Deployment', 'tensorflow-serving'));
    expect(c.image).toBe('tensorflow/serving:2.18.0-gpu');
    expect(c.args).toEqual(expect.arrayContaining(['--model_name=resnet', '--model_base_path=/models/resnet']));
    expect(obj('serving-models', 'Deployment', 'tensorflow-serving').spec.replicas).toBe(3);
  });

  test('Triton: HTTP, gRPC and metrics ports with health probes', () => {
    const c = container(obj('serving-models', 'Deployment', 'triton-inference'));
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['http', 8000], ['grpc', 8001], ['metrics', 8002]]);
    expect(c.readinessProbe.httpGet.path).toBe('/v2/health/ready');
  });

  test('KServe: sklearn and GPU TensorFlow as modelFormat (not the deprecated framework fields)', () => {
    const iris = obj('serving-kserve', 'InferenceService', 'sklearn-iris').spec.predictor;
    expect(iris.model.modelFormat.name).toBe('sklearn');
    expect(iris.model.storageUri).toBe('gs://kserve-examples/models/sklearn/iris');
    expect(iris.sklearn).toBeUndefined();
    const bert = obj('serving-kserve', 'InferenceService', 'bert-transformer').spec.predictor;
    expect(bert.model.modelFormat.name).toBe('tensorflow');
    expect(bert.model.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(bert.tensorflow).toBeUndefined();
  });

  test('HPA: CPU 70% and 100 inference requests per second per pod, 2 to 10 replicas, the seed\'s behaviour', () => {
    const hpa = obj('seeds-model-server', 'HorizontalPodAutoscaler', 'model-server');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-server' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Pods', pods: { metric: { name: 'inference_requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } } },
    ]);
    expect(hpa.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
    });
    // The autoscaler owns the replica count.
    expect(obj('seeds-model-server', 'Deployment', 'model-server').spec.replicas).toBeUndefined();
  });

  test('monitoring: a ServiceMonitor next to the Service it selects, every 15s; alerts on real Triton metrics', () => {
    const monitor = obj('seeds-model-server', 'ServiceMonitor', 'model-server');
    const service = obj('seeds-model-server', 'Service', 'model-server');
    expect(monitor.metadata.namespace).toBe(service.metadata.namespace);
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
    const rules = obj('seeds-model-server', 'PrometheusRule', 'model-server').spec.groups[0].rules;
    const latency = rules.find((r: any) => r.alert === 'ModelServerLatencyHigh');
    expect(latency.expr).toContain('nv_inference_request_duration_us');
    expect(latency.expr).toMatch(/> 0\.5$/);
    expect(latency.for).toBe('600s');
    expect(latency.labels.severity).toBe('warning');
  });

  test('A/B: 80% to v1 and 20% to v2 of one in-cluster host, by DestinationRule subsets', () => {
    const vs = obj('serving-models', 'VirtualService', 'model-service');
    const host = 'model-service.ml-serving.svc.cluster.local';
    expect(vs.spec.hosts).toEqual([host]);
    expect(vs.spec.http[0].route).toEqual([
      { destination: { host, subset: 'v1' }, weight: 80 },
      { destination: { host, subset: 'v2' }, weight: 20 },
    ]);
    const dr = obj('serving-models', 'DestinationRule', 'model-service');
    expect(dr.spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
  });

  test('mTLS: ISTIO_MUTUAL to the server; only the frontend\'s identity may POST to the model paths', () => {
    const dr = obj('serving-models', 'DestinationRule', 'model-service');
    expect(dr.spec.host).toBe('model-service.ml-serving.svc.cluster.local');
    expect(dr.spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
    const policy = obj('serving-models', 'AuthorizationPolicy', 'model-service');
    expect(policy.spec.action).toBe('ALLOW');
    expect(policy.spec.rules[0].from).toEqual([{ source: { principals: ['cluster.local/ns/ml-apps/sa/frontend-client'] } }]);
    expect(policy.spec.rules[0].to[0].operation).toMatchObject({ methods: ['POST'], paths: ['/v1/models/*'] });
  });

  test('the seed\'s mid-path wildcard /v1/models/*/infer (which Istio never matches) is refused', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ml' });
    expect(() => new ModelServer(chart, 'model-server', {
      runtime: ServingRuntime.tfServing({ modelName: 'm' }),
      istio: { mtls: true, allowedCallers: { serviceAccounts: [{ name: 'frontend-client', namespace: 'default' }], methods: [HttpMethod.POST], paths: ['/v1/models/*/infer'] } },
    })).toThrow(/ModelServer 'model-server': 'istio.allowedCallers.paths\[0\]' must have '\*' only as its first or last character .*such as '\/v1\/models\/\{\*\}\/infer'.*got '\/v1\/models\/\*\/infer'/);
  });

  test('the seed\'s intent, one model segment then /infer, is the Istio 1.22+ path template /v1/models/{*}/infer', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ml' });
    new ModelServer(chart, 'model-server', {
      runtime: ServingRuntime.tfServing({ modelName: 'm' }),
      istio: { mtls: true, allowedCallers: { serviceAccounts: [{ name: 'frontend-client', namespace: 'default' }], methods: [HttpMethod.POST], paths: ['/v1/models/{*}/infer'] } },
    });
    const policy = Testing.synth(chart).find((o: any) => o.kind === 'AuthorizationPolicy');
    expect(policy.spec.rules[0].to[0].operation.paths).toEqual(['/v1/models/{*}/infer']);
  });

  test('Ingress: class by ingressClassName, the /v1/predict prefix kept (no rewrite to /), TLS', () => {
    const ingress = obj('serving-models', 'Ingress', 'recommendation-api');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target']).toBeUndefined();
    expect(ingress.spec.rules).toEqual([{
      host: 'ml-api.example.com',
      http: { paths: [{ path: '/v1/predict', pathType: 'Prefix', backend: { service: { name: 'recommendation-api', port: { name: 'http' } } } }] },
    }]);
    expect(ingress.spec.tls).toEqual([{ hosts: ['ml-api.example.com'], secretName: 'ml-api-tls' }]);
  });

  test('the seed\'s kubernetes.io/ingress.class annotation is refused', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ml' });
    expect(() => new ModelServer(chart, 'model-serving', {
      runtime: ServingRuntime.triton(),
      ingress: { host: 'ml-api.example.com', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
    })).toThrow(/ModelServer 'model-serving': 'ingress.annotations' must not set the deprecated 'kubernetes.io\/ingress.class' annotation: use className/);
  });

  test('recommendation API: HPA 5 to 50 on CPU and requests per second, probes on /health', () => {
    const hpa = obj('serving-models', 'HorizontalPodAutoscaler', 'recommendation-api');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([5, 50]);
    expect(hpa.spec.metrics[1].pods).toEqual({ metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '1000' } });
    const c = container(obj('serving-models', 'Deployment', 'recommendation-api'));
    expect(c.readinessProbe.httpGet.path).toBe('/health');
    expect(c.resources).toMatchObject({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } });
  });

  test('AI API: three pinned replicas behind a LoadBalancer Service, with probes', () => {
    const service = obj('seeds-ai-api', 'Service', 'ai-service');
    expect(service.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerSourceRanges: ['10.0.0.0/8'] });
    const policy = obj('seeds-ai-api', 'NetworkPolicy', 'ai-api');
    expect(policy.spec.ingress).toContainEqual({ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 8000, protocol: 'TCP' }] });
    expect(service.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 80, targetPort: 'http' })]); // the seed's 80 -> 8000
    const deployment = obj('seeds-ai-api', 'Deployment', 'ai-api');
    expect(deployment.spec.replicas).toBe(3);
    expect(container(deployment).image).toBe('registry.example.com/ai-app:1.0.0');
    expect(container(deployment).readinessProbe.tcpSocket.port).toBe('http');
  });

  test('a LoadBalancer without client ranges (the seeds\' internet-wide load balancers) is refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => new ModelServer(chart, 'ai-api', { runtime: ServingRuntime.triton(), serviceType: ServiceType.LOAD_BALANCER }))
      .toThrow(/ModelServer 'ai-api': 'serviceType' needs access.cidrs, the client address ranges allowed from outside the cluster .*got 'LoadBalancer'/);
  });

  test('a client range that is not an IPv4 CIDR is refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => new ModelServer(chart, 'ai-api', { runtime: ServingRuntime.triton(), serviceType: ServiceType.LOAD_BALANCER, access: { cidrs: ['10.0.0.0/33'] } }))
      .toThrow(/ModelServer 'ai-api': 'access.cidrs\[0\]' must be an IPv4 CIDR such as '10.0.0.0\/8', got '10.0.0.0\/33'/);
  });

  test('the seed\'s Service name Kubernetes_Service_2 is refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => new ModelServer(chart, 'Kubernetes_Service_2', { runtime: ServingRuntime.triton() }))
      .toThrow(/ModelServer 'Kubernetes_Service_2': 'name' must be a DNS-1035 label/);
  });

  test('DVC data job: CPU only, non-root with a writable HOME, credentials from Secrets, two retries', () => {
    const job = obj('seeds-data-versioning', 'Job', 'data-versioning');
    const c = container(job);
    expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(pod(job).tolerations).toBeUndefined();
    expect(pod(job).nodeSelector).toBeUndefined();
    expect(pod(job).securityContext.runAsNonRoot).toBe(true);
    const env = envOf(c);
    expect(env.HOME).toBe('/tmp');
    expect(env.NVIDIA_VISIBLE_DEVICES).toBeUndefined();
    expect(env.GIT_CONFIG_GLOBAL).toBe('/etc/git/config');
    // The seed's ConfigMap and Secrets as read-only files where the tools read them, not over /root; Secrets by reference.
    expect(c.volumeMounts.filter((m: any) => m.mountPath.startsWith('/etc/'))).toEqual([
      { name: 'dvc-files-0', mountPath: '/etc/git', readOnly: true },
      { name: 'dvc-files-1', mountPath: '/etc/git-credentials', readOnly: true },
      { name: 'dvc-files-2', mountPath: '/etc/xdg/dvc', readOnly: true },
    ]);
    expect(pod(job).volumes).toContainEqual({
      name: 'dvc-files-1', secret: { secretName: 'git-credentials', items: [{ key: 'credentials', path: 'credentials', mode: 0o400 }], defaultMode: 0o440 },
    });
    expect(pod(job).volumes).toContainEqual({ name: 'dvc-files-0', configMap: { name: 'git-config', items: [{ key: 'gitconfig', path: 'config' }] } });
    expect(c.volumeMounts.map((m: any) => m.mountPath).filter((p: string) => p.startsWith('/root'))).toEqual([]);
    expect(job.spec.backoffLimit).toBe(2);
    expect(c.command.join(' ')).toContain('dvc push');
    // A data step, named as one, with no memory-backed /dev/shm (no DataLoader workers, no NCCL).
    expect(c.name).toBe('dvc');
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe('data');
    expect(pod(job).volumes.map((v: any) => v.name)).not.toContain('dshm');
  });

  test('model monitoring: the seed\'s ModelAccuracyDrop alert, scoped to the service that exports the metric', () => {
    const rule = obj('seeds-nlp-service', 'PrometheusRule', 'nlp-service').spec.groups[0].rules[0];
    expect(rule).toMatchObject({
      alert: 'ModelAccuracyDrop',
      expr: 'increase(model_accuracy_drop_count{job="nlp-service",namespace="nlp"}[1h]) > 10',
      for: '900s',
      labels: { severity: 'warning' },
      annotations: { summary: 'Model accuracy has dropped' },
    });
  });

  test('NLP service: the model config from its ConfigMap at the seed\'s path, models from the claim, one GPU', () => {
    const cm = obj('seeds-nlp-service', 'ConfigMap', 'nlp-service-config');
    const [key] = Object.keys(cm.data);
    expect(JSON.parse(cm.data[key])).toEqual({ transformer_model: 'bert-base-uncased', max_sequence_length: 128, batch_size: 32, use_gpu: true });
    const deployment = obj('seeds-nlp-service', 'Deployment', 'nlp-service');
    const c = container(deployment);
    // The directory, as the seed mounted it: the file follows ConfigMap updates (no subPath), and a changed config rolls the pods.
    expect(c.volumeMounts).toContainEqual({ name: 'runtime-config', mountPath: '/app/config', readOnly: true });
    expect(deployment.spec.template.metadata.annotations['cdk8s-mlops.io/config-checksum']).toMatch(/^[0-9a-f]{16}$/);
    expect(c.volumeMounts).toContainEqual({ name: 'nlp-models-pvc', mountPath: '/app/models', readOnly: true });
    expect(envOf(c).MODEL_CONFIG_PATH).toBe('/app/config/model-config.json');
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod(deployment).volumes).toContainEqual({ name: 'runtime-config', configMap: { name: 'nlp-service-config', items: [{ key, path: 'model-config.json' }] } });
    // The seed's Service: port 80 to the container's 8000.
    expect(obj('seeds-nlp-service', 'Service', 'nlp-service').spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 80, targetPort: 'http' })]);
  });

  test('ServingRuntime.custom refuses a config file whose name cannot be a ConfigMap key', () => {
    expect(() => ServingRuntime.custom({
      image: 'company/nlp-service:3.2.0',
      ports: [{ name: 'http', port: 8000 }],
      probes: { readiness: { port: 'http' }, liveness: { port: 'http' } },
      configFiles: [{ path: '/app/config/model config@1.json', content: '{}' }],
    })).toThrow(/ServingRuntime.custom: 'configFiles\[0\].path' must be an absolute path without '..', ':' or spaces/);
    expect(() => ServingRuntime.custom({
      image: 'company/nlp-service:3.2.0',
      ports: [{ name: 'http', port: 8000 }],
      probes: { readiness: { port: 'http' }, liveness: { port: 'http' } },
      configFiles: [{ path: '/app/config/model@1.json', content: '{}' }],
    })).toThrow(/ServingRuntime.custom: 'configFiles\[0\].path' must end in a file name of letters, digits/);
  });

  test('time-slicing: several shares of one GPU per container are refused', () => {
    expect(() => Accelerator.sharedGpu(2)).toThrow(/Accelerator.sharedGpu: 'count' must be 1/);
  });
});

describe('MLflow, Feast, RBAC, storage, namespaces, ConfigMap and Secret', () => {
  test('MLflow: pinned image, database password from a Secret (not in the URI), ClusterIP behind a TLS Ingress', () => {
    const deployment = obj('mlflow-platform', 'Deployment', 'mlflow');
    const c = container(deployment);
    expect(c.image).not.toMatch(/:latest$/);
    expect(strings(c).filter((s) => /:\/\/[^/\s:@]+:[^/\s@]+@/.test(s))).toEqual([]);
    expect(Object.values(envOf(c))).toContainEqual({ secretKeyRef: { name: 'mlflow-postgres', key: 'password' } });
    expect(obj('mlflow-platform', 'Service', 'mlflow').spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(obj('mlflow-platform', 'Ingress', 'mlflow').spec.tls).toEqual([{ hosts: ['mlflow.example.com'], secretName: 'mlflow-tls' }]);
    expect(obj('mlflow-platform', 'StatefulSet', 'mlflow-minio')).toBeDefined();
    expect(deployment.spec.replicas).toBe(2);
  });

  test('Feast: two feature servers; Redis behind a password from a Secret, referenced in feature_store.yaml', () => {
    expect(obj('feast-online-serving', 'Deployment', 'feast-online-serving').spec.replicas).toBe(2);
    const yaml = obj('feast-online-serving', 'ConfigMap', 'feast-online-serving-config').data['feature_store.yaml'];
    expect(yaml).toContain('connection_string: feast-online-serving-redis.feast.svc:6379,password=${FEAST_REDIS_PASSWORD}');
    const redis = container(obj('feast-online-serving', 'StatefulSet', 'feast-online-serving-redis'));
    expect(strings(redis.command ?? []).join(' ') + strings(redis.args ?? []).join(' ')).toContain('requirepass');
    expect(Object.values(envOf(redis))).toContainEqual({ secretKeyRef: { name: 'feast-redis', key: 'password' } });
  });

  test('RBAC: training jobs in batch (create, not delete), a namespaced binding of the training-account', () => {
    const role = obj('rbac-model-trainer', 'Role', 'model-trainer');
    expect(role.metadata.namespace).toBe('ml-training');
    const jobs = role.rules.find((r: any) => r.resources.includes('jobs'));
    expect(jobs.apiGroups).toEqual(['batch']);
    expect(jobs.verbs).toContain('create');
    expect(jobs.verbs).not.toContain('delete');
    const claims = role.rules.find((r: any) => r.resources.includes('persistentvolumeclaims'));
    // The seed's trainer manages its claims: it creates and reads them; with allowDelete: false it deletes none.
    expect(claims.verbs).toEqual(['create', 'get', 'list', 'watch']);
    expect(role.rules.filter((r: any) => r.verbs.includes('delete') || r.verbs.includes('patch'))).toEqual([]);
    const binding = obj('rbac-model-trainer', 'RoleBinding', 'model-trainer');
    expect(binding.subjects).toContainEqual({ kind: 'ServiceAccount', name: 'training-account', namespace: 'ml-training' });
  });

  test('ServiceAccount model-serving: its token Secret, mountable secrets enforced, no token in its pods', () => {
    const sa = obj('rbac-model-serving', 'ServiceAccount', 'model-serving');
    expect(sa.metadata.annotations).toEqual({ 'kubernetes.io/enforce-mountable-secrets': 'true' });
    expect(sa.automountServiceAccountToken).toBe(false);
    const token = obj('rbac-model-serving', 'Secret', 'model-serving-token');
    expect(token.type).toBe('kubernetes.io/service-account-token');
    expect(token.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'model-serving' });
  });

  test('storage: the EBS CSI driver (io2, 50 IOPS per GiB) instead of kubernetes.io/aws-ebs; the RWX claim bound to NFS', () => {
    const sc = obj('storage-aws', 'StorageClass', 'high-performance');
    expect(sc.provisioner).toBe('ebs.csi.aws.com');
    expect(sc.parameters).toMatchObject({ type: 'io2', iopsPerGB: '50' });
    const pv = obj('storage-aws', 'PersistentVolume', 'training-data-pv');
    expect(pv.spec.nfs).toEqual({ server: 'nfs-server.example.com', path: '/training-data' });
    const claim = obj('storage-aws', 'PersistentVolumeClaim', 'training-data-claim');
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(claim.spec.volumeName).toBe('training-data-pv');
    expect(claim.spec.resources.requests.storage).toBe('500Gi');
  });

  test('S3 dataset: a bucket mounted by the Mountpoint for S3 CSI driver, not an EBS gp2 class', () => {
    const pv = obj('storage-s3', 'PersistentVolume', 'ml-dataset-s3');
    expect(pv.spec.csi.driver).toBe('s3.csi.aws.com');
    const claim = obj('storage-s3', 'PersistentVolumeClaim', 'ml-dataset');
    expect(claim.spec.volumeName).toBe('ml-dataset-s3');
    expect(claim.spec.resources.requests.storage).toBe('100Gi');
  });

  test('namespaces: each under Pod Security "restricted" (the seed\'s Namespace had no policy)', () => {
    const namespaces = everything.filter((o) => o.kind === 'Namespace');
    expect(namespaces.length).toBeGreaterThan(0);
    // The one exception is the GPU node setup's own namespace (its daemons need host access): privileged, explicitly.
    for (const ns of namespaces.filter((n) => n.metadata.name !== 'nvidia-gpu')) expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(obj('gpu-nodes', 'Namespace', 'nvidia-gpu').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('ConfigMap, Secret and claim of an AI pod: envFrom the settings, the key by reference, the claim mounted', () => {
    const cm = obj('seeds-config-secret-volume', 'ConfigMap', 'ai-config');
    expect(cm.data).toEqual({ BATCH_SIZE: '64', MODEL_PATH: '/models/resnet.pt', LOG_LEVEL: 'INFO', FEATURE_GATE_ADVANCED_METRIC: 'true' });
    const job = obj('seeds-config-secret-volume', 'Job', 'training-job');
    const c = container(job);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'ai-config' } }]);
    expect(envOf(c).HF_API_KEY).toEqual({ secretKeyRef: { name: 'ai-secret', key: 'HF_API_KEY' } });
    expect(c.volumeMounts).toContainEqual({ name: 'pvc-model', mountPath: '/models' });
    const claim = obj('seeds-config-secret-volume', 'PersistentVolumeClaim', 'pvc-model');
    expect(claim.spec).toMatchObject({ storageClassName: 'ssd-storage', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } } });
  });

  test('a literal credential in env (the seeds\' Secret values written inline) is refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => new GpuTrainingJob(chart, 'training-job', {
      image: 'ai-company/training:v2.1',
      env: { HF_API_KEY: 'hf_abc123' },
    })).toThrow(/GpuTrainingJob 'training-job': 'env.HF_API_KEY' looks like a credential and must come from a Secret/);
  });

  test('a password inside a URI argument (the seeds\' MLflow --backend-store-uri) is refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => new GpuTrainingJob(chart, 'mlflow', {
      image: 'ghcr.io/mlflow/mlflow:v2.4.1',
      args: ['--backend-store-uri=postgresql://mlflow:password@postgres:5432/mlflow'],
    })).toThrow(/GpuTrainingJob 'mlflow': 'args' must not carry a password inside a URI; pass the password from a Secret, got '--backend-store-uri=postgresql:\/\/mlflow:\*\*\*@postgres:5432\/mlflow'/);
  });

  test('an unpinned image (the seeds\' ghcr.io/mlflow/mlflow:latest, pytorch/pytorch:latest) is refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => new GpuTrainingJob(chart, 'ai-pod', { image: 'pytorch/pytorch:latest' }))
      .toThrow(/GpuTrainingJob 'ai-pod': 'image' must pin a tag other than 'latest' or a digest, got 'pytorch\/pytorch:latest'/);
  });
});

describe('the Spark operator job', () => {
  test('the seed\'s ALS job: 1 driver and 2 executors, 3 retries, the driver\'s ServiceAccount and Role created with it', () => {
    const application = obj('spark-data-processing', 'SparkApplication', 'spark-data-processing');
    expect(application.metadata.namespace).toBe('spark-jobs');
    expect(application.spec).toMatchObject({
      type: 'Python',
      mode: 'cluster',
      mainApplicationFile: 'local:///opt/spark/examples/src/main/python/ml/als_example.py',
      restartPolicy: { type: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 10 },
      driver: { cores: 1, coreLimit: '1200m', memory: '512m', serviceAccount: 'spark-data-processing-spark' },
      executor: { cores: 1, instances: 2, memory: '512m' },
    });
    // The seed referenced a ServiceAccount `spark` that nothing created, without any Role.
    const account = application.spec.driver.serviceAccount;
    expect(obj('spark-data-processing', 'ServiceAccount', account)).toBeDefined();
    expect(obj('spark-data-processing', 'Role', account).rules[0].resources).toEqual(['pods', 'configmaps', 'services']);
    expect(obj('spark-data-processing', 'RoleBinding', account).subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace: 'spark-jobs' }]);
  });

  test('no Always pulls, limits on every Spark pod, no apache/spark-py image', () => {
    const application = obj('spark-data-processing', 'SparkApplication', 'spark-data-processing');
    expect(application.spec.imagePullPolicy).toBe('IfNotPresent');
    expect(application.spec.image).not.toMatch(/spark-py/);
    for (const role of ['driver', 'executor']) {
      const c = application.spec[role].template.spec.containers[0];
      expect(c.resources.limits.cpu).toBeDefined();
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    }
    expect(obj('spark-data-processing', 'NetworkPolicy', 'spark-data-processing-driver').spec.ingress[0].ports.map((p: any) => p.port)).toEqual([7078, 7079]);
  });
});

describe('the Spark job as a step of a pipeline', () => {
  test('the run creates the seed\'s ALS job after the extraction and waits for it; the runner may only create and read it', () => {
    const wt = obj('pipelines-spark', 'WorkflowTemplate', 'data-processing');
    const tasks = wt.spec.templates.find((t: any) => t.name === 'main').dag.tasks;
    expect(tasks.map((t: any) => [t.name, t.depends])).toEqual([['extract', undefined], ['transform', 'extract'], ['load', 'transform']]);
    const step = wt.spec.templates.find((t: any) => t.name === 'transform');
    expect(step.resource).toMatchObject({ action: 'create', successCondition: 'status.applicationState.state == COMPLETED' });
    const application = JSON.parse(step.resource.manifest);
    expect(application.spec).toMatchObject({
      mainApplicationFile: 'local:///opt/spark/examples/src/main/python/ml/als_example.py',
      restartPolicy: { type: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 10 },
      driver: { serviceAccount: 'data-processing-transform-spark' },
      executor: { instances: 2 },
    });
    expect(obj('pipelines-spark', 'ServiceAccount', 'data-processing-transform-spark')).toBeDefined();
    expect(obj('pipelines-spark', 'Role', 'data-processing-runner').rules).toContainEqual({ apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['create', 'get'] });
    expect(obj('pipelines-spark', 'CronWorkflow', 'data-processing').spec.schedules).toEqual(['@weekly']);
  });
});

describe('queue workers: the computer vision pipeline and the feature processor', () => {
  const stages: Array<[name: string, replicas: number]> = [['video-processor', 3], ['object-detector', 5], ['feature-extractor', 4]];

  test.each(stages)('%s: one GPU, no port, a heartbeat probe, at most the seed\'s %d replicas', (name, replicas) => {
    const deployment = obj('workers-vision', 'Deployment', name);
    const c = container(deployment);
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(c.resources.requests['nvidia.com/gpu']).toBe('1');
    expect(c.ports).toBeUndefined();
    expect(c.image).not.toMatch(/:latest$/);
    expect(c.livenessProbe.exec.command.join(' ')).toContain('stat -c %Y /var/run/worker/heartbeat');
    const scaled = charts.get('workers-vision')!.find((o) => o.kind === 'ScaledObject' && o.metadata.name === name);
    expect(scaled?.spec.maxReplicaCount ?? deployment.spec.replicas).toBe(replicas);
    expect(obj('workers-vision', 'PodDisruptionBudget', name).spec.maxUnavailable).toBe(1);
  });

  test('each stage pulls from its queue as KEDA sees it, with credentials only as Secret references', () => {
    expect(obj('workers-vision', 'ScaledObject', 'object-detector').spec).toMatchObject({
      minReplicaCount: 0, triggers: [{ type: 'kafka', metadata: { topic: 'frames', consumerGroup: 'object-detector', sasl: 'scram_sha512' } }],
    });
    expect(obj('workers-vision', 'ScaledObject', 'feature-extractor').spec.triggers[0]).toMatchObject({ type: 'redis-streams', metadata: { stream: 'detections' } });
    expect(obj('workers-vision', 'TriggerAuthentication', 'object-detector-queue').spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'vision-kafka', key: 'username' },
      { parameter: 'password', name: 'vision-kafka', key: 'password' },
    ]);
    expect(envOf(container(obj('workers-vision', 'Deployment', 'video-processor'))).REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'vision-redis', key: 'password' } });
  });

  test('each stage reaches only DNS and the queues it uses', () => {
    const egressPorts = (name: string) => obj('workers-vision', 'NetworkPolicy', name).spec.egress.slice(1).map((r: any) => r.ports[0].port);
    expect(egressPorts('video-processor')).toEqual([6379, 9092]);
    expect(egressPorts('object-detector')).toEqual([9092, 6379]);
    expect(egressPorts('feature-extractor')).toEqual([6379]);
  });

  test('the recommendation system\'s feature processor: a worker on the user-events topic, wired to the feature server', () => {
    const processor = obj('feast-recommendations', 'Deployment', 'feature-processor');
    expect(container(processor).ports).toBeUndefined();
    expect(envOf(container(processor)).FEAST_FEATURE_SERVER_URL).toBe('http://features.recommendations.svc:6566');
    expect(obj('feast-recommendations', 'ScaledObject', 'feature-processor').spec).toMatchObject({ minReplicaCount: 3, triggers: [{ type: 'kafka', metadata: { topic: 'user-events' } }] });
  });
});
