import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { Chart } from 'cdk8s';
import { AccessMode, ConcurrencyPolicy, GpuTrainingJob, GpuTrainingJobProps, Schedule, VolumeClaim } from '../../lib';
import * as a from './arbitraries';
import { fakeTeam, hyperparameters, jobRunOptions, trainingMounts, trainingRunBase } from './arbitraries';
import { Breakage, breaks, expectRefused, expectRefusedOrValid, expectSynthRefused, hostileProps, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: GpuTrainingJobProps;
}

const mountsOf = trainingMounts();

const validCase: fc.Arbitrary<Case> = fc.record({
  ...trainingRunBase(52),
  workingDir: fc.option(a.mountPath, { nil: undefined }),
  accelerator: fc.option(a.accelerator, { nil: undefined }),
  cpu: fc.option(a.cpu, { nil: undefined }),
  memory: fc.option(fc.oneof(a.memory.map((m) => ({ m, small: false })), a.smallMemory.map((m) => ({ m, small: true }))), { nil: undefined }),
  sharedMemory: fc.option(fc.constantFrom('64Mi', '128Mi', '200Mi'), { nil: undefined }),
  env: a.env,
  secretEnv: a.secretEnv,
  hyperparameters,
  scheduling: a.scheduling(true),
  serviceAccountName: fc.option(a.dnsSubdomain, { nil: undefined }),
  automountServiceAccountToken: fc.option(fc.boolean(), { nil: undefined }),
  security: fc.option(fc.record({ user: fc.integer({ min: 1, max: 65535 }), group: fc.integer({ min: 0, max: 65535 }), fsGroup: fc.integer({ min: 0, max: 65535 }) }, { requiredKeys: [], noNullPrototype: true }), { nil: undefined }),
  labels: a.labels,
  job: jobRunOptions,
  schedule: fc.option(fc.tuple(a.schedule, a.scheduleOptions), { nil: undefined }),
  mountsOf,
}).map((c): Case => {
  const namespace = c.nsMode === 'none' ? undefined : c.namespace;
  const mounts = c.mountsOf(namespace);
  const spot = c.scheduling?.spot !== undefined;
  const props: GpuTrainingJobProps = {
    name: c.name,
    namespace: c.nsMode === 'prop' ? c.namespace : undefined,
    team: c.nsMode === 'team' ? fakeTeam(c.namespace, c.teamQueue, c.teamSa) : undefined,
    image: c.image,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    accelerator: c.accelerator,
    cpu: c.cpu,
    memory: c.memory?.m,
    // A given /dev/shm must fit in the memory.
    sharedMemory: c.memory?.small ? undefined : c.sharedMemory,
    env: c.env,
    secretEnv: c.secretEnv,
    hyperparameters: c.hyperparameters,
    scheduling: c.scheduling,
    serviceAccountName: c.serviceAccountName,
    automountServiceAccountToken: c.automountServiceAccountToken,
    security: c.security,
    labels: c.labels,
    ...c.job,
    // Kueue resumes queued Jobs: a suspended run in a Kueue queue is refused (see platform-checks.test).
    suspend: c.scheduling?.queue?.system === 'kueue' || c.teamQueue?.system === 'kueue' ? undefined : c.job.suspend,
    ...mounts,
    // Spot runs need checkpoints.
    checkpoints: mounts.checkpoints ?? (spot ? { claim: VolumeClaim.fromClaimName('ckpt', { namespace }), path: '/checkpoints-spot' } : undefined),
    schedule: c.schedule?.[0],
    scheduleOptions: c.schedule?.[1],
  };
  // Overlapping runs (ConcurrencyPolicy.ALLOW) may land on several nodes: only claims every node can mount allow them.
  const claims = [props.dataset, props.modelOutput, props.checkpoints, ...(props.mounts ?? [])].filter((m) => m !== undefined).map((m) => m!.claim);
  if (props.scheduleOptions?.concurrencyPolicy === ConcurrencyPolicy.ALLOW && claims.some((claim) => !claim.accessModes.includes(AccessMode.READ_WRITE_MANY))) {
    return { id: c.id, chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined, props: { ...props, scheduleOptions: { ...props.scheduleOptions, concurrencyPolicy: ConcurrencyPolicy.FORBID } } };
  }
  return { id: c.id, chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined, props };
});

type P = GpuTrainingJobProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(a.badDnsName, 'name', set('name')),
  breaks<P, any>(fc.integer({ min: 53, max: 63 }).map((n) => 'n'.repeat(n)), 'name', (p, name) => ({ ...p, name, schedule: Schedule.daily(2) })),
  breaks<P, any>(a.badImage, 'image', set('image')),
  breaks<P, any>(fc.constant(undefined), 'image', set('image')),
  breaks<P, any>(fc.constantFrom<unknown>({ count: 1 }, 'nvidia', 1), 'accelerator', set('accelerator')),
  breaks<P, any>(a.multiHostTpu, 'accelerator', set('accelerator')),
  breaks<P, any>(a.badQuantity, 'cpu', set('cpu')),
  breaks<P, any>(a.badQuantity, 'memory', (p, memory) => ({ ...p, memory, sharedMemory: undefined })),
  breaks<P, any>(a.badQuantity, 'sharedMemory', set('sharedMemory')),
  breaks<P, any>(fc.constantFrom('64Gi', '100Gi'), 'sharedMemory', (p, shm) => ({ ...p, memory: '64Gi', sharedMemory: shm })),
  breaks<P, any>(a.badEnv, (e) => e.prop, (p, e) => ({ ...p, env: e.value as Record<string, string> })),
  breaks<P, any>(fc.constantFrom<unknown>('secret', { secretName: 'x', key: 'y' }), 'secretEnv.TOKEN', (p, s) => ({ ...p, secretEnv: { TOKEN: s as any } })),
  breaks<P, any>(fc.constantFrom<unknown>({ 'bad-key': 1 }, { '1x': 1 }, { lr: null }, { lr: undefined }, 'lr=0.1', [1, 2]), 'hyperparameters', set('hyperparameters')),
  breaks<P, any>(a.badScheduling, (s) => s.prop, (p, s) => ({ ...p, scheduling: s.value })),
  breaks<P, any>(a.spot, 'checkpoints', (p, spot) => ({ ...p, scheduling: { spot }, checkpoints: undefined })),
  breaks<P, any>(a.badSubdomain, 'serviceAccountName', set('serviceAccountName')),
  breaks<P, any>(a.badDnsName, 'namespace', set('namespace')),
  breaks<P, any>(a.dnsLabel(10), 'namespace', (p, ns) => ({ ...p, team: fakeTeam(`team-${ns}`), namespace: ns })),
  breaks<P, any>(fc.constantFrom(0, -1, 1.5), 'security.user', (p, user) => ({ ...p, security: { user } })),
  breaks<P, any>(fc.constantFrom(-1, 0.5), 'security.group', (p, group) => ({ ...p, security: { group } })),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
  breaks<P, any>(fc.oneof(a.badCount(0), fc.constant(1001)), 'backoffLimit', set('backoffLimit')),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.seconds(0))), 'activeDeadline', set('activeDeadline')),
  breaks<P, any>(a.badDuration, 'ttlAfterFinished', set('ttlAfterFinished')),
  breaks<P, any>(fc.constantFrom<unknown>([0], [256], [1.5], [-3], ['1'], 3, 'all'), 'failFastExitCodes', set('failFastExitCodes')),
  breaks<P, any>(fc.constantFrom<unknown>({}, { claim: 'data' }, { claim: { claimName: 'data' }, path: '/data' }), 'dataset.claim', (p, d) => ({ ...p, dataset: d as any })),
  breaks<P, any>(a.badMountPath, 'dataset.path', (p, path) => ({ ...p, dataset: { claim: VolumeClaim.fromClaimName('data'), path: path as string } })),
  breaks<P, any>(fc.constantFrom('/abs', '../up', 'a/../../b'), 'dataset.subPath', (p, subPath) => ({ ...p, dataset: { claim: VolumeClaim.fromClaimName('data'), path: '/data', subPath } })),
  breaks<P, any>(fc.constant(true), 'modelOutput.readOnly', (p, readOnly) => ({ ...p, modelOutput: { claim: VolumeClaim.fromClaimName('out'), path: '/out', readOnly } })),
  breaks<P, any>(fc.constant('/data'), 'modelOutput.path', (p, path) => ({ ...p, scheduleOptions: undefined, dataset: { claim: VolumeClaim.fromClaimName('data'), path }, modelOutput: { claim: VolumeClaim.fromClaimName('out'), path }, checkpoints: undefined, mounts: undefined })),
  breaks<P, any>(fc.constant('elsewhere'), 'dataset.claim', (p, ns) => ({ ...p, namespace: 'ml', team: undefined, dataset: { claim: VolumeClaim.fromClaimName('data', { namespace: ns }), path: '/data' } })),
  breaks<P, any>(fc.constantFrom<unknown>('0 2 * * *', { expression: '@daily' }), 'schedule', set('schedule')),
  breaks<P, any>(a.scheduleOptions.filter((o) => o !== undefined), 'scheduleOptions', (p, o) => ({ ...p, schedule: undefined, scheduleOptions: o })),
  breaks<P, any>(a.badScheduleOptions, (o) => o.prop, (p, o) => ({ ...p, schedule: Schedule.daily(2), scheduleOptions: o.value })),
  breaks<P, any>(fc.constantFrom('postgres://u:pw@db/x', 'https://me:hunter2@host'), 'args', (p, arg) => ({ ...p, args: ['--db', arg] })),
  breaks<P, any>(fc.constantFrom<unknown>('yes', 1), 'automountServiceAccountToken', set('automountServiceAccountToken')),
  breaks<P, any>(fc.constantFrom<unknown>('train.py', [1]), 'command', set('command')),
);

/** Every prop a user writes a value into; `.*` is a map whose keys and values are hostile too. */
const hostile = hostileProps<P>([
  'name', 'namespace', 'image', 'command', 'args', 'workingDir', 'accelerator', 'cpu', 'memory', 'sharedMemory', 'env.*', 'secretEnv.*',
  'hyperparameters.*', 'scheduling', 'scheduling.priorityClassName', 'scheduling.nodeSelector.*', 'serviceAccountName',
  'automountServiceAccountToken', 'security.user', 'security.group', 'security.fsGroup', 'labels.*', 'backoffLimit', 'activeDeadline',
  'ttlAfterFinished', 'retryOnDisruption', 'failFastExitCodes', 'suspend', 'dataset', 'dataset.path', 'dataset.subPath', 'modelOutput.path',
  'mounts', 'schedule', 'scheduleOptions.timeZone', 'scheduleOptions.startingDeadline', 'scheduleOptions.successfulRunsToKeep',
], a.hostileValue, a.hostileKey);

function synthCase(c: Case) {
  return (chart: Chart) => new GpuTrainingJob(chart, c.id, c.props);
}

describe('GpuTrainingJob properties', () => {
  const checker = new ValidChecker();

  test('valid props synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      const kind = c.props.schedule ? 'CronJob' : 'Job';
      expect(objects.filter((o) => o.kind === kind)).toHaveLength(1);
    }), params(400));
  });

  test('a prop set with one broken field is refused, naming GpuTrainingJob and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase({ ...c, props: b.apply(c.props) }), `GpuTrainingJob '${c.id}'`, b.prop);
    }), params(1000));
  });

  test('a hostile value in any prop is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostile, (c, h) => {
      expectRefusedOrValid(checker, c.chartNamespace, synthCase({ ...c, props: h.apply(c.props) }), `GpuTrainingJob '${c.id}'`, h.prop);
    }), params(300));
  });

  test('broken factory arguments are refused by the factory, naming the argument', () => {
    fc.assert(fc.property(fc.oneof(a.badAcceleratorCall, a.badScheduleCall, a.badSecretCall.map((s) => ({ ...s, subject: 'SecretValue.fromSecret' }))), (b) => {
      expectRefused(b.call, b.subject, b.prop);
    }), params(300));
  });
});
