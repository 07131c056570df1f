// Pipelines: the seed's Argo ML pipeline (data preparation → feature engineering → GPU training → evaluation →
// deployment only when accuracy ≥ 0.85, artifacts between steps) and the seed's Airflow DAG as an MlPipeline on its
// weekly schedule.
import { App, Chart, Duration } from 'cdk8s';
import {
  Accelerator, ArtifactRepository, ArtifactStore, BackendStore, MlflowPlatform, MlPipeline, Queue, Retry, Schedule, SecretValue, VolumeClaim,
} from '../lib';

export function build(app: App): void {
  argoMlPipeline(app);
  airflowDag(app);
}

/**
 * The seed's "Argo Workflows for ML Pipelines". The seed runs `:latest` images as root with a read-write root
 * filesystem, mounts one ReadWriteOnce claim into every step (two steps on two nodes fail with Multi-Attach), reads
 * `model-accuracy` with `jsonPath` (which Argo applies to resource templates only, so the parameter held the whole
 * JSON file and `>= 0.85` never held) and compares it in a hand-written string. Here the images are pinned, every
 * step pod is restricted with its own NetworkPolicy, artifacts go through MLflow's MinIO, the evaluation step writes
 * the accuracy as a plain value to `$OUTPUTS_DIR/model-accuracy`, and the deployment's condition is typed.
 */
function argoMlPipeline(app: App): void {
  const chart = new Chart(app, 'pipelines-ml', { namespace: 'ml-pipelines' });
  const mlflow = new MlflowPlatform(chart, 'mlflow', {
    backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('mlflow-postgres', 'password') }),
    artifactStore: ArtifactStore.minio({
      bucket: 'mlflow-artifacts',
      rootUser: SecretValue.fromSecret('mlflow-minio', 'root-user'),
      rootPassword: SecretValue.fromSecret('mlflow-minio', 'root-password'),
    }),
  });
  const pipeline = new MlPipeline(chart, 'ml-pipeline', {
    artifactRepository: ArtifactRepository.fromMlflow(mlflow),
    timeout: Duration.hours(12),
  });
  const image = (name: string) => `registry.example.com/data-science/${name}:1.4.0`;
  const prep = pipeline.addContainerStep('data-preparation', {
    image: image('data-prep'),
    command: ['python', '/scripts/data_prep.py'],
    cpu: 1,
    memory: '2Gi',
    outputArtifacts: ['processed-data'],
  });
  const features = pipeline.addContainerStep('feature-engineering', {
    image: image('feature-eng'),
    command: ['python', '/scripts/feature_eng.py'],
    cpu: 2,
    memory: '4Gi',
    inputArtifacts: { 'processed-data': prep.artifact('processed-data') },
    outputArtifacts: ['feature-data'],
  });
  const train = pipeline.addTrainingStep('model-training', {
    image: 'tensorflow/tensorflow:2.12.0-gpu',
    command: ['python', '/scripts/train.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '16Gi',
    scheduling: { queue: Queue.kueue('ml-pipelines') },
    inputArtifacts: { 'feature-data': features.artifact('feature-data') },
    outputArtifacts: ['model'],
    timeout: Duration.hours(8),
  });
  mlflow.connect(train, { experimentName: 'ml-pipeline' });
  const evaluate = pipeline.addContainerStep('model-evaluation', {
    image: 'tensorflow/tensorflow:2.12.0',
    command: ['python', '/scripts/evaluate.py'],
    cpu: 2,
    memory: '8Gi',
    inputArtifacts: { 'model': train.artifact('model'), 'feature-data': features.artifact('feature-data') },
    outputParameters: ['model-accuracy'],
  });
  mlflow.connect(evaluate, { experimentName: 'ml-pipeline' });
  pipeline.addContainerStep('model-deployment', {
    image: image('deployer'),
    command: ['python', '/scripts/deploy.py'],
    cpu: '500m',
    memory: '1Gi',
    inputArtifacts: { model: train.artifact('model') },
    parameters: { ACCURACY: evaluate.output('model-accuracy') },
    when: evaluate.output('model-accuracy').atLeast(0.85),
    retry: Retry.onFailure(2),
  });
  pipeline.addRun('manual');
}

/**
 * The seed's Airflow DAG (`ml_training_pipeline`, `@weekly`, `retries: 1` after 5 minutes, KubernetesPodOperator pods
 * of `:latest` images with requests only) as an MlPipeline on a weekly CronWorkflow: the same four steps in order,
 * limits on every pod, the GPU step through the team's Kueue queue, a retry with a 5-minute backoff, and no overlap
 * of two weekly runs. The steps share a dataset claim read-only; the model goes to a writable claim.
 */
function airflowDag(app: App): void {
  const chart = new Chart(app, 'pipelines-weekly', { namespace: 'ml-pipelines' });
  const pipeline = new MlPipeline(chart, 'ml-training-pipeline', {
    schedule: Schedule.cron('@weekly'),
    labels: { pipeline: 'ml-training' },
  });
  const retry = Retry.onFailure(1, { initialDelay: Duration.minutes(5) });
  const image = (name: string) => `registry.example.com/data-science/${name}:2.0.1`;
  const data = VolumeClaim.fromClaimName('ml-training-data');
  const models = VolumeClaim.fromClaimName('ml-training-models');
  const preprocessing = pipeline.addContainerStep('data-preprocessing', {
    image: image('preprocessing'),
    command: ['python', '-c', 'from preprocessing import main; main()'],
    cpu: 1,
    memory: '2Gi',
    mounts: [{ claim: data, path: '/data', readOnly: false }],
    retry,
  });
  const training = pipeline.addTrainingStep('model-training', {
    image: image('training'),
    command: ['python', '-c', 'from training import main; main()'],
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 2,
    memory: '8Gi',
    dataset: { claim: data, path: '/data' },
    modelOutput: { claim: models, path: '/models' },
    scheduling: { queue: Queue.kueue('ml-pipelines') },
    after: [preprocessing],
    retry,
  });
  const evaluation = pipeline.addContainerStep('model-evaluation', {
    image: image('evaluation'),
    command: ['python', '-c', 'from evaluation import main; main()'],
    cpu: 1,
    memory: '2Gi',
    mounts: [{ claim: data, path: '/data' }, { claim: models, path: '/models' }],
    after: [training],
    retry,
  });
  pipeline.addContainerStep('model-deployment', {
    image: image('deployment'),
    command: ['python', '-c', 'from deployment import main; main()'],
    cpu: '500m',
    memory: '1Gi',
    mounts: [{ claim: models, path: '/models' }],
    after: [evaluation],
    retry,
  });
}
