// Least privilege, stated honestly (#15): whoever may create Jobs in a namespace can mount every Secret there, so the
// Secrets of servers stay out of such namespaces unless the server says it accepts that.
import { Chart, Testing } from 'cdk8s';
import {
  ArtifactStore, BackendStore, FeatureStore, MlflowPlatform, MlRbac, ModelServer, OnlineStore, Persona, Registry, SecretValue, ServingRuntime,
  VolumeClaim, AccessMode,
} from '../lib';
import { referencedSecrets } from '../lib/core/server-secrets';

function platform(personas: Persona[], allow?: boolean) {
  const app = Testing.app();
  const chart = new Chart(app, 'c');
  const rbac = new MlRbac(chart, 'rbac', { teams: [{ name: 'vision', quota: { gpus: 4, cpu: 64, memory: '256Gi' }, personas }] });
  const team = rbac.team('vision');
  new ModelServer(chart, 'api', {
    team, runtime: ServingRuntime.triton(), secretEnv: { API_KEY: SecretValue.fromSecret('api-key', 'key') }, allowSecretsInJobNamespace: allow,
  });
  new FeatureStore(chart, 'features', {
    team, allowSecretsInJobNamespace: allow,
    registry: Registry.file(VolumeClaim.fromClaimName('reg', { accessModes: [AccessMode.READ_WRITE_MANY] })),
    onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password') }),
  });
  new MlflowPlatform(chart, 'mlflow', {
    team, allowSecretsInJobNamespace: allow,
    backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('mlflow-postgres', 'password') }),
    artifactStore: ArtifactStore.minio({ bucket: 'mlflow', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password') }),
  });
  return () => Testing.synth(chart);
}

describe('server Secrets outside namespaces where others create Jobs', () => {
  test('refused by default where trainers or pipeline runners create Jobs, naming server, Secrets, namespace and Roles', () => {
    let message = '';
    try {
      platform([Persona.TRAINER, Persona.MODEL_SERVER, Persona.VIEWER])();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("ModelServer 'api' (c/api) uses Secret(s) 'api-key' in namespace 'vision', where Role 'vision-trainer' (MlRbac 'rbac' (c/rbac)) may create Jobs or pods");
    expect(message).toContain("FeatureStore 'features' (c/features) uses Secret(s) 'feast-redis' in namespace 'vision'");
    expect(message).toContain("MlflowPlatform 'mlflow' (c/mlflow) uses Secret(s) 'minio', 'mlflow-postgres' in namespace 'vision'");
    expect(message).toContain('the enforce-mountable-secrets annotation does not prevent it');
    expect(message).toContain('set allowSecretsInJobNamespace: true on it');
  });

  test('accepted with allowSecretsInJobNamespace, or where no persona creates Jobs', () => {
    expect(platform([Persona.TRAINER, Persona.PIPELINE_RUNNER], true)().length).toBeGreaterThan(0);
    expect(platform([Persona.MODEL_SERVER, Persona.VIEWER])().length).toBeGreaterThan(0);
  });

  test('the pipeline runner alone is enough to refuse', () => {
    expect(platform([Persona.PIPELINE_RUNNER])).toThrow(/Role 'vision-pipeline-runner' \(MlRbac 'rbac' \(c\/rbac\)\) may create Jobs or pods/);
  });

  test('a server in another namespace than the team\'s is not concerned', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new MlRbac(chart, 'rbac', { teams: [{ name: 'vision', quota: { gpus: 4 } }] });
    new ModelServer(new Chart(app, 'serving', { namespace: 'serving' }), 'api', { runtime: ServingRuntime.triton(), secretEnv: { K: SecretValue.fromSecret('k', 'k') } });
    expect(() => app.synth()).not.toThrow();
  });

  test('the Secrets a manifest references: env, envFrom, volumes, projected volumes and Ingress TLS', () => {
    expect([...referencedSecrets({
      spec: {
        containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'a', key: 'k' } } }], envFrom: [{ secretRef: { name: 'b' } }] }],
        volumes: [{ secret: { secretName: 'c' } }, { projected: { sources: [{ secret: { name: 'd' } }] } }],
        tls: [{ secretName: 'e' }],
      },
    })].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
