import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessMode, FeastProvider, FeatureRepository, FeatureStore, FeatureStoreProps, GpuTrainingJob, ModelServer, OfflineStore,
  OnlineStore, RedisMode, Registry, Schedule, SecretValue, ServingRuntime, VolumeClaim,
} from '../../lib';
import * as a from './arbitraries';
import { fakeTeam } from './arbitraries';
import { Breakage, breaks, expectRefused, expectRefusedOrValid, expectSynthRefused, hostileProps, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: FeatureStoreProps;
  /** Connect a model server and a training job. */
  readonly connect: boolean;
}

const rwx = (name: string, namespace?: string) => VolumeClaim.fromClaimName(name, { accessModes: [AccessMode.READ_WRITE_MANY], namespace });
const objectPath = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,10}[a-z0-9]\/[a-z0-9_-]{1,8}(\/[a-z0-9_-]{1,8})?\.db$/);

const registry = fc.oneof(
  fc.tuple(a.dnsSubdomain, fc.option(fc.stringMatching(/^[a-z0-9_-]{1,8}(\/[a-z0-9_-]{1,8})?\.db$/), { nil: undefined }), fc.boolean())
    .map(([name, path, known]) => (ns?: string) => Registry.file(rwx(name, known ? ns : undefined), path)),
  fc.record({
    path: objectPath,
    endpoint: fc.option(fc.constantFrom('http://minio.storage:9000', 'https://s3.example.com'), { nil: undefined }),
    region: fc.option(fc.constantFrom('us-east-1', 'eu-central-1'), { nil: undefined }),
    keys: fc.option(fc.tuple(a.secretValue, a.secretValue), { nil: undefined }),
  }).map((o) => () => Registry.s3(`s3://${o.path}`, { endpoint: o.endpoint, region: o.region, accessKeyId: o.keys?.[0], secretAccessKey: o.keys?.[1] })),
  objectPath.map((p) => () => Registry.gcs(`gs://${p}`)),
  fc.tuple(a.secretValue, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([url, port]) => () => Registry.sql(url, { port })),
);

const onlineStore = fc.oneof(
  fc.record({
    password: a.secretValue,
    storage: fc.option(a.storageSize, { nil: undefined }),
    storageClassName: fc.option(a.dnsSubdomain, { nil: undefined }),
    cpu: fc.option(a.cpu, { nil: undefined }),
    memory: fc.option(a.memory, { nil: undefined }),
    keyTtl: fc.option(a.duration(1, 30 * 86400), { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => OnlineStore.redis(o)),
  fc.record({
    cluster: fc.boolean(),
    endpoints: fc.array(fc.tuple(a.dnsSubdomain, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`), { minLength: 1, maxLength: 3 }),
    password: fc.option(a.secretValue, { nil: undefined }),
    tls: fc.option(fc.boolean(), { nil: undefined }),
    cidr: fc.option(fc.constantFrom('10.0.0.0/8', '172.16.0.0/12'), { nil: undefined }),
    keyTtl: fc.option(a.duration(1, 86400), { nil: undefined }),
  }).map((o) => OnlineStore.externalRedis({
    endpoints: o.cluster ? o.endpoints : o.endpoints.slice(0, 1), mode: o.cluster ? RedisMode.CLUSTER : undefined,
    password: o.password, tls: o.tls, cidr: o.cidr, keyTtl: o.keyTtl,
  })),
);

const offlineStore = fc.option(fc.oneof(
  fc.constant(null).map(() => OfflineStore.file()),
  fc.record({ host: a.dnsSubdomain, port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), database: fc.constantFrom('features', 'dwh'), user: fc.constantFrom('feast', 'reader'), password: a.secretValue, schema: fc.option(fc.constantFrom('public', 'features'), { nil: undefined }) }, { noNullPrototype: true })
    .map((o) => OfflineStore.postgres(o)),
  fc.record({ account: fc.constantFrom('acme-eu1', 'xy12345'), user: fc.constant('feast'), password: a.secretValue, role: fc.constant('FEAST'), warehouse: fc.constant('WH'), database: fc.constant('FEATURES') })
    .map((o) => OfflineStore.snowflake(o)),
  fc.record({ projectId: fc.option(fc.constant('my-project'), { nil: undefined }), dataset: fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/), location: fc.option(fc.constantFrom('EU', 'US'), { nil: undefined }) }, { noNullPrototype: true })
    .map((o) => OfflineStore.bigquery(o)),
), { nil: undefined });

const repository = fc.option(fc.oneof(
  fc.tuple(a.image, a.mountPath).map(([image, path]) => (_ns?: string) => FeatureRepository.fromImage(image, path)),
  fc.tuple(a.dnsSubdomain, a.subPath).map(([name, sub]) => (ns?: string) => FeatureRepository.fromClaim(rwx(name, ns), sub)),
), { nil: undefined });

const validCase: fc.Arbitrary<Case> = fc.record({
  id: a.dnsLabel(30),
  name: fc.option(a.dnsLabel(40), { nil: undefined }),
  nsMode: fc.constantFrom('chart', 'prop', 'team', 'none'),
  namespace: a.dnsLabel(20),
  project: fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_]{0,15}$/), { nil: undefined }),
  provider: fc.option(fc.constantFrom(FeastProvider.LOCAL, FeastProvider.GCP, FeastProvider.AWS), { nil: undefined }),
  registry,
  registryTtl: fc.option(a.duration(1, 3600), { nil: undefined }),
  onlineStore,
  offlineStore,
  entityKeySerializationVersion: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  image: fc.option(fc.constantFrom('feastdev/feature-server:0.40.1', 'feastdev/feature-server:0.44.0'), { nil: undefined }),
  scaling: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 10 }), fc.record({ min: fc.integer({ min: 1, max: 5 }), extra: fc.integer({ min: 0, max: 10 }), cpu: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }) })),
  workers: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  cpu: fc.option(a.cpu, { nil: undefined }),
  memory: fc.option(a.memory, { nil: undefined }),
  repository,
  materialization: fc.option(fc.record({
    schedule: a.schedule,
    scheduleOptions: a.scheduleOptions,
    featureViews: fc.option(fc.array(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}$/), { maxLength: 3 }), { nil: undefined }),
    cpu: fc.option(a.cpu, { nil: undefined }),
    memory: fc.option(a.memory, { nil: undefined }),
    backoffLimit: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    activeDeadline: fc.option(a.duration(60, 86400), { nil: undefined }),
  }, { noNullPrototype: true }), { nil: undefined }),
  scheduling: a.scheduling(true),
  serviceAccountName: fc.option(a.dnsSubdomain, { nil: undefined }),
  labels: a.labels,
  connect: fc.boolean(),
}).map((c): Case => {
  const namespace = c.nsMode === 'none' ? undefined : c.namespace;
  return {
    id: c.id,
    chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined,
    connect: c.connect,
    props: {
      name: c.name,
      namespace: c.nsMode === 'prop' ? c.namespace : undefined,
      team: c.nsMode === 'team' ? fakeTeam(c.namespace) : undefined,
      project: c.project,
      provider: c.provider,
      registry: c.registry(namespace),
      registryTtl: c.registryTtl,
      onlineStore: c.onlineStore,
      offlineStore: c.offlineStore,
      entityKeySerializationVersion: c.entityKeySerializationVersion,
      image: c.image,
      replicas: typeof c.scaling === 'number' ? c.scaling : undefined,
      autoscaling: typeof c.scaling === 'object' ? { minReplicas: c.scaling.min, maxReplicas: c.scaling.min + c.scaling.extra, targetCpuUtilization: c.scaling.cpu } : undefined,
      workers: c.workers,
      cpu: c.cpu,
      memory: c.memory,
      featureRepository: c.repository?.(namespace),
      materialization: c.materialization,
      scheduling: c.scheduling,
      serviceAccountName: c.serviceAccountName,
      labels: c.labels,
    },
  };
});

function synthCase(c: Case) {
  return (chart: Chart) => {
    const store = new FeatureStore(chart, c.id, c.props);
    if (c.connect) {
      const namespace = store.namespace;
      store.connect(new ModelServer(chart, 'ranker', { namespace, runtime: ServingRuntime.triton() }));
      store.connect(new GpuTrainingJob(chart, 'trainer', { namespace, image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' }));
    }
  };
}

type P = FeatureStoreProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(fc.oneof(a.badDnsName, fc.constant('n'.repeat(41))), 'name', set('name')),
  breaks<P, any>(a.badDnsName, 'namespace', (p, namespace) => ({ ...p, namespace, team: undefined })),
  breaks<P, any>(fc.constantFrom('_x', 'a-b', 'a b', ''), 'project', set('project')),
  breaks<P, any>(fc.constantFrom<unknown>('azure', 'LOCAL'), 'provider', set('provider')),
  breaks<P, any>(fc.constantFrom<unknown>(undefined, 's3://b/r.db', {}), 'registry', set('registry')),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.seconds(0))), 'registryTtl', set('registryTtl')),
  breaks<P, any>(fc.constantFrom<unknown>(undefined, 'redis', {}), 'onlineStore', set('onlineStore')),
  breaks<P, any>(fc.constantFrom<unknown>('file', {}), 'offlineStore', set('offlineStore')),
  breaks<P, any>(fc.constantFrom(0, 4, 2.5), 'entityKeySerializationVersion', set('entityKeySerializationVersion')),
  breaks<P, any>(a.badImage, 'image', set('image')),
  breaks<P, any>(fc.oneof(a.badCount(1), fc.constant(1001)), 'replicas', (p, replicas) => ({ ...p, replicas, autoscaling: undefined })),
  breaks<P, any>(fc.integer({ min: 1, max: 5 }), 'replicas', (p, replicas) => ({ ...p, replicas, autoscaling: { minReplicas: 1, maxReplicas: 4 } })),
  breaks<P, any>(a.badCount(1), 'autoscaling.minReplicas', (p, minReplicas) => ({ ...p, replicas: undefined, autoscaling: { minReplicas, maxReplicas: 4 } })),
  breaks<P, any>(fc.constantFrom(0, 1.5, 1001), 'autoscaling.maxReplicas', (p, maxReplicas) => ({ ...p, replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas } })),
  breaks<P, any>(fc.constant(2), 'autoscaling.maxReplicas', (p, maxReplicas) => ({ ...p, replicas: undefined, autoscaling: { minReplicas: 3, maxReplicas } })),
  breaks<P, any>(fc.constantFrom(0, 101, 5.5), 'autoscaling.targetCpuUtilization', (p, targetCpuUtilization) => ({ ...p, replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas: 3, targetCpuUtilization } })),
  breaks<P, any>(fc.constantFrom(0, 65, 1.5), 'workers', set('workers')),
  breaks<P, any>(a.badQuantity, 'cpu', set('cpu')),
  breaks<P, any>(a.badQuantity, 'memory', set('memory')),
  breaks<P, any>(fc.constantFrom<unknown>('repo:1.0', {}), 'featureRepository', set('featureRepository')),
  breaks<P, any>(fc.constant(AccessMode.READ_WRITE_ONCE), 'registry', (p, mode) => ({ ...p, namespace: undefined, team: undefined, registry: Registry.file(VolumeClaim.fromClaimName('reg', { accessModes: [mode] })) })),
  breaks<P, any>(fc.constantFrom<unknown>(undefined, '0 * * * *'), 'materialization.schedule', (p, schedule) => ({ ...p, materialization: { schedule } })),
  breaks<P, any>(fc.constantFrom('a b', '$(rm)', ';x', ''), 'materialization.featureViews[0]', (p, view) => ({ ...p, materialization: { schedule: Schedule.daily(1), featureViews: [view] } })),
  breaks<P, any>(a.badScheduleOptions, (o) => `materialization.${o.prop}`, (p, o) => ({ ...p, materialization: { schedule: Schedule.daily(1), scheduleOptions: o.value } })),
  breaks<P, any>(a.badQuantity, 'materialization.cpu', (p, cpu) => ({ ...p, materialization: { schedule: Schedule.daily(1), cpu } })),
  breaks<P, any>(fc.oneof(a.badCount(0), fc.constant(1001)), 'materialization.backoffLimit', (p, backoffLimit) => ({ ...p, materialization: { schedule: Schedule.daily(1), backoffLimit } })),
  breaks<P, any>(a.badScheduling, (s) => s.prop, (p, s) => ({ ...p, scheduling: s.value })),
  breaks<P, any>(a.badSubdomain, 'serviceAccountName', set('serviceAccountName')),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
);

const badFactoryCall: fc.Arbitrary<{ call: () => unknown; subject: string; prop: string }> = fc.oneof(
  fc.constantFrom('/abs.db', '../r.db', 'a b.db', '').map((path) => ({ call: () => Registry.file(VolumeClaim.fromClaimName('r'), path), subject: 'Registry.file', prop: 'path' })),
  fc.constantFrom<unknown>(undefined, 'claim').map((claim) => ({ call: () => Registry.file(claim as VolumeClaim), subject: 'Registry.file', prop: 'claim' })),
  fc.constantFrom('s3://bucket', 'bucket/r.db', 's3://B/r.db', '').map((uri) => ({ call: () => Registry.s3(uri), subject: 'Registry.s3', prop: 'uri' })),
  fc.constantFrom('minio:9000', 'http://u:p@minio:9000', 'http://minio/path').map((endpoint) => ({ call: () => Registry.s3('s3://bucket/r.db', { endpoint }), subject: 'Registry.s3', prop: 'endpoint' })),
  fc.constant(null).map(() => ({ call: () => Registry.s3('s3://bucket/r.db', { accessKeyId: SecretValue.fromSecret('a', 'b') }), subject: 'Registry.s3', prop: 'accessKeyId' })),
  fc.constantFrom('gs://b', 'gs:/b/r.db').map((uri) => ({ call: () => Registry.gcs(uri), subject: 'Registry.gcs', prop: 'uri' })),
  fc.constantFrom<unknown>('postgresql://u:p@db/feast', undefined).map((url) => ({ call: () => Registry.sql(url as SecretValue), subject: 'Registry.sql', prop: 'url' })),
  fc.constantFrom(0, 70000).map((port) => ({ call: () => Registry.sql(SecretValue.fromSecret('r', 'url'), { port }), subject: 'Registry.sql', prop: 'port' })),
  fc.constantFrom<unknown>('pw', undefined).map((password) => ({ call: () => OnlineStore.redis({ password: password as SecretValue }), subject: 'OnlineStore.redis', prop: 'password' })),
  a.badImage.map((image) => ({ call: () => OnlineStore.redis({ password: SecretValue.fromSecret('r', 'p'), image: image as string }), subject: 'OnlineStore.redis', prop: 'image' })),
  a.badQuantity.map((storage) => ({ call: () => OnlineStore.redis({ password: SecretValue.fromSecret('r', 'p'), storage: storage as string }), subject: 'OnlineStore.redis', prop: 'storage' })),
  fc.oneof(a.badDuration, fc.constant(Duration.seconds(0))).map((keyTtl) => ({ call: () => OnlineStore.redis({ password: SecretValue.fromSecret('r', 'p'), keyTtl: keyTtl as Duration }), subject: 'OnlineStore.redis', prop: 'keyTtl' })),
  fc.constantFrom<unknown>([], undefined).map((endpoints) => ({ call: () => OnlineStore.externalRedis({ endpoints: endpoints as string[] }), subject: 'OnlineStore.externalRedis', prop: 'endpoints' })),
  fc.constantFrom('redis', 'redis:0', 'redis:70000', 'a b:6379').map((e) => ({ call: () => OnlineStore.externalRedis({ endpoints: [e] }), subject: 'OnlineStore.externalRedis', prop: 'endpoints[0]' })),
  fc.constant(['a:6379', 'b:6379']).map((endpoints) => [...endpoints]).map((endpoints) => ({ call: () => OnlineStore.externalRedis({ endpoints }), subject: 'OnlineStore.externalRedis', prop: 'endpoints' })),
  fc.constantFrom('10.0.0.0', 'x').map((cidr) => ({ call: () => OnlineStore.externalRedis({ endpoints: ['r:6379'], cidr }), subject: 'OnlineStore.externalRedis', prop: 'cidr' })),
  fc.constantFrom('a b', '').map((host) => ({ call: () => OfflineStore.postgres({ host, database: 'd', user: 'u', password: SecretValue.fromSecret('p', 'k') }), subject: 'OfflineStore.postgres', prop: 'host' })),
  fc.constant('').map((database) => ({ call: () => OfflineStore.postgres({ host: 'db', database, user: 'u', password: SecretValue.fromSecret('p', 'k') }), subject: 'OfflineStore.postgres', prop: 'database' })),
  fc.constantFrom('a-b', '', 'a b').map((dataset) => ({ call: () => OfflineStore.bigquery({ dataset }), subject: 'OfflineStore.bigquery', prop: 'dataset' })),
  fc.constant('').map((account) => ({ call: () => OfflineStore.snowflake({ account, user: 'u', password: SecretValue.fromSecret('p', 'k'), role: 'r', warehouse: 'w', database: 'd' }), subject: 'OfflineStore.snowflake', prop: 'account' })),
  a.badImage.map((image) => ({ call: () => FeatureRepository.fromImage(image as string, '/repo'), subject: 'FeatureRepository.fromImage', prop: 'image' })),
  fc.constantFrom('repo', '/a/../b', '').map((path) => ({ call: () => FeatureRepository.fromImage('acme/repo:1.0', path), subject: 'FeatureRepository.fromImage', prop: 'path' })),
  fc.constantFrom('/abs', '../up').map((sub) => ({ call: () => FeatureRepository.fromClaim(VolumeClaim.fromClaimName('repo'), sub), subject: 'FeatureRepository.fromClaim', prop: 'subPath' })),
);

/** Every prop a user writes a value into; `.*` is a map whose keys and values are hostile too. */
const hostile = hostileProps<P>([
  'name', 'namespace', 'project', 'provider', 'registry', 'registryTtl', 'onlineStore', 'offlineStore',
  'entityKeySerializationVersion', 'image', 'replicas', 'autoscaling', 'autoscaling.minReplicas',
  'autoscaling.maxReplicas', 'workers', 'cpu', 'memory', 'featureRepository', 'materialization', 'scheduling',
  'serviceAccountName', 'labels.*',
], a.hostileValue, a.hostileKey);

describe('FeatureStore properties', () => {
  const checker = new ValidChecker();

  test('valid props (with a connected server and training job) synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      expect(objects.some((o) => o.kind === 'Deployment')).toBe(true);
    }), params(200));
  });

  test('a prop set with one broken field is refused, naming FeatureStore and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase({ ...c, connect: false, props: b.apply(c.props) }), `FeatureStore '${c.id}'`, b.prop);
    }), params(1000));
  });

  test('a hostile value in any prop is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostile, (c, h) => {
      expectRefusedOrValid(checker, c.chartNamespace, synthCase({ ...c, connect: false, props: h.apply(c.props) }), `FeatureStore '${c.id}'`, h.prop);
    }), params(250));
  });

  test('broken registry, store and repository arguments are refused by the factory, naming the argument', () => {
    fc.assert(fc.property(badFactoryCall, (b) => expectRefused(b.call, b.subject, b.prop)), params(200));
  });
});
