// Pipelines: the seed's Argo ML pipeline (data preparation → feature engineering → GPU training → evaluation →
// deployment only when accuracy ≥ 0.85, artifacts between steps), the seed's Airflow DAG as an MlPipeline on its
// weekly schedule, the model-validation pipeline with its approval gate, the DVC data-versioning step, and the seed's
// Spark data processing as the transform step of a weekly pipeline.
import { App, Chart, Duration } from 'cdk8s';
import {
  AccessMode, Accelerator, ArtifactRepository, ArtifactStore, BackendStore, MlflowPlatform, MlPipeline, ModelServer, ModelSource, Queue, Retry,
  Schedule, SecretValue, ServingRuntime, SparkProgram, Subject, VolumeClaim,
} from '../lib';

export function build(app: App): void {
  argoMlPipeline(app);
  airflowDag(app);
  modelValidation(app);
  dataVersioning(app);
  sparkDataProcessing(app);
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

/**
 * The seed's "Model validation pipeline": five checks one after the other, then `manual-approval` (a bare `suspend`)
 * when fairness and security printed `passed`, then `deploy` when `{{steps.approval.outputs.result}} == 'approved'`
 * (a suspend step has no `result`: the deployment could never run). Here the four checks run side by side after the
 * input check and write typed results, the approval gate names who may approve (the Role `model-validation-approvers`),
 * the deployment runs once an approver resumes the run, as a rollout of the ModelServer's Deployment (`kubectl apply`
 * by Argo's executor, which may do only that), and the validation team hears how the run ended.
 */
function modelValidation(app: App): void {
  const chart = new Chart(app, 'pipelines-validation', { namespace: 'ml-validation' });
  const server = new ModelServer(chart, 'fraud-model', {
    runtime: ServingRuntime.triton(),
    model: ModelSource.claim(VolumeClaim.fromClaimName('validated-models', { accessModes: [AccessMode.READ_ONLY_MANY] })),
    replicas: 2,
    cpu: 2,
    memory: '4Gi',
  });
  const pipeline = new MlPipeline(chart, 'model-validation', { timeout: Duration.days(2) });
  const validator = (name: string) => `registry.example.com/model-validators/${name}:3.1.0`;
  const inputs = pipeline.addContainerStep('validate-inputs', {
    image: validator('input-validator'), command: ['python', '/scripts/validate_inputs.py'], cpu: 1, memory: '2Gi',
  });
  const check = (name: string, script: string) => pipeline.addContainerStep(`validate-${name}`, {
    image: validator(name), command: ['python', `/scripts/${script}`], cpu: 2, memory: '4Gi', after: [inputs], outputParameters: ['result'],
  });
  check('robustness', 'test_robustness.py');
  const fairness = check('fairness', 'test_fairness.py');
  check('explainability', 'test_explainability.py');
  const security = check('security', 'test_security.py');
  const approval = pipeline.addApprovalStep('approval', {
    approvers: [Subject.group('ml-model-owners'), Subject.user('risk-officer@example.com')],
    when: fairness.output('result').equals('passed').and(security.output('result').equals('passed')),
  });
  pipeline.addResourceStep('deploy', { resource: server.deployment!, after: [approval], timeout: Duration.minutes(30) });
  pipeline.setExitHandler('notify', {
    image: 'registry.example.com/ml-platform/notifier:0.9.2',
    command: ['python', '/app/notify.py', '--channel', 'ml-validation'],
    cpu: '100m',
    memory: '128Mi',
    secretEnv: { SLACK_WEBHOOK_URL: SecretValue.fromSecret('validation-notifier', 'webhook-url') },
  }).networkPolicy.allowToCidr('0.0.0.0/0', [{ port: 443 }]);
}

/**
 * The seed's DVC Job (`git clone`, `dvc pull`, process, `dvc add`, `dvc push`, `git push`) as the first step of a
 * pipeline: non-root with `HOME=/tmp` instead of credentials mounted into `/root`, the git token and the DVC remote's
 * keys as Secret references (git reads the token through a credential helper, never from a file or URL), egress to
 * HTTPS only, and the versioned data handed to the next step as an artifact.
 */
function dataVersioning(app: App): void {
  const chart = new Chart(app, 'pipelines-data-versioning', { namespace: 'mlops-data' });
  const pipeline = new MlPipeline(chart, 'data-versioning', {
    artifactRepository: ArtifactRepository.s3({
      bucket: 'mlops-data-artifacts',
      region: 'eu-west-1',
      accessKeyId: SecretValue.fromSecret('pipeline-artifacts', 'access-key-id'),
      secretAccessKey: SecretValue.fromSecret('pipeline-artifacts', 'secret-access-key'),
    }),
  });
  const script = [
    'set -eu',
    'git config --global credential.helper \'!f() { echo username=x-access-token; echo "password=$GIT_TOKEN"; }; f\'',
    'git clone https://github.com/company/ml-project.git /tmp/project && cd /tmp/project',
    'dvc pull',
    'python process_data.py',
    'dvc add processed_data && dvc push',
    'git add . && git commit -m "Updated processed data" && git push',
    'tar -czf "$OUTPUTS_DIR/processed-data" processed_data',
  ].join('\n');
  const dvc = pipeline.addContainerStep('dvc', {
    image: 'iterativeai/dvc:3.55.2',
    command: ['bash', '-c', script],
    cpu: 2,
    memory: '8Gi',
    secretEnv: {
      GIT_TOKEN: SecretValue.fromSecret('git-credentials', 'token'),
      AWS_ACCESS_KEY_ID: SecretValue.fromSecret('dvc-remote', 'access-key-id'),
      AWS_SECRET_ACCESS_KEY: SecretValue.fromSecret('dvc-remote', 'secret-access-key'),
    },
    env: { GIT_AUTHOR_NAME: 'data-pipeline', GIT_AUTHOR_EMAIL: 'data-pipeline@example.com', GIT_COMMITTER_NAME: 'data-pipeline', GIT_COMMITTER_EMAIL: 'data-pipeline@example.com' },
    outputArtifacts: ['processed-data'],
    retry: Retry.onFailure(2),
  });
  // git (GitHub) and the DVC remote (S3) over HTTPS.
  dvc.networkPolicy.allowToCidr('0.0.0.0/0', [{ port: 443 }]);
  pipeline.addContainerStep('validate-data', {
    image: 'registry.example.com/data-science/data-validation:1.0.3',
    command: ['python', '/scripts/validate.py'],
    inputArtifacts: { 'processed-data': dvc.artifact('processed-data') },
  });
}

/**
 * The seed's data-processing stages in order, as one weekly pipeline: extract, the seed's Spark job
 * `spark-data-processing` (ALS on PySpark) as a Spark step, then load. Written by hand, the seed's SparkApplication
 * could not start an executor (its ServiceAccount `spark` was never created, with no Role), and nothing ran it after
 * the extraction or waited for it. Here the run creates the SparkApplication once the extraction has succeeded and
 * waits until the operator reports it COMPLETED (the operator restarts a failed run 3 times, as the seed asked); the
 * runner may only create and read SparkApplications, the driver has its own ServiceAccount and Role, and the Spark
 * pods talk to each other and to the object store only.
 */
function sparkDataProcessing(app: App): void {
  const chart = new Chart(app, 'pipelines-spark', { namespace: 'spark-jobs' });
  const pipeline = new MlPipeline(chart, 'data-processing', { schedule: Schedule.cron('@weekly'), timeout: Duration.hours(6) });
  const s3 = {
    AWS_ACCESS_KEY_ID: SecretValue.fromSecret('data-lake-s3', 'access-key-id'),
    AWS_SECRET_ACCESS_KEY: SecretValue.fromSecret('data-lake-s3', 'secret-access-key'),
  };
  const extract = pipeline.addContainerStep('extract', {
    image: 'registry.example.com/data-eng/extract:1.2.0',
    command: ['python', '/app/extract.py', '--to', 's3a://data-lake/raw/ratings'],
    cpu: 1,
    memory: '2Gi',
    secretEnv: s3,
  });
  extract.networkPolicy.allowToCidr('0.0.0.0/0', [{ port: 443 }]);
  const transform = pipeline.addSparkStep('transform', {
    image: 'apache/spark:3.5.5-python3',
    program: SparkProgram.python('local:///opt/spark/examples/src/main/python/ml/als_example.py'),
    driver: { cores: 1, cpuLimit: '1200m', memory: '512Mi' },
    executor: { instances: 2, cores: 1, memory: '512Mi' },
    retries: 3,
    retryInterval: Duration.seconds(10),
    secretEnv: s3,
    egress: [{ cidr: '0.0.0.0/0', ports: [443] }],
    after: [extract],
    timeout: Duration.hours(4),
  });
  pipeline.addContainerStep('load', {
    image: 'registry.example.com/data-eng/load:1.2.0',
    command: ['python', '/app/load.py', '--from', 's3a://data-lake/processed/recommendations'],
    cpu: 1,
    memory: '2Gi',
    secretEnv: s3,
    after: [transform],
  }).networkPolicy.allowToCidr('0.0.0.0/0', [{ port: 443 }]);
}
