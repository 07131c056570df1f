import { Chart, Testing } from 'cdk8s';
import { Accelerator, Backend, DistributedTraining, DistributedTrainingProps, Framework } from '../lib';
import { expectValidManifests } from './support/validate';

const TF = 'tensorflow/tensorflow:2.15.0-gpu';
const chartOf = () => new Chart(Testing.app(), 'test', { namespace: 'ml' });

/** The pod spec of every role, by role label, whatever the backend renders. */
function podsByRole(objects: any[]): Record<string, any> {
  const pods: Record<string, any> = {};
  const visit = (node: any): void => {
    if (node === null || typeof node !== 'object') return;
    if (node.metadata?.labels?.['training.cdk8s-mlops.io/role'] && node.spec?.containers) {
      pods[node.metadata.labels['training.cdk8s-mlops.io/role']] = node.spec;
      return;
    }
    for (const value of Object.values(node)) visit(value);
  };
  objects.forEach(visit);
  return pods;
}

const tfRun = (backend: Backend, roles: DistributedTrainingProps['roles']): DistributedTrainingProps => ({
  image: TF, command: ['python', '/app/train.py'], backend, accelerator: Accelerator.nvidiaGpu(2), cpu: 8, memory: '64Gi',
  framework: Framework.tensorflow({ workers: 2, parameterServers: 2, chief: true, evaluator: true }), roles,
});

describe.each([['KUBERNETES', Backend.KUBERNETES], ['KUBEFLOW', Backend.KUBEFLOW], ['JOBSET', Backend.JOBSET]])('per-role settings on %s', (_name, backend) => {
  test('parameter servers with their own image, size, env and no /dev/shm of the workers\' size; a CPU-only evaluator', () => {
    const chart = chartOf();
    new DistributedTraining(chart, 'tf', tfRun(backend, {
      parameterServers: { image: 'tensorflow/tensorflow:2.15.0', cpu: 2, memory: '8Gi', memoryLimit: '10Gi', env: { ROLE: 'ps' }, args: ['--ps'] },
      evaluator: { accelerator: Accelerator.none(), cpu: 4, memory: '16Gi', sharedMemory: '1Gi' },
      chief: { command: ['python', '/app/chief.py'] },
    }));
    const objects = Testing.synth(chart);
    const pods = podsByRole(objects);
    const main = (role: string) => pods[role].containers[0];
    expect(main('ps').image).toBe('tensorflow/tensorflow:2.15.0');
    expect(main('ps').args).toEqual(['--ps']);
    expect(main('ps').resources.requests).toEqual({ cpu: '2', memory: '8Gi' });
    expect(main('ps').resources.limits).toEqual({ cpu: '2', memory: '10Gi' });
    expect(main('ps').env).toContainEqual({ name: 'ROLE', value: 'ps' });
    expect(pods.ps.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2048Mi' } });
    expect(main('evaluator').resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(main('evaluator').env).toContainEqual({ name: 'NVIDIA_VISIBLE_DEVICES', value: 'none' });
    expect(pods.evaluator.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
    expect(main('worker').image).toBe(TF);
    expect(main('worker').resources.limits).toEqual({ 'cpu': '8', 'memory': '64Gi', 'nvidia.com/gpu': '2' });
    expect(main('chief').resources.limits['nvidia.com/gpu']).toBe('2');
    expect(main('chief').command).toEqual(['python', '/app/chief.py']);
    expectValidManifests(objects);
  });
});

test('defaults unchanged: without roles, every role is rendered as before', () => {
  const render = (roles?: DistributedTrainingProps['roles']) => {
    const chart = chartOf();
    new DistributedTraining(chart, 'tf', tfRun(Backend.KUBERNETES, roles));
    return Testing.synth(chart);
  };
  expect(render({})).toEqual(render());
});

test('PyTorch workers under torchrun, MPI launcher sized', () => {
  const chart = chartOf();
  new DistributedTraining(chart, 'pt', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', command: ['python', 'a.py'], framework: Framework.pytorch(),
    roles: { workers: { command: ['python', 'b.py'], cpuLimit: 8 } },
  });
  new DistributedTraining(chart, 'mpi', {
    image: 'mpioperator/tensorflow-benchmarks:0.3.0', command: ['python', 'bench.py'], framework: Framework.mpi(), backend: Backend.KUBEFLOW,
    roles: { launcher: { cpu: '500m', memory: '1Gi', image: 'mpioperator/mpi-launcher:0.3.0' } },
  });
  const objects = Testing.synth(chart);
  const pt = objects.find((o) => o.kind === 'Job').spec.template.spec.containers[0];
  expect(pt.command.slice(-2)).toEqual(['python', 'b.py']);
  expect(pt.command[0]).toBe('torchrun');
  expect(pt.resources.limits.cpu).toBe('8');
  const launcher = objects.find((o) => o.kind === 'MPIJob').spec.mpiReplicaSpecs.Launcher.template.spec.containers[0];
  expect(launcher.image).toBe('mpioperator/mpi-launcher:0.3.0');
  expect(launcher.resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
  expect(launcher.command[0]).toBe('mpirun');
  expectValidManifests(objects);
});

describe('bad role settings', () => {
  const pytorch = (roles: any) => () => new DistributedTraining(chartOf(), 'r', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', command: ['python', 'a.py'], framework: Framework.pytorch(), roles,
  });
  test.each([
    [{ parameterServers: { cpu: 1 } }, "DistributedTraining 'r': 'roles.parameterServers' must be a role the run has (workers), got 'parameterServers'"],
    [{ ps: { cpu: 1 } }, "DistributedTraining 'r': 'roles' must name roles among workers, chief, parameterServers, evaluator, launcher, got 'ps'"],
    [{ workers: { gpus: 1 } }, /'roles.workers' must have only the fields image, command, args, .*got 'gpus'/],
    [{ workers: { accelerator: Accelerator.nvidiaGpu(2) } }, /'roles.workers.accelerator' must not be set: the workers' accelerator is the run's `accelerator`/],
    [{ workers: { image: 'pytorch/pytorch:latest' } }, /'roles.workers.image' must/],
    [{ workers: { cpu: 4, cpuLimit: 2 } }, /'roles.workers.cpuLimit' must be at least the cpu request 4/],
    [{ workers: { env: { MASTER_ADDR: 'x' } } }, /'roles.workers.env' must not set a variable the framework computes for the role's pods, got 'MASTER_ADDR'/],
    [{ workers: { command: 'python a.py' } }, /'roles.workers.command' must be a list of strings/],
  ])('%j', (roles, message) => {
    expect(pytorch(roles)).toThrow(message as any);
  });

  test('MPI workers take their command from the launcher', () => {
    expect(() => new DistributedTraining(chartOf(), 'm', {
      image: 'mpioperator/tensorflow-benchmarks:0.3.0', command: ['python', 'bench.py'], framework: Framework.mpi(), backend: Backend.KUBEFLOW,
      roles: { workers: { command: ['x'] } },
    })).toThrow("DistributedTraining 'm': 'roles.workers.command' must be given to the launcher: mpirun starts the workers' processes, got [\"x\"]");
  });
});
