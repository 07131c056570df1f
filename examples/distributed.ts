// Multi-node training: the seed's TensorFlow and PyTorch jobs with computed rendezvous, on each backend.
import { App, Chart, Duration } from 'cdk8s';
import { AccessMode, Accelerator, Backend, DistributedTraining, Framework, Queue, VolumeClaim } from '../lib';

export function build(app: App): void {
  const ns = 'mlops-training';
  const data = VolumeClaim.fromClaimName('mnist-data-pvc', { accessModes: [AccessMode.READ_ONLY_MANY], namespace: ns });
  const checkpoints = VolumeClaim.fromClaimName('checkpoints-rwx', { accessModes: [AccessMode.READ_WRITE_MANY], namespace: ns });

  // The seed's TensorFlow job: 2 workers + 1 parameter server, each pod with a correct TF_CONFIG (the seed's
  // StatefulSets used a field path that does not exist). JobSet ends the run when the workers finish; the
  // parameter server never exits on its own.
  const tf = new Chart(app, 'distributed-tensorflow', { namespace: ns });
  new DistributedTraining(tf, 'tf-distributed', {
    image: 'tensorflow/tensorflow:2.12.0-gpu',
    command: ['python', '/app/distributed_train.py'],
    framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }),
    backend: Backend.JOBSET,
    accelerator: Accelerator.nvidiaGpu(1),
    dataset: { claim: data, path: '/data' },
  });

  // The seed's PyTorch job: world size 3 (3 nodes x 1 GPU), rendezvous on port 29500, as an Indexed Job.
  const pytorch = new Chart(app, 'distributed-pytorch', { namespace: ns });
  const seedPytorch = {
    image: 'pytorch/pytorch:2.0.1-cuda11.7-cudnn8-runtime',
    command: ['python', '/app/distributed_train.py'],
    framework: Framework.pytorch({ port: 29500 }),
    nodes: 3,
    accelerator: Accelerator.nvidiaGpu(1),
    dataset: { claim: data, path: '/data' },
    checkpoints: { claim: checkpoints, path: '/checkpoints' },
  };
  new DistributedTraining(pytorch, 'pytorch-dist', seedPytorch);

  // The same job as a Kubeflow PyTorchJob (the operator sets MASTER_ADDR, WORLD_SIZE and RANK), named as the seed's
  // PyTorchJob: the three variants share a namespace, and names are unique per kind and namespace across the app ...
  const kubeflow = new Chart(app, 'distributed-pytorchjob', { namespace: ns });
  new DistributedTraining(kubeflow, 'pytorch-mnist', { ...seedPytorch, backend: Backend.KUBEFLOW });

  // ... and as a JobSet, gang-admitted by Kueue and restarted as a group.
  const jobset = new Chart(app, 'distributed-jobset', { namespace: ns });
  new DistributedTraining(jobset, 'pytorch-dist-jobset', {
    ...seedPytorch,
    backend: Backend.JOBSET,
    scheduling: { queue: Queue.kueue('team-a') },
  });

  // An elastic PyTorch run: 2 to 4 nodes of 8 GPUs (one pod per node), c10d rendezvous, 3 group restarts.
  const elastic = new Chart(app, 'distributed-elastic', { namespace: ns });
  new DistributedTraining(elastic, 'llm-finetune', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/finetune.py'],
    framework: Framework.pytorch({ elastic: { minNodes: 2, maxNodes: 4, maxRestarts: 3 } }),
    accelerator: Accelerator.nvidiaGpu(8),
    cpu: 32,
    memory: '256Gi',
    checkpoints: { claim: checkpoints, path: '/checkpoints' },
    activeDeadline: Duration.hours(24),
  });

  // An MPI (Horovod) job on the Kubeflow MPI operator: 2 workers with 4 GPUs, 4 slots each, gang-scheduled by Volcano.
  const mpi = new Chart(app, 'distributed-mpi', { namespace: ns });
  new DistributedTraining(mpi, 'horovod', {
    image: 'horovod/horovod:0.28.1',
    command: ['python', '/examples/tensorflow2/tensorflow2_mnist.py'],
    // The launcher reaches the API server (kubectl exec) at its endpoint only.
    framework: Framework.mpi({ apiServerCidr: '172.20.0.1/32' }),
    backend: Backend.KUBEFLOW,
    nodes: 2,
    accelerator: Accelerator.nvidiaGpu(4),
    scheduling: { queue: Queue.volcano('training') },
  });
}
