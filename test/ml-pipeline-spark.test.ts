import { Chart, Duration, Testing } from 'cdk8s';
import {
  Accelerator, ArtifactStore, BackendStore, MlflowPlatform, MlPipeline, Queue, Retry, SecretValue, SparkProgram, SparkStepProps,
} from '../lib';
import { expectValidManifests, uncoveredPods, validateObjects } from './support/validate';

const IMAGE = 'registry.example.com/ml/step:1.2.0';
const SPARK_IMAGE = 'apache/spark:3.5.5-python3';
const PROGRAM = SparkProgram.python('local:///opt/spark/work/features.py');

function find(objects: any[], kind: string, name?: string) {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

const templateOf = (wt: any, name: string) => wt.spec.templates.find((t: any) => t.name === name);
const taskOf = (wt: any, name: string) => templateOf(wt, 'main').dag.tasks.find((t: any) => t.name === name);

/** prepare → features (Spark) → train, the Spark step between two container steps. */
function sparkPipeline(spark: Partial<SparkStepProps> = {}) {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const pipeline = new MlPipeline(chart, 'churn', {});
  const prep = pipeline.addContainerStep('prepare', { image: IMAGE, command: ['python', '/app/prep.py'], outputParameters: ['rows'] });
  const features = pipeline.addSparkStep('features', {
    image: SPARK_IMAGE, program: PROGRAM, executor: { instances: 4, cores: 2, memory: '4Gi' }, after: [prep], timeout: Duration.hours(2), ...spark,
  });
  pipeline.addContainerStep('train', { image: IMAGE, command: ['python', '/app/train.py'], after: [features] });
  return { chart, pipeline, prep, features };
}

describe('MlPipeline Spark step', () => {
  test('the run creates the SparkApplication and waits for COMPLETED; it fails on FAILED or SUBMISSION_FAILED', () => {
    const { chart } = sparkPipeline();
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    expect(uncoveredPods(objects, 'ml')).toEqual([]);
    const wt = find(objects, 'WorkflowTemplate');
    expect(taskOf(wt, 'features').depends).toBe('prepare');
    expect(taskOf(wt, 'train').depends).toBe('features');
    const t = templateOf(wt, 'features');
    expect(t.resource).toMatchObject({
      action: 'create',
      setOwnerReference: true,
      successCondition: 'status.applicationState.state == COMPLETED',
      failureCondition: 'status.applicationState.state in (FAILED,SUBMISSION_FAILED)',
    });
    expect(t.activeDeadlineSeconds).toBe(7200);
    // Argo cannot create the same object twice: the operator restarts failed runs instead.
    expect(t.retryStrategy).toBeUndefined();
    const manifest = JSON.parse(t.resource.manifest);
    expect(manifest).toMatchObject({ apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'churn-features', namespace: 'ml' } });
    expect(manifest.spec).toMatchObject({ type: 'Python', image: SPARK_IMAGE, executor: { instances: 4, cores: 2 }, driver: { serviceAccount: 'churn-features-spark' } });
    // The embedded application is schema- and semantically valid, and restricted like a SparkJob's.
    expect(validateObjects([manifest])).toEqual([]);
    expect(manifest.spec.driver.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(manifest.spec.executor.template.spec.automountServiceAccountToken).toBe(false);
    // It is not in the chart: only the run creates it.
    expect(objects.filter((o) => o.kind === 'SparkApplication')).toEqual([]);
  });

  test('the runner may create and get SparkApplications, nothing more; the driver keeps its own ServiceAccount and Role', () => {
    const objects = Testing.synth(sparkPipeline().chart);
    expect(find(objects, 'Role', 'churn-runner').rules).toEqual([
      { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
      { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['create', 'get'] },
    ]);
    expect(find(objects, 'ServiceAccount', 'churn-features-spark').automountServiceAccountToken).toBe(false);
    expect(find(objects, 'Role', 'churn-features-spark').rules).toEqual([{
      apiGroups: [''], resources: ['pods', 'configmaps', 'services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
    }]);
    expect(find(objects, 'RoleBinding', 'churn-features-spark').subjects).toEqual([{ kind: 'ServiceAccount', name: 'churn-features-spark', namespace: 'ml' }]);
  });

  test('NetworkPolicies: driver ↔ executors on the Spark ports, the step\'s own pod to the API server only', () => {
    const objects = Testing.synth(sparkPipeline().chart);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(policies).toEqual(expect.arrayContaining(['churn-features', 'churn-features-driver', 'churn-features-executor']));
    const driver = find(objects, 'NetworkPolicy', 'churn-features-driver');
    expect(driver.spec.podSelector.matchLabels).toEqual({ 'spark.cdk8s-mlops.io/job': 'churn-features', 'spark.cdk8s-mlops.io/role': 'driver' });
    expect(driver.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { 'spark.cdk8s-mlops.io/job': 'churn-features', 'spark.cdk8s-mlops.io/role': 'executor' } } }],
      ports: [{ port: 7078, protocol: 'TCP' }, { port: 7079, protocol: 'TCP' }],
    }]);
    const executors = find(objects, 'NetworkPolicy', 'churn-features-executor');
    expect(executors.spec.ingress.map((r: any) => r.ports.map((p: any) => p.port))).toEqual([[7079], [7079]]);
    // The Argo executor pod that creates the application: its own policy, selected by the step's labels.
    const wt = find(objects, 'WorkflowTemplate');
    const runner = find(objects, 'NetworkPolicy', 'churn-features-runner');
    expect(Object.entries(runner.spec.podSelector.matchLabels).every(([k, v]) => templateOf(wt, 'features').metadata.labels[k] === v)).toBe(true);
    expect(runner.spec.ingress).toBeUndefined();
    expect(runner.spec.egress.map((r: any) => r.ports.map((p: any) => p.port))).toEqual([[53, 53], [443, 6443]]);
  });

  test('wiring: mlflow.connect(step) reaches the driver and executors, and opens the path from the Spark pods only', () => {
    const { chart, features } = sparkPipeline();
    // The driver's Role may create pods in the namespace: MLflow's Secrets there need the explicit opt-in.
    const mlflow = new MlflowPlatform(chart, 'mlflow', {
      allowSecretsInJobNamespace: true,
      backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
      artifactStore: ArtifactStore.minio({ bucket: 'artifacts', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password') }),
    });
    mlflow.connect(features, { experimentName: 'churn' });
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    const manifest = JSON.parse(templateOf(find(objects, 'WorkflowTemplate'), 'features').resource.manifest);
    for (const role of ['driver', 'executor']) {
      expect(manifest.spec[role].template.spec.containers[0].env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow.ml.svc:5000' });
    }
    expect(find(objects, 'NetworkPolicy', 'mlflow').spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'spark.cdk8s-mlops.io/job': 'churn-features' } } }], ports: [{ port: 5000, protocol: 'TCP' }],
    });
  });

  test('a Kueue queue labels the application; GPU executors run RAPIDS', () => {
    const { chart } = sparkPipeline({ scheduling: { queue: Queue.kueue('data') }, executor: { instances: 2, accelerator: Accelerator.nvidiaGpu(1) } });
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    const manifest = JSON.parse(templateOf(find(objects, 'WorkflowTemplate'), 'features').resource.manifest);
    expect(manifest.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('data');
    expect(manifest.spec.sparkConf['spark.plugins']).toBe('com.nvidia.spark.SQLPlugin');
    expect(manifest.spec.executor.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
  });

  test('bad Spark steps name the pipeline, the step and the prop', () => {
    const { pipeline } = sparkPipeline();
    expect(() => pipeline.addSparkStep('etl', { image: SPARK_IMAGE, program: PROGRAM, retry: Retry.onError(2) } as any))
      .toThrow('MlPipeline \'churn\': \'steps.etl.retry\' cannot be given to a Spark step: Argo would create the same SparkApplication again');
    expect(() => pipeline.addSparkStep('etl2', { image: SPARK_IMAGE, program: PROGRAM, schedule: 'x' } as any))
      .toThrow(/'steps.etl2.schedule' is not a prop of MlPipeline/);
    expect(() => pipeline.addSparkStep('etl3', { image: SPARK_IMAGE, program: PROGRAM, executor: { cores: 1.5 } }))
      .toThrow(/MlPipeline 'churn': 'steps.etl3.executor.cores' must be a whole number/);
    expect(() => pipeline.addSparkStep('a'.repeat(51), { image: SPARK_IMAGE, program: PROGRAM }))
      .toThrow(/'stepName' must be at most 50 characters for a Spark step/);
    // Found by the hostile property test: a mounts value that is no list failed with a TypeError.
    expect(() => pipeline.addSparkStep('etl5', { image: SPARK_IMAGE, program: PROGRAM, mounts: 'data' as any }))
      .toThrow('MlPipeline \'churn\': \'steps.etl5.mounts\' must be a list of { claim, path }, got \'data\'');
    expect(() => pipeline.addSparkStep('etl4', { image: 'apache/spark:latest', program: PROGRAM }))
      .toThrow(/'steps.etl4.image' must pin a tag/);
  });
});
