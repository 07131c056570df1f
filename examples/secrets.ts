// Secrets from a secret manager instead of `kubectl create secret`: a SecretStore per team on AWS Secrets Manager
// (IRSA, no keys anywhere) feeding MLflow's database password and a training run's tokens, and a Vault
// ClusterSecretStore shared by two namespaces. The External Secrets Operator writes the Secrets; the manifests hold
// only references.
import { App, Chart, Duration } from 'cdk8s';
import {
  Accelerator, ArtifactCredentials, ArtifactStore, BackendStore, ExternalSecretStore, GpuTrainingJob, MlflowPlatform, MlRbac,
  Persona, PostgresSslMode, SecretProvider, SecretValue,
} from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'secrets-team-store');
  const rbac = new MlRbac(chart, 'rbac');
  // MLflow runs in a namespace where no one creates Jobs (a Job could mount its database password).
  const platform = rbac.addTeam({
    name: 'platform', namespaces: ['mlops-platform'], quota: { gpus: 0, cpu: 16, memory: '64Gi' }, kueue: false,
    personas: [Persona.MODEL_SERVER, Persona.VIEWER],
  });
  const vision = rbac.addTeam({ name: 'vision', quota: { gpus: 4, cpu: 64, memory: '256Gi' } });

  // Each team's store: a SecretStore in its namespace, authenticated as the ServiceAccount of the store, which IRSA
  // maps to a role that may read only that team's secrets. Values are read again every 15 minutes.
  const platformSecrets = new ExternalSecretStore(chart, 'platform-secrets', {
    team: platform,
    provider: SecretProvider.awsSecretsManager({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/platform-secrets' }),
  });
  const secrets = new ExternalSecretStore(chart, 'vision-secrets', {
    team: vision,
    provider: SecretProvider.awsSecretsManager({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/vision-secrets' }),
    refreshInterval: Duration.minutes(15),
  });

  const mlflow = new MlflowPlatform(chart, 'mlflow', {
    team: platform,
    backendStore: BackendStore.externalPostgres({
      host: 'mlflow.abc123.eu-west-1.rds.amazonaws.com',
      database: 'mlflow',
      username: 'mlflow',
      // The `password` field of the JSON secret `platform/mlflow-db`.
      password: SecretValue.fromExternal(platformSecrets, 'platform/mlflow-db', 'password'),
      sslMode: PostgresSslMode.VERIFY_FULL,
      cidr: '10.20.0.0/16',
    }),
    artifactStore: ArtifactStore.s3({
      bucket: 'acme-mlflow',
      region: 'eu-west-1',
      credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/mlflow'),
    }),
  });

  const finetune = new GpuTrainingJob(chart, 'vit-finetune', {
    team: vision,
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/finetune.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 8,
    memory: '32Gi',
    secretEnv: {
      HF_TOKEN: SecretValue.fromExternal(secrets, 'vision/hugging-face', 'token'),
      WANDB_API_KEY: SecretValue.fromExternal(secrets, 'vision/wandb', 'api-key'),
    },
  });
  mlflow.connect(finetune, { experimentName: 'vit', acrossTeams: true });

  // A Vault KV store shared by two namespaces (a ClusterSecretStore limited to them): the ExternalSecret is written
  // in the namespace of the pods that read the value.
  const shared = new Chart(app, 'secrets-cluster-store');
  const vault = new ExternalSecretStore(shared, 'ml-vault', {
    provider: SecretProvider.vault({ server: 'https://vault.example.com:8200', role: 'ml-secrets', path: 'kv' }),
    clusterWide: { serviceAccountNamespace: 'external-secrets', namespaces: ['ml-batch', 'ml-research'] },
  });
  new GpuTrainingJob(shared, 'nightly-eval', {
    namespace: 'ml-batch',
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/eval.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '16Gi',
    secretEnv: { HF_TOKEN: SecretValue.fromExternal(vault.inNamespace('ml-batch'), 'ml/hugging-face', 'token') },
  });
}
