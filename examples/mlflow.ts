// MLflow: the seeds' "mlops-platform" (mlflow, postgres, minio; training in mlops-training, monitoring in
// mlops-monitoring) done right, MLflow on an external PostgreSQL and S3, MLflow on a PostgreSQL already running in the
// cluster, and training jobs wired to it.
import { App, Chart } from 'cdk8s';
import {
  Accelerator, ArtifactCredentials, ArtifactStore, BackendStore, Exposure, GpuTrainingJob, MlflowPlatform,
  PostgresSslMode, SecretValue,
} from '../lib';

export function build(app: App): void {
  // The seed's platform namespace: MLflow with PostgreSQL and MinIO in the cluster. No password in a URI, no
  // `latest`, no public LoadBalancer: an Ingress with TLS through the ingress controller, metrics for Prometheus.
  const platform = new Chart(app, 'mlflow-platform', { namespace: 'mlops-platform' });
  const mlflow = new MlflowPlatform(platform, 'mlflow', {
    replicas: 2,
    backendStore: BackendStore.postgres({
      password: SecretValue.fromSecret('mlflow-postgres', 'password'),
      storage: '20Gi',
    }),
    artifactStore: ArtifactStore.minio({
      bucket: 'mlflow-artifacts',
      rootUser: SecretValue.fromSecret('mlflow-minio', 'root-user'),
      rootPassword: SecretValue.fromSecret('mlflow-minio', 'root-password'),
      storage: '100Gi',
    }),
    exposure: Exposure.ingress({
      host: 'mlflow.example.com',
      tlsSecretName: 'mlflow-tls',
      className: 'nginx',
      controllerNamespace: 'ingress-nginx',
      // Artifacts are uploaded through the server: lift nginx's 1 MiB default body limit.
      annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '0' },
    }),
    metrics: { scraperNamespace: 'mlops-monitoring', serviceMonitor: true },
  });

  // The seed's training namespace: a GPU training run that logs to MLflow across namespaces.
  const training = new Chart(app, 'mlflow-training', { namespace: 'mlops-training' });
  const train = new GpuTrainingJob(training, 'mnist-tracked', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '16Gi',
  });
  mlflow.connect(train, { experimentName: 'mnist' });

  // MLflow on managed services: an external PostgreSQL over TLS (REQUIRE encrypts; VERIFY_FULL also checks the
  // certificate, but needs the RDS CA in the image) and S3 through an IAM role (no keys at all),
  // with basic auth; a training job connects with its own MLflow credentials.
  const external = new Chart(app, 'mlflow-external', { namespace: 'ml' });
  const managed = new MlflowPlatform(external, 'mlflow', {
    replicas: 2,
    backendStore: BackendStore.externalPostgres({
      host: 'mlflow-db.abc123.eu-west-1.rds.amazonaws.com',
      database: 'mlflow',
      username: 'mlflow',
      password: SecretValue.fromSecret('mlflow-db', 'password'),
      sslMode: PostgresSslMode.REQUIRE,
      cidr: '10.20.0.0/16',
    }),
    artifactStore: ArtifactStore.s3({
      bucket: 'acme-mlflow-artifacts',
      path: 'tracking',
      region: 'eu-west-1',
      credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/mlflow-artifacts'),
    }),
    auth: {
      config: SecretValue.fromSecret('mlflow-auth', 'basic_auth.ini'),
      secretKey: SecretValue.fromSecret('mlflow-auth', 'flask-secret-key'),
    },
  });
  const nightly = new GpuTrainingJob(external, 'churn-train', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '16Gi',
  });
  managed.connect(nightly, {
    experimentName: 'churn',
    username: SecretValue.fromSecret('churn-train-mlflow', 'username'),
    password: SecretValue.fromSecret('churn-train-mlflow', 'password'),
  });
  // MLflow on a PostgreSQL the platform team already runs in the cluster (a CloudNativePG cluster in `databases`):
  // egress only to its primary's pods on 5432, never to an address range. Its TLS is not set up yet, so the
  // connection uses TLS when offered (PREFER); switch to REQUIRE once the database serves TLS.
  const shared = new Chart(app, 'mlflow-shared-db', { namespace: 'ml-shared' });
  new MlflowPlatform(shared, 'mlflow', {
    backendStore: BackendStore.externalPostgres({
      host: 'ml-db-rw.databases.svc.cluster.local',
      database: 'mlflow',
      username: 'mlflow',
      password: SecretValue.fromSecret('ml-db-mlflow', 'password'),
      sslMode: PostgresSslMode.PREFER,
      peer: { namespace: 'databases', podSelector: { 'cnpg.io/cluster': 'ml-db', 'cnpg.io/instanceRole': 'primary' } },
    }),
    artifactStore: ArtifactStore.s3({
      bucket: 'acme-mlflow-shared',
      region: 'eu-west-1',
      credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/mlflow-shared'),
    }),
  });
}
