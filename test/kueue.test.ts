// Kueue in depth: WorkloadPriorityClasses and a priority per workload, several ResourceFlavors per ClusterQueue
// derived from accelerators, and the flavor arithmetic the platform checks replay at synth.
import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import {
  Accelerator, DistributedTraining, Framework, GpuTrainingJob, MlRbac, MlRbacProps, Queue, TeamOptions, TpuVersion,
} from '../lib';
import { expectValidManifests, validateObjects } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const A100 = Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-80GB' });
const H100 = Accelerator.nvidiaGpu(1, { product: 'NVIDIA-H100-80GB-HBM3' });

/** A team with CPU, A100 and H100 flavors. */
const team = (extra: Partial<TeamOptions> = {}): TeamOptions => ({
  name: 'vision',
  quota: { gpus: 16 },
  queue: {
    clusterQueue: {
      flavors: [
        { name: 'cpu', cpu: 64, memory: '256Gi' },
        { name: 'a100', accelerator: A100, devices: 8, cpu: 96, memory: '1Ti' },
        { name: 'h100', accelerator: H100, devices: 8, cpu: 96, memory: '1Ti' },
      ],
    },
  },
  ...extra,
});

function setup(props: MlRbacProps = { teams: [team()] }) {
  const app = Testing.app();
  const chart = new Chart(app, 'c');
  const rbac = new MlRbac(chart, 'rbac', props);
  return { app, chart, rbac };
}

const errors = (app: App) => app.node.validate();
const objectsOf = (chart: Chart) => Testing.synth(chart);

function fails(props: MlRbacProps, message: RegExp): void {
  expect(() => new MlRbac(new Chart(Testing.app(), 'c'), 'rbac', props)).toThrow(message);
}

describe('WorkloadPriorityClass and a priority per workload', () => {
  test('MlRbac writes the classes; a workload names one with its label, on the workload object', () => {
    const { app, chart, rbac } = setup({ workloadPriorities: [{ name: 'prod', value: 1000, description: 'production retraining' }], teams: [team()] });
    const low = rbac.addWorkloadPriority({ name: 'research', value: 100 });
    expect(low).toBe('research');
    expect(rbac.workloadPriorities).toEqual(['prod', 'research']);
    const vision = rbac.team('vision');
    new GpuTrainingJob(chart, 'train', { team: vision, image: IMAGE, accelerator: A100, scheduling: { workloadPriorityClass: 'prod' } });
    new GpuTrainingJob(chart, 'sweep', { team: vision, image: IMAGE, accelerator: A100, scheduling: { queue: vision.queue!.withPriority('research') } });
    new DistributedTraining(chart, 'ddp', {
      team: vision, image: IMAGE, framework: Framework.pytorch(), command: ['python', '/app/train.py'], nodes: 2, accelerator: A100,
      scheduling: { workloadPriorityClass: 'research' },
    });
    expect(errors(app)).toEqual([]);
    const objects = objectsOf(chart);
    expect(objects.filter((o) => o.kind === 'WorkloadPriorityClass')).toEqual([
      expect.objectContaining({ apiVersion: 'kueue.x-k8s.io/v1beta2', metadata: expect.objectContaining({ name: 'prod' }), value: 1000, description: 'production retraining' }),
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'research' }), value: 100 }),
    ]);
    const labelOf = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name).metadata.labels;
    expect(labelOf('Job', 'train')).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'vision', 'kueue.x-k8s.io/priority-class': 'prod' });
    expect(labelOf('Job', 'sweep')).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'vision', 'kueue.x-k8s.io/priority-class': 'research' });
    expect(Object.values(objects.filter((o) => o.metadata.name === 'ddp' && o.kind !== 'NetworkPolicy' && o.kind !== 'Service').map((o) => o.metadata.labels['kueue.x-k8s.io/priority-class']))).toContain('research');
    expectValidManifests(objects);
  });

  test('a workload naming a class the app does not write, while it writes some', () => {
    const { app, chart, rbac } = setup({ workloadPriorities: [{ name: 'prod', value: 1000 }], teams: [team()] });
    new GpuTrainingJob(chart, 'train', { team: rbac.team('vision'), image: IMAGE, accelerator: A100, scheduling: { workloadPriorityClass: 'urgent' } });
    expect(errors(app)).toEqual([
      "platform check: GpuTrainingJob 'train' (c/train): Job 'train' in namespace 'vision' has the WorkloadPriorityClass 'urgent' (label kueue.x-k8s.io/priority-class), "
      + "but the app writes only 'prod' (MlRbac 'rbac' (c/rbac)): Kueue holds the workload until the class exists; use one of them or add it (MlRbac's workloadPriorities)",
    ]);
  });

  test('a class made elsewhere is not checked when the app writes none', () => {
    const { app, chart, rbac } = setup();
    new GpuTrainingJob(chart, 'train', { team: rbac.team('vision'), image: IMAGE, accelerator: A100, scheduling: { workloadPriorityClass: 'cluster-high' } });
    expect(errors(app)).toEqual([]);
  });

  test('a priority without a Kueue queue', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    expect(() => new GpuTrainingJob(chart, 'a', { image: IMAGE, scheduling: { workloadPriorityClass: 'prod' } }))
      .toThrow(/^GpuTrainingJob 'a': 'scheduling\.workloadPriorityClass' needs a Kueue queue: the workload has no queue \(give scheduling\.queue, or a team with a LocalQueue\), got 'prod'$/);
    expect(() => new GpuTrainingJob(chart, 'b', { image: IMAGE, scheduling: { queue: Queue.volcano('batch'), workloadPriorityClass: 'prod' } }))
      .toThrow(/'scheduling\.workloadPriorityClass' needs a Kueue queue: Volcano queue 'batch' does not read Kueue priorities \(use scheduling\.priorityClassName\), got 'prod'$/);
    expect(() => Queue.volcano('batch').withPriority('prod')).toThrow(/^Queue\.withPriority: 'workloadPriorityClass' needs a Kueue queue: Volcano queue 'batch'/);
  });

  test('a priority class name that is not a DNS subdomain', () => {
    expect(() => Queue.kueue('q').withPriority('High Priority')).toThrow(/^Queue\.withPriority: 'workloadPriorityClass' must be .*got 'High Priority'$/);
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    expect(() => new GpuTrainingJob(chart, 'a', { image: IMAGE, scheduling: { queue: Queue.kueue('q'), workloadPriorityClass: 'Prod!' } }))
      .toThrow(/'scheduling\.workloadPriorityClass' must be .*got 'Prod!'$/);
  });

  test.each([
    [{ name: 'prod', value: 1.5 }, /'workloadPriorities\[0\]\.value' must be a whole number/],
    [{ name: 'prod', value: 2 ** 31 }, /'workloadPriorities\[0\]\.value' must be .*2147483647.*got 2147483648/],
    [{ name: 'Prod', value: 1 }, /'workloadPriorities\[0\]\.name' must be .*got 'Prod'/],
    [{ name: 'prod', value: 1, description: 'two\nlines' }, /'workloadPriorities\[0\]\.description' must be a single-line string/],
  ])('a bad priority %j', (priority, message) => {
    fails({ workloadPriorities: [priority] }, message);
  });

  test('two priorities of one name; not a list', () => {
    fails({ workloadPriorities: [{ name: 'prod', value: 1 }, { name: 'prod', value: 2 }] }, /^MlRbac 'rbac': 'workloadPriorities\[1\]\.name' must be unique among the workload priorities, got 'prod'$/);
    fails({ workloadPriorities: { name: 'prod', value: 1 } as any }, /^MlRbac 'rbac': 'workloadPriorities' must be a list of \{ name, value \}/);
  });
});

describe('several ResourceFlavors per ClusterQueue, derived from accelerators', () => {
  test('one resource group: cpu, memory and each device; each flavor its own quota, 0 of the devices it lacks', () => {
    const { chart } = setup();
    const objects = objectsOf(chart);
    const cq = objects.find((o) => o.kind === 'ClusterQueue');
    expect(cq.spec.resourceGroups).toEqual([{
      coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
      flavors: [
        { name: 'cpu', resources: [{ name: 'cpu', nominalQuota: '64' }, { name: 'memory', nominalQuota: '256Gi' }, { name: 'nvidia.com/gpu', nominalQuota: '0' }] },
        { name: 'a100', resources: [{ name: 'cpu', nominalQuota: '96' }, { name: 'memory', nominalQuota: '1Ti' }, { name: 'nvidia.com/gpu', nominalQuota: '8' }] },
        { name: 'h100', resources: [{ name: 'cpu', nominalQuota: '96' }, { name: 'memory', nominalQuota: '1Ti' }, { name: 'nvidia.com/gpu', nominalQuota: '8' }] },
      ],
    }]);
    const flavors = objects.filter((o) => o.kind === 'ResourceFlavor');
    expect(flavors.map((f) => [f.metadata.name, f.spec])).toEqual([
      ['cpu', {}],
      ['a100', { nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' }, nodeTaints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] }],
      ['h100', { nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, nodeTaints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] }],
    ]);
    expect(validateObjects(objects)).toEqual([]);
  });

  test('TPU and MIG flavors, extra node labels and tolerations', () => {
    const tpu = Accelerator.tpu({ version: TpuVersion.V5E, topology: '2x4' });
    const { chart } = setup({
      teams: [team({
        queue: {
          clusterQueue: {
            flavors: [
              { name: 'mig', accelerator: Accelerator.mig('1g.10gb'), devices: 14, cpu: 32, memory: '128Gi', nodeLabels: { 'nvidia.com/mig.config': 'all-1g.10gb' } },
              { name: 'v5e-2x4', accelerator: tpu, devices: 16, cpu: 64, memory: '256Gi', tolerations: [{ key: 'pool', operator: 'Equal', value: 'tpu', effect: 'NoSchedule' }] },
            ],
          },
        },
      })],
    });
    const objects = objectsOf(chart);
    expect(objects.find((o) => o.kind === 'ClusterQueue').spec.resourceGroups[0].coveredResources).toEqual(['cpu', 'memory', 'nvidia.com/mig-1g.10gb', 'google.com/tpu']);
    expect(objects.find((o) => o.kind === 'ResourceFlavor' && o.metadata.name === 'v5e-2x4').spec).toEqual({
      nodeLabels: { 'cloud.google.com/gke-tpu-accelerator': 'tpu-v5-lite-podslice', 'cloud.google.com/gke-tpu-topology': '2x4' },
      nodeTaints: [{ key: 'google.com/tpu', effect: 'NoSchedule' }],
      tolerations: [{ key: 'pool', operator: 'Equal', value: 'tpu', effect: 'NoSchedule' }],
    });
    expect(objects.find((o) => o.kind === 'ResourceFlavor' && o.metadata.name === 'mig').spec.nodeLabels).toEqual({ 'nvidia.com/mig.config': 'all-1g.10gb' });
    expect(validateObjects(objects)).toEqual([]);
  });

  const flavorsFails = (flavors: any, message: RegExp, extra: any = {}) =>
    fails({ teams: [team({ queue: { clusterQueue: { flavors, ...extra } } })] }, message);

  test('bad flavor lists', () => {
    flavorsFails([], /'teams\[0\]\.queue\.clusterQueue\.flavors' must list 1 to 64 flavors, got \[\]/);
    flavorsFails([{ name: 'cpu', cpu: 1, memory: '1Gi' }], /'teams\[0\]\.queue\.clusterQueue\.flavors' cannot be given with queue\.clusterQueue\.flavor/, { flavor: { name: 'x' } });
    flavorsFails([{ name: 'cpu', cpu: 1, memory: '1Gi' }, { name: 'cpu', cpu: 2, memory: '1Gi' }],
      /^MlRbac 'rbac': 'teams\[0\]\.queue\.clusterQueue\.flavors\[1\]\.name' must be unique among the ClusterQueue's flavors, got 'cpu'$/);
  });

  test('devices without an accelerator, an accelerator without devices', () => {
    flavorsFails([{ name: 'cpu', cpu: 1, memory: '1Gi', devices: 4 }],
      /^MlRbac 'rbac': 'teams\[0\]\.queue\.clusterQueue\.flavors\[0\]\.devices' can only be given with an accelerator \(a flavor of CPU nodes has no devices\), got 4$/);
    flavorsFails([{ name: 'a100', accelerator: A100, cpu: 1, memory: '1Gi' }],
      /^MlRbac 'rbac': 'teams\[0\]\.queue\.clusterQueue\.flavors\[0\]\.devices' must be set: how many nvidia\.com\/gpu the team may use on these nodes, got nothing$/);
    flavorsFails([{ name: 'a100', accelerator: A100, devices: -1, cpu: 1, memory: '1Gi' }], /'teams\[0\]\.queue\.clusterQueue\.flavors\[0\]\.devices' must be .*got -1/);
    flavorsFails([{ name: 'a100', accelerator: 'nvidia' as any, devices: 1, cpu: 1, memory: '1Gi' }], /'teams\[0\]\.queue\.clusterQueue\.flavors\[0\]\.accelerator' must be made with Accelerator/);
  });

  test('a node label that contradicts the accelerator; bad quantities', () => {
    flavorsFails([{ name: 'a100', accelerator: A100, devices: 8, cpu: 1, memory: '1Gi', nodeLabels: { 'nvidia.com/gpu.product': 'Tesla-T4' } }],
      /^MlRbac 'rbac': 'teams\[0\]\.queue\.clusterQueue\.flavors\[0\]\.nodeLabels\.nvidia\.com\/gpu\.product' must not contradict the accelerator's node label nvidia\.com\/gpu\.product=NVIDIA-A100-SXM4-80GB, got 'Tesla-T4'$/);
    flavorsFails([{ name: 'cpu', cpu: 'lots', memory: '1Gi' }], /'teams\[0\]\.queue\.clusterQueue\.flavors\[0\]\.cpu' must be a Kubernetes quantity .*got 'lots'$/);
  });

  test('two teams describing one accelerator flavor differently', () => {
    fails({
      teams: [team(), team({ name: 'nlp', queue: { clusterQueue: { flavors: [{ name: 'a100', accelerator: H100, devices: 8, cpu: 8, memory: '1Gi' }] } } })],
    }, /'teams\[1\]\.queue\.clusterQueue\.flavors\[0\]' must match the flavor 'a100' another team defined/);
  });

  test('two teams sharing flavors write each once', () => {
    const { chart } = setup({ teams: [team(), team({ name: 'nlp' })] });
    expect(objectsOf(chart).filter((o) => o.kind === 'ResourceFlavor').map((f) => f.metadata.name)).toEqual(['cpu', 'a100', 'h100']);
  });
});

describe('flavor arithmetic at synth', () => {
  const ddp = (chart: Chart, rbac: MlRbac, id: string, nodes: number, accelerator: Accelerator) =>
    new DistributedTraining(chart, id, { team: rbac.team('vision'), image: IMAGE, framework: Framework.pytorch(), command: ['python', '/app/train.py'], nodes, accelerator });

  test('good: an H100 run lands on h100, a GPU run without a model on a100, a CPU run on cpu', () => {
    const { app, chart, rbac } = setup();
    ddp(chart, rbac, 'h100', 2, Accelerator.nvidiaGpu(4, { product: 'NVIDIA-H100-80GB-HBM3' }));
    ddp(chart, rbac, 'any', 1, Accelerator.nvidiaGpu(8));
    new GpuTrainingJob(chart, 'prep', { team: rbac.team('vision'), image: IMAGE, accelerator: Accelerator.none() });
    expect(errors(app)).toEqual([]);
  });

  test('a gang larger than the flavor of its GPU model, though the flavors hold enough together', () => {
    const { app, chart, rbac } = setup();
    ddp(chart, rbac, 'big', 4, Accelerator.nvidiaGpu(4, { product: 'NVIDIA-H100-80GB-HBM3' }));
    expect(errors(app)).toEqual([
      "platform check: DistributedTraining 'big' (c/big): Job 'big' in namespace 'vision' cannot be admitted: its LocalQueue 'vision' submits to ClusterQueue 'vision' of MlRbac 'rbac' (c/rbac), "
      + 'and no flavor of it takes its pods (4 at once, 16 cpu, 128Gi memory, 16 nvidia.com/gpu in all): '
      + "'cpu': holds 0 nvidia.com/gpu, not 16; 'a100': its nodes have nvidia.com/gpu.product=NVIDIA-A100-SXM4-80GB, but the pods select nvidia.com/gpu.product=NVIDIA-H100-80GB-HBM3; "
      + "'h100': holds 8 nvidia.com/gpu, not 16: Kueue never admits it",
    ]);
  });

  test('more GPUs than all flavors together', () => {
    const { app, chart, rbac } = setup();
    ddp(chart, rbac, 'huge', 3, Accelerator.nvidiaGpu(8));
    // The namespace's ResourceQuota (16 GPUs) refuses it too.
    expect(errors(app)).toContain(
      "platform check: DistributedTraining 'huge' (c/huge): Job 'huge' in namespace 'vision' requests 24 nvidia.com/gpu for all its pods at once, but its LocalQueue 'vision' submits to ClusterQueue 'vision' of MlRbac 'rbac' (c/rbac), "
      + "whose flavors hold 16 together ('cpu' 0, 'a100' 8, 'h100' 8): Kueue never admits it",
    );
  });

  test('a GPU pod that does not tolerate the flavor taint (a pod the user wrote) gets no GPU flavor', () => {
    const { app, chart, rbac } = setup();
    const job = new GpuTrainingJob(chart, 'plain', { team: rbac.team('vision'), image: IMAGE, accelerator: Accelerator.nvidiaGpu(1) });
    // An escape hatch removes the library's toleration, as a hand-written Job would lack it.
    job.job!.addJsonPatch(JsonPatch.remove('/spec/template/spec/tolerations'));
    expect(errors(app)).toEqual([expect.stringContaining("'a100': its nodes are tainted nvidia.com/gpu:NoSchedule, which the pods do not tolerate")]);
  });
});
