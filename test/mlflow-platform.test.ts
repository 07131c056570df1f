import { App, Chart, Testing } from 'cdk8s';
import {
  Accelerator, AccessMode, ArtifactCredentials, ArtifactStore, BackendStore, createSecretCommand, Exposure,
  GpuTrainingJob, MlflowPlatform, MlflowPlatformProps, PostgresSslMode, SecretValue, VolumeClaim,
} from '../lib';
import { build as buildExamples } from '../examples/mlflow';
import { expectValidManifests, uncoveredPods } from './support/validate';

const pgPassword = SecretValue.fromSecret('mlflow-postgres', 'password');
const minio = () => ArtifactStore.minio({
  bucket: 'mlflow-artifacts',
  rootUser: SecretValue.fromSecret('mlflow-minio', 'root-user'),
  rootPassword: SecretValue.fromSecret('mlflow-minio', 'root-password'),
});

/** `null`: no namespace anywhere (the chart's default). */
function platform(props: Partial<MlflowPlatformProps> = {}, namespace: string | null = 'mlops-platform') {
  const app = Testing.app();
  const chart = new Chart(app, 'platform', { namespace: namespace ?? undefined });
  const mlflow = new MlflowPlatform(chart, 'mlflow', {
    backendStore: BackendStore.postgres({ password: pgPassword }),
    artifactStore: minio(),
    ...props,
  });
  return { app, chart, mlflow };
}

function trainingJob(app: App, namespace: string | null = 'mlops-training', id = 'train') {
  const chart = new Chart(app, `training-${id}`, { namespace: namespace ?? undefined });
  const job = new GpuTrainingJob(chart, id, { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', accelerator: Accelerator.nvidiaGpu(1), cpu: 2, memory: '8Gi' });
  return { chart, job };
}

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: any[], kind: string, name?: string) => {
  const found = byKind(objects, kind).filter((o) => name === undefined || o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
const podSpecOf = (o: any) => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);
const containersOf = (objects: any[]) => objects
  .filter((o) => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind))
  .flatMap((o) => [...(podSpecOf(o).initContainers ?? []), ...podSpecOf(o).containers].map((c: any) => ({ owner: `${o.kind}/${o.metadata.name}`, c })));
const envOf = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const serverContainer = (objects: any[]) => podSpecOf(one(objects, 'Deployment')).containers[0];

describe('MlflowPlatform', () => {
  test('the seed platform with PostgreSQL, MinIO, Ingress and a wired training job (snapshot)', () => {
    const { app, chart, mlflow } = platform({
      replicas: 2,
      exposure: Exposure.ingress({ host: 'mlflow.example.com', tlsSecretName: 'mlflow-tls', className: 'nginx' }),
      metrics: { scraperNamespace: 'mlops-monitoring' },
    });
    const { chart: training, job } = trainingJob(app);
    mlflow.connect(job, { experimentName: 'mnist' });
    expect(Testing.synth(chart)).toMatchSnapshot();
    expect(Testing.synth(training)).toMatchSnapshot();
  });

  test('the server runs `mlflow server` with proxied artifacts and a password-less backend URI', () => {
    const { chart } = platform({ exposure: Exposure.ingress({ host: 'mlflow.example.com', tlsSecretName: 'mlflow-tls' }) });
    const server = serverContainer(Testing.synth(chart));
    expect(server.image).toBe('ghcr.io/mlflow/mlflow:v3.16.1-full');
    expect(server.command).toEqual(['mlflow']);
    expect(server.args).toEqual([
      'server', '--host', '0.0.0.0', '--port', '5000', '--workers', '2',
      '--backend-store-uri', 'postgresql://mlflow@mlflow-postgres.mlops-platform.svc:5432/mlflow',
      '--serve-artifacts', '--artifacts-destination', 's3://mlflow-artifacts',
      '--allowed-hosts', [
        'mlflow', 'mlflow:5000', 'localhost', 'localhost:5000', 'mlflow.mlops-platform', 'mlflow.mlops-platform:5000',
        'mlflow.mlops-platform.svc', 'mlflow.mlops-platform.svc:5000', 'mlflow.mlops-platform.svc.cluster.local',
        'mlflow.mlops-platform.svc.cluster.local:5000', 'mlflow.example.com',
      ].join(','),
    ]);
    const env = envOf(server);
    expect(env.PGPASSWORD).toEqual({ secretKeyRef: { name: 'mlflow-postgres', key: 'password' } });
    expect(env.AWS_ACCESS_KEY_ID).toEqual({ secretKeyRef: { name: 'mlflow-minio', key: 'root-user' } });
    expect(env.AWS_SECRET_ACCESS_KEY).toEqual({ secretKeyRef: { name: 'mlflow-minio', key: 'root-password' } });
    expect(env.MLFLOW_S3_ENDPOINT_URL).toBe('http://mlflow-minio.mlops-platform.svc:9000');
    expect(server.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(server.startupProbe).toBeDefined();
    expect(server.livenessProbe).toBeDefined();
    expect(server.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } });
  });

  test('no credential appears in any env value, argument, command or URI of any example', () => {
    const app = Testing.app();
    buildExamples(app);
    const credentialName = /(PASSWORD|PASSWD|SECRET|TOKEN|ACCESS_KEY|API_KEY|AUTH_KEY|CREDENTIAL)/i;
    const uriWithPassword = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
    let checked = 0;
    for (const chart of app.charts) {
      const objects = Testing.synth(chart);
      expect(byKind(objects, 'Secret')).toEqual([]);
      for (const cm of byKind(objects, 'ConfigMap')) expect(JSON.stringify(cm.data ?? {})).not.toMatch(uriWithPassword);
      for (const { owner, c } of containersOf(objects)) {
        for (const e of c.env ?? []) {
          checked++;
          if (credentialName.test(e.name)) expect({ owner, name: e.name, value: e.value }).toEqual({ owner, name: e.name, value: undefined });
          if (e.value !== undefined) expect(e.value).not.toMatch(uriWithPassword);
        }
        for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) {
          checked++;
          expect(arg).not.toMatch(uriWithPassword);
          expect(arg).not.toMatch(/password=|:password@/i);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  test('the migration Job upgrades the schema and the servers wait for it before serving', () => {
    const { chart, mlflow } = platform({ replicas: 3 });
    const objects = Testing.synth(chart);
    expect(mlflow.migrationJobName).toBe('mlflow-db-upgrade-v3-16-1-full-168f5c01');
    const job = one(objects, 'Job', 'mlflow-db-upgrade-v3-16-1-full-168f5c01');
    // A database that never answers fails the Job instead of leaving the servers waiting forever.
    expect(job.spec.activeDeadlineSeconds).toBe(7200);
    const upgrade = podSpecOf(job).containers[0];
    expect(upgrade.command.slice(0, 2)).toEqual(['python', '-c']);
    // Initial tables where missing, then the alembic migrations of `mlflow db upgrade`.
    expect(upgrade.command[2]).toContain('_initialize_tables(create_sqlalchemy_engine_with_retry(os.environ["MLFLOW_BACKEND_STORE_URI"]))');
    expect(envOf(upgrade).MLFLOW_BACKEND_STORE_URI).toBe('postgresql://mlflow@mlflow-postgres.mlops-platform.svc:5432/mlflow');
    expect(envOf(upgrade).PGPASSWORD).toEqual({ secretKeyRef: { name: 'mlflow-postgres', key: 'password' } });
    expect(podSpecOf(job).restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBe(10);

    const pod = podSpecOf(one(objects, 'Deployment'));
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-schema']);
    const wait = pod.initContainers[0];
    expect(wait.command.slice(0, 2)).toEqual(['python', '-c']);
    expect(wait.command[2]).toContain('_verify_schema(engine)');
    expect(envOf(wait).MLFLOW_BACKEND_STORE_URI).toBe('postgresql://mlflow@mlflow-postgres.mlops-platform.svc:5432/mlflow');
    // No replica migrates or creates tables itself.
    for (const c of [...pod.initContainers, ...pod.containers]) expect(JSON.stringify([c.command, c.args])).not.toMatch(/_initialize_tables|_upgrade_db|db upgrade/);
  });

  test('a new MLflow image gets a new migration Job (Job templates are immutable)', () => {
    const { mlflow } = platform({ image: 'ghcr.io/mlflow/mlflow:v3.17.0-full' });
    expect(mlflow.migrationJobName).toBe('mlflow-db-upgrade-v3-17-0-full-43f33c59');
  });

  test('the file backend upgrades in its only pod, with the Recreate strategy and no Job', () => {
    const claim = VolumeClaim.fromClaimName('mlflow-data', { accessModes: [AccessMode.READ_WRITE_ONCE] });
    const { chart, mlflow } = platform({ backendStore: BackendStore.file({ claim }) });
    const objects = Testing.synth(chart);
    expect(mlflow.migrationJobName).toBeUndefined();
    expect(byKind(objects, 'Job').map((j) => j.metadata.name)).toEqual(['mlflow-minio-bucket']);
    expect(byKind(objects, 'StatefulSet').map((s) => s.metadata.name)).toEqual(['mlflow-minio']);
    const deployment = one(objects, 'Deployment');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = podSpecOf(deployment);
    expect(pod.initContainers[0].command[2]).toContain('_initialize_tables');
    expect(envOf(pod.initContainers[0]).MLFLOW_BACKEND_STORE_URI).toBe('sqlite:////var/lib/mlflow/mlflow.db');
    expect(pod.initContainers[0].volumeMounts).toContainEqual({ name: 'backend-store', mountPath: '/var/lib/mlflow' });
    expect(pod.volumes).toContainEqual({ name: 'backend-store', persistentVolumeClaim: { claimName: 'mlflow-data' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'backend-store', mountPath: '/var/lib/mlflow' });
    expect(byKind(objects, 'PodDisruptionBudget')).toEqual([]);
  });

  test('PostgreSQL: pinned image, claim template, headless Service, readiness, uid 999 and PGDATA in a subdirectory', () => {
    const objects = Testing.synth(platform().chart);
    const sts = one(objects, 'StatefulSet', 'mlflow-postgres');
    expect(sts.spec.serviceName).toBe('mlflow-postgres');
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(one(objects, 'Service', 'mlflow-postgres').spec.clusterIP).toBe('None');
    const pod = podSpecOf(sts);
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    const pg = pod.containers[0];
    expect(pg.image).toBe('postgres:16.4');
    expect(envOf(pg)).toMatchObject({
      POSTGRES_USER: 'mlflow', POSTGRES_DB: 'mlflow', PGDATA: '/var/lib/postgresql/data/pgdata',
      POSTGRES_PASSWORD: { secretKeyRef: { name: 'mlflow-postgres', key: 'password' } },
    });
    expect(pg.readinessProbe.exec.command[0]).toBe('pg_isready');
    expect(pg.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
    expect(pg.volumeMounts.map((m: any) => m.mountPath)).toContain('/var/run/postgresql');
  });

  test('a new PostgreSQL or MinIO image leaves the claim templates unchanged (Kubernetes refuses to change them)', () => {
    const claims = (pgImage: string, minioImage: string) => byKind(Testing.synth(platform({
      backendStore: BackendStore.postgres({ password: pgPassword, image: pgImage }),
      artifactStore: ArtifactStore.minio({ bucket: 'mlflow-artifacts', rootUser: pgPassword, rootPassword: pgPassword, image: minioImage }),
    }).chart), 'StatefulSet').map((s) => s.spec.volumeClaimTemplates);
    const before = claims('postgres:16.4', 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z');
    expect(before).toHaveLength(2);
    expect(claims('postgres:16.6', 'quay.io/minio/minio:RELEASE.2025-10-15T17-29-55Z')).toEqual(before);
    expect(JSON.stringify(before)).not.toContain('app.kubernetes.io/version');
  });

  test('MinIO: the bucket Job creates the bucket and leaves it private, credentials only through env', () => {
    const objects = Testing.synth(platform().chart);
    const minioPod = podSpecOf(one(objects, 'StatefulSet', 'mlflow-minio')).containers[0];
    expect(envOf(minioPod).MINIO_ROOT_PASSWORD).toEqual({ secretKeyRef: { name: 'mlflow-minio', key: 'root-password' } });
    const job = one(objects, 'Job', 'mlflow-minio-bucket');
    // `mc ready` waits without end: a MinIO that never comes up fails the Job after 15 minutes.
    expect(job.spec.activeDeadlineSeconds).toBe(900);
    const script: string = podSpecOf(job).containers[0].command[2];
    expect(script).toContain('mc mb --ignore-existing minio/mlflow-artifacts');
    expect(script).toContain('mc anonymous set none minio/mlflow-artifacts');
    expect(script).not.toMatch(/anonymous set (download|public|upload)/);
    // The credentials reach mc on stdin (test/secrets.test.ts runs the script with hostile values).
    expect(script).toContain('printf \'%s\\n%s\\n\' "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" | mc alias set');
  });

  test('NetworkPolicies: only the server and the jobs reach the stores; only wired clients, ingress and scraper reach the server', () => {
    const { app, chart, mlflow } = platform({
      exposure: Exposure.ingress({ host: 'mlflow.example.com', tlsSecretName: 'mlflow-tls', controllerNamespace: 'ingress-nginx' }),
      metrics: { scraperNamespace: 'mlops-monitoring' },
    });
    const { chart: training, job } = trainingJob(app);
    mlflow.connect(job);
    const objects = Testing.synth(chart);
    const policy = (name: string) => one(objects, 'NetworkPolicy', name).spec;
    const server = { 'app.kubernetes.io/component': 'tracking-server', 'app.kubernetes.io/instance': 'mlflow' };
    const sel = (component: string) => ({ 'app.kubernetes.io/component': component, 'app.kubernetes.io/instance': 'mlflow' });

    expect(policy('mlflow-postgres').ingress).toEqual([
      { from: [{ podSelector: { matchLabels: server } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      { from: [{ podSelector: { matchLabels: sel('db-migration') } }], ports: [{ port: 5432, protocol: 'TCP' }] },
    ]);
    expect(policy('mlflow-minio').ingress).toEqual([
      { from: [{ podSelector: { matchLabels: server } }], ports: [{ port: 9000, protocol: 'TCP' }] },
      { from: [{ podSelector: { matchLabels: sel('bucket-setup') } }], ports: [{ port: 9000, protocol: 'TCP' }] },
    ]);
    expect(policy('mlflow-postgres').egress).toHaveLength(1); // DNS only
    expect(policy('mlflow-minio').egress).toHaveLength(1);

    const serverPolicy = policy('mlflow');
    expect(serverPolicy.podSelector.matchLabels).toEqual(server);
    expect(serverPolicy.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 5000, protocol: 'TCP' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlops-monitoring' } } }], ports: [{ port: 5000, protocol: 'TCP' }] },
      {
        from: [{
          podSelector: { matchLabels: { 'app.kubernetes.io/component': 'training', 'app.kubernetes.io/instance': 'train' } },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlops-training' } },
        }],
        ports: [{ port: 5000, protocol: 'TCP' }],
      },
    ]);
    expect(serverPolicy.egress.slice(1)).toEqual([
      { to: [{ podSelector: { matchLabels: sel('database') } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      { to: [{ podSelector: { matchLabels: sel('object-store') } }], ports: [{ port: 9000, protocol: 'TCP' }] },
    ]);
    expect(policy('mlflow-db-upgrade-v3-16-1-full-168f5c01').egress[1]).toEqual({ to: [{ podSelector: { matchLabels: sel('database') } }], ports: [{ port: 5432, protocol: 'TCP' }] });

    const trainingPolicy = one(Testing.synth(training), 'NetworkPolicy').spec;
    expect(trainingPolicy.egress[1]).toEqual({
      to: [{ podSelector: { matchLabels: server }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlops-platform' } } }],
      ports: [{ port: 5000, protocol: 'TCP' }],
    });
  });

  test('connect gives a workload in another namespace the qualified tracking URI and nothing else secret', () => {
    const { app, mlflow } = platform();
    const { chart: training, job } = trainingJob(app);
    mlflow.connect(job, { experimentName: 'mnist' });
    expect(mlflow.trackingUri).toBe('http://mlflow.mlops-platform.svc:5000');
    const env = envOf(podSpecOf(one(Testing.synth(training), 'Job')).containers[0]);
    expect(env.MLFLOW_TRACKING_URI).toBe('http://mlflow.mlops-platform.svc:5000');
    expect(env.MLFLOW_EXPERIMENT_NAME).toBe('mnist');
    // Proxied artifacts: the client gets no bucket endpoint or credentials.
    expect(Object.keys(env).filter((k) => /^(AWS_|MLFLOW_S3|PG)/.test(k))).toEqual([]);
  });

  test('connect in the same namespace without namespaces uses the bare Service name', () => {
    const { app, mlflow } = platform({}, null);
    const { chart: training, job } = trainingJob(app, null);
    mlflow.connect(job);
    expect(envOf(podSpecOf(one(Testing.synth(training), 'Job')).containers[0]).MLFLOW_TRACKING_URI).toBe('http://mlflow:5000');
  });

  test('with basic auth: auth config mounted from a Secret, a stable secret key, and client credentials by reference', () => {
    const { app, chart, mlflow } = platform({
      auth: { config: SecretValue.fromSecret('mlflow-auth', 'basic_auth.ini'), secretKey: SecretValue.fromSecret('mlflow-auth', 'flask-secret-key') },
    });
    const { chart: training, job } = trainingJob(app);
    mlflow.connect(job, { username: SecretValue.fromSecret('train-mlflow', 'username'), password: SecretValue.fromSecret('train-mlflow', 'password') });
    const objects = Testing.synth(chart);
    const server = serverContainer(objects);
    expect(server.args.slice(-2)).toEqual(['--app-name', 'basic-auth']);
    expect(envOf(server)).toMatchObject({
      MLFLOW_AUTH_CONFIG_PATH: '/etc/mlflow-auth/basic_auth.ini',
      MLFLOW_FLASK_SERVER_SECRET_KEY: { secretKeyRef: { name: 'mlflow-auth', key: 'flask-secret-key' } },
    });
    expect(podSpecOf(one(objects, 'Deployment')).volumes).toContainEqual({ name: 'auth-config', secret: { secretName: 'mlflow-auth', items: [{ key: 'basic_auth.ini', path: 'basic_auth.ini' }] } });
    // The migration Job also migrates the auth database, before the tracking schema the servers wait for.
    const migration = podSpecOf(one(objects, 'Job', 'mlflow-db-upgrade-v3-16-1-full-168f5c01'));
    expect(envOf(migration.containers[0]).MLFLOW_AUTH_CONFIG_PATH).toBe('/etc/mlflow-auth/basic_auth.ini');
    expect(migration.containers[0].volumeMounts).toContainEqual({ name: 'auth-config', mountPath: '/etc/mlflow-auth', readOnly: true });
    const script: string = migration.containers[0].command[2];
    expect(script.indexOf('read_auth_config().database_uri')).toBeGreaterThan(0);
    expect(script.indexOf('read_auth_config().database_uri')).toBeLessThan(script.indexOf('_initialize_tables(create'));
    const env = envOf(podSpecOf(one(Testing.synth(training), 'Job')).containers[0]);
    expect(env.MLFLOW_TRACKING_USERNAME).toEqual({ secretKeyRef: { name: 'train-mlflow', key: 'username' } });
    expect(env.MLFLOW_TRACKING_PASSWORD).toEqual({ secretKeyRef: { name: 'train-mlflow', key: 'password' } });
  });

  test('requiredSecrets lists every Secret with its keys, namespace and kubectl line', () => {
    const { app, mlflow } = platform({
      auth: { config: SecretValue.fromSecret('mlflow-auth', 'basic_auth.ini'), secretKey: SecretValue.fromSecret('mlflow-auth', 'flask-secret-key') },
    });
    const { job } = trainingJob(app);
    mlflow.connect(job, { username: SecretValue.fromSecret('train-mlflow', 'username'), password: SecretValue.fromSecret('train-mlflow', 'password') });
    const secrets = mlflow.requiredSecrets;
    expect(secrets.map((s) => [s.name, s.namespace, s.keys])).toEqual([
      ['mlflow-postgres', 'mlops-platform', ['password']],
      ['mlflow-minio', 'mlops-platform', ['root-user', 'root-password']],
      ['mlflow-auth', 'mlops-platform', ['basic_auth.ini', 'flask-secret-key']],
      ['train-mlflow', 'mlops-training', ['username', 'password']],
    ]);
    expect(secrets.map(createSecretCommand)[1]).toBe('kubectl create secret generic mlflow-minio -n mlops-platform --from-literal=root-user=... --from-literal=root-password=...');
  });

  test('external PostgreSQL and S3: TLS, egress only on the store ports, no in-cluster stores', () => {
    const { chart } = platform({
      backendStore: BackendStore.externalPostgres({
        host: 'db.example.com', port: 6432, database: 'mlflow', username: 'mlflow', password: SecretValue.fromSecret('mlflow-db', 'password'),
        sslMode: PostgresSslMode.VERIFY_FULL, cidr: '10.20.0.0/16',
      }),
      artifactStore: ArtifactStore.s3({
        bucket: 'acme-mlflow', path: 'tracking', endpoint: 'https://s3.example.com:9443', region: 'eu-west-1',
        credentials: ArtifactCredentials.accessKeys(SecretValue.fromSecret('mlflow-s3', 'id'), SecretValue.fromSecret('mlflow-s3', 'secret')),
      }),
    });
    const objects = Testing.synth(chart);
    expect(byKind(objects, 'StatefulSet')).toEqual([]);
    const server = serverContainer(objects);
    expect(server.args).toContain('postgresql://mlflow@db.example.com:6432/mlflow?sslmode=verify-full');
    expect(server.args).toContain('s3://acme-mlflow/tracking');
    expect(envOf(server)).toMatchObject({
      MLFLOW_S3_ENDPOINT_URL: 'https://s3.example.com:9443',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'mlflow-s3', key: 'id' } },
      PGPASSWORD: { secretKeyRef: { name: 'mlflow-db', key: 'password' } },
    });
    expect(one(objects, 'NetworkPolicy', 'mlflow').spec.egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 6432, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 9443, protocol: 'TCP' }] },
    ]);
    expect(one(objects, 'NetworkPolicy', 'mlflow-db-upgrade-v3-16-1-full-168f5c01').spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 6432, protocol: 'TCP' }] });
  });

  test('an existing PostgreSQL in the cluster: egress to its pods by labels and namespace on its port, never an address range; sslmode prefer', () => {
    const { chart } = platform({
      backendStore: BackendStore.externalPostgres({
        host: 'ml-db-rw.databases.svc.cluster.local', database: 'mlflow', username: 'mlflow', password: SecretValue.fromSecret('mlflow-db', 'password'),
        sslMode: PostgresSslMode.PREFER,
        peer: { namespace: 'databases', podSelector: { 'cnpg.io/cluster': 'ml-db', 'cnpg.io/instanceRole': 'primary' } },
      }),
    });
    const objects = Testing.synth(chart);
    expect(serverContainer(objects).args).toContain('postgresql://mlflow@ml-db-rw.databases.svc.cluster.local:5432/mlflow?sslmode=prefer');
    const toDatabase = {
      to: [{
        podSelector: { matchLabels: { 'cnpg.io/cluster': 'ml-db', 'cnpg.io/instanceRole': 'primary' } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'databases' } },
      }],
      ports: [{ port: 5432, protocol: 'TCP' }],
    };
    const policies = byKind(objects, 'NetworkPolicy').filter((p) => p.metadata.name === 'mlflow' || p.metadata.name.startsWith('mlflow-db-upgrade-'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.spec.egress).toContainEqual(toDatabase);
      expect(JSON.stringify(policy.spec.egress)).not.toContain('ipBlock');
    }
    expectValidManifests(objects);
  });

  test('an existing PostgreSQL in the cluster: peer without namespace is in the platform\'s; an empty selector or a cidr beside is refused', () => {
    const ext = (extra: object) => BackendStore.externalPostgres({ host: 'ml-db', database: 'mlflow', username: 'mlflow', password: pgPassword, ...extra });
    const objects = Testing.synth(platform({ backendStore: ext({ peer: { podSelector: { app: 'ml-db' } } }) }).chart);
    expect(one(objects, 'NetworkPolicy', 'mlflow').spec.egress[1]).toEqual({ to: [{ podSelector: { matchLabels: { app: 'ml-db' } } }], ports: [{ port: 5432, protocol: 'TCP' }] });
    expect(() => ext({ peer: { podSelector: {} } }))
      .toThrow(/^BackendStore.externalPostgres: 'peer.podSelector' must select the database's pods by at least one label \(an empty selector opens every pod of the namespace\), got \{\}$/);
    expect(() => ext({ peer: { podSelector: { app: 'ml-db' } }, cidr: '10.0.0.0/8' }))
      .toThrow(/^BackendStore.externalPostgres: 'cidr' cannot be given with peer \(the database is reached by its pods' labels, not by address\), got '10.0.0.0\/8'$/);
    expect(() => ext({ peer: { podSelector: { 'bad key!': 'x' } } })).toThrow(/^BackendStore.externalPostgres: 'peer.podSelector' /);
    expect(() => ext({ peer: { podSelector: { app: 'ml-db' }, namespace: 'Databases' } })).toThrow(/^BackendStore.externalPostgres: 'peer.namespace' must be a DNS-1123 label/);
    expect(() => ext({ peer: 'ml-db' })).toThrow(/^BackendStore.externalPostgres: 'peer' must be a NetworkPeer with the podSelector of the database's pods, got 'ml-db'$/);
    expect(() => ext({ sslMode: 'allow' })).toThrow(/^BackendStore.externalPostgres: 'sslMode' must be /);
  });

  test('workload identity annotates the server ServiceAccount; GCS reaches the metadata server', () => {
    const aws = Testing.synth(platform({
      artifactStore: ArtifactStore.s3({ bucket: 'acme-mlflow', credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/mlflow') }),
    }).chart);
    expect(one(aws, 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/mlflow' });
    expect(one(aws, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(Object.keys(envOf(serverContainer(aws))).filter((k) => k.startsWith('AWS_'))).toEqual([]);

    const gcs = Testing.synth(platform({
      artifactStore: ArtifactStore.gcs({ bucket: 'acme-mlflow', credentials: ArtifactCredentials.gkeWorkloadIdentity('mlflow@acme-ml.iam.gserviceaccount.com') }),
    }).chart);
    expect(one(gcs, 'ServiceAccount').metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'mlflow@acme-ml.iam.gserviceaccount.com' });
    expect(serverContainer(gcs).args).toContain('gs://acme-mlflow');
    expect(one(gcs, 'NetworkPolicy', 'mlflow').spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 80, protocol: 'TCP' }] });
  });

  test('a GCS service account key is mounted from its Secret and named by GOOGLE_APPLICATION_CREDENTIALS', () => {
    const objects = Testing.synth(platform({
      artifactStore: ArtifactStore.gcs({ bucket: 'acme-mlflow', credentials: ArtifactCredentials.gcpServiceAccountKey(SecretValue.fromSecret('mlflow-gcs', 'key.json')) }),
    }).chart);
    const server = serverContainer(objects);
    expect(envOf(server).GOOGLE_APPLICATION_CREDENTIALS).toBe('/var/run/secrets/gcp/key.json');
    expect(server.volumeMounts).toContainEqual({ name: 'gcp-key', mountPath: '/var/run/secrets/gcp', readOnly: true });
    expect(podSpecOf(one(objects, 'Deployment')).volumes).toContainEqual({ name: 'gcp-key', secret: { secretName: 'mlflow-gcs', items: [{ key: 'key.json', path: 'key.json' }] } });
  });

  test('a LoadBalancer is limited to its source ranges and keeps client addresses for the NetworkPolicy', () => {
    const objects = Testing.synth(platform({ exposure: Exposure.loadBalancer({ sourceRanges: ['10.0.0.0/8'], hosts: ['mlflow.corp.example.com'] }) }).chart);
    const service = one(objects, 'Service', 'mlflow');
    expect(service.spec).toMatchObject({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'], externalTrafficPolicy: 'Local' });
    expect(one(objects, 'NetworkPolicy', 'mlflow').spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 5000, protocol: 'TCP' }] }]);
    expect(byKind(objects, 'Ingress')).toEqual([]);
    expect(serverContainer(objects).args[serverContainer(objects).args.indexOf('--allowed-hosts') + 1]).toMatch(/:5000,mlflow\.corp\.example\.com:5000$/);
  });

  test('ClusterIP by default, a disruption budget only when replicated', () => {
    const single = Testing.synth(platform().chart);
    expect(one(single, 'Service', 'mlflow').spec.type).toBe('ClusterIP');
    expect(byKind(single, 'PodDisruptionBudget')).toEqual([]);
    expect(byKind(single, 'Ingress')).toEqual([]);
    const replicated = Testing.synth(platform({ replicas: 3 }).chart);
    expect(one(replicated, 'PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/component': 'tracking-server', 'app.kubernetes.io/instance': 'mlflow' } },
    });
  });

  test('metrics: a writable directory for the Prometheus exporter, and a ServiceMonitor when asked', () => {
    const objects = Testing.synth(platform({ metrics: { scraperNamespace: 'mlops-monitoring', serviceMonitor: true } }).chart);
    const server = serverContainer(objects);
    expect(server.args.slice(-2)).toEqual(['--expose-prometheus', '/mlflow-metrics']);
    // The scraper's Host header is the pod address.
    expect(server.args[server.args.indexOf('--allowed-hosts') + 1]).toMatch(/,10\.\*,172\.1\[6-9\]\.\*,172\.2\[0-9\]\.\*,172\.3\[0-1\]\.\*,192\.168\.\*$/);
    expect(server.volumeMounts.map((m: any) => m.mountPath)).toContain('/mlflow-metrics');
    const monitor = one(objects, 'ServiceMonitor');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/component': 'tracking-server', 'app.kubernetes.io/instance': 'mlflow' } },
      endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }],
    });
    // The ServiceMonitor selects the Service by its labels.
    expect(one(objects, 'Service', 'mlflow').metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(byKind(Testing.synth(platform({ metrics: { scraperNamespace: 'mlops-monitoring' } }).chart), 'ServiceMonitor')).toEqual([]);
  });

  test('with auth, the ServiceMonitor scrapes /metrics as an MLflow user from a Secret', () => {
    const { mlflow, chart } = platform({
      auth: { config: SecretValue.fromSecret('mlflow-auth', 'basic_auth.ini'), secretKey: SecretValue.fromSecret('mlflow-auth', 'flask-secret-key') },
      metrics: {
        scraperNamespace: 'mlops-monitoring', serviceMonitor: true,
        username: SecretValue.fromSecret('mlflow-scraper', 'username'), password: SecretValue.fromSecret('mlflow-scraper', 'password'),
      },
    });
    const objects = Testing.synth(chart);
    expect(one(objects, 'ServiceMonitor').spec.endpoints).toEqual([{
      port: 'http', path: '/metrics', interval: '30s',
      basicAuth: { username: { name: 'mlflow-scraper', key: 'username' }, password: { name: 'mlflow-scraper', key: 'password' } },
    }]);
    expect(mlflow.requiredSecrets.map((s) => [s.name, s.namespace, s.keys])).toContainEqual(['mlflow-scraper', 'mlops-platform', ['username', 'password']]);
  });

  describe('valid, restricted manifests for every store, exposure and auth', () => {
    const auth = { config: SecretValue.fromSecret('mlflow-auth', 'basic_auth.ini'), secretKey: SecretValue.fromSecret('mlflow-auth', 'flask-secret-key') };
    const client = { username: SecretValue.fromSecret('train-mlflow', 'username'), password: SecretValue.fromSecret('train-mlflow', 'password') };
    const externalPg = () => BackendStore.externalPostgres({ host: 'db.example.com', database: 'mlflow', username: 'mlflow', password: SecretValue.fromSecret('mlflow-db', 'password') });
    const configurations: Array<[string, Partial<MlflowPlatformProps>]> = [
      ['PostgreSQL + MinIO, replicated, Ingress, metrics', {
        replicas: 2,
        exposure: Exposure.ingress({ host: 'mlflow.example.com', tlsSecretName: 'mlflow-tls' }),
        metrics: { scraperNamespace: 'mlops-monitoring', serviceMonitor: true },
      }],
      ['external PostgreSQL + S3 access keys, LoadBalancer', {
        backendStore: externalPg(),
        artifactStore: ArtifactStore.s3({
          bucket: 'acme-mlflow', endpoint: 'https://s3.example.com',
          credentials: ArtifactCredentials.accessKeys(SecretValue.fromSecret('mlflow-s3', 'id'), SecretValue.fromSecret('mlflow-s3', 'secret')),
        }),
        exposure: Exposure.loadBalancer({ sourceRanges: ['10.0.0.0/8'], hosts: ['mlflow.corp.example.com'] }),
      }],
      ['external PostgreSQL + S3 through an IAM role, auth', {
        backendStore: externalPg(),
        artifactStore: ArtifactStore.s3({ bucket: 'acme-mlflow', credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/mlflow') }),
        auth,
      }],
      ['SQLite file + GCS key file, auth, Ingress', {
        backendStore: BackendStore.file({ claim: VolumeClaim.fromClaimName('mlflow-data', { accessModes: [AccessMode.READ_WRITE_ONCE] }) }),
        artifactStore: ArtifactStore.gcs({ bucket: 'acme-mlflow', credentials: ArtifactCredentials.gcpServiceAccountKey(SecretValue.fromSecret('mlflow-gcs', 'key.json')) }),
        auth,
        exposure: Exposure.ingress({ host: 'mlflow.example.com', tlsSecretName: 'mlflow-tls' }),
      }],
      ['PostgreSQL + GCS workload identity, auth, ServiceMonitor with credentials', {
        artifactStore: ArtifactStore.gcs({ bucket: 'acme-mlflow', credentials: ArtifactCredentials.gkeWorkloadIdentity('mlflow@acme-ml.iam.gserviceaccount.com') }),
        auth,
        metrics: { scraperNamespace: 'mlops-monitoring', serviceMonitor: true, username: client.username, password: client.password },
      }],
    ];
    test.each(configurations)('%s', (_, props) => {
      const { app, chart, mlflow } = platform(props);
      const { chart: training, job } = trainingJob(app);
      mlflow.connect(job, props.auth ? client : {});
      for (const objects of [Testing.synth(chart), Testing.synth(training)]) {
        expectValidManifests(objects);
        expect(uncoveredPods(objects)).toEqual([]);
      }
    });
  });

  describe('bad input', () => {
    test('more than one replica with the file backend', () => {
      const claim = VolumeClaim.fromClaimName('mlflow-data');
      expect(() => platform({ replicas: 2, backendStore: BackendStore.file({ claim }) }))
        .toThrow(/^MlflowPlatform 'mlflow': 'replicas' must be 1 with BackendStore.file \(a SQLite file cannot be shared by several servers\); use BackendStore.postgres or externalPostgres to replicate, got 2$/);
    });

    test('a missing Secret name', () => {
      expect(() => SecretValue.fromSecret('', 'password')).toThrow(/^SecretValue.fromSecret: 'secretName' must be a DNS-1123 subdomain .*, got ''$/);
    });

    test('a missing password reference', () => {
      expect(() => BackendStore.postgres({ password: undefined as any }))
        .toThrow(/^BackendStore.postgres: 'password' must be a SecretValue \(SecretValue.fromSecret\(name, key\)\) naming a Secret you create, got nothing$/);
    });

    test('an invalid bucket name', () => {
      expect(() => ArtifactStore.minio({ bucket: 'MLflow_Artifacts', rootUser: pgPassword, rootPassword: pgPassword }))
        .toThrow(/^ArtifactStore.minio: 'bucket' must be a bucket name \(3 to 63 lower-case letters, .*\), got 'MLflow_Artifacts'$/);
    });

    test('a bucket name that is an IP address', () => {
      expect(() => ArtifactStore.s3({ bucket: '192.168.1.10', credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/x') }))
        .toThrow(/^ArtifactStore.s3: 'bucket' must be a bucket name .*, got '192.168.1.10'$/);
    });

    test('a server port out of range', () => {
      expect(() => platform({ port: 70000 })).toThrow(/^MlflowPlatform 'mlflow': 'port' must be a whole number from 1 to 65535, got 70000$/);
    });

    test('a database port out of range', () => {
      expect(() => BackendStore.externalPostgres({ host: 'db.example.com', port: 0, database: 'mlflow', username: 'mlflow', password: pgPassword }))
        .toThrow(/^BackendStore.externalPostgres: 'port' must be a whole number from 1 to 65535, got 0$/);
    });

    test('an S3 endpoint with credentials in it', () => {
      expect(() => ArtifactStore.s3({ bucket: 'acme', endpoint: 'https://key:secret@s3.example.com', credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/x') }))
        .toThrow(/^ArtifactStore.s3: 'endpoint' must be an http\(s\) URL with a host and optional port, without credentials or path .*, got 'https:\/\/key:secret@s3.example.com'$/);
    });

    test('an invalid database user name', () => {
      expect(() => BackendStore.postgres({ password: pgPassword, username: 'ML-Flow' }))
        .toThrow(/^BackendStore.postgres: 'username' must be a PostgreSQL name .*, got 'ML-Flow'$/);
    });

    test('a LoadBalancer without source ranges', () => {
      expect(() => Exposure.loadBalancer({ sourceRanges: [], hosts: ['mlflow.corp.example.com'] }))
        .toThrow(/^Exposure.loadBalancer: 'sourceRanges' must list the client address ranges allowed .*, got \[\]$/);
    });

    test('a LoadBalancer without the host names clients use', () => {
      expect(() => Exposure.loadBalancer({ sourceRanges: ['10.0.0.0/8'], hosts: [] }))
        .toThrow(/^Exposure.loadBalancer: 'hosts' must list the host names or addresses clients use for the load balancer .*, got \[\]$/);
    });

    test('a source range that is not a CIDR', () => {
      expect(() => Exposure.loadBalancer({ sourceRanges: ['10.0.0.0/33'], hosts: ['mlflow.corp.example.com'] }))
        .toThrow(/^Exposure.loadBalancer: 'sourceRanges\[0\]' must be an IPv4 CIDR such as '10.0.0.0\/8', got '10.0.0.0\/33'$/);
    });

    test('GCS with access keys', () => {
      expect(() => ArtifactStore.gcs({ bucket: 'acme', credentials: ArtifactCredentials.accessKeys(pgPassword, pgPassword) }))
        .toThrow(/^ArtifactStore.gcs: 'credentials' must be ArtifactCredentials.gkeWorkloadIdentity\(...\) or ArtifactCredentials.gcpServiceAccountKey\(...\) for GCS, got 'access keys'$/);
    });

    test('an existing ServiceAccount with workload identity credentials', () => {
      expect(() => platform({
        serviceAccountName: 'mlflow-sa',
        artifactStore: ArtifactStore.s3({ bucket: 'acme', credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/x') }),
      })).toThrow(/^MlflowPlatform 'mlflow': 'serviceAccountName' must be left out with workload identity credentials .*, got 'mlflow-sa'$/);
    });

    test('an unpinned image', () => {
      expect(() => platform({ image: 'ghcr.io/mlflow/mlflow:latest' })).toThrow(/^MlflowPlatform 'mlflow': 'image' must pin a tag other than 'latest' or a digest, got 'ghcr.io\/mlflow\/mlflow:latest'$/);
    });

    test('connecting a workload without credentials to a server with auth', () => {
      const { app, mlflow } = platform({ auth: { config: pgPassword, secretKey: pgPassword } });
      const { job } = trainingJob(app);
      expect(() => mlflow.connect(job)).toThrow(/^MlflowPlatform 'mlflow': 'connect.options.username' and 'options.password' must be given \(as SecretValue\) because the server uses basic auth, got 'train'$/);
    });

    test('a ServiceMonitor without scrape credentials on a server with auth', () => {
      expect(() => platform({ auth: { config: pgPassword, secretKey: pgPassword }, metrics: { scraperNamespace: 'mlops-monitoring', serviceMonitor: true } }))
        .toThrow(/^MlflowPlatform 'mlflow': 'metrics.username' and 'metrics.password' must be given with auth and serviceMonitor: MLflow answers \/metrics only to a signed-in user, got nothing$/);
    });

    test('a scrape user without its password', () => {
      expect(() => platform({ metrics: { scraperNamespace: 'mlops-monitoring', serviceMonitor: true, username: pgPassword } }))
        .toThrow(/^MlflowPlatform 'mlflow': 'metrics.password' must be given with 'metrics.username', got nothing$/);
    });

    test('scrape credentials without a ServiceMonitor', () => {
      expect(() => platform({ metrics: { scraperNamespace: 'mlops-monitoring', username: pgPassword, password: pgPassword } }))
        .toThrow(/^MlflowPlatform 'mlflow': 'metrics.serviceMonitor' must be true when 'metrics.username' is given .*, got nothing$/);
    });

    test('a database volume size that is not a quantity', () => {
      expect(() => platform({ backendStore: BackendStore.postgres({ password: pgPassword, storage: '10 GB' }) }))
        .toThrow(/^MlflowPlatform 'mlflow': 'backendStore.storage' must be a Kubernetes quantity .*, got '10 GB'$/);
    });

    test('an object store StorageClass name that is not a DNS subdomain', () => {
      expect(() => platform({ artifactStore: ArtifactStore.minio({ bucket: 'mlflow-artifacts', rootUser: pgPassword, rootPassword: pgPassword, storageClassName: 'Fast_SSD' }) }))
        .toThrow(/^MlflowPlatform 'mlflow': 'artifactStore.storageClassName' must be a DNS-1123 subdomain .*, got 'Fast_SSD'$/);
    });

    test('a negative MinIO memory', () => {
      expect(() => platform({ artifactStore: ArtifactStore.minio({ bucket: 'mlflow-artifacts', rootUser: pgPassword, rootPassword: pgPassword, memory: '-1Gi' }) }))
        .toThrow(/^MlflowPlatform 'mlflow': 'artifactStore.memory' must be a Kubernetes quantity .*, got '-1Gi'$/);
    });

    test('connecting a workload twice', () => {
      const { app, mlflow } = platform();
      const { job } = trainingJob(app);
      mlflow.connect(job);
      expect(() => mlflow.connect(job)).toThrow(/^MlflowPlatform 'mlflow': 'connect.workload' must be connected only once, got 'train'$/);
    });

    test('connecting a workload in another namespace to a server without one', () => {
      const { app, mlflow } = platform({}, null);
      const { job } = trainingJob(app, 'mlops-training');
      expect(() => mlflow.connect(job)).toThrow(/^MlflowPlatform 'mlflow': 'connect.workload' must have a namespace when the server's differs \(server: 'chart default'\).*, got 'train'$/);
    });
  });
});
