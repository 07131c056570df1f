import { Chart, Duration, Testing } from 'cdk8s';
import {
  ArtifactCredentials, ArtifactStore, BackendStore, ExternalSecretStore, ExternalSecretStoreProps, GpuTrainingJob, MlflowPlatform, MlRbac,
  SecretProvider, SecretValue, VaultKvVersion,
} from '../lib';
import { expectValidManifests } from './support/validate';

const AWS = () => SecretProvider.awsSecretsManager({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/vision-secrets' });
const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';

function store(props: Partial<ExternalSecretStoreProps> = {}, namespace = 'ml') {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const made = new ExternalSecretStore(chart, 'ml-secrets', { provider: AWS(), ...props });
  return { chart, store: made };
}

const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('ExternalSecretStore', () => {
  test('a team\'s SecretStore on AWS Secrets Manager through IRSA, and an ExternalSecret per remote key its values use (snapshot)', () => {
    const chart = new Chart(Testing.app(), 'test');
    const vision = new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota: { gpus: 2, cpu: 16, memory: '64Gi' } });
    const secrets = new ExternalSecretStore(chart, 'vision-secrets', { team: vision, provider: AWS() });
    new GpuTrainingJob(chart, 'train', {
      team: vision, image: IMAGE, cpu: 2, memory: '8Gi',
      secretEnv: {
        WANDB_API_KEY: SecretValue.fromExternal(secrets, 'vision/wandb', 'api-key'),
        HF_TOKEN: SecretValue.fromExternal(secrets, 'vision/hf-token'),
      },
    });
    const objects = Testing.synth(chart);
    const esoObjects = objects.filter((o) => o.apiVersion === 'external-secrets.io/v1' || (o.kind === 'ServiceAccount' && o.metadata.name === 'vision-secrets'));
    expect(esoObjects).toMatchSnapshot();
    const account = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'vision-secrets');
    expect(account).toMatchObject({ metadata: { namespace: 'vision', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/vision-secrets' } }, automountServiceAccountToken: false });
    const [secretStore] = ofKind(objects, 'SecretStore');
    expect(secretStore.metadata).toMatchObject({ name: 'vision-secrets', namespace: 'vision' });
    expect(secretStore.spec.provider).toEqual({ aws: { service: 'SecretsManager', region: 'eu-west-1', auth: { jwt: { serviceAccountRef: { name: 'vision-secrets' } } } } });
    const externalSecrets = ofKind(objects, 'ExternalSecret');
    expect(externalSecrets.map((e) => `${e.metadata.namespace}/${e.metadata.name}`)).toEqual([
      expect.stringMatching(/^vision\/vision-secrets-vision-wandb-[0-9a-f]{8}$/),
      expect.stringMatching(/^vision\/vision-secrets-vision-hf-token-[0-9a-f]{8}$/),
    ]);
    for (const es of externalSecrets) {
      expect(es.spec).toMatchObject({ secretStoreRef: { name: 'vision-secrets', kind: 'SecretStore' }, refreshInterval: '1h', target: { name: es.metadata.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' } });
    }
    expect(externalSecrets[0].spec.data).toEqual([{ secretKey: 'api-key', remoteRef: { key: 'vision/wandb', property: 'api-key' } }]);
    expect(externalSecrets[1].spec.data).toEqual([{ secretKey: 'value', remoteRef: { key: 'vision/hf-token' } }]);
    // The pod reads the Secrets the ExternalSecrets write, by reference only.
    const env = objects.find((o) => o.kind === 'Job').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'WANDB_API_KEY', valueFrom: { secretKeyRef: { name: externalSecrets[0].metadata.name, key: 'api-key' } } });
    expect(env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: externalSecrets[1].metadata.name, key: 'value' } } });
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expectValidManifests(objects);
  });

  test('several properties of one remote key: one ExternalSecret, a Secret key each; the same value twice, once', () => {
    const { chart, store: s } = store();
    const user = SecretValue.fromExternal(s, 'mlflow-db', 'username');
    const password = SecretValue.fromExternal(s, 'mlflow-db', 'password');
    expect(SecretValue.fromExternal(s, 'mlflow-db', 'password')).toEqual(password);
    expect([user.secretName, user.key, password.key]).toEqual(['ml-secrets-mlflow-db', 'username', 'password']);
    const [es] = ofKind(Testing.synth(chart), 'ExternalSecret');
    expect(es.spec.data).toEqual([
      { secretKey: 'username', remoteRef: { key: 'mlflow-db', property: 'username' } },
      { secretKey: 'password', remoteRef: { key: 'mlflow-db', property: 'password' } },
    ]);
  });

  test('an MLflow database password from the secret manager: requiredSecrets names the written Secret, no kubectl needed', () => {
    const { chart, store: s } = store({ refreshInterval: Duration.minutes(15) });
    const mlflow = new MlflowPlatform(chart, 'mlflow', {
      backendStore: BackendStore.externalPostgres({ host: 'db.example.com', database: 'mlflow', username: 'mlflow', password: SecretValue.fromExternal(s, 'prod/mlflow/db', 'password') }),
      artifactStore: ArtifactStore.s3({ bucket: 'acme-mlflow', credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/mlflow') }),
    });
    const objects = Testing.synth(chart);
    const [es] = ofKind(objects, 'ExternalSecret');
    expect(es.spec.refreshInterval).toBe('15m');
    expect(mlflow.requiredSecrets).toEqual([{ name: es.metadata.name, namespace: 'ml', keys: ['password'], purpose: 'password of the external PostgreSQL' }]);
    expectValidManifests(objects);
  });

  test('Google Secret Manager, Vault and Azure Key Vault through their workload identities', () => {
    const gcp = store({ provider: SecretProvider.gcpSecretManager({ projectId: 'acme-ml', serviceAccountEmail: 'ml-secrets@acme-ml.iam.gserviceaccount.com', cluster: { name: 'ml', location: 'europe-west1' } }) });
    const vault = store({ provider: SecretProvider.vault({ server: 'https://vault.example.com:8200', role: 'ml', path: 'kv', version: VaultKvVersion.V2 }) });
    const azure = store({ provider: SecretProvider.azureKeyVault({ vaultUrl: 'https://ml-secrets.vault.azure.net', clientId: '11111111-2222-3333-4444-555555555555', tenantId: '66666666-7777-8888-9999-000000000000' }) });
    const synthOf = (c: Chart) => Testing.synth(c);
    const [g, h, a] = [gcp, vault, azure].map((x) => synthOf(x.chart));
    const spec = (objects: any[]) => ofKind(objects, 'SecretStore')[0].spec.provider;
    const account = (objects: any[]) => ofKind(objects, 'ServiceAccount')[0];
    expect(spec(g)).toEqual({ gcpsm: { projectID: 'acme-ml', auth: { workloadIdentity: { serviceAccountRef: { name: 'ml-secrets' }, clusterName: 'ml', clusterLocation: 'europe-west1', clusterProjectID: 'acme-ml' } } } });
    expect(account(g).metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'ml-secrets@acme-ml.iam.gserviceaccount.com' });
    expect(spec(h)).toEqual({ vault: { server: 'https://vault.example.com:8200', path: 'kv', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'ml', serviceAccountRef: { name: 'ml-secrets' } } } } });
    expect(account(h).metadata.annotations).toBeUndefined();
    expect(spec(a)).toEqual({ azurekv: { vaultUrl: 'https://ml-secrets.vault.azure.net', authType: 'WorkloadIdentity', tenantId: '66666666-7777-8888-9999-000000000000', serviceAccountRef: { name: 'ml-secrets' } } });
    expect(account(a).metadata.annotations).toEqual({ 'azure.workload.identity/client-id': '11111111-2222-3333-4444-555555555555', 'azure.workload.identity/tenant-id': '66666666-7777-8888-9999-000000000000' });
    for (const objects of [g, h, a]) expectValidManifests(objects);
  });

  test('a ClusterSecretStore for listed namespaces: its ServiceAccount in the operator\'s namespace, values per namespace', () => {
    const chart = new Chart(Testing.app(), 'test');
    const shared = new ExternalSecretStore(chart, 'shared-secrets', { provider: AWS(), clusterWide: { serviceAccountNamespace: 'external-secrets', namespaces: ['ml', 'ml-serving'] } });
    expect(shared.kind).toBe('ClusterSecretStore');
    const value = SecretValue.fromExternal(shared.inNamespace('ml-serving'), 'hf-token');
    new GpuTrainingJob(chart, 'train', { namespace: 'ml', image: IMAGE, cpu: 2, memory: '8Gi', secretEnv: { HF_TOKEN: SecretValue.fromExternal(shared.inNamespace('ml'), 'hf-token') } });
    const objects = Testing.synth(chart);
    const [cluster] = ofKind(objects, 'ClusterSecretStore');
    expect(cluster.metadata.namespace).toBeUndefined();
    expect(cluster.spec.conditions).toEqual([{ namespaces: ['ml', 'ml-serving'] }]);
    expect(cluster.spec.provider.aws.auth.jwt.serviceAccountRef).toEqual({ name: 'shared-secrets', namespace: 'external-secrets' });
    expect(ofKind(objects, 'ServiceAccount')[0].metadata.namespace).toBe('external-secrets');
    expect(ofKind(objects, 'ExternalSecret').map((e) => `${e.metadata.namespace}/${e.metadata.name}/${e.spec.secretStoreRef.kind}`))
      .toEqual(['ml-serving/shared-secrets-hf-token/ClusterSecretStore', 'ml/shared-secrets-hf-token/ClusterSecretStore']);
    expect(value.secretName).toBe('shared-secrets-hf-token');
    expectValidManifests(objects);
  });

  describe('bad input', () => {
    test('no provider, an unknown prop, a refresh under a minute', () => {
      expect(() => store({ provider: undefined as any })).toThrow(/^ExternalSecretStore 'ml-secrets': 'provider' must be made with SecretProvider.awsSecretsManager\(...\), gcpSecretManager\(...\), vault\(...\) or azureKeyVault\(...\), got nothing$/);
      expect(() => store({ region: 'eu-west-1' } as any)).toThrow(/^ExternalSecretStore 'ml-secrets': 'region' /);
      expect(() => store({ refreshInterval: Duration.seconds(30) })).toThrow(/^ExternalSecretStore 'ml-secrets': 'refreshInterval' must be at least one minute .*, got '30s'$/);
    });

    test('a ClusterSecretStore without namespaces, or with a team', () => {
      expect(() => store({ clusterWide: { serviceAccountNamespace: 'external-secrets', namespaces: [] } }))
        .toThrow(/^ExternalSecretStore 'ml-secrets': 'clusterWide.namespaces' must list the namespaces that may use the store .*, got \[\]$/);
      expect(() => store({ namespace: 'ml', clusterWide: { serviceAccountNamespace: 'external-secrets', namespaces: ['ml'] } }))
        .toThrow(/^ExternalSecretStore 'ml-secrets': 'namespace' cannot be given with clusterWide/);
    });

    test('a value of a ClusterSecretStore without a namespace, or for a namespace it does not serve', () => {
      const { store: cluster } = store({ clusterWide: { serviceAccountNamespace: 'external-secrets', namespaces: ['ml'] } });
      expect(() => SecretValue.fromExternal(cluster, 'x')).toThrow(/^SecretValue.fromExternal: 'store' must say the namespace of the pods that read the value: ClusterSecretStore 'ml-secrets' serves ml; use store.inNamespace\(ns\), got 'ml-secrets'$/);
      expect(() => cluster.inNamespace('other')).toThrow(/^ExternalSecretStore 'ml-secrets': 'namespace' must be one of the ClusterSecretStore's namespaces \(ml\), got 'other'$/);
      const { store: own } = store();
      expect(() => own.inNamespace('other')).toThrow(/^ExternalSecretStore 'ml-secrets': 'namespace' must be the SecretStore's own namespace \(ml\), got 'other'$/);
    });

    test('a remote key or property that is empty or spans lines; two properties for one Secret key; not a store', () => {
      const { store: s } = store();
      expect(() => SecretValue.fromExternal(s, '')).toThrow(/^SecretValue.fromExternal: 'key' must be a name of at most 2048 characters, on one line, got ''$/);
      expect(() => SecretValue.fromExternal(s, 'db', 'pass\nword')).toThrow(/^SecretValue.fromExternal: 'property' must be a name/);
      SecretValue.fromExternal(s, 'db', 'a b');
      expect(() => SecretValue.fromExternal(s, 'db', 'a_b')).toThrow(/^SecretValue.fromExternal: 'property' must not map to Secret key 'a_b' of 'ml-secrets-db', which already holds property 'a b' of 'db', got 'a_b'$/);
      expect(() => SecretValue.fromExternal('aws' as any, 'db')).toThrow(/^SecretValue.fromExternal: 'store' must be made with new ExternalSecretStore/);
    });

    test('providers: a plain-http Vault, a bad ARN, project, e-mail, client ID', () => {
      expect(() => SecretProvider.vault({ server: 'http://vault:8200', role: 'ml' })).toThrow(/^SecretProvider.vault: 'server' must be an https:\/\/ URL/);
      expect(() => SecretProvider.awsSecretsManager({ region: 'eu-west-1', roleArn: 'vision-secrets' })).toThrow(/^SecretProvider.awsSecretsManager: 'roleArn' must be an IAM role ARN/);
      expect(() => SecretProvider.awsSecretsManager({ region: 'Europe', roleArn: 'arn:aws:iam::123456789012:role/x' })).toThrow(/^SecretProvider.awsSecretsManager: 'region' /);
      expect(() => SecretProvider.gcpSecretManager({ projectId: 'A', serviceAccountEmail: 'x@acme-ml.iam.gserviceaccount.com' })).toThrow(/^SecretProvider.gcpSecretManager: 'projectId' must be a Google Cloud project ID/);
      expect(() => SecretProvider.gcpSecretManager({ projectId: 'acme-ml', serviceAccountEmail: 'me@gmail.com' })).toThrow(/^SecretProvider.gcpSecretManager: 'serviceAccountEmail' /);
      expect(() => SecretProvider.azureKeyVault({ vaultUrl: 'https://v.vault.azure.net', clientId: 'abc' })).toThrow(/^SecretProvider.azureKeyVault: 'clientId' must be a GUID/);
      expect(() => SecretProvider.vault({ server: 'https://vault', role: 'ml', version: 'v3' as any })).toThrow(/^SecretProvider.vault: 'version' /);
    });
  });
});
