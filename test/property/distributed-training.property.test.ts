import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessMode, Accelerator, Backend, CleanPodPolicy, DistributedTraining, DistributedTrainingProps, Framework, FrameworkKind, Queue, VolumeClaim,
} from '../../lib';
import * as a from './arbitraries';
import { fakeTeam, hyperparameters, jobRunOptions, trainingMounts, trainingRunBase } from './arbitraries';
import { Breakage, breaks, expectRefused, expectRefusedOrValid, expectSynthRefused, hostileProps, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: DistributedTrainingProps;
}

const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** A framework, backend and node count that fit together, for an accelerator with `devices` devices per pod. */
const topology = (devices: number) => fc.oneof(
  // PyTorch, fixed nodes.
  fc.record({
    backend: fc.constantFrom(Backend.KUBERNETES, Backend.KUBEFLOW, Backend.JOBSET),
    port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
    processesPerNode: fc.option(fc.constantFrom(...divisors(Math.max(devices, 1))), { nil: undefined }),
    nodes: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
  }).map((t) => ({ backend: t.backend, nodes: t.nodes, framework: Framework.pytorch({ port: t.port, processesPerNode: t.processesPerNode }) })),
  // PyTorch, elastic.
  fc.record({
    backend: fc.constantFrom(Backend.KUBERNETES, Backend.KUBEFLOW, Backend.JOBSET),
    min: fc.integer({ min: 1, max: 8 }),
    extra: fc.integer({ min: 0, max: 8 }),
    pick: fc.double({ min: 0, max: 1, noNaN: true }),
    setNodes: fc.boolean(),
    maxRestarts: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  }).map((t) => ({
    backend: t.backend,
    nodes: t.setNodes ? t.min + Math.floor(t.pick * t.extra) : undefined,
    framework: Framework.pytorch({ elastic: { minNodes: t.min, maxNodes: t.min + t.extra, maxRestarts: t.maxRestarts } }),
  })),
  // TensorFlow.
  fc.record({
    backend: fc.constantFrom(Backend.KUBERNETES, Backend.KUBEFLOW, Backend.JOBSET),
    workers: fc.integer({ min: 1, max: 8 }),
    parameterServers: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    chief: fc.option(fc.boolean(), { nil: undefined }),
    evaluator: fc.option(fc.boolean(), { nil: undefined }),
    port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
  }, { noNullPrototype: true }).map(({ backend, ...tf }) => ({ backend, nodes: undefined, framework: Framework.tensorflow(tf) })),
  // MPI (Kubeflow only).
  fc.record({
    slotsPerWorker: fc.option(fc.constantFrom(...divisors(Math.max(devices, 1))), { nil: undefined }),
    nodes: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
  }).map((t) => ({ backend: Backend.KUBEFLOW, nodes: t.nodes, framework: Framework.mpi({ slotsPerWorker: t.slotsPerWorker }) })),
);

const mountsOf = trainingMounts([[AccessMode.READ_WRITE_MANY], [AccessMode.READ_WRITE_MANY, AccessMode.READ_ONLY_MANY]]);
// Built once per device count: building arbitraries inside chain() for every run is slow.
const topologies = new Map<number, ReturnType<typeof topology>>();
const topologyFor = (devices: number) => topologies.get(devices) ?? topologies.set(devices, topology(devices)).get(devices)!;

const validCase: fc.Arbitrary<Case> = fc.record({
  ...trainingRunBase(40),
  // One MIG slice per pod: a CUDA process sees one MIG device, so several slices would leave processes without one.
  accelerator: fc.option(a.accelerator.filter((acc) => !(acc.resourceName.startsWith('nvidia.com/mig-') && acc.count > 1)), { nil: undefined }),
  cpu: fc.option(a.cpu, { nil: undefined }),
  memory: fc.option(a.memory, { nil: undefined }),
  env: a.env,
  secretEnv: a.secretEnv,
  hyperparameters,
  scheduling: a.scheduling(true),
  serviceAccountName: fc.option(a.dnsSubdomain, { nil: undefined }),
  labels: a.labels,
  job: jobRunOptions,
  onePodPerNode: fc.option(fc.boolean(), { nil: undefined }),
  rendezvousTimeout: fc.option(a.duration(1, 86400), { nil: undefined }),
  cleanPodPolicy: fc.option(fc.constantFrom(CleanPodPolicy.RUNNING, CleanPodPolicy.ALL, CleanPodPolicy.NONE), { nil: undefined }),
}).chain((c) => {
  const namespace = c.nsMode === 'none' ? undefined : c.namespace;
  const devices = (c.accelerator ?? Accelerator.nvidiaGpu(1)).count;
  return fc.tuple(mountsOf, topologyFor(devices)).map(([mountsIn, t]): Case => {
    const mounts = mountsIn(namespace);
    const spot = c.scheduling?.spot !== undefined;
    const kubeflow = t.backend === Backend.KUBEFLOW;
    const multiRolePlainJobs = t.backend === Backend.KUBERNETES && t.framework.kind === FrameworkKind.TENSORFLOW;
    const props: DistributedTrainingProps = {
      name: c.name,
      namespace: c.nsMode === 'prop' ? c.namespace : undefined,
      team: c.nsMode === 'team' ? fakeTeam(c.namespace, multiRolePlainJobs && c.teamQueue?.system === 'kueue' ? undefined : c.teamQueue, c.teamSa) : undefined,
      image: c.image,
      // torchrun and mpirun need the program they start in every process.
      command: c.command ?? (t.framework.kind !== FrameworkKind.TENSORFLOW && c.args === undefined ? ['python', '/app/train.py'] : undefined),
      args: c.args,
      accelerator: c.accelerator,
      cpu: c.cpu,
      memory: c.memory,
      env: c.env,
      secretEnv: c.secretEnv,
      hyperparameters: c.hyperparameters,
      // Kueue admits each role's Job on its own, so a multi-role run on plain Jobs is refused with a Kueue queue.
      scheduling: multiRolePlainJobs && c.scheduling?.queue?.system === 'kueue' ? { ...c.scheduling, queue: undefined } : c.scheduling,
      serviceAccountName: c.serviceAccountName,
      labels: c.labels,
      ...c.job,
      // Kueue resumes queued Jobs: a suspended run in a Kueue queue is refused (see platform-checks.test).
      suspend: c.scheduling?.queue?.system === 'kueue' || c.teamQueue?.system === 'kueue' ? undefined : c.job.suspend,
      // The Kubeflow operator has its own exit-code policy.
      failFastExitCodes: kubeflow ? undefined : c.job.failFastExitCodes,
      ...mounts,
      checkpoints: mounts.checkpoints ?? (spot ? { claim: VolumeClaim.fromClaimName('ckpt', { namespace, accessModes: [AccessMode.READ_WRITE_MANY] }), path: '/checkpoints-spot' } : undefined),
      framework: t.framework,
      backend: t.backend,
      nodes: t.nodes,
      onePodPerNode: c.onePodPerNode,
      rendezvousTimeout: c.rendezvousTimeout,
      cleanPodPolicy: kubeflow ? c.cleanPodPolicy : undefined,
    };
    return { id: c.id, chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined, props };
  });
});

type P = DistributedTrainingProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });
const isTf = (p: P) => p.framework.kind === FrameworkKind.TENSORFLOW;

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(a.badDnsName, 'name', set('name')),
  breaks<P, any>(fc.integer({ min: 41, max: 63 }).map((n) => 'n'.repeat(n)), 'name', set('name')),
  breaks<P, any>(a.badImage, 'image', set('image')),
  breaks<P, any>(fc.constantFrom<unknown>(undefined, 'pytorch', { kind: 'pytorch' }), 'framework', set('framework')),
  breaks<P, any>(fc.constantFrom<unknown>('kubeflow', { name: 'Backend.KUBEFLOW' }), 'backend', set('backend')),
  breaks<P, any>(fc.constantFrom(Backend.KUBERNETES, Backend.JOBSET), 'backend', (p, backend) => ({ ...p, framework: Framework.mpi(), command: p.command ?? ['python', 'train.py'], backend, nodes: undefined, failFastExitCodes: undefined, cleanPodPolicy: undefined })),
  breaks<P, any>(fc.constantFrom(CleanPodPolicy.ALL, CleanPodPolicy.NONE), 'cleanPodPolicy', (p, cleanPodPolicy) => ({ ...p, backend: Backend.JOBSET, framework: isTf(p) ? p.framework : Framework.pytorch(), command: p.command ?? ['python', 'train.py'], cleanPodPolicy })),
  breaks<P, any>(fc.constant([2]), 'failFastExitCodes', (p, failFastExitCodes) => ({ ...p, backend: Backend.KUBEFLOW, cleanPodPolicy: undefined, failFastExitCodes })),
  breaks<P, any>(fc.oneof(a.badCount(1), fc.constant(1001)), 'nodes', (p, nodes) => ({ ...p, framework: Framework.pytorch(), command: p.command ?? ['python', 'train.py'], nodes })),
  breaks<P, any>(fc.integer({ min: 1, max: 8 }), 'nodes', (p, nodes) => ({ ...p, framework: Framework.tensorflow({ workers: 2 }), nodes })),
  breaks<P, any>(fc.constantFrom(1, 9), 'nodes', (p, nodes) => ({ ...p, framework: Framework.pytorch({ elastic: { minNodes: 2, maxNodes: 8 } }), command: p.command ?? ['python', 'train.py'], nodes })),
  breaks<P, any>(fc.constantFrom(3, 5, 7), 'framework.processesPerNode', (p, processesPerNode) => ({ ...p, accelerator: Accelerator.nvidiaGpu(8), framework: Framework.pytorch({ processesPerNode }), command: p.command ?? ['python', 'train.py'], backend: Backend.KUBERNETES, cleanPodPolicy: undefined })),
  breaks<P, any>(fc.constantFrom(3, 5), 'framework.slotsPerWorker', (p, slotsPerWorker) => ({ ...p, accelerator: Accelerator.nvidiaGpu(4), framework: Framework.mpi({ slotsPerWorker }), command: p.command ?? ['python', 'train.py'], backend: Backend.KUBEFLOW, nodes: undefined, failFastExitCodes: undefined })),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.days(2))), 'rendezvousTimeout', set('rendezvousTimeout')),
  breaks<P, any>(fc.constantFrom(AccessMode.READ_WRITE_ONCE, AccessMode.READ_WRITE_ONCE_POD), 'dataset.claim', (p, mode) => ({
    ...p, framework: Framework.pytorch(), nodes: 2, namespace: undefined, team: undefined, dataset: { claim: VolumeClaim.fromClaimName('data', { accessModes: [mode] }), path: '/data' },
  })),
  breaks<P, any>(fc.constant(AccessMode.READ_ONLY_MANY), 'modelOutput.claim', (p, mode) => ({
    ...p, framework: Framework.pytorch(), nodes: 2, namespace: undefined, team: undefined, modelOutput: { claim: VolumeClaim.fromClaimName('out', { accessModes: [mode] }), path: '/out' },
  })),
  // A multi-host TPU slice needs whole slices: a pod count that is not a multiple of the slice's hosts.
  breaks<P, any>(fc.tuple(a.multiHostTpu, fc.integer({ min: 1, max: 7 })), 'nodes', (p, [tpu, n]) => ({ ...p, accelerator: tpu, framework: Framework.pytorch(), command: ['python', 'train.py'], nodes: n % tpu.hostsInSlice === 0 ? n + 1 : n })),
  breaks<P, any>(fc.tuple(a.multiHostTpu, fc.integer({ min: 1, max: 7 })), 'framework.workers', (p, [tpu, n]) => ({ ...p, accelerator: tpu, framework: Framework.tensorflow({ workers: n % tpu.hostsInSlice === 0 ? n + 1 : n, chief: false }), nodes: undefined })),
  breaks<P, any>(fc.integer({ min: 2, max: 7 }), 'accelerator', (p, n) => ({ ...p, accelerator: Accelerator.mig('1g.10gb', n) })),
  breaks<P, any>(fc.constantFrom(Framework.pytorch(), Framework.mpi()), 'command', (p, framework) => ({
    ...p, framework, backend: Backend.KUBEFLOW, nodes: undefined, command: undefined, args: undefined, failFastExitCodes: undefined,
  })),
  breaks<P, any>(fc.constant(Queue.kueue('team-q')), 'scheduling.queue', (p, queue) => ({
    ...p, framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }), backend: Backend.KUBERNETES, nodes: undefined,
    cleanPodPolicy: undefined, team: undefined, scheduling: { ...p.scheduling, queue }, suspend: undefined,
  })),
  breaks<P, any>(a.badQuantity, 'cpu', set('cpu')),
  breaks<P, any>(a.badQuantity, 'memory', (p, memory) => ({ ...p, memory, sharedMemory: undefined })),
  breaks<P, any>(a.badEnv, (e) => e.prop, (p, e) => ({ ...p, env: e.value })),
  breaks<P, any>(a.badScheduling, (s) => s.prop, (p, s) => ({ ...p, scheduling: s.value })),
  breaks<P, any>(a.spot, 'checkpoints', (p, spot) => ({ ...p, scheduling: { spot }, checkpoints: undefined })),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
  breaks<P, any>(fc.oneof(a.badCount(0), fc.constant(1001)), 'backoffLimit', set('backoffLimit')),
  breaks<P, any>(a.badDuration, 'ttlAfterFinished', set('ttlAfterFinished')),
  breaks<P, any>(fc.constantFrom<unknown>('train.py', [1]), 'command', set('command')),
  breaks<P, any>(fc.constantFrom('postgres://u:pw@db/x'), 'args', (p, arg) => ({ ...p, args: ['--db', arg] })),
);

/** Broken framework factory calls. */
const badFrameworkCall: fc.Arbitrary<{ call: () => unknown; subject: string; prop: string }> = fc.oneof(
  fc.constantFrom(0, 65536, 1.5).map((port) => ({ call: () => Framework.pytorch({ port }), subject: 'Framework.pytorch', prop: 'port' })),
  fc.constantFrom(0, 65, 1.5).map((n) => ({ call: () => Framework.pytorch({ processesPerNode: n }), subject: 'Framework.pytorch', prop: 'processesPerNode' })),
  fc.constantFrom({ minNodes: 0, maxNodes: 2 }, { minNodes: 1.5, maxNodes: 2 }).map((elastic) => ({ call: () => Framework.pytorch({ elastic }), subject: 'Framework.pytorch', prop: 'elastic.minNodes' })),
  fc.constantFrom({ minNodes: 1, maxNodes: 0 }, { minNodes: 1, maxNodes: 1001 }).map((elastic) => ({ call: () => Framework.pytorch({ elastic }), subject: 'Framework.pytorch', prop: 'elastic.maxNodes' })),
  fc.constant({ minNodes: 4, maxNodes: 2 }).map((elastic) => ({ call: () => Framework.pytorch({ elastic }), subject: 'Framework.pytorch', prop: 'elastic.minNodes' })),
  fc.constantFrom(-1, 0.5).map((maxRestarts) => ({ call: () => Framework.pytorch({ elastic: { minNodes: 1, maxNodes: 2, maxRestarts } }), subject: 'Framework.pytorch', prop: 'elastic.maxRestarts' })),
  fc.constantFrom('workers', 'chief', 'parameterServers', 'evaluator').map((k) => ({ call: () => Framework.pytorch({ [k]: 1 } as any), subject: 'Framework.pytorch', prop: k })),
  fc.constantFrom(0, -1, 1.5, undefined).map((workers) => ({ call: () => Framework.tensorflow({ workers: workers as number }), subject: 'Framework.tensorflow', prop: 'workers' })),
  fc.constantFrom(-1, 101, 0.5).map((ps) => ({ call: () => Framework.tensorflow({ workers: 1, parameterServers: ps }), subject: 'Framework.tensorflow', prop: 'parameterServers' })),
  fc.constantFrom(0, 70000).map((port) => ({ call: () => Framework.tensorflow({ workers: 1, port }), subject: 'Framework.tensorflow', prop: 'port' })),
  fc.constantFrom<unknown>(undefined, 3).map((o) => ({ call: () => Framework.tensorflow(o as any), subject: 'Framework.tensorflow', prop: 'options' })),
  fc.constantFrom(0, 257, 1.5).map((n) => ({ call: () => Framework.mpi({ slotsPerWorker: n }), subject: 'Framework.mpi', prop: 'slotsPerWorker' })),
);

function synthCase(c: Case) {
  return (chart: Chart) => new DistributedTraining(chart, c.id, c.props);
}

/** Every prop a user writes a value into; `.*` is a map whose keys and values are hostile too. */
const hostile = hostileProps<P>([
  'name', 'namespace', 'image', 'command', 'args', 'workingDir', 'accelerator', 'cpu', 'memory', 'sharedMemory',
  'env.*', 'secretEnv.*', 'hyperparameters.*', 'scheduling', 'scheduling.priorityClassName',
  'scheduling.nodeSelector.*', 'scheduling.tolerations', 'serviceAccountName', 'automountServiceAccountToken',
  'security', 'security.user', 'security.group', 'security.fsGroup', 'labels.*', 'backoffLimit', 'activeDeadline',
  'ttlAfterFinished', 'retryOnDisruption', 'failFastExitCodes', 'suspend', 'dataset', 'dataset.path',
  'dataset.subPath', 'dataset.readOnly', 'modelOutput.path', 'checkpoints', 'mounts', 'framework', 'backend',
  'nodes', 'onePodPerNode', 'rendezvousTimeout', 'cleanPodPolicy',
], a.hostileValue, a.hostileKey);

describe('DistributedTraining properties', () => {
  const checker = new ValidChecker();

  test('valid props synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      expect(objects.some((o) => ['Job', 'JobSet', 'PyTorchJob', 'TFJob', 'MPIJob'].includes(o.kind))).toBe(true);
    }), params(180));
  });

  test('a multi-host TPU slice runs one pod per host', () => {
    fc.assert(fc.property(validCase, a.multiHostTpu, (c, tpu) => {
      const props = { ...c.props, accelerator: tpu, framework: Framework.pytorch(), command: c.props.command ?? ['python', 'train.py'], nodes: tpu.hostsInSlice, backend: Backend.JOBSET, cleanPodPolicy: undefined };
      checker.check(synthCase({ ...c, props }), c.chartNamespace);
    }), params(50));
  });

  test('a prop set with one broken field is refused, naming DistributedTraining and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase({ ...c, props: b.apply(c.props) }), `DistributedTraining '${c.id}'`, b.prop);
    }), params(1000));
  });

  test('a hostile value in any prop is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostile, (c, h) => {
      expectRefusedOrValid(checker, c.chartNamespace, synthCase({ ...c, props: h.apply(c.props) }), `DistributedTraining '${c.id}'`, h.prop);
    }), params(250));
  });

  test('broken framework arguments are refused by the factory, naming the argument', () => {
    fc.assert(fc.property(badFrameworkCall, (b) => expectRefused(b.call, b.subject, b.prop)), params(200));
  });
});
