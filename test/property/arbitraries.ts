/**
 * Shared generators for the property tests: valid values covering the option space of the library's core types
 * (names, images, quantities, accelerators of every kind, scheduling, mounts, schedules, env), and broken values
 * for the invalid-props properties (one field at a time).
 */
import { Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessMode, Accelerator, ConcurrencyPolicy, ITeam, NodeRequirement, Queue, Schedule, ScheduleOptions, SchedulingOptions,
  SecretValue, Spot, TaintEffect, Toleration, TolerationSpec, TpuVersion, VolumeClaim, WorkloadRole,
} from '../../lib';

// ---------------------------------------------------------------------------------------------------------------
// Names and strings

/** A DNS-1123 label of 1 to `max` characters (at least one letter at the start when `letterFirst`). */
export function dnsLabel(max = 20, letterFirst = true): fc.Arbitrary<string> {
  const first = letterFirst ? '[a-z]' : '[a-z0-9]';
  const middle = Math.max(0, max - 2);
  return fc.stringMatching(new RegExp(`^${first}([-a-z0-9]{0,${middle}}[a-z0-9])?$`)).filter((s) => s.length <= max);
}

/** A DNS-1123 subdomain (dotted labels). */
export const dnsSubdomain: fc.Arbitrary<string> = fc.array(dnsLabel(12), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));

/** Strings that are not DNS-1123 labels (and not subdomains either). */
export const badDnsName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'Upper', 'under_score', '-lead', 'trail-', 'with space', 'a..b', 'ünï', 'a/b', '.', 'a.', '.a'),
  fc.stringMatching(/^[a-z][A-Z_ !@#]{1,5}[a-z]$/),
  fc.integer({ min: 64, max: 300 }).map((n) => 'a'.repeat(n)),
);

/** Strings that are not DNS-1123 subdomains. */
export const badSubdomain: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'Upper', 'under_score', '-lead', 'trail-', 'with space', 'a..b', 'ünï', 'a/b', '.', 'a.', '.a', 'a.-b'),
  fc.stringMatching(/^[a-z][A-Z_ !@#]{1,5}[a-z]$/),
  fc.integer({ min: 254, max: 300 }).map((n) => 'a'.repeat(n)),
);

/** Values of the wrong type for a string prop. */
export const notAString: fc.Arbitrary<unknown> = fc.constantFrom(42, true, { name: 'x' }, ['a'], null);

/** An IPv4 range in canonical form (no address bits beyond the prefix), as the library's CIDR rule requires. */
export const cidr: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([address, bits]) => {
  const network = bits === 0 ? 0 : (address & (~0 << (32 - bits))) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.')}/${bits}`;
});

/** A label value (possibly empty). */
export const labelValue: fc.Arbitrary<string> = fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?)?$/);

/** A qualified label key (`prefix/name` or `name`), never in the library's reserved prefixes. */
export const labelKey: fc.Arbitrary<string> = fc.tuple(
  fc.option(fc.constantFrom('example.com', 'team.io', 'cost.acme.org'), { nil: undefined }),
  fc.stringMatching(/^[a-z]([-a-z0-9_.]{0,12}[a-z0-9])?$/),
).map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name));

/** A map of extra labels. */
export const labels: fc.Arbitrary<Record<string, string>> = fc.dictionary(labelKey, labelValue, { maxKeys: 3, noNullPrototype: true });

/** Label maps that Kubernetes refuses: a bad key or a bad value. */
export const badLabels: fc.Arbitrary<Record<string, string>> = fc.oneof(
  fc.constantFrom<Record<string, string>>(
    { 'bad key': 'x' }, { '-lead': 'x' }, { 'a/b/c': 'x' }, { 'UPPER.example.com/x': 'y' }, { team: 'has space' },
    { team: '-lead' }, { team: 'x'.repeat(64) }, { ['k'.repeat(64)]: 'v' },
  ),
);

// ---------------------------------------------------------------------------------------------------------------
// Images

const repositories = ['pytorch/pytorch', 'nvcr.io/nvidia/pytorch', 'ghcr.io/acme/trainer', 'registry.example.com:5000/ml/train', 'python', 'us-docker.pkg.dev/proj/repo/img'];

/** A pinned image reference: a tag other than `latest`, or a digest. */
export const image: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...repositories), fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/).filter((t) => t !== 'latest'))
    .map(([repo, tag]) => `${repo}:${tag}`),
  fc.tuple(fc.constantFrom(...repositories), fc.stringMatching(/^[a-f0-9]{64}$/)).map(([repo, digest]) => `${repo}@sha256:${digest}`),
);

/** Image references that are not pinned or not valid. */
export const badImage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...repositories).map((r) => `${r}:latest`),
  fc.constantFrom(...repositories),
  fc.constantFrom('', ' python:3.11', 'python:3.11 ', 'py thon:3', 'python:', 'python:-x', 'python:a/b', 'registry.example.com:5000/img'),
  fc.constantFrom(42, { image: 'python:3.11' }),
);

// ---------------------------------------------------------------------------------------------------------------
// Quantities

/** A CPU quantity: cores as a number, millicores or a decimal string. */
export const cpu: fc.Arbitrary<string | number> = fc.oneof(
  fc.integer({ min: 1, max: 64 }),
  fc.integer({ min: 100, max: 8000 }).map((m) => `${m}m`),
  fc.integer({ min: 1, max: 32 }).map((n) => `${n}.5`),
);

/** Tiny memory (2Mi to 255Mi), where the default /dev/shm floor matters. */
export const smallMemory: fc.Arbitrary<string> = fc.integer({ min: 2, max: 255 }).map((n) => `${n}Mi`);

/** A memory quantity from 256Mi to 512Gi: binary or decimal suffix, a cdk8s Size or a byte count. */
export const memory: fc.Arbitrary<string | number | Size> = fc.oneof(
  fc.integer({ min: 1, max: 512 }).map((n) => `${n}Gi`),
  fc.integer({ min: 256, max: 65536 }).map((n) => `${n}Mi`),
  fc.integer({ min: 1, max: 500 }).map((n) => `${n}G`),
  fc.integer({ min: 1, max: 256 }).map((n) => Size.gibibytes(n)),
  fc.integer({ min: 1, max: 64 }).map((n) => n * 2 ** 30),
);

/** A storage size. */
export const storageSize: fc.Arbitrary<string | Size> = fc.oneof(
  fc.integer({ min: 1, max: 4096 }).map((n) => `${n}Gi`),
  fc.integer({ min: 1, max: 10 }).map((n) => `${n}Ti`),
  fc.integer({ min: 1, max: 1000 }).map((n) => Size.gibibytes(n)),
);

/** Quantities Kubernetes refuses, or zero / negative amounts. */
export const badQuantity: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('', '16GB', '1.5.5', 'lots', '-1', '0', '0Gi', '16 Gi', 'Gi', '1e', '2x'),
  fc.constantFrom(-1, 0, NaN, Infinity, -0.5),
  fc.constantFrom({ amount: 4 }, true),
);

// ---------------------------------------------------------------------------------------------------------------
// Counts

/** Values that are not whole numbers of at least `min`. */
export function badCount(min = 1): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.integer({ min: -1000, max: min - 1 }),
    fc.double({ min: min + 0.01, max: 100, noNaN: true }).filter((x) => !Number.isInteger(x)),
    fc.constantFrom(NaN, Infinity, '2'),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Accelerators

/** A single-host TPU slice (one pod). */
export const singleHostTpu: fc.Arbitrary<Accelerator> = fc.constantFrom(
  { version: TpuVersion.V5E, topology: '1x1' }, { version: TpuVersion.V5E, topology: '2x2' }, { version: TpuVersion.V5E, topology: '2x4' },
  { version: TpuVersion.V6E, topology: '1x1' }, { version: TpuVersion.V6E, topology: '2x4' },
  { version: TpuVersion.V4, topology: '2x2x1' }, { version: TpuVersion.V5P, topology: '2x2x1' },
).map((o) => Accelerator.tpu(o));

/** A TPU slice spanning several hosts (only DistributedTraining can run it). */
export const multiHostTpu: fc.Arbitrary<Accelerator> = fc.constantFrom(
  { version: TpuVersion.V5E, topology: '4x4' }, { version: TpuVersion.V6E, topology: '4x4' },
  { version: TpuVersion.V4, topology: '2x2x2' }, { version: TpuVersion.V5P, topology: '2x2x4' },
).map((o) => Accelerator.tpu(o));

const migProfiles = ['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '3g.40gb', '7g.80gb', '1g.10gb+me', '2g.24gb', '4g.71gb'];

/** An accelerator that fits one pod: whole NVIDIA GPUs (with product / memory), MIG, shared GPU, AMD, TPU, none. */
export const accelerator: fc.Arbitrary<Accelerator> = fc.oneof(
  fc.tuple(
    fc.integer({ min: 1, max: 16 }),
    fc.option(fc.constantFrom('NVIDIA-A100-SXM4-80GB', 'NVIDIA-H100-80GB-HBM3', 'Tesla-T4'), { nil: undefined }),
    fc.option(fc.integer({ min: 1, max: 196608 }), { nil: undefined }),
  ).map(([n, product, minMemoryMiB]) => Accelerator.nvidiaGpu(n, { product, minMemoryMiB })),
  fc.tuple(fc.constantFrom(...migProfiles), fc.integer({ min: 1, max: 7 })).map(([p, n]) => Accelerator.mig(p, n)),
  fc.constant(null).map(() => Accelerator.sharedGpu()),
  fc.constant(null).map(() => Accelerator.none()),
  fc.integer({ min: 1, max: 16 }).map((n) => Accelerator.amdGpu(n)),
  singleHostTpu,
);

/** Broken accelerator factory calls, each with the factory and the argument it must name. */
export const badAcceleratorCall: fc.Arbitrary<{ call: () => Accelerator; subject: string; prop: string }> = fc.oneof(
  badCount(1).map((n) => ({ call: () => Accelerator.nvidiaGpu(n as number), subject: 'Accelerator.nvidiaGpu', prop: 'count' })),
  fc.integer({ min: 17, max: 100 }).map((n) => ({ call: () => Accelerator.nvidiaGpu(n), subject: 'Accelerator.nvidiaGpu', prop: 'count' })),
  fc.constantFrom('bad product', '-x', '').map((p) => ({ call: () => Accelerator.nvidiaGpu(1, { product: p }), subject: 'Accelerator.nvidiaGpu', prop: 'product' })),
  badCount(1).map((n) => ({ call: () => Accelerator.nvidiaGpu(1, { minMemoryMiB: n as number }), subject: 'Accelerator.nvidiaGpu', prop: 'minMemoryMiB' })),
  fc.constantFrom('1g.6gb', '8g.80gb', '', 'mig-1g.10gb').map((p) => ({ call: () => Accelerator.mig(p), subject: 'Accelerator.mig', prop: 'profile' })),
  badCount(1).map((n) => ({ call: () => Accelerator.mig('1g.10gb', n as number), subject: 'Accelerator.mig', prop: 'count' })),
  fc.constantFrom(0, 2, 4, 1.5).map((n) => ({ call: () => Accelerator.sharedGpu(n), subject: 'Accelerator.sharedGpu', prop: 'count' })),
  badCount(1).map((n) => ({ call: () => Accelerator.amdGpu(n as number), subject: 'Accelerator.amdGpu', prop: 'count' })),
  fc.constantFrom(
    { version: TpuVersion.V5E, topology: '2x2x2' }, { version: TpuVersion.V4, topology: '2x2' }, { version: TpuVersion.V5E, topology: '2x3' },
    { version: TpuVersion.V5E, topology: '0x4' }, { version: TpuVersion.V5E, topology: 'big' }, { version: TpuVersion.V4, topology: '3x3x3' },
  ).map((o) => ({ call: () => Accelerator.tpu(o), subject: 'Accelerator.tpu', prop: 'topology' })),
  fc.constantFrom(
    { version: TpuVersion.V5E, topology: '2x4', chips: 4 }, { version: TpuVersion.V5E, topology: '4x4', chips: 8 }, { version: TpuVersion.V4, topology: '2x2x1', chips: 1 },
  ).map((o) => ({ call: () => Accelerator.tpu(o), subject: 'Accelerator.tpu', prop: 'chips' })),
  fc.constantFrom(undefined, 'v5e', { name: 'v5e' }).map((version) => ({
    call: () => Accelerator.tpu({ version: version as any, topology: '2x2' }), subject: 'Accelerator.tpu', prop: 'version',
  })),
);

// ---------------------------------------------------------------------------------------------------------------
// Scheduling

const taintKey = fc.constantFrom('dedicated', 'example.com/ml', 'gpu-type', 'node.acme.io/reserved');
const taintEffect = fc.constantFrom(TaintEffect.NO_SCHEDULE, TaintEffect.PREFER_NO_SCHEDULE, TaintEffect.NO_EXECUTE);

/** A toleration made with the library's helpers. */
export const toleration: fc.Arbitrary<TolerationSpec> = fc.oneof(
  fc.tuple(taintKey, labelValue.filter((v) => v !== ''), taintEffect).map(([k, v, e]) => Toleration.equal(k, v, e)),
  fc.tuple(taintKey, taintEffect).map(([k, e]) => Toleration.exists(k, e)),
);

/** A node affinity requirement. */
export const nodeRequirement: fc.Arbitrary<NodeRequirement> = fc.oneof(
  fc.tuple(labelKey, fc.constantFrom<'In' | 'NotIn'>('In', 'NotIn'), fc.array(labelValue.filter((v) => v !== ''), { minLength: 1, maxLength: 3 }))
    .map(([key, operator, values]) => ({ key, operator, values })),
  fc.tuple(labelKey, fc.constantFrom<'Exists' | 'DoesNotExist'>('Exists', 'DoesNotExist')).map(([key, operator]) => ({ key, operator })),
  fc.tuple(labelKey, fc.constantFrom<'Gt' | 'Lt'>('Gt', 'Lt'), fc.integer({ min: 0, max: 100000 })).map(([key, operator, n]) => ({ key, operator, values: [String(n)] })),
);

/** A spot provider. */
export const spot: fc.Arbitrary<Spot> = fc.oneof(
  fc.constantFrom('gke', 'eks', 'aks', 'karpenter').map((p) => (Spot as any)[p]() as Spot),
  fc.tuple(fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 2, noNullPrototype: true }), fc.array(toleration, { maxLength: 2 })).map(([sel, tol]) => Spot.custom(sel, tol)),
);

/** A batch queue. */
export const queue: fc.Arbitrary<Queue> = fc.oneof(dnsLabel(20).map((n) => Queue.kueue(n)), dnsLabel(20).map((n) => Queue.volcano(n)));

/** Scheduling options; `withSpot` allows spot capacity (which needs checkpoints in training). */
export function scheduling(withSpot = true): fc.Arbitrary<SchedulingOptions | undefined> {
  return fc.option(fc.record({
    spot: withSpot ? spot : fc.constant(undefined),
    nodeSelector: fc.dictionary(labelKey, labelValue, { maxKeys: 2, noNullPrototype: true }),
    tolerations: fc.array(toleration, { maxLength: 2 }),
    requiredNodeAffinity: fc.array(nodeRequirement, { maxLength: 2 }),
    avoidNodesRunning: fc.dictionary(labelKey, labelValue, { maxKeys: 2, noNullPrototype: true }),
    priorityClassName: dnsSubdomain,
    queue,
  }, { requiredKeys: [], noNullPrototype: true }), { nil: undefined });
}

/** Scheduling options that are broken in one field, with the prop the error must name. */
export const badScheduling: fc.Arbitrary<{ value: SchedulingOptions; prop: string }> = fc.oneof<fc.Arbitrary<{ value: SchedulingOptions; prop: string }>[]>(
  badSubdomain.map((n) => ({ value: { priorityClassName: n }, prop: 'scheduling.priorityClassName' })),
  badSubdomain.map((n) => ({ value: { queue: Queue.kueue(n) }, prop: 'scheduling.queue' })),
  fc.constantFrom<unknown>('team-a', { system: 'kueue', name: 'q' }).map((q) => ({ value: { queue: q as Queue }, prop: 'scheduling.queue' })),
  fc.constantFrom('bad key', '-x', 'a/b/c').map((k) => ({ value: { nodeSelector: { [k]: 'v' } }, prop: 'scheduling.nodeSelector' })),
  fc.constantFrom('bad value', '-x', 'x'.repeat(64)).map((val) => ({ value: { nodeSelector: { pool: val } }, prop: 'scheduling.nodeSelector.pool' })),
  fc.constantFrom<unknown>({ key: 'bad key', operator: 'Exists' }, { key: 'k', operator: 'Sometimes' }, { key: 'k', operator: 'Equal', value: 'has space' }, 'dedicated')
    .map((t) => ({ value: { tolerations: [t as TolerationSpec] }, prop: 'scheduling.tolerations[0]' })),
  fc.constantFrom<unknown>({ key: 'k', operator: 'In' }, { key: 'k', operator: 'Gt', values: ['x'] }, { key: 'bad key', operator: 'Exists' }, { key: 'k', operator: 'Near' })
    .map((r) => ({ value: { requiredNodeAffinity: [r as NodeRequirement] }, prop: 'scheduling.requiredNodeAffinity[0]' })),
  fc.constantFrom<Record<string, string>>({ 'bad key': 'x' }, { app: 'bad value' }).map((sel) => ({ value: { avoidNodesRunning: sel }, prop: 'scheduling.avoidNodesRunning' })),
);

// ---------------------------------------------------------------------------------------------------------------
// Env and secrets

const credentialLike = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** Env var names that are not credential-like and not reserved by the constructs. */
export const envName: fc.Arbitrary<string> = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,12}$/)
  .filter((n) => !credentialLike.test(n) && !['HOME', 'CHECKPOINT_DIR', 'NVIDIA_VISIBLE_DEVICES', 'MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'NODE_RANK', 'TF_CONFIG', 'TASK_INDEX', 'POD_INDEX'].includes(n));

/** Plain env values without credentials in them. */
export const envValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('https://example.com/api', 's3://bucket/path', '0.001', 'true', '$(HOME)/cache'),
);

/** Plain env vars. */
export const env: fc.Arbitrary<Record<string, string>> = fc.dictionary(envName, envValue, { maxKeys: 3, noNullPrototype: true });

/** A Secret reference. */
export const secretValue: fc.Arbitrary<SecretValue> = fc.tuple(dnsSubdomain, fc.stringMatching(/^[-._a-zA-Z0-9]{1,20}$/)
  .filter((k) => k !== '.' && !k.startsWith('..')))
  .map(([name, key]) => SecretValue.fromSecret(name, key));

/** Env vars read from Secrets (credential-like names welcome). */
export const secretEnv: fc.Arbitrary<Record<string, SecretValue>> = fc.dictionary(
  fc.constantFrom('WANDB_API_KEY', 'HF_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'EXTRA'), secretValue, { maxKeys: 2, noNullPrototype: true },
);

/** Env maps that must be refused, with the prop they must be named by (relative to the env prop). */
export const badEnv: fc.Arbitrary<{ value: Record<string, unknown>; prop: string }> = fc.oneof(
  fc.tuple(fc.constantFrom('DB_PASSWORD', 'HF_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'OPENAI_API_KEY', 'GCP_CREDENTIALS'), fc.string({ minLength: 1, maxLength: 10 }))
    .map(([n, val]) => ({ value: { [n]: val }, prop: `env.${n}` })),
  fc.tuple(fc.constantFrom('postgresql', 'https', 'redis'), dnsLabel(8), fc.stringMatching(/^[a-zA-Z0-9]{1,10}$/))
    .map(([scheme, user, pw]) => ({ value: { DATABASE_URI: `${scheme}://${user}:${pw}@db.example.com/x` }, prop: 'env.DATABASE_URI' })),
  fc.constantFrom('1BAD', 'BAD-NAME', 'BAD NAME', '').map((n) => ({ value: { [n]: 'x' }, prop: 'env' })),
  fc.constantFrom<unknown>(42, { a: 1 }, null).map((val) => ({ value: { SETTING: val }, prop: 'env.SETTING' })),
);

/** Secret factory calls that must be refused. */
export const badSecretCall: fc.Arbitrary<{ call: () => SecretValue; prop: string }> = fc.oneof(
  badSubdomain.map((n) => ({ call: () => SecretValue.fromSecret(n, 'key'), prop: 'secretName', toString: () => `fromSecret(${JSON.stringify(n)})` })),
  fc.constantFrom('', 'has space', 'a/b', 'x'.repeat(254), '.', '..', '..data').map((k) => ({ call: () => SecretValue.fromSecret('creds', k), prop: 'key' })),
);

// ---------------------------------------------------------------------------------------------------------------
// Durations, schedules

/** A Duration of whole seconds in [minS, maxS], in the unit a user would write. */
export function duration(minS: number, maxS: number): fc.Arbitrary<Duration> {
  return fc.integer({ min: minS, max: maxS }).map((s) => {
    if (s % 3600 === 0) return Duration.hours(s / 3600);
    if (s % 60 === 0) return Duration.minutes(s / 60);
    return Duration.seconds(s);
  });
}

/** Durations that are not whole seconds, or not Durations. */
export const badDuration: fc.Arbitrary<unknown> = fc.constantFrom(Duration.millis(1500), Duration.millis(1), 600, '10m', { seconds: 5 });

const cronField = (min: number, max: number): fc.Arbitrary<string> => fc.oneof(
  fc.constant('*'),
  fc.integer({ min, max }).map(String),
  fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  fc.integer({ min: 1, max: 12 }).map((s) => `*/${s}`),
  fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 3 }).map((xs) => xs.join(',')),
);

/** A schedule: a five-field cron expression, a macro or Schedule.daily. */
export const schedule: fc.Arbitrary<Schedule> = fc.oneof(
  fc.tuple(cronField(0, 59), cronField(0, 23), cronField(1, 31), fc.oneof(cronField(1, 12), fc.constantFrom('JAN', 'mar-jun')), fc.oneof(cronField(0, 6), fc.constantFrom('MON-FRI', 'sun')))
    .map((fields) => Schedule.cron(fields.join(' '))),
  fc.constantFrom('@daily', '@hourly', '@weekly', '@monthly', '@yearly', '@midnight').map((m) => Schedule.cron(m)),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => Schedule.daily(h, m)),
);

/** Broken schedule factory calls. */
export const badScheduleCall: fc.Arbitrary<{ call: () => Schedule; subject: string; prop: string }> = fc.oneof(
  fc.constantFrom('', '* * * *', '* * * * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 7', '*/0 * * * *', '5-1 * * * *', '@often', 'daily')
    .map((e) => ({ call: () => Schedule.cron(e), subject: 'Schedule.cron', prop: 'expression' })),
  fc.constantFrom(-1, 24, 1.5).map((h) => ({ call: () => Schedule.daily(h, 0), subject: 'Schedule.daily', prop: 'hour' })),
  fc.constantFrom(-1, 60, 0.5).map((m) => ({ call: () => Schedule.daily(0, m), subject: 'Schedule.daily', prop: 'minute' })),
);

/** Options of a recurring run. */
export const scheduleOptions: fc.Arbitrary<ScheduleOptions | undefined> = fc.option(fc.record({
  timeZone: fc.constantFrom('Etc/UTC', 'UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'),
  concurrencyPolicy: fc.constantFrom(ConcurrencyPolicy.FORBID, ConcurrencyPolicy.REPLACE, ConcurrencyPolicy.ALLOW),
  startingDeadline: duration(10, 86400),
  successfulRunsToKeep: fc.integer({ min: 0, max: 100 }),
  failedRunsToKeep: fc.integer({ min: 0, max: 100 }),
}, { requiredKeys: [], noNullPrototype: true }), { nil: undefined });

/** Schedule options broken in one field. */
export const badScheduleOptions: fc.Arbitrary<{ value: ScheduleOptions; prop: string }> = fc.oneof(
  fc.constantFrom('Mars/Olympus', 'UTC+2', '').map((tz) => ({ value: { timeZone: tz }, prop: 'scheduleOptions.timeZone' })),
  fc.constantFrom('Sometimes', 'forbid').map((p) => ({ value: { concurrencyPolicy: p as ConcurrencyPolicy }, prop: 'scheduleOptions.concurrencyPolicy' })),
  fc.constantFrom<unknown>(Duration.seconds(5), Duration.millis(10500), 60).map((d) => ({ value: { startingDeadline: d as Duration }, prop: 'scheduleOptions.startingDeadline' })),
  badCount(0).map((n) => ({ value: { successfulRunsToKeep: n as number }, prop: 'scheduleOptions.successfulRunsToKeep' })),
  fc.constantFrom(101, -1).map((n) => ({ value: { failedRunsToKeep: n }, prop: 'scheduleOptions.failedRunsToKeep' })),
);

// ---------------------------------------------------------------------------------------------------------------
// Volumes

/** An existing claim with the given access modes (in `namespace` when given). */
export function claim(modes: AccessMode[], namespace?: string): fc.Arbitrary<VolumeClaim> {
  return dnsSubdomain.filter((n) => n.length <= 60).map((name) => VolumeClaim.fromClaimName(name, { accessModes: modes, namespace }));
}

/** An absolute container path. */
export const mountPath: fc.Arbitrary<string> = fc.array(fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), { minLength: 1, maxLength: 3 })
  .map((parts) => `/${parts.join('/')}`);

/** Mount paths the library refuses. */
export const badMountPath: fc.Arbitrary<unknown> = fc.constantFrom('data', 'relative/path', '/a/../b', '/has space', '/c:d', '', 42);

/** Sub-paths inside a volume. */
export const subPath: fc.Arbitrary<string | undefined> = fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}(\/[a-z0-9][a-z0-9_-]{0,8})?$/), { nil: undefined });

/** A list of distinct values (by `key`). */
export function distinctBy<T>(arb: fc.Arbitrary<T>, key: (t: T) => string, maxLength: number): fc.Arbitrary<T[]> {
  return fc.uniqueArray(arb, { maxLength, selector: key });
}

// ---------------------------------------------------------------------------------------------------------------
// Training runs

/** A fake team, as MlRbac teams look to workloads. */
export function fakeTeam(namespace: string, queue?: Queue, sa?: string): ITeam {
  return { teamName: namespace, namespace, queue, serviceAccountFor: (role) => (sa && role === WorkloadRole.TRAINING ? sa : undefined) };
}


/**
 * The fields every training construct's valid case starts with, in this order (fast-check draws record fields in
 * order: the same order keeps the fixed seed's cases). `nsMode` says where the namespace comes from.
 */
export function trainingRunBase(nameMaxLength: number) {
  const word = fc.stringMatching(/^[a-z0-9/._=-]{1,12}$/);
  return {
    id: dnsLabel(30),
    name: fc.option(dnsLabel(nameMaxLength), { nil: undefined }),
    nsMode: fc.constantFrom('chart', 'prop', 'team', 'none'),
    namespace: dnsLabel(20),
    teamQueue: fc.option(queue, { nil: undefined }),
    teamSa: fc.option(dnsLabel(20), { nil: undefined }),
    image,
    command: fc.option(fc.array(word, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    args: fc.option(fc.array(word, { maxLength: 4 }), { nil: undefined }),
  };
}

/**
 * Training mounts at distinct paths, as a function of the run's namespace (claims are in it or of unknown namespace).
 * Build it once, outside `chain()`: building arbitraries for every run is slow.
 */
export function trainingMounts(modeChoices: AccessMode[][] = [[AccessMode.READ_WRITE_ONCE], [AccessMode.READ_WRITE_MANY], [AccessMode.READ_WRITE_ONCE, AccessMode.READ_WRITE_MANY]]) {
  return fc.record({
    paths: fc.uniqueArray(mountPath, { minLength: 6, maxLength: 6 }),
    dataset: fc.boolean(),
    modelOutput: fc.boolean(),
    checkpoints: fc.boolean(),
    extra: fc.integer({ min: 0, max: 2 }),
    claims: fc.uniqueArray(fc.oneof(dnsSubdomain.filter((n) => n.length <= 60), fc.constantFrom('tmp', 'dshm', 'hyperparameters', 'model')), { minLength: 5, maxLength: 5 }),
    modes: fc.array(fc.constantFrom(...modeChoices), { minLength: 5, maxLength: 5 }),
    knownNamespace: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    subPaths: fc.array(subPath, { minLength: 5, maxLength: 5 }),
    // Mounts may share a claim (different sub-paths of one volume).
    pick: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 }),
  }).map((m) => (namespace: string | undefined) => {
    const handles = m.claims.map((name, i) => VolumeClaim.fromClaimName(name, {
      accessModes: m.modes[i], namespace: m.knownNamespace[i] ? namespace : undefined,
    }));
    const mount = (i: number) => ({ claim: handles[m.pick[i]], path: m.paths[i], subPath: m.subPaths[i] });
    return {
      dataset: m.dataset ? mount(0) : undefined,
      modelOutput: m.modelOutput ? mount(1) : undefined,
      checkpoints: m.checkpoints ? mount(2) : undefined,
      mounts: m.extra > 0 ? Array.from({ length: m.extra }, (_, i) => mount(3 + i)) : undefined,
    };
  });
}

/** Job run options over their whole range. */
export const jobRunOptions = fc.record({
  backoffLimit: fc.integer({ min: 0, max: 1000 }),
  activeDeadline: duration(1, 7 * 86400),
  ttlAfterFinished: duration(0, 7 * 86400),
  retryOnDisruption: fc.boolean(),
  failFastExitCodes: fc.array(fc.integer({ min: 1, max: 255 }), { maxLength: 4 }),
  suspend: fc.boolean(),
}, { requiredKeys: [], noNullPrototype: true });

export const hyperparameters = fc.option(fc.dictionary(
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/),
  fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.stringMatching(/^[a-z0-9 ._-]{0,12}$/), fc.array(fc.integer(), { maxLength: 3 }), fc.constant({ nested: { depth: 2 } })),
  { maxKeys: 4, noNullPrototype: true },
), { nil: undefined });


// ---------------------------------------------------------------------------------------------------------------
// Hostile values: what a plain JavaScript user, a template or a careless copy can put in any prop

/**
 * Strings that break naive code: empty, blank, control characters, Unicode that changes under case mapping, huge.
 * (Not 'undefined' or 'NaN': the manifest checks take those words for values that slipped in raw.)
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', '\t', '\0', 'a\0b', 'a\nb', 'line\r\n', '\u2028', '\u202eevil', '\ufeffbom', 'é', 'ünï', '名前', '🙂',
    'ａｂｃ', 'İ', 'K', 'ß', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'null',
    '${HOME}', '$(rm -rf /)', '`id`', "'; DROP TABLE x; --", '"quoted"', 'back\\slash', '../../etc/passwd', '/', '-', '--flag',
    '0', '-1', '1e400', ' padded ', 'UPPER', 'x'.repeat(64), 'x'.repeat(254), 'x'.repeat(20000),
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
);

/** Numbers out of every range: negative, zero, fractions, beyond 2^31, 2^53 and 2^63, non-finite, and look-alikes. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  -0, -1, 0, 0.5, 1e-300, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, 1e308, -1e308, NaN, Infinity, -Infinity, '1', '1.5', BigInt(1),
);

/** A Duration of `amount` seconds made around cdk8s' own check (as a copy from another cdk8s version could be). */
function tamperedDuration(amount: number): Duration {
  const d = Duration.seconds(1);
  (d as any).amount = amount;
  return d;
}

/** Durations that are negative, zero, sub-second, huge or not finite. */
export const hostileDuration: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(null).chain(() => fc.constantFrom<unknown>(
  tamperedDuration(-1), tamperedDuration(-0.5), Duration.seconds(0), Duration.millis(1), Duration.days(1e6), Duration.seconds(1e15),
  tamperedDuration(NaN), tamperedDuration(Infinity),
));

/** Values of no expected type: null, containers, functions, symbols, dates, prototype-less objects. */
export const hostileShape: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  null, [], {}, [null], { toString: 'x' }, () => 'f', Symbol('s'), new Date(0), Object.create(null), true,
);

/** Any hostile value. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileString, hostileNumber, hostileDuration, hostileShape);

/** Hostile map keys (labels, env names, hyperparameter names). */
export const hostileKey: fc.Arbitrary<string> = hostileString.filter((k) => k.length < 300);
