import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessMode, KafkaSaslMechanism, QueueLocation, QueueWorker, QueueWorkerProps, VolumeClaim, WorkerHealthCheck, WorkerQueue,
} from '../../lib';
import * as a from './arbitraries';
import { fakeTeam } from './arbitraries';
import { Breakage, breaks, expectRefused, expectRefusedOrValid, expectSynthRefused, hostileProps, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: QueueWorkerProps;
}

const host = fc.array(a.dnsLabel(10), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const port = fc.integer({ min: 1, max: 65535 });
const address = fc.tuple(host, port).map(([h, p]) => `${h}:${p}`);
const queueName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/);
const location: fc.Arbitrary<QueueLocation> = fc.oneof(
  fc.tuple(a.labels.filter((l) => Object.keys(l).length > 0), fc.option(a.dnsLabel(20), { nil: undefined })).map(([labels, ns]) => QueueLocation.inCluster(labels, ns)),
  a.cidr.filter((range) => !range.endsWith('/0')).map((range) => QueueLocation.cidr(range)),
);
const optionalSecret = fc.option(a.secretValue, { nil: undefined });

/** A queue of every kind, with or without credentials. */
const queue: fc.Arbitrary<WorkerQueue> = fc.oneof(
  fc.record({ address, listName: queueName, location, password: optionalSecret, tls: fc.option(fc.boolean(), { nil: undefined }), databaseIndex: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }) })
    .map((o) => WorkerQueue.redisList(o)),
  fc.record({ address, stream: queueName, consumerGroup: queueName, location, password: optionalSecret }).map((o) => WorkerQueue.redisStream(o)),
  fc.record({
    bootstrapServers: fc.array(address, { minLength: 1, maxLength: 3 }), topic: queueName, consumerGroup: queueName, location, tls: fc.option(fc.boolean(), { nil: undefined }),
    sasl: fc.option(fc.record({ mechanism: fc.constantFrom(...Object.values(KafkaSaslMechanism)), username: a.secretValue, password: a.secretValue }), { nil: undefined }),
  }).map((o) => WorkerQueue.kafka(o)),
  fc.record({
    account: fc.stringMatching(/^\d{12}$/), name: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), region: fc.constantFrom('eu-west-1', 'us-east-2', 'ap-southeast-1'), location,
    credentials: fc.option(fc.record({ accessKeyId: a.secretValue, secretAccessKey: a.secretValue }), { nil: undefined }),
  }).map((o) => WorkerQueue.sqs({ queueUrl: `https://sqs.${o.region}.amazonaws.com/${o.account}/${o.name}`, region: o.region, location: o.location, credentials: o.credentials })),
  fc.record({
    scheme: fc.constantFrom('amqp', 'amqps'), host, port: fc.option(port, { nil: undefined }), queueName, location,
    credentials: fc.option(fc.record({ username: a.secretValue, password: a.secretValue }), { nil: undefined }),
  }).map((o) => WorkerQueue.rabbitmq({ host: `${o.scheme}://${o.host}${o.port === undefined ? '' : `:${o.port}`}/`, queueName: o.queueName, location: o.location, credentials: o.credentials })),
);

const healthCheck: fc.Arbitrary<WorkerHealthCheck | undefined> = fc.option(fc.oneof(
  fc.record({ path: fc.option(fc.constantFrom('/tmp/hb', '/var/run/app/alive', '/run/worker/beat'), { nil: undefined }), maxAge: fc.option(a.duration(5, 3600), { nil: undefined }) })
    .map((o) => WorkerHealthCheck.heartbeatFile(o)),
  fc.array(fc.stringMatching(/^[a-z/_-]{1,10}$/), { minLength: 1, maxLength: 3 }).map((c) => WorkerHealthCheck.command(c)),
), { nil: undefined });

const validCase: fc.Arbitrary<Case> = fc.record({
  id: a.dnsLabel(30),
  name: fc.option(a.dnsLabel(40), { nil: undefined }),
  nsMode: fc.constantFrom('chart', 'prop', 'team', 'none'),
  namespace: a.dnsLabel(20),
  image: a.image,
  accelerator: fc.option(a.accelerator, { nil: undefined }),
  cpu: fc.option(a.cpu, { nil: undefined }),
  memory: fc.option(a.memory, { nil: undefined }),
  env: a.env,
  secretEnv: a.secretEnv,
  mounts: fc.uniqueArray(fc.tuple(a.mountPath, a.claim([AccessMode.READ_ONLY_MANY])), { maxLength: 2, selector: ([path]) => path }),
  queue: fc.option(queue, { nil: undefined }),
  scaling: fc.option(fc.record({ minReplicas: fc.integer({ min: 0, max: 3 }), extra: fc.integer({ min: 0, max: 20 }), messagesPerReplica: fc.option(fc.integer({ min: 1, max: 10000 }), { nil: undefined }), cooldown: fc.option(a.duration(0, 7200), { nil: undefined }) }), { nil: undefined }),
  replicas: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  healthCheck,
  terminationGracePeriod: fc.option(a.duration(1, 7200), { nil: undefined }),
  preStop: fc.option(fc.array(fc.stringMatching(/^[a-z/_-]{1,10}$/), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  scheduling: a.scheduling(true),
  labels: a.labels,
}).map((c): Case => {
  const autoscaling = c.queue !== undefined && c.scaling !== undefined
    ? { minReplicas: c.scaling.minReplicas, maxReplicas: Math.max(1, c.scaling.minReplicas + c.scaling.extra), messagesPerReplica: c.scaling.messagesPerReplica, cooldown: c.scaling.cooldown }
    : undefined;
  const props: QueueWorkerProps = {
    name: c.name,
    namespace: c.nsMode === 'prop' ? c.namespace : undefined,
    team: c.nsMode === 'team' ? fakeTeam(c.namespace) : undefined,
    image: c.image,
    accelerator: c.accelerator,
    cpu: c.cpu,
    memory: c.memory,
    env: c.env,
    secretEnv: c.secretEnv,
    mounts: c.mounts.map(([path, claim]) => ({ claim, path })),
    queue: c.queue,
    autoscaling,
    replicas: autoscaling === undefined ? c.replicas : undefined,
    healthCheck: c.healthCheck,
    terminationGracePeriod: c.terminationGracePeriod,
    preStop: c.preStop,
    scheduling: c.scheduling,
    labels: c.labels,
  };
  return { id: c.id, chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined, props };
});

type P = QueueWorkerProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });
const redis = () => WorkerQueue.redisList({ address: 'redis:6379', listName: 'q', location: QueueLocation.cidr('10.0.0.0/8') });

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(a.badDnsName, 'name', set('name')),
  breaks<P, any>(a.badImage, 'image', set('image')),
  breaks<P, any>(fc.constantFrom<unknown>({ count: 1 }, 'nvidia', 1), 'accelerator', set('accelerator')),
  breaks<P, any>(a.multiHostTpu, 'accelerator', set('accelerator')),
  breaks<P, any>(a.badQuantity, 'cpu', set('cpu')),
  breaks<P, any>(a.badEnv, (e) => e.prop, (p, e) => ({ ...p, env: e.value as Record<string, string> })),
  breaks<P, any>(fc.constantFrom<unknown>('redis:6379', { trigger: {} }), 'queue', set('queue')),
  breaks<P, any>(fc.integer({ min: 1, max: 5 }), 'replicas', (p, replicas) => ({ ...p, queue: p.queue ?? redis(), replicas, autoscaling: { maxReplicas: 5 } })),
  breaks<P, any>(fc.oneof(a.badCount(1), fc.constant(1001)), 'replicas', (p, replicas) => ({ ...p, replicas, autoscaling: undefined })),
  breaks<P, any>(fc.constant({ maxReplicas: 3 }), 'autoscaling', (p, autoscaling) => ({ ...p, queue: undefined, replicas: undefined, autoscaling })),
  breaks<P, any>(fc.oneof(a.badCount(0), fc.constant(1001)), 'autoscaling.minReplicas', (p, minReplicas) => ({ ...p, queue: p.queue ?? redis(), replicas: undefined, autoscaling: { minReplicas, maxReplicas: 1000 } })),
  breaks<P, any>(fc.oneof(a.badCount(1), fc.constant(1001)), 'autoscaling.maxReplicas', (p, maxReplicas) => ({ ...p, queue: p.queue ?? redis(), replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas } })),
  breaks<P, any>(a.badDuration, 'autoscaling.cooldown', (p, cooldown) => ({ ...p, queue: p.queue ?? redis(), replicas: undefined, autoscaling: { maxReplicas: 2, cooldown } })),
  breaks<P, any>(fc.constantFrom<unknown>({ command: ['true'] }, 'heartbeat'), 'healthCheck', set('healthCheck')),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.seconds(0))), 'terminationGracePeriod', set('terminationGracePeriod')),
  breaks<P, any>(fc.constantFrom<unknown>([], [''], 'drain', [1]), 'preStop', set('preStop')),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.seconds(400))), 'probePeriod', set('probePeriod')),
  breaks<P, any>(fc.constantFrom<unknown>({}, { claim: 'data' }), 'mounts[0].claim', (p, m) => ({ ...p, mounts: [m as any] })),
  breaks<P, any>(a.badMountPath, 'mounts[0].path', (p, path) => ({ ...p, mounts: [{ claim: VolumeClaim.fromClaimName('data', { accessModes: [AccessMode.READ_ONLY_MANY] }), path: path as string }] })),
  breaks<P, any>(a.badScheduling, (s) => s.prop, (p, s) => ({ ...p, scheduling: s.value })),
  breaks<P, any>(a.badDnsName, 'namespace', set('namespace')),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
);

/** Broken queue and health-check factory calls, with the factory and the argument they must name. */
const cidr8 = QueueLocation.cidr('10.0.0.0/8');
const badFactoryCall: fc.Arbitrary<{ call: () => unknown; subject: string; prop: string }> = fc.oneof(
  fc.constantFrom('redis', 'redis://redis:6379', 'redis://:pw@redis:6379', 'redis:0', 'redis:70000', '', 'Redis:6379')
    .map((address) => ({ call: () => WorkerQueue.redisList({ address, listName: 'q', location: cidr8 }), subject: 'WorkerQueue.redisList', prop: 'address' })),
  fc.constantFrom<unknown>('pw', { secretName: 'x', key: 'y' })
    .map((password) => ({ call: () => WorkerQueue.redisStream({ address: 'r:6379', stream: 's', consumerGroup: 'g', location: cidr8, password: password as any }), subject: 'WorkerQueue.redisStream', prop: 'password' })),
  fc.constantFrom<unknown>([], 'kafka:9092', ['kafka'])
    .map((bootstrapServers) => ({ call: () => WorkerQueue.kafka({ bootstrapServers: bootstrapServers as any, topic: 't', consumerGroup: 'g', location: cidr8 }), subject: 'WorkerQueue.kafka', prop: 'bootstrapServers' })),
  fc.constantFrom('', 'has space', 'a/b')
    .map((topic) => ({ call: () => WorkerQueue.kafka({ bootstrapServers: ['k:9092'], topic, consumerGroup: 'g', location: cidr8 }), subject: 'WorkerQueue.kafka', prop: 'topic' })),
  fc.constantFrom('https://example.com/q', 'sqs://q', '')
    .map((queueUrl) => ({ call: () => WorkerQueue.sqs({ queueUrl, region: 'eu-west-1', location: cidr8 }), subject: 'WorkerQueue.sqs', prop: 'queueUrl' })),
  fc.constantFrom('amqp://u:p@rabbit:5672/', 'http://rabbit', 'rabbit:5672')
    .map((host) => ({ call: () => WorkerQueue.rabbitmq({ host, queueName: 'q', location: cidr8 }), subject: 'WorkerQueue.rabbitmq', prop: 'host' })),
  fc.constantFrom<unknown>(undefined, '10.0.0.0/8', {})
    .map((loc) => ({ call: () => WorkerQueue.redisList({ address: 'r:6379', listName: 'q', location: loc as any }), subject: 'WorkerQueue.redisList', prop: 'location' })),
  fc.constantFrom('10.0.0.0', '300.0.0.0/8', 'any')
    .map((cidr) => ({ call: () => QueueLocation.cidr(cidr), subject: 'QueueLocation.cidr', prop: 'cidr' })),
  fc.constantFrom('heartbeat', '/hb', '/var/run/$(x)/hb', '/etc/hb', '/a b/c')
    .map((path) => ({ call: () => WorkerHealthCheck.heartbeatFile({ path }), subject: 'WorkerHealthCheck.heartbeatFile', prop: 'path' })),
  fc.constantFrom<unknown>([], [''], 'true')
    .map((command) => ({ call: () => WorkerHealthCheck.command(command as any), subject: 'WorkerHealthCheck.command', prop: 'command' })),
);

function synthCase(c: Case) {
  return (chart: Chart) => new QueueWorker(chart, c.id, c.props);
}

/** Every prop a user writes a value into; `.*` is a map whose keys and values are hostile too. */
const hostile = hostileProps<P>([
  'name', 'namespace', 'image', 'command', 'args', 'workingDir', 'accelerator', 'cpu', 'cpuLimit', 'memory',
  'memoryLimit', 'sharedMemory', 'env.*', 'secretEnv.*', 'mounts', 'queue', 'replicas', 'autoscaling',
  'autoscaling.minReplicas', 'autoscaling.maxReplicas', 'healthCheck', 'probePeriod', 'startupTimeout',
  'terminationGracePeriod', 'preStop', 'maxSurge', 'requireSpreadAcrossNodes', 'scheduling', 'serviceAccountName',
  'automountServiceAccountToken', 'security', 'labels.*',
], a.hostileValue, a.hostileKey);

describe('QueueWorker properties', () => {
  const checker = new ValidChecker();

  test('valid props synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(1);
      expect(objects.filter((o) => o.kind === 'Service')).toHaveLength(0);
      expect(objects.filter((o) => o.kind === 'ScaledObject')).toHaveLength(c.props.autoscaling === undefined ? 0 : 1);
    }), params(150));
  });

  test('a prop set with one broken field is refused, naming QueueWorker and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase({ ...c, props: b.apply(c.props) }), `QueueWorker '${c.id}'`, b.prop);
    }), params(400));
  });

  test('a hostile value in any prop is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostile, (c, h) => {
      expectRefusedOrValid(checker, c.chartNamespace, synthCase({ ...c, props: h.apply(c.props) }), `QueueWorker '${c.id}'`, h.prop);
    }), params(250));
  });

  test('broken factory arguments are refused by the factory, naming the argument', () => {
    fc.assert(fc.property(badFactoryCall, (b) => {
      expectRefused(b.call, b.subject, b.prop);
    }), params(200));
  });
});
