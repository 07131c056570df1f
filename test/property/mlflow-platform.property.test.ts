import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessMode, ArtifactCredentials, ArtifactStore, BackendStore, Exposure, GpuTrainingJob, MlflowPlatform, MlflowPlatformProps,
  PostgresSslMode, SecretValue, VolumeClaim,
} from '../../lib';
import * as a from './arbitraries';
import { Breakage, breaks, expectRefused, expectRefusedOrValid, expectSynthRefused, hostileProps, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: MlflowPlatformProps;
  /** Training jobs to connect (in the same namespace). */
  readonly clients: number;
}

const pgIdentifier = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/);
const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}[a-z0-9]$/);
const cidr = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(8, 16, 24, 32))
  .map(([x, y, bits]) => (bits === 8 ? `${x}.0.0.0/8` : bits === 16 ? `${x}.${y}.0.0/16` : bits === 24 ? `${x}.${y}.1.0/24` : `${x}.${y}.1.2/32`));

const backendStore = fc.oneof(
  fc.record({
    password: a.secretValue,
    username: fc.option(pgIdentifier, { nil: undefined }),
    database: fc.option(pgIdentifier, { nil: undefined }),
    storage: fc.option(a.storageSize, { nil: undefined }),
    storageClassName: fc.option(a.dnsSubdomain, { nil: undefined }),
    cpu: fc.option(a.cpu, { nil: undefined }),
    memory: fc.option(a.memory, { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => ({ store: BackendStore.postgres(o), single: false })),
  fc.record({
    host: a.dnsSubdomain,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    database: pgIdentifier,
    username: pgIdentifier,
    password: a.secretValue,
    sslMode: fc.option(fc.constantFrom(PostgresSslMode.DISABLE, PostgresSslMode.PREFER, PostgresSslMode.REQUIRE, PostgresSslMode.VERIFY_FULL), { nil: undefined }),
    cidr: fc.option(cidr, { nil: undefined }),
    // An existing PostgreSQL in the cluster, reached by its pods' labels (then without cidr).
    peer: fc.option(fc.record({
      podSelector: fc.dictionary(a.labelKey, a.labelValue, { minKeys: 1, maxKeys: 3, noNullPrototype: true }),
      namespace: fc.option(a.dnsLabel(20), { nil: undefined }),
    }, { noNullPrototype: true }), { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => ({ store: BackendStore.externalPostgres(o.peer ? { ...o, cidr: undefined } : o), single: false })),
  a.dnsSubdomain.map((name) => ({ store: BackendStore.file({ claim: VolumeClaim.fromClaimName(name, { accessModes: [AccessMode.READ_WRITE_ONCE] }) }), single: true })),
);

const credentials = fc.oneof(
  fc.tuple(a.secretValue, a.secretValue).map(([id, key]) => ArtifactCredentials.accessKeys(id, key)),
  fc.integer({ min: 100000000000, max: 999999999999 }).map((acct) => ArtifactCredentials.awsIamRole(`arn:aws:iam::${acct}:role/mlflow`)),
  fc.stringMatching(/^[a-z][a-z0-9-]{4,10}[a-z0-9]$/).map((n) => ArtifactCredentials.gkeWorkloadIdentity(`${n}@proj-1.iam.gserviceaccount.com`)),
  a.secretValue.map((key) => ArtifactCredentials.gcpServiceAccountKey(key)),
);

const artifactStore = fc.oneof(
  fc.record({
    bucket, rootUser: a.secretValue, rootPassword: a.secretValue,
    storage: fc.option(a.storageSize, { nil: undefined }), cpu: fc.option(a.cpu, { nil: undefined }), memory: fc.option(a.memory, { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => ArtifactStore.minio(o)),
  fc.record({
    bucket,
    path: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9/_-]{0,12}[a-z0-9]$/).filter((p) => !p.includes('//')), { nil: undefined }),
    endpoint: fc.option(fc.constantFrom('https://s3.eu-west-1.amazonaws.com', 'http://minio.storage.svc:9000', 'https://storage.example.com:8443'), { nil: undefined }),
    region: fc.option(fc.constantFrom('eu-west-1', 'us-east-2', 'ap-southeast-1'), { nil: undefined }),
    credentials: credentials.filter((c) => c._keyFile === undefined && c._serviceAccountAnnotations['iam.gke.io/gcp-service-account'] === undefined),
    cidr: fc.option(cidr, { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => ArtifactStore.s3(o)),
  fc.record({
    bucket,
    path: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9/_-]{0,12}[a-z0-9]$/).filter((p) => !p.includes('//')), { nil: undefined }),
    credentials: credentials.filter((c) => Object.keys(c._env).length === 0 && c._serviceAccountAnnotations['eks.amazonaws.com/role-arn'] === undefined),
  }, { noNullPrototype: true }).map((o) => ArtifactStore.gcs(o)),
);

const exposure = fc.oneof(
  fc.constant(null).map(() => Exposure.clusterIp()),
  fc.record({
    sourceRanges: fc.array(cidr, { minLength: 1, maxLength: 3 }),
    hosts: fc.array(fc.oneof(a.dnsSubdomain.map((h) => `${h}.example.com`), fc.constantFrom('10.1.2.3', '192.168.0.10')), { minLength: 1, maxLength: 2 }),
    annotations: fc.option(fc.constant({ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' }), { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => Exposure.loadBalancer(o)),
  fc.record({
    host: a.dnsSubdomain.map((h) => `${h}.example.com`),
    tlsSecretName: a.dnsSubdomain,
    className: fc.option(fc.constantFrom('nginx', 'traefik'), { nil: undefined }),
    controllerNamespace: fc.option(a.dnsLabel(20), { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => Exposure.ingress(o)),
);

const validCase: fc.Arbitrary<Case> = fc.record({
  id: a.dnsLabel(30),
  name: fc.option(a.dnsLabel(40), { nil: undefined }),
  nsMode: fc.constantFrom('chart', 'prop', 'none'),
  namespace: a.dnsLabel(20),
  backend: backendStore,
  artifacts: artifactStore,
  image: fc.option(fc.constantFrom('ghcr.io/mlflow/mlflow:v3.5.0', 'ghcr.io/mlflow/mlflow:v3.16.1-full'), { nil: undefined }),
  replicas: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
  workers: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  cpu: fc.option(a.cpu, { nil: undefined }),
  memory: fc.option(a.memory, { nil: undefined }),
  exposure: fc.option(exposure, { nil: undefined }),
  auth: fc.option(fc.record({ config: a.secretValue, secretKey: a.secretValue }), { nil: undefined }),
  metrics: fc.option(fc.record({ scraperNamespace: a.dnsLabel(20), serviceMonitor: fc.option(fc.boolean(), { nil: undefined }) }, { noNullPrototype: true }), { nil: undefined }),
  serviceAccountName: fc.option(a.dnsSubdomain, { nil: undefined }),
  labels: a.labels,
  clients: fc.integer({ min: 0, max: 2 }),
}).map((c): Case => ({
  id: c.id,
  chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined,
  clients: c.clients,
  props: {
    name: c.name,
    namespace: c.nsMode === 'prop' ? c.namespace : undefined,
    backendStore: c.backend.store,
    artifactStore: c.artifacts,
    image: c.image,
    replicas: c.backend.single ? undefined : c.replicas,
    port: c.port,
    workers: c.workers,
    cpu: c.cpu,
    memory: c.memory,
    exposure: c.exposure,
    auth: c.auth,
    // With auth, MLflow answers /metrics only to a signed-in user: the ServiceMonitor needs credentials.
    metrics: c.auth && c.metrics?.serviceMonitor
      ? { ...c.metrics, username: SecretValue.fromSecret('mlflow-scraper', 'username'), password: SecretValue.fromSecret('mlflow-scraper', 'password') }
      : c.metrics,
    // Workload identity annotates the ServiceAccount the library creates.
    serviceAccountName: hasIdentity(c.artifacts) ? undefined : c.serviceAccountName,
    labels: c.labels,
  },
}));

function hasIdentity(store: ArtifactStore): boolean {
  const credentials = (store._config as { options: { credentials?: ArtifactCredentials } }).options.credentials;
  return Object.keys(credentials?._serviceAccountAnnotations ?? {}).length > 0;
}

function synthCase(c: Case) {
  return (chart: Chart) => {
    const mlflow = new MlflowPlatform(chart, c.id, c.props);
    for (let i = 0; i < c.clients; i++) {
      const job = new GpuTrainingJob(chart, `client-${i}`, { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', namespace: c.props.namespace });
      mlflow.connect(job, c.props.auth ? { username: SecretValue.fromSecret('mlflow-user', 'username'), password: SecretValue.fromSecret('mlflow-user', 'password') } : {});
    }
  };
}

type P = MlflowPlatformProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });
const pg = BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') });

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(fc.oneof(a.badDnsName, fc.constant('n'.repeat(41))), 'name', set('name')),
  breaks<P, any>(a.badDnsName, 'namespace', set('namespace')),
  breaks<P, any>(fc.constantFrom<unknown>(undefined, 'postgres', { kind: 'postgres' }), 'backendStore', set('backendStore')),
  breaks<P, any>(fc.constantFrom<unknown>(undefined, 's3://bucket', { kind: 's3' }), 'artifactStore', set('artifactStore')),
  breaks<P, any>(a.badImage, 'image', set('image')),
  breaks<P, any>(fc.oneof(a.badCount(1), fc.constant(101)), 'replicas', (p, replicas) => ({ ...p, backendStore: pg, replicas })),
  breaks<P, any>(fc.integer({ min: 2, max: 10 }), 'replicas', (p, replicas) => ({ ...p, backendStore: BackendStore.file({ claim: VolumeClaim.fromClaimName('db') }), replicas })),
  breaks<P, any>(fc.constantFrom(0, 65536, 80.5), 'port', set('port')),
  breaks<P, any>(fc.constantFrom(0, 65, 2.5), 'workers', set('workers')),
  breaks<P, any>(a.badQuantity, 'cpu', set('cpu')),
  breaks<P, any>(a.badQuantity, 'memory', set('memory')),
  breaks<P, any>(fc.constantFrom<unknown>('ingress', { kind: 'ingress' }), 'exposure', set('exposure')),
  breaks<P, any>(fc.constantFrom<unknown>('secret', { secretName: 'x', key: 'y' }), 'auth.config', (p, config) => ({ ...p, auth: { config, secretKey: SecretValue.fromSecret('a', 'b') } })),
  breaks<P, any>(fc.constantFrom<unknown>('secret', undefined), 'auth.secretKey', (p, secretKey) => ({ ...p, auth: { config: SecretValue.fromSecret('a', 'b'), secretKey } })),
  breaks<P, any>(a.badDnsName, 'metrics.scraperNamespace', (p, scraperNamespace) => ({ ...p, metrics: { scraperNamespace } })),
  breaks<P, any>(a.badSubdomain, 'serviceAccountName', (p, serviceAccountName) => ({ ...p, serviceAccountName, artifactStore: ArtifactStore.minio({ bucket: 'mlflow', rootUser: SecretValue.fromSecret('m', 'u'), rootPassword: SecretValue.fromSecret('m', 'p') }) })),
  breaks<P, any>(fc.constant('mlflow-sa'), 'serviceAccountName', (p, serviceAccountName) => ({ ...p, serviceAccountName, artifactStore: ArtifactStore.s3({ bucket: 'mlflow', credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/x') }) })),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
);

const badFactoryCall: fc.Arbitrary<{ call: () => unknown; subject: string; prop: string }> = fc.oneof(
  fc.constantFrom<unknown>('hunter2', undefined, { name: 'pg' }).map((password) => ({ call: () => BackendStore.postgres({ password: password as SecretValue }), subject: 'BackendStore.postgres', prop: 'password' })),
  fc.constantFrom('1user', 'user-name', 'User', '').map((username) => ({ call: () => BackendStore.postgres({ password: SecretValue.fromSecret('p', 'k'), username }), subject: 'BackendStore.postgres', prop: 'username' })),
  a.badImage.map((image) => ({ call: () => BackendStore.postgres({ password: SecretValue.fromSecret('p', 'k'), image: image as string }), subject: 'BackendStore.postgres', prop: 'image' })),
  a.badSubdomain.map((host) => ({ call: () => BackendStore.externalPostgres({ host, database: 'd', username: 'u', password: SecretValue.fromSecret('p', 'k') }), subject: 'BackendStore.externalPostgres', prop: 'host' })),
  fc.constantFrom(0, 70000).map((port) => ({ call: () => BackendStore.externalPostgres({ host: 'db', port, database: 'd', username: 'u', password: SecretValue.fromSecret('p', 'k') }), subject: 'BackendStore.externalPostgres', prop: 'port' })),
  fc.constantFrom('allow', 'REQUIRE', 'verify-ca').map((sslMode) => ({ call: () => BackendStore.externalPostgres({ host: 'db', database: 'd', username: 'u', password: SecretValue.fromSecret('p', 'k'), sslMode: sslMode as PostgresSslMode }), subject: 'BackendStore.externalPostgres', prop: 'sslMode' })),
  fc.constantFrom('10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', 'x', '10.0.0/8').map((c) => ({ call: () => BackendStore.externalPostgres({ host: 'db', database: 'd', username: 'u', password: SecretValue.fromSecret('p', 'k'), cidr: c }), subject: 'BackendStore.externalPostgres', prop: 'cidr' })),
  fc.constantFrom<unknown>('db', {}, { podSelector: {} }, { podSelector: { app: 'db' }, namespace: 'Bad_NS' }, { podSelector: { 'a b': 'x' } }).map((peer) => ({
    call: () => BackendStore.externalPostgres({ host: 'db', database: 'd', username: 'u', password: SecretValue.fromSecret('p', 'k'), peer: peer as any }),
    subject: 'BackendStore.externalPostgres', prop: 'peer',
  })),
  fc.constant(null).map(() => ({ call: () => BackendStore.externalPostgres({ host: 'db', database: 'd', username: 'u', password: SecretValue.fromSecret('p', 'k'), peer: { podSelector: { app: 'db' } }, cidr: '10.0.0.0/8' }), subject: 'BackendStore.externalPostgres', prop: 'cidr' })),
  fc.constantFrom<unknown>(undefined, 'data').map((claim) => ({ call: () => BackendStore.file({ claim: claim as VolumeClaim }), subject: 'BackendStore.file', prop: 'claim' })),
  fc.constantFrom('UPPER', 'ab', 'a_b', 'bucket.', '-b', 'x'.repeat(64)).map((b) => ({ call: () => ArtifactStore.minio({ bucket: b, rootUser: SecretValue.fromSecret('m', 'u'), rootPassword: SecretValue.fromSecret('m', 'p') }), subject: 'ArtifactStore.minio', prop: 'bucket' })),
  fc.constantFrom('/abs', 'a/', 'a/../b', 'a b').map((path) => ({ call: () => ArtifactStore.s3({ bucket: 'models', path, credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/x') }), subject: 'ArtifactStore.s3', prop: 'path' })),
  fc.constantFrom('s3.amazonaws.com', 'https://user:pw@s3', 'ftp://x').map((endpoint) => ({ call: () => ArtifactStore.s3({ bucket: 'models', endpoint, credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/x') }), subject: 'ArtifactStore.s3', prop: 'endpoint' })),
  fc.constantFrom('EU', 'eu-west', 'europe').map((region) => ({ call: () => ArtifactStore.s3({ bucket: 'models', region, credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/x') }), subject: 'ArtifactStore.s3', prop: 'region' })),
  fc.constantFrom<unknown>(undefined, 'keys').map((c) => ({ call: () => ArtifactStore.s3({ bucket: 'models', credentials: c as ArtifactCredentials }), subject: 'ArtifactStore.s3', prop: 'credentials' })),
  fc.constant(null).map(() => ({ call: () => ArtifactStore.gcs({ bucket: 'models', credentials: ArtifactCredentials.accessKeys(SecretValue.fromSecret('a', 'b'), SecretValue.fromSecret('a', 'c')) }), subject: 'ArtifactStore.gcs', prop: 'credentials' })),
  fc.constantFrom('arn:aws:iam::1:role/x', 'role/x', '').map((arn) => ({ call: () => ArtifactCredentials.awsIamRole(arn), subject: 'ArtifactCredentials.awsIamRole', prop: 'roleArn' })),
  fc.constantFrom('mlflow', 'x@gmail.com').map((e) => ({ call: () => ArtifactCredentials.gkeWorkloadIdentity(e), subject: 'ArtifactCredentials.gkeWorkloadIdentity', prop: 'serviceAccountEmail' })),
  fc.constantFrom<unknown>([], undefined, ['10.0.0.0/33']).map((sourceRanges) => ({ call: () => Exposure.loadBalancer({ sourceRanges: sourceRanges as string[], hosts: ['mlflow.example.com'] }), subject: 'Exposure.loadBalancer', prop: 'sourceRanges' })),
  fc.constantFrom<unknown>([], ['Bad Host']).map((hosts) => ({ call: () => Exposure.loadBalancer({ sourceRanges: ['10.0.0.0/8'], hosts: hosts as string[] }), subject: 'Exposure.loadBalancer', prop: 'hosts' })),
  fc.constant(undefined).map(() => ({ call: () => Exposure.ingress({ host: 'mlflow.example.com' } as any), subject: 'Exposure.ingress', prop: 'tlsSecretName' })),
  fc.constantFrom('/mlflow', '/api').map((path) => ({ call: () => Exposure.ingress({ host: 'mlflow.example.com', tlsSecretName: 'tls', path }), subject: 'Exposure.ingress', prop: 'path' })),
  fc.constantFrom('Bad Host', '').map((host) => ({ call: () => Exposure.ingress({ host, tlsSecretName: 'tls' }), subject: 'Exposure.ingress', prop: 'host' })),
);

/** Every prop a user writes a value into; `.*` is a map whose keys and values are hostile too. */
const hostile = hostileProps<P>([
  'name', 'namespace', 'backendStore', 'artifactStore', 'image', 'replicas', 'port', 'workers', 'cpu', 'memory',
  'exposure', 'auth', 'metrics', 'serviceAccountName', 'labels.*',
], a.hostileValue, a.hostileKey);

describe('MlflowPlatform properties', () => {
  const checker = new ValidChecker();

  test('valid props (with connected training jobs) synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      expect(objects.some((o) => o.kind === 'Deployment')).toBe(true);
    }), params(250));
  });

  test('a prop set with one broken field is refused, naming MlflowPlatform and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase({ ...c, props: b.apply(c.props) }), `MlflowPlatform '${c.id}'`, b.prop);
    }), params(1000));
  });

  test('a hostile value in any prop is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostile, (c, h) => {
      expectRefusedOrValid(checker, c.chartNamespace, synthCase({ ...c, props: h.apply(c.props) }), `MlflowPlatform '${c.id}'`, h.prop);
    }), params(250));
  });

  test('broken store, credential and exposure arguments are refused by the factory, naming the argument', () => {
    fc.assert(fc.property(badFactoryCall, (b) => expectRefused(b.call, b.subject, b.prop)), params(200));
  });
});
