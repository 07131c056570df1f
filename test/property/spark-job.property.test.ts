import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { AccessMode, Accelerator, Queue, Schedule, SparkJob, SparkJobProps, SparkProgram, VolumeClaim } from '../../lib';
import * as a from './arbitraries';
import { fakeTeam } from './arbitraries';
import { Breakage, breaks, expectRefused, expectSynthRefused, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: SparkJobProps;
}

const path = fc.array(fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const location = fc.constantFrom('local:///', 's3a://bucket/', 'gs://bucket/', 'https://repo.example.com/', 'abfss://c@acct.dfs.core.windows.net/');
const uri = (suffix: string) => fc.tuple(location, path).map(([l, p]) => `${l}${p}${suffix}`);
const className = fc.array(fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/), { minLength: 1, maxLength: 3 }).map((parts) => `${parts.join('.')}.Main`);
const program: fc.Arbitrary<SparkProgram> = fc.oneof(
  uri('.py').map((f) => SparkProgram.python(f)),
  fc.tuple(uri('.jar'), className).map(([f, c]) => SparkProgram.scala(f, c)),
  fc.tuple(uri('.jar'), className).map(([f, c]) => SparkProgram.java(f, c)),
  uri('.R').map((f) => SparkProgram.r(f)),
);
const heap = fc.integer({ min: 512, max: 65536 }).map((mib) => (mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`));
const coordinate = fc.tuple(a.dnsLabel(8), a.dnsLabel(8), fc.stringMatching(/^[0-9]\.[0-9]{1,2}\.[0-9]$/)).map((p) => p.join(':'));

const validCase: fc.Arbitrary<Case> = fc.record({
  id: a.dnsLabel(30),
  name: fc.option(a.dnsLabel(36), { nil: undefined }),
  nsMode: fc.constantFrom('chart', 'prop', 'team', 'none'),
  namespace: a.dnsLabel(20),
  teamQueue: fc.option(a.queue, { nil: undefined }),
  image: a.image,
  sparkVersion: fc.tuple(fc.integer({ min: 3, max: 4 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 9 })).map((v) => v.join('.')),
  program,
  arguments: fc.option(fc.array(fc.stringMatching(/^[a-z0-9=._-]{1,10}$/), { maxLength: 3 }), { nil: undefined }),
  driver: fc.record({ cores: fc.integer({ min: 1, max: 8 }), memory: heap, extraCpu: fc.integer({ min: 0, max: 2000 }) }, { requiredKeys: [] }),
  executor: fc.record({ cores: fc.integer({ min: 1, max: 16 }), memory: heap, instances: fc.integer({ min: 1, max: 50 }), gpu: fc.boolean(), rapids: fc.boolean(), spot: a.spot }, { requiredKeys: [] }),
  dynamic: fc.option(fc.record({ min: fc.integer({ min: 0, max: 5 }), extra: fc.integer({ min: 0, max: 20 }) }), { nil: undefined }),
  deps: fc.option(fc.record({
    jars: fc.uniqueArray(uri('.jar'), { maxLength: 2 }),
    files: fc.uniqueArray(uri('.csv'), { maxLength: 2 }),
    packages: fc.uniqueArray(coordinate, { maxLength: 2 }),
  }, { requiredKeys: [] }), { nil: undefined }),
  sparkConf: fc.dictionary(fc.stringMatching(/^spark\.sql\.[a-z]{1,10}$/), fc.stringMatching(/^[a-zA-Z0-9.]{1,10}$/), { maxKeys: 3, noNullPrototype: true }),
  env: a.env,
  secretEnv: a.secretEnv,
  mounts: fc.uniqueArray(fc.tuple(a.mountPath, a.claim([AccessMode.READ_ONLY_MANY])), { maxLength: 2, selector: ([p]) => p }),
  egress: fc.array(fc.record({ octet: fc.integer({ min: 0, max: 255 }), port: fc.integer({ min: 1, max: 65535 }) }), { maxLength: 2 }),
  retries: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  schedule: fc.option(a.schedule, { nil: undefined }),
  scheduleOptions: a.scheduleOptions,
  scheduling: a.scheduling(true),
  labels: a.labels,
}).map((c): Case => {
  const queue = c.scheduling?.queue ?? (c.nsMode === 'team' ? c.teamQueue : undefined);
  const dynamic = c.dynamic !== undefined && queue?.system !== 'kueue';
  const props: SparkJobProps = {
    name: c.name,
    namespace: c.nsMode === 'prop' ? c.namespace : undefined,
    team: c.nsMode === 'team' ? fakeTeam(c.namespace, c.teamQueue) : undefined,
    image: c.image,
    sparkVersion: c.sparkVersion,
    program: c.program,
    arguments: c.arguments,
    driver: { cores: c.driver.cores, memory: c.driver.memory, cpuLimit: c.driver.cores === undefined || c.driver.extraCpu === undefined ? undefined : `${c.driver.cores * 1000 + c.driver.extraCpu}m` },
    executor: {
      cores: c.executor.cores,
      memory: c.executor.memory,
      instances: dynamic ? undefined : c.executor.instances,
      accelerator: c.executor.gpu ? Accelerator.nvidiaGpu(1) : undefined,
      rapids: c.executor.gpu ? c.executor.rapids : undefined,
      scheduling: c.executor.spot === undefined ? undefined : { spot: c.executor.spot },
    },
    dynamicAllocation: dynamic ? { minExecutors: c.dynamic!.min, maxExecutors: Math.max(1, c.dynamic!.min + c.dynamic!.extra) } : undefined,
    dependencies: c.deps === undefined ? undefined : {
      jars: c.deps.jars, files: c.deps.files, packages: c.deps.packages,
    },
    sparkConf: c.sparkConf,
    env: c.env,
    secretEnv: c.secretEnv,
    mounts: c.mounts.map(([p, claim]) => ({ claim, path: p })),
    egress: c.egress.map((e) => ({ cidr: `10.${e.octet}.0.0/16`, ports: [e.port] })),
    retries: c.retries,
    schedule: c.schedule,
    scheduleOptions: c.schedule === undefined || c.scheduleOptions === undefined ? undefined : { ...c.scheduleOptions, startingDeadline: undefined },
    scheduling: c.scheduling,
    serviceAccountName: c.nsMode === 'none' ? 'spark' : undefined,
    labels: c.labels,
  };
  return { id: c.id, chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined, props };
});

type P = SparkJobProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(fc.oneof(a.badDnsName, fc.constant('a'.repeat(57)), fc.constant('9lives')), 'name', set('name')),
  breaks<P, any>(a.badImage, 'image', set('image')),
  breaks<P, any>(fc.constantFrom<unknown>('etl.py', { language: 'Python' }, undefined), 'program', set('program')),
  breaks<P, any>(fc.constantFrom<unknown>('3.5', '2.4.8', 'latest', 3), 'sparkVersion', set('sparkVersion')),
  breaks<P, any>(fc.oneof(a.badCount(1), fc.constant(257)), 'driver.cores', (p, cores) => ({ ...p, driver: { cores } })),
  breaks<P, any>(fc.oneof(a.badQuantity, fc.constantFrom('256Mi', '100M')), 'executor.memory', (p, memory) => ({ ...p, executor: { memory } })),
  breaks<P, any>(fc.constantFrom<unknown>(Accelerator.nvidiaGpu(2), Accelerator.mig('1g.10gb'), Accelerator.amdGpu(1), Accelerator.sharedGpu(1), 'gpu'), 'executor.accelerator', (p, accelerator) => ({ ...p, executor: { accelerator } })),
  breaks<P, any>(fc.constantFrom<unknown>(0, -1, 1.5), 'dynamicAllocation.maxExecutors', (p, maxExecutors) => ({ ...p, scheduling: { queue: Queue.volcano('q') }, executor: {}, dynamicAllocation: { maxExecutors } })),
  breaks<P, any>(fc.constantFrom('file:///a.jar', 'http://x/a.jar', 'a.jar', 'local:///a.zip', 'https://u:p@x/a.jar'), 'dependencies.jars[0]', (p, jar) => ({ ...p, dependencies: { jars: [jar] } })),
  breaks<P, any>(fc.constantFrom('delta', 'a:b', 'a b:c:d'), 'dependencies.packages[0]', (p, pkg) => ({ ...p, dependencies: { packages: [pkg] } })),
  breaks<P, any>(fc.constantFrom('spark.executor.instances', 'spark.driver.port', 'spark.kubernetes.namespace', 'spark.dynamicAllocation.enabled', 'spark.executor.resource.gpu.amount'),
    (key) => `sparkConf.${key}`, (p, key) => ({ ...p, sparkConf: { [key]: '1' } })),
  breaks<P, any>(fc.constantFrom('spark.hadoop.fs.s3a.secret.key', 'spark.ssl.keyStorePassword', 'spark.hadoop.fs.s3a.access.key'), (key) => `sparkConf.${key}`, (p, key) => ({ ...p, sparkConf: { [key]: 'x' } })),
  breaks<P, any>(a.badEnv, (e) => e.prop, (p, e) => ({ ...p, env: e.value as Record<string, string> })),
  breaks<P, any>(fc.constantFrom('10.0.0.0', 'any', '300.1.0.0/8'), 'egress[0].cidr', (p, cidr) => ({ ...p, egress: [{ cidr, ports: [443] }] })),
  breaks<P, any>(fc.oneof(a.badCount(0), fc.constant(101)), 'retries', set('retries')),
  breaks<P, any>(fc.constantFrom<unknown>({}, { claim: 'data' }), 'mounts[0].claim', (p, m) => ({ ...p, mounts: [m as any] })),
  breaks<P, any>(fc.constant(VolumeClaim.fromClaimName('rwo', { accessModes: [AccessMode.READ_WRITE_ONCE] })), 'mounts[0]', (p, claim) => ({ ...p, mounts: [{ claim, path: '/data' }] })),
  breaks<P, any>(a.badScheduling, (s) => s.prop, (p, s) => ({ ...p, scheduling: s.value })),
  breaks<P, any>(fc.constant(Queue.kueue('q')), 'executor.scheduling.queue', (p, queue) => ({ ...p, executor: { scheduling: { queue } } })),
  breaks<P, any>(fc.constant(Duration.hours(1)), 'timeToLive', (p, ttl) => ({ ...p, timeToLive: ttl, schedule: Schedule.cron('@daily') })),
  breaks<P, any>(a.badDnsName, 'namespace', set('namespace')),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
);

const badFactoryCall: fc.Arbitrary<{ call: () => unknown; subject: string; prop: string }> = fc.oneof(
  fc.constantFrom('etl.py', '/opt/etl.py', 'file:///etl.py', 'local:///etl.jar', 'local:///a b.py', '')
    .map((f) => ({ call: () => SparkProgram.python(f), subject: 'SparkProgram.python', prop: 'mainFile' })),
  fc.constantFrom('Main', 'com.example.', '1com.Main', 'com example.Main')
    .filter((c) => c !== 'Main')
    .map((c) => ({ call: () => SparkProgram.scala('local:///a.jar', c), subject: 'SparkProgram.scala', prop: 'mainClass' })),
  fc.constantFrom('local:///a.py', 'ftp://x/a.jar')
    .map((jar) => ({ call: () => SparkProgram.java(jar, 'a.Main'), subject: 'SparkProgram.java', prop: 'jar' })),
);

function synthCase(c: Case) {
  return (chart: Chart) => new SparkJob(chart, c.id, c.props);
}

describe('SparkJob properties', () => {
  const checker = new ValidChecker();

  test('valid props synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      const kind = c.props.schedule === undefined ? 'SparkApplication' : 'ScheduledSparkApplication';
      expect(objects.filter((o) => o.kind === kind)).toHaveLength(1);
      expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toHaveLength(3);
      expect(objects.filter((o) => o.kind === 'Role')).toHaveLength(c.props.serviceAccountName === undefined ? 1 : 0);
    }), params(120));
  });

  test('a prop set with one broken field is refused, naming SparkJob and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase({ ...c, props: b.apply(c.props) }), `SparkJob '${c.id}'`, b.prop);
    }), params(300));
  });

  test('broken SparkProgram arguments are refused by the factory, naming the argument', () => {
    fc.assert(fc.property(badFactoryCall, (b) => {
      expectRefused(b.call, b.subject, b.prop);
    }), params(100));
  });
});
