import { Chart, Duration, Testing } from 'cdk8s';
import { ApiObject } from 'cdk8s';
import {
  Accelerator, ArtifactRepository, ArtifactStore, BackendStore, Condition, ConcurrencyPolicy, DistributedTraining, Framework, MlflowPlatform,
  MlPipeline, MlPipelineProps, ModelServer, PodGcStrategy, Queue, ResourceCondition, Retry, Schedule, SecretValue, ServingRuntime, Subject,
} from '../lib';
import { expectValidManifests, uncoveredPods, validateObjects } from './support/validate';

const IMAGE = 'registry.example.com/ml/step:1.2.0';
const GPU_IMAGE = 'pytorch/pytorch:2.4.1-cuda12.1-cudnn9-runtime';
const s3 = () => ArtifactRepository.s3({
  bucket: 'pipeline-artifacts',
  endpoint: 'https://minio.storage.example.com:9000',
  accessKeyId: SecretValue.fromSecret('artifacts', 'access-key'),
  secretAccessKey: SecretValue.fromSecret('artifacts', 'secret-key'),
});

function pipeline(props: MlPipelineProps = {}, id = 'train-pipeline', namespace = 'ml') {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  return { chart, pipeline: new MlPipeline(chart, id, props) };
}

/** prepare → train (GPU) → evaluate → deploy when accuracy ≥ 0.85, artifacts between them. */
function seedPipeline(props: MlPipelineProps = { artifactRepository: s3() }) {
  const p = pipeline(props);
  const prep = p.pipeline.addContainerStep('prepare', { image: IMAGE, command: ['python', '/app/prep.py'], outputArtifacts: ['data'] });
  const train = p.pipeline.addTrainingStep('train', {
    image: GPU_IMAGE, command: ['python', '/app/train.py'], accelerator: Accelerator.nvidiaGpu(2), memory: '32Gi',
    scheduling: { queue: Queue.kueue('gpu') }, inputArtifacts: { data: prep.artifact('data') }, outputArtifacts: ['model'],
    hyperparameters: { lr: 0.001 }, timeout: Duration.hours(4),
  });
  const evaluate = p.pipeline.addContainerStep('evaluate', {
    image: IMAGE, command: ['python', '/app/eval.py'], inputArtifacts: { model: train.artifact('model') }, outputParameters: ['accuracy'],
  });
  const deploy = p.pipeline.addContainerStep('deploy', {
    image: IMAGE, command: ['python', '/app/deploy.py'], inputArtifacts: { model: train.artifact('model') },
    when: evaluate.output('accuracy').atLeast(0.85), retry: Retry.onFailure(2, { initialDelay: Duration.minutes(1) }),
  });
  return { ...p, prep, train, evaluate, deploy, objects: Testing.synth(p.chart) };
}

function find(objects: any[], kind: string, name?: string) {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

const templateOf = (wt: any, name: string) => wt.spec.templates.find((t: any) => t.name === name);
const taskOf = (wt: any, name: string) => templateOf(wt, 'main').dag.tasks.find((t: any) => t.name === name);

describe('MlPipeline', () => {
  test('the seed pipeline: DAG, conditions, artifacts, RBAC, schema-valid and restricted (snapshot)', () => {
    const { objects } = seedPipeline();
    expect(objects).toMatchSnapshot();
    expectValidManifests(objects);
    expect(uncoveredPods(objects)).toEqual([]);
  });

  test('the DAG follows how steps use each other\'s outputs', () => {
    const wt = find(seedPipeline().objects, 'WorkflowTemplate');
    expect(wt.spec.entrypoint).toBe('main');
    expect(taskOf(wt, 'prepare').depends).toBeUndefined();
    expect(taskOf(wt, 'train').depends).toBe('prepare');
    expect(taskOf(wt, 'evaluate').depends).toBe('train');
    expect(taskOf(wt, 'deploy').depends).toBe('evaluate && train');
  });

  test('a typed condition becomes the task\'s when, on the output parameter the evaluation writes', () => {
    const wt = find(seedPipeline().objects, 'WorkflowTemplate');
    expect(taskOf(wt, 'deploy').when).toBe('{{tasks.evaluate.outputs.parameters.accuracy}} >= 0.85');
    expect(templateOf(wt, 'evaluate').outputs.parameters).toEqual([{ name: 'accuracy', valueFrom: { path: '/tmp/outputs/accuracy' } }]);
  });

  test('artifacts pass from task to task through the repository ConfigMap, credentials by Secret reference', () => {
    const { objects } = seedPipeline();
    const wt = find(objects, 'WorkflowTemplate');
    expect(taskOf(wt, 'train').arguments.artifacts).toEqual([{ name: 'data', from: '{{tasks.prepare.outputs.artifacts.data}}' }]);
    expect(templateOf(wt, 'train').inputs.artifacts).toEqual([{ name: 'data', path: '/tmp/inputs/data' }]);
    expect(templateOf(wt, 'prepare').outputs.artifacts).toEqual([{ name: 'data', path: '/tmp/outputs/data' }]);
    expect(wt.spec.artifactRepositoryRef).toEqual({ configMap: 'train-pipeline-artifact-repository', key: 'repository' });
    const repo = JSON.parse(find(objects, 'ConfigMap', 'train-pipeline-artifact-repository').data.repository);
    expect(repo.s3).toEqual({
      bucket: 'pipeline-artifacts', endpoint: 'minio.storage.example.com:9000', insecure: false,
      accessKeySecret: { name: 'artifacts', key: 'access-key' }, secretKeySecret: { name: 'artifacts', key: 'secret-key' },
    });
  });

  test('requiredSecrets lists the artifact repository\'s and the steps\' Secrets', () => {
    const p = pipeline({ artifactRepository: s3() });
    p.pipeline.addContainerStep('a', { image: IMAGE, command: ['run'], secretEnv: { API_TOKEN: SecretValue.fromSecret('api', 'token') } });
    expect(p.pipeline.requiredSecrets).toEqual([
      { name: 'artifacts', namespace: 'ml', keys: ['access-key', 'secret-key'], purpose: 'artifact repository credentials (Argo\'s executor reads them)' },
      { name: 'api', namespace: 'ml', keys: ['token'], purpose: 'environment of step a' },
    ]);
  });

  test('the runner has exactly what Argo\'s executor needs, and programs get no token', () => {
    const { objects } = seedPipeline();
    const role = find(objects, 'Role', 'train-pipeline-runner');
    expect(role.rules).toEqual([{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }]);
    expect(find(objects, 'RoleBinding', 'train-pipeline-runner').subjects).toEqual([{ kind: 'ServiceAccount', name: 'train-pipeline-runner', namespace: 'ml' }]);
    expect(find(objects, 'ServiceAccount', 'train-pipeline-runner').automountServiceAccountToken).toBe(false);
    const token = find(objects, 'Secret', 'train-pipeline-runner.service-account-token');
    expect(token.type).toBe('kubernetes.io/service-account-token');
    expect(token.data).toBeUndefined();
    const wt = find(objects, 'WorkflowTemplate');
    expect(wt.spec).toMatchObject({
      serviceAccountName: 'train-pipeline-runner', automountServiceAccountToken: false, executor: { serviceAccountName: 'train-pipeline-runner' },
    });
    for (const t of wt.spec.templates.filter((x: any) => x.container)) expect(t.automountServiceAccountToken).toBe(false);
  });

  test('every step pod: read-only root, writable /tmp and outputs, requests and limits, its own NetworkPolicy', () => {
    const { objects } = seedPipeline();
    const wt = find(objects, 'WorkflowTemplate');
    for (const name of ['prepare', 'train', 'evaluate', 'deploy']) {
      const t = templateOf(wt, name);
      expect(t.container.name).toBe('main');
      expect(t.container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
      // Argo mounts /var/run/argo itself (the emissary binary and the outputs it copies): no mount of ours may use it.
      expect(t.container.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp', '/tmp/outputs']));
      expect(t.container.volumeMounts.filter((m: any) => m.mountPath.startsWith('/var/run/argo'))).toEqual([]);
      expect(t.volumes.map((v: any) => v.name)).not.toEqual(expect.arrayContaining(['var-run-argo']));
      expect(t.container.resources.limits.memory).toBeDefined();
      const policy = find(objects, 'NetworkPolicy', `train-pipeline-${name}`);
      expect(policy.spec.podSelector.matchLabels).toEqual(Object.fromEntries(Object.entries(t.metadata.labels).filter(([k]) => Object.keys(policy.spec.podSelector.matchLabels).includes(k))));
      // The executor reports to the API server and moves artifacts: only those paths and DNS are open.
      expect(policy.spec.egress.map((r: any) => r.ports.map((p: any) => p.port))).toEqual([[53, 53], [443, 6443], [9000]]);
    }
  });

  test('the training step is built like a GpuTrainingJob: GPUs, tolerations, /dev/shm, hyperparameters, Kueue label', () => {
    const { objects } = seedPipeline();
    const t = templateOf(find(objects, 'WorkflowTemplate'), 'train');
    expect(t.container.resources.limits['nvidia.com/gpu']).toBe('2');
    expect(t.tolerations).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'nvidia.com/gpu' })]));
    expect(t.container.volumeMounts.map((m: any) => m.mountPath)).toContain('/dev/shm');
    expect(t.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('gpu');
    expect(t.activeDeadlineSeconds).toBe(14400);
    expect(find(objects, 'ConfigMap', 'train-pipeline-train-hparams').data).toEqual({ lr: '0.001' });
  });

  test('retries: Retry.onError(3) with backoff by default, the step\'s own otherwise', () => {
    const wt = find(seedPipeline().objects, 'WorkflowTemplate');
    expect(templateOf(wt, 'prepare').retryStrategy).toEqual({ limit: 3, retryPolicy: 'OnError', backoff: { duration: '30s', factor: 2, cap: '600s' } });
    expect(templateOf(wt, 'deploy').retryStrategy).toEqual({ limit: 2, retryPolicy: 'Always', backoff: { duration: '60s', factor: 2, cap: '600s' } });
  });

  test('TTL, pod GC, timeout and parallelism', () => {
    const { objects } = seedPipeline({
      artifactRepository: s3(), timeout: Duration.hours(6), ttlAfterSuccess: Duration.hours(2), podGc: PodGcStrategy.ON_WORKFLOW_SUCCESS, parallelism: 2,
    });
    const spec = find(objects, 'WorkflowTemplate').spec;
    expect(spec.ttlStrategy).toEqual({ secondsAfterSuccess: 7200, secondsAfterFailure: 604800 });
    expect(spec.podGC).toEqual({ strategy: 'OnWorkflowSuccess' });
    expect(spec.activeDeadlineSeconds).toBe(21600);
    expect(spec.parallelism).toBe(2);
  });

  test('a schedule becomes a CronWorkflow with the CronJob defaults', () => {
    const p = pipeline({ schedule: Schedule.cron('@weekly'), scheduleOptions: { timeZone: 'Europe/Paris', concurrencyPolicy: ConcurrencyPolicy.REPLACE } });
    p.pipeline.addContainerStep('step', { image: IMAGE, command: ['run'] });
    const objects = Testing.synth(p.chart);
    expectValidManifests(objects);
    expect(find(objects, 'CronWorkflow', 'train-pipeline').spec).toEqual({
      schedules: ['@weekly'], timezone: 'Europe/Paris', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3, workflowSpec: { workflowTemplateRef: { name: 'train-pipeline' } },
    });
  });

  test('parameters: declared with defaults, read by steps as env, set by a run', () => {
    const p = pipeline({ parameters: { threshold: '0.9' } });
    const step = p.pipeline.addContainerStep('step', { image: IMAGE, command: ['run'], parameters: { THRESHOLD: p.pipeline.parameter('threshold') } });
    p.pipeline.addContainerStep('next', { image: IMAGE, command: ['run'], when: Condition.all(p.pipeline.parameter('threshold').greaterThan(0.5)), after: [step] });
    p.pipeline.addRun('nightly', { threshold: '0.95' });
    const objects = Testing.synth(p.chart);
    expectValidManifests(objects);
    const wt = find(objects, 'WorkflowTemplate');
    expect(wt.spec.arguments).toEqual({ parameters: [{ name: 'threshold', value: '0.9' }] });
    expect(taskOf(wt, 'step').arguments.parameters).toEqual([{ name: 'THRESHOLD', value: '{{workflow.parameters.threshold}}' }]);
    expect(templateOf(wt, 'step').container.env).toContainEqual({ name: 'THRESHOLD', value: '{{inputs.parameters.THRESHOLD}}' });
    expect(taskOf(wt, 'next')).toMatchObject({ depends: 'step', when: '{{workflow.parameters.threshold}} > 0.5' });
    expect(find(objects, 'Workflow', 'train-pipeline-nightly').spec).toEqual({
      workflowTemplateRef: { name: 'train-pipeline' }, arguments: { parameters: [{ name: 'threshold', value: '0.95' }] },
    });
  });

  test('string comparisons are quoted, and conditions combine', () => {
    const p = pipeline();
    const check = p.pipeline.addContainerStep('check', { image: IMAGE, command: ['run'], outputParameters: ['fairness', 'security'] });
    p.pipeline.addContainerStep('approve', {
      image: IMAGE, command: ['run'], when: check.output('fairness').equals('passed').and(check.output('security').equals('passed')),
    });
    const wt = find(Testing.synth(p.chart), 'WorkflowTemplate');
    expect(taskOf(wt, 'approve').when).toBe('(\'{{tasks.check.outputs.parameters.fairness}}\' == \'passed\') && (\'{{tasks.check.outputs.parameters.security}}\' == \'passed\')');
  });

  test('ArtifactRepository.fromMlflow reuses MLflow\'s MinIO and opens the path into it', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const mlflow = new MlflowPlatform(chart, 'mlflow', {
      backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
      artifactStore: ArtifactStore.minio({ bucket: 'artifacts', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password') }),
    });
    const p = new MlPipeline(chart, 'pipe', { artifactRepository: ArtifactRepository.fromMlflow(mlflow) });
    const step = p.addContainerStep('step', { image: IMAGE, command: ['run'], outputArtifacts: ['out'] });
    mlflow.connect(step);
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    expect(JSON.parse(find(objects, 'ConfigMap', 'pipe-artifact-repository').data.repository).s3).toMatchObject({
      bucket: 'artifacts', endpoint: 'mlflow-minio.ml.svc:9000', insecure: true, keyFormat: 'pipelines/{{workflow.name}}/{{pod.name}}',
    });
    const minio = find(objects, 'NetworkPolicy', 'mlflow-minio');
    expect(minio.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: step.podSelector } }], ports: [{ port: 9000, protocol: 'TCP' }] });
    const server = find(objects, 'NetworkPolicy', 'mlflow');
    expect(server.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: step.podSelector } }], ports: [{ port: 5000, protocol: 'TCP' }] });
    expect(templateOf(find(objects, 'WorkflowTemplate'), 'step').container.env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow.ml.svc:5000' });
  });
});

describe('MlPipeline gates, resource steps and exit handler', () => {
  function gated() {
    const p = pipeline();
    const check = p.pipeline.addContainerStep('check', { image: IMAGE, command: ['run'], outputParameters: ['result'] });
    const gate = p.pipeline.addApprovalStep('approval', { approvers: [Subject.group('ml-leads')], when: check.output('result').equals('passed') });
    p.pipeline.addApprovalStep('second-look', { approvers: [Subject.user('alice@example.com'), Subject.group('ml-leads')], after: [gate] });
    return { ...p, gate };
  }

  test('an approval gate suspends the run; later steps need it approved, not skipped', () => {
    const p = gated();
    p.pipeline.addContainerStep('deploy', { image: IMAGE, command: ['run'], after: [p.gate] });
    const objects = Testing.synth(p.chart);
    expectValidManifests(objects);
    const wt = find(objects, 'WorkflowTemplate');
    expect(templateOf(wt, 'approval')).toEqual({ name: 'approval', suspend: {} });
    expect(taskOf(wt, 'approval')).toMatchObject({ depends: 'check', when: '\'{{tasks.check.outputs.parameters.result}}\' == \'passed\'' });
    expect(taskOf(wt, 'deploy').depends).toBe('approval.Succeeded');
  });

  test('approvers: one Role to get, resume and stop runs, bound to every gate\'s approvers once', () => {
    const objects = Testing.synth(gated().chart);
    expect(find(objects, 'Role', 'train-pipeline-approvers').rules).toEqual([
      { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
    ]);
    expect(find(objects, 'RoleBinding', 'train-pipeline-approvers').subjects).toEqual([
      { kind: 'Group', name: 'ml-leads', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'User', name: 'alice@example.com', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
  });

  test('a resource step creates a DistributedTraining run and waits for it; the runner may create and get that kind only', () => {
    const p = pipeline();
    const run = new DistributedTraining(p.chart, 'ddp', { image: GPU_IMAGE, command: ['python', 'train.py'], framework: Framework.pytorch(), nodes: 2 });
    const prep = p.pipeline.addContainerStep('prepare', { image: IMAGE, command: ['run'] });
    p.pipeline.addResourceStep('train', { resource: run.resource, after: [prep], timeout: Duration.hours(10) });
    const objects = Testing.synth(p.chart);
    expectValidManifests(objects);
    expect(uncoveredPods(objects, 'ml')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Job' && o.metadata.name === 'ddp')).toEqual([]);
    const t = templateOf(find(objects, 'WorkflowTemplate'), 'train');
    expect(t.resource).toMatchObject({ action: 'create', setOwnerReference: true, successCondition: 'status.succeeded > 0', failureCondition: 'status.failed > 3' });
    const manifest = JSON.parse(t.resource.manifest);
    expect(manifest).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'ddp', namespace: 'ml' } });
    expect(validateObjects([manifest])).toEqual([]);
    expect(find(objects, 'Role', 'train-pipeline-runner').rules).toEqual([
      { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get'] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'train-pipeline-train').spec.egress.map((r: any) => r.ports.map((x: any) => x.port))).toEqual([[53, 53], [443, 6443]]);
  });

  test('a ModelServer rollout is applied (not owned by the run), and typed conditions replace the defaults', () => {
    const p = pipeline();
    const server = new ModelServer(p.chart, 'ranker', { runtime: ServingRuntime.tfServing({ modelName: 'ranker' }), replicas: 3 });
    p.pipeline.addResourceStep('rollout', { resource: server.deployment! });
    const custom = new ApiObject(p.chart, 'custom', { apiVersion: 'example.com/v1', kind: 'Policy', metadata: { name: 'x' } });
    p.pipeline.addResourceStep('custom', {
      resource: custom,
      successCondition: ResourceCondition.all(ResourceCondition.equals('status.phase', 'Ready'), ResourceCondition.greaterThan('status.generation', 0)),
    });
    const objects = Testing.synth(p.chart);
    const wt = find(objects, 'WorkflowTemplate');
    expect(templateOf(wt, 'rollout').resource).toMatchObject({ action: 'apply', successCondition: 'status.readyReplicas > 2' });
    expect(templateOf(wt, 'rollout').resource.setOwnerReference).toBeUndefined();
    expect(templateOf(wt, 'custom').resource.successCondition).toBe('status.phase == Ready,status.generation > 0');
    expect(find(objects, 'Role', 'train-pipeline-runner').rules).toContainEqual({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'get', 'patch'] });
    expect(find(objects, 'Role', 'train-pipeline-runner').rules).toContainEqual({ apiGroups: ['example.com'], resources: ['policies'], verbs: ['create', 'get'] });
  });

  test('a SparkApplication is waited for until COMPLETED, failing on FAILED or SUBMISSION_FAILED', () => {
    const p = pipeline();
    const app = new ApiObject(p.chart, 'spark', { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'etl' } });
    p.pipeline.addResourceStep('etl', { resource: app });
    const objects = Testing.synth(p.chart);
    expect(templateOf(find(objects, 'WorkflowTemplate'), 'etl').resource).toMatchObject({
      action: 'create', successCondition: 'status.applicationState.state == COMPLETED', failureCondition: 'status.applicationState.state in (FAILED,SUBMISSION_FAILED)',
    });
    expect(find(objects, 'Role', 'train-pipeline-runner').rules).toContainEqual({ apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['create', 'get'] });
  });

  test('the exit handler runs outside the DAG with the run\'s status', () => {
    const p = pipeline();
    p.pipeline.addContainerStep('work', { image: IMAGE, command: ['run'] });
    p.pipeline.setExitHandler('notify', { image: IMAGE, command: ['notify'] });
    const objects = Testing.synth(p.chart);
    expectValidManifests(objects);
    const wt = find(objects, 'WorkflowTemplate');
    expect(wt.spec.onExit).toBe('notify');
    expect(templateOf(wt, 'main').dag.tasks.map((t: any) => t.name)).toEqual(['work']);
    expect(templateOf(wt, 'notify').container.env).toEqual(expect.arrayContaining([
      { name: 'WORKFLOW_STATUS', value: '{{workflow.status}}' }, { name: 'WORKFLOW_FAILURES', value: '{{workflow.failures}}' },
    ]));
    expect(find(objects, 'NetworkPolicy', 'train-pipeline-notify')).toBeDefined();
  });

  test('bad gates, resource steps and exit handlers', () => {
    const p = pipeline();
    const a = p.pipeline.addContainerStep('a', { image: IMAGE, command: ['run'] });
    expect(() => p.pipeline.addApprovalStep('gate', { approvers: [] })).toThrow('\'steps.gate.approvers\' must list at least one Subject.user(...) or Subject.group(...): nobody could approve otherwise, got []');
    expect(() => p.pipeline.addApprovalStep('gate2', { approvers: ['alice'] } as any)).toThrow('\'steps.gate2.approvers[0]\' must be made with Subject.user(...) or Subject.group(...), got \'alice\'');
    const unknown = new ApiObject(p.chart, 'u', { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'u' } });
    expect(() => p.pipeline.addResourceStep('r', { resource: unknown })).toThrow('\'steps.r.successCondition\' must be given for a Thing');
    const other = new Chart(Testing.app(), 'other', { namespace: 'elsewhere' });
    const foreign = new ApiObject(other, 'f', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'f' } });
    expect(() => p.pipeline.addResourceStep('r2', { resource: foreign })).toThrow('\'steps.r2.resource\' must be in the pipeline\'s namespace \'ml\'');
    expect(() => ResourceCondition.equals('status.conditions.#(type=="Failed")', 'True')).toThrow('ResourceCondition.equals: \'path\' must be a dotted field path');
    expect(() => p.pipeline.setExitHandler('bye', { image: IMAGE, command: ['run'], after: [a] } as any)).toThrow('\'steps.bye.after\' cannot be given to the exit handler');
    p.pipeline.setExitHandler('bye', { image: IMAGE, command: ['run'] });
    expect(() => p.pipeline.setExitHandler('bye2', { image: IMAGE, command: ['run'] })).toThrow('\'setExitHandler\' can be called once, got \'bye2\'');
  });
});

describe('MlPipeline refuses bad input', () => {
  const base = () => pipeline().pipeline;
  const step = (p: MlPipeline, name: string, extra: object = {}) => p.addContainerStep(name, { image: IMAGE, command: ['run'], ...extra });

  test('a cycle', () => {
    const p = base();
    const a = step(p, 'a');
    const b = step(p, 'b', { after: [a] });
    const c = step(p, 'c', { after: [b] });
    expect(() => a.addDependency(c)).toThrow('MlPipeline \'train-pipeline\': \'steps.a.addDependency[0]\' must not close a cycle (a -> c -> b -> a: every step would wait for itself), got \'c\'');
  });

  test('after and mounts that are not lists (found by the hostile property test)', () => {
    const p = base();
    const a = step(p, 'a');
    expect(() => step(p, 'b', { after: a })).toThrow('MlPipeline \'train-pipeline\': \'steps.b.after\' must be a list of steps, got');
    expect(() => step(p, 'c', { mounts: {} })).toThrow('MlPipeline \'train-pipeline\': \'steps.c.mounts\' must be a list of { claim, path }, got');
  });

  test('a step of another pipeline', () => {
    const chart = new Chart(Testing.app(), 'test');
    const other = new MlPipeline(chart, 'other');
    const foreign = step(other, 'x', { outputParameters: ['score'] });
    const p = new MlPipeline(chart, 'p');
    expect(() => step(p, 'y', { after: [foreign] })).toThrow('\'steps.y.after[0]\' must be a step of this pipeline (test/p), not of test/other, got \'x\'');
    expect(() => step(p, 'z', { when: foreign.output('score').atLeast(1) })).toThrow('\'steps.z.when\' must be a value of this pipeline (test/p), not of test/other, got \'score\'');
  });

  test('a condition or input on an output the step does not declare', () => {
    const p = base();
    const a = step(p, 'a', { outputParameters: ['accuracy'] });
    expect(() => a.output('acc')).toThrow('\'steps.a.output\' must name an output parameter the step declares in outputParameters (accuracy), got \'acc\'');
    expect(() => a.artifact('model')).toThrow('\'steps.a.artifact\' must name an output artifact the step declares in outputArtifacts (none declared), got \'model\'');
  });

  test('artifacts without a repository', () => {
    expect(() => step(base(), 'a', { outputArtifacts: ['model'] })).toThrow('\'artifactRepository\' must be set: step \'a\' passes artifacts');
  });

  test('an unknown pipeline parameter', () => {
    expect(() => base().parameter('threshold')).toThrow('\'parameter\' must name a parameter the pipeline declares (none declared), got \'threshold\'');
  });

  test('a step without a command (the emissary executor needs it)', () => {
    expect(() => base().addContainerStep('a', { image: IMAGE } as any)).toThrow('\'steps.a.command\' must be given as a non-empty list');
  });

  test('duplicate, reserved and too long step names', () => {
    const p = base();
    step(p, 'a');
    expect(() => step(p, 'a')).toThrow('\'stepName\' must be unique in the pipeline, got \'a\'');
    expect(() => step(p, 'main')).toThrow('\'stepName\' must not be one of the pipeline\'s own template names (main, exit-handler), got \'main\'');
    expect(() => step(p, 'x'.repeat(50))).toThrow('\'stepName\' must be at most 48 characters');
  });

  test('a latest image, an unknown prop, a comparison with a non-number', () => {
    const p = base();
    expect(() => p.addContainerStep('a', { image: 'python:latest', command: ['run'] })).toThrow('\'steps.a.image\'');
    expect(() => p.addTrainingStep('b', { image: GPU_IMAGE, command: ['run'], gpus: 2 } as any)).toThrow('\'steps.b.gpus\' is not a prop');
    const c = step(p, 'c', { outputParameters: ['score'] });
    expect(() => c.output('score').atLeast(Number.NaN)).toThrow('ParameterRef.atLeast: \'value\' must be a finite number, got \'NaN\'');
    expect(() => c.output('score').equals('a\'b')).toThrow('ParameterRef.equals: \'value\' must be a string of letters');
  });

  test('an empty pipeline, schedule options without a schedule, a bad retry', () => {
    expect(() => Testing.synth(pipeline().chart)).toThrow('\'steps\' must have at least one step');
    expect(() => pipeline({ scheduleOptions: {} })).toThrow('\'scheduleOptions\' can only be given with a schedule');
    expect(() => Retry.onFailure(0)).toThrow('Retry.onFailure: \'limit\' must be a whole number from 1 to 100, got 0');
    expect(() => step(base(), 'a', { retry: { limit: 3 } })).toThrow('\'retry\' must be made with Retry.onError(...)');
  });

  test('run parameters the pipeline does not declare', () => {
    const p = base();
    step(p, 'a');
    expect(() => p.addRun('x', { nope: '1' })).toThrow('\'addRun.parameters\' must name parameters the pipeline declares (none declared), got \'nope\'');
  });
});
