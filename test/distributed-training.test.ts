import { Chart, Duration, Testing } from 'cdk8s';
import {
  AccessMode, Accelerator, Backend, CleanPodPolicy, DistributedTraining, DistributedTrainingProps, Framework, Queue,
  SecretValue, Spot, TpuVersion, VolumeClaim,
} from '../lib';
import { expectValidManifests, uncoveredPods } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const TF_IMAGE = 'tensorflow/tensorflow:2.12.0-gpu';

function synth(props: Partial<DistributedTrainingProps> = {}, id = 'dist', namespace = 'ml') {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const run = new DistributedTraining(chart, id, {
    image: IMAGE,
    command: ['python', '/app/train.py'],
    framework: Framework.pytorch(),
    ...props,
  });
  return { run, objects: Testing.synth(chart) };
}

const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const envOf = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const jobPod = (job: any) => job.spec.template.spec;
const jobSetPods = (jobset: any) => Object.fromEntries(jobset.spec.replicatedJobs.map((r: any) => [r.name, r.template.spec.template.spec]));
const kubeflowPods = (job: any, key: string) => Object.fromEntries(Object.entries(job.spec[key]).map(([k, r]: [string, any]) => [k, r.template.spec]));

/** TF_CONFIG of the pod with completion index `index`, as the kubelet expands `$(TASK_INDEX)`. */
function tfConfig(container: any, index: number) {
  const env = container.env;
  const at = env.findIndex((e: any) => e.name === 'TF_CONFIG');
  // $(TASK_INDEX) only expands when TASK_INDEX comes earlier in the list.
  expect(env.findIndex((e: any) => e.name === 'TASK_INDEX')).toBeLessThan(at);
  return JSON.parse(env[at].value.replace('$(TASK_INDEX)', String(index)));
}

describe('DistributedTraining snapshots', () => {
  const rwx = VolumeClaim.fromClaimName('data', { accessModes: [AccessMode.READ_WRITE_MANY] });
  const cases: Array<[string, Partial<DistributedTrainingProps>]> = [
    ['pytorch on Kubernetes', { nodes: 3, dataset: { claim: rwx, path: '/data' } }],
    ['pytorch elastic on Kubernetes', { framework: Framework.pytorch({ elastic: { minNodes: 2, maxNodes: 4 } }), accelerator: Accelerator.nvidiaGpu(8) }],
    ['pytorch on Kubeflow', { nodes: 3, backend: Backend.KUBEFLOW }],
    ['pytorch elastic on Kubeflow', { backend: Backend.KUBEFLOW, framework: Framework.pytorch({ elastic: { minNodes: 1, maxNodes: 3 } }) }],
    ['pytorch on JobSet', { nodes: 3, backend: Backend.JOBSET }],
    ['tensorflow on Kubernetes', { image: TF_IMAGE, framework: Framework.tensorflow({ workers: 2, parameterServers: 1, chief: true, evaluator: true }) }],
    ['tensorflow on Kubeflow', { image: TF_IMAGE, backend: Backend.KUBEFLOW, framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }) }],
    ['tensorflow on JobSet', { image: TF_IMAGE, backend: Backend.JOBSET, framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }) }],
    ['mpi on Kubeflow', { image: 'horovod/horovod:0.28.1', backend: Backend.KUBEFLOW, framework: Framework.mpi(), accelerator: Accelerator.nvidiaGpu(4) }],
  ];
  test.each(cases)('%s', (_name, props) => {
    expect(synth(props).objects).toMatchSnapshot();
  });
});

describe('every backend and framework validates (CRD and Kubernetes 1.27 schemas, no unknown field, Pod Security restricted)', () => {
  const rwx = (name: string) => VolumeClaim.fromClaimName(name, { accessModes: [AccessMode.READ_WRITE_MANY] });
  const everything: Partial<DistributedTrainingProps> = {
    dataset: { claim: rwx('data'), path: '/data' },
    checkpoints: { claim: rwx('ckpt'), path: '/ckpt' },
    hyperparameters: { lr: 0.01 },
    secretEnv: { WANDB_API_KEY: SecretValue.fromSecret('wandb', 'api-key') },
    activeDeadline: Duration.hours(4),
    scheduling: { spot: Spot.gke(), priorityClassName: 'training' },
  };
  const tf = Framework.tensorflow({ workers: 2, parameterServers: 1, chief: true, evaluator: true });
  const elastic = Framework.pytorch({ elastic: { minNodes: 1, maxNodes: 3 } });
  const cases: Array<[string, Partial<DistributedTrainingProps>]> = [
    ['PyTorch on plain Jobs', { ...everything, nodes: 3, accelerator: Accelerator.nvidiaGpu(4), failFastExitCodes: [2], scheduling: { ...everything.scheduling, queue: Queue.kueue('q') } }],
    ['elastic PyTorch on plain Jobs', { ...everything, framework: elastic, scheduling: { queue: Queue.volcano('q') } }],
    ['TensorFlow on plain Jobs', { ...everything, image: TF_IMAGE, framework: tf, failFastExitCodes: [2], scheduling: { queue: Queue.volcano('q') } }],
    ['PyTorch on Kubeflow', { ...everything, nodes: 3, backend: Backend.KUBEFLOW, cleanPodPolicy: CleanPodPolicy.ALL, scheduling: { queue: Queue.volcano('q') } }],
    ['elastic PyTorch on Kubeflow', { ...everything, backend: Backend.KUBEFLOW, framework: elastic, scheduling: { queue: Queue.kueue('q') } }],
    ['TensorFlow on Kubeflow', { ...everything, image: TF_IMAGE, backend: Backend.KUBEFLOW, framework: tf }],
    ['MPI on Kubeflow', { ...everything, image: 'horovod/horovod:0.28.1', backend: Backend.KUBEFLOW, framework: Framework.mpi({ slotsPerWorker: 2 }), accelerator: Accelerator.nvidiaGpu(4) }],
    ['PyTorch on JobSet', { ...everything, nodes: 4, backend: Backend.JOBSET, failFastExitCodes: [2], scheduling: { queue: Queue.kueue('q') } }],
    ['elastic PyTorch on JobSet', { ...everything, backend: Backend.JOBSET, framework: elastic }],
    ['TensorFlow on JobSet', { ...everything, image: TF_IMAGE, backend: Backend.JOBSET, framework: tf, scheduling: { queue: Queue.volcano('q') } }],
    ['multi-host TPU on JobSet', { nodes: 4, backend: Backend.JOBSET, accelerator: Accelerator.tpu({ version: TpuVersion.V5E, topology: '4x4' }) }],
    ['MIG slices on plain Jobs', { nodes: 2, accelerator: Accelerator.mig('1g.10gb') }],
  ];
  test.each(cases)('%s', (_name, props) => {
    const { objects } = synth(props);
    expectValidManifests(objects);
    expect(uncoveredPods(objects)).toEqual([]);
  });
});

describe('PyTorch rendezvous on plain Kubernetes', () => {
  test.each([
    [1, 1], [1, 4], [2, 1], [2, 8], [4, 2], [4, 8],
  ])('%i nodes x %i GPUs', (nodes, gpus) => {
    const { run, objects } = synth({ nodes, accelerator: Accelerator.nvidiaGpu(gpus) });
    const [job] = ofKind(objects, 'Job');
    expect(job.metadata.name).toBe('dist');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: nodes, parallelism: nodes });
    const pod = jobPod(job);
    expect(pod.subdomain).toBe('dist');
    const trainer = pod.containers[0];
    const env = envOf(trainer);
    expect(env.WORLD_SIZE).toBe(String(nodes * gpus));
    // Rank 0's pod is `<job>-0` on the Service's subdomain.
    expect(env.MASTER_ADDR).toBe('dist-0.dist.ml.svc');
    expect(env.MASTER_PORT).toBe('29500');
    expect(env.NODE_RANK).toEqual({ fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } });
    expect(trainer.command).toEqual([
      'torchrun', `--nnodes=${nodes}`, `--nproc_per_node=${gpus}`, '--node_rank=$(NODE_RANK)',
      '--master_addr=$(MASTER_ADDR)', '--master_port=$(MASTER_PORT)', '--no-python', 'python', '/app/train.py',
    ]);
    expect(run.rendezvousAddress).toBe('dist-0.dist.ml.svc:29500');
    expect(run.serviceName).toBe('dist');
    const [svc] = ofKind(objects, 'Service');
    expect(svc.metadata.name).toBe('dist');
    expect(svc.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: run.podSelector });
    // One pod per node when a pod has several GPUs.
    const antiAffinity = pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (gpus > 1) {
      expect(antiAffinity[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: run.podSelector } });
    } else {
      expect(antiAffinity).toBeUndefined();
    }
  });

  test('processesPerNode below the GPU count gives each process several GPUs', () => {
    const { objects } = synth({ nodes: 2, accelerator: Accelerator.nvidiaGpu(8), framework: Framework.pytorch({ processesPerNode: 4 }) });
    const trainer = jobPod(ofKind(objects, 'Job')[0]).containers[0];
    expect(envOf(trainer).WORLD_SIZE).toBe('8');
    expect(trainer.command).toContain('--nproc_per_node=4');
  });

  test('without a namespace the rank-0 address is relative to the pod\'s namespace', () => {
    const chart = new Chart(Testing.app(), 'test');
    const run = new DistributedTraining(chart, 'dist', { image: IMAGE, command: ['python', 'train.py'], framework: Framework.pytorch({ port: 23456 }) });
    expect(run.rendezvousAddress).toBe('dist-0.dist:23456');
  });

  test('elastic runs use c10d rendezvous on rank 0 and start the maximum number of pods', () => {
    const { objects } = synth({ framework: Framework.pytorch({ elastic: { minNodes: 2, maxNodes: 4, maxRestarts: 5 } }), accelerator: Accelerator.nvidiaGpu(2) });
    const job = ofKind(objects, 'Job')[0];
    expect(job.spec.completions).toBe(4);
    const trainer = jobPod(job).containers[0];
    expect(trainer.command).toEqual([
      'torchrun', '--nnodes=2:4', '--nproc_per_node=2', '--rdzv_backend=c10d', '--rdzv_endpoint=$(MASTER_ADDR):$(MASTER_PORT)',
      '--rdzv_id=dist', '--max_restarts=5', '--no-python', 'python', '/app/train.py',
    ]);
    expect(envOf(trainer).WORLD_SIZE).toBeUndefined();
  });

  test('every pod but rank 0 waits, bounded, until rank 0 accepts TCP connections', () => {
    const { objects } = synth({ nodes: 3 });
    const [init] = jobPod(ofKind(objects, 'Job')[0]).initContainers;
    expect(init.name).toBe('wait-for-rank-0');
    expect(init.image).toMatch(/^busybox:\d+\.\d+\.\d+$/);
    const env = envOf(init);
    expect(env).toMatchObject({ RANK0_HOST: 'dist-0.dist.ml.svc', RANK0_PORT: '29500', TIMEOUT_SECONDS: '600' });
    expect(env.POD_INDEX).toEqual({ fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } });
    const script = init.command[2];
    expect(script).toContain('if [ "${POD_INDEX:-}" = "0" ]; then exit 0; fi');
    expect(script).toContain('nc -z');
    expect(script).toContain('exit 1');
    expect(init.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(init.resources.limits).toBeDefined();
  });
});

describe('TensorFlow TF_CONFIG', () => {
  test.each([1, 2, 4])('%i workers with a chief, 2 parameter servers and an evaluator on plain Kubernetes', (workers) => {
    const { run, objects } = synth({ image: TF_IMAGE, framework: Framework.tensorflow({ workers, parameterServers: 2, chief: true, evaluator: true }) });
    const jobs = Object.fromEntries(ofKind(objects, 'Job').map((j) => [j.metadata.name, j]));
    expect(Object.keys(jobs).sort()).toEqual(['dist-chief', 'dist-evaluator', 'dist-ps', 'dist-worker']);
    const cluster = {
      chief: ['dist-chief-0.dist.ml.svc:2222'],
      worker: Array.from({ length: workers }, (_, i) => `dist-worker-${i}.dist.ml.svc:2222`),
      ps: ['dist-ps-0.dist.ml.svc:2222', 'dist-ps-1.dist.ml.svc:2222'],
    };
    const expectedPods: Record<string, number> = { chief: 1, worker: workers, ps: 2, evaluator: 1 };
    for (const [role, count] of Object.entries(expectedPods)) {
      const job = jobs[`dist-${role}`];
      expect(job.spec.completions).toBe(count);
      expect(jobPod(job).subdomain).toBe('dist');
      for (let i = 0; i < count; i++) {
        expect(tfConfig(jobPod(job).containers[0], i)).toEqual({ cluster, task: { type: role, index: i } });
      }
    }
    // Parameter servers get no GPU, and see none on an untainted GPU node; the others do.
    expect(jobPod(jobs['dist-ps']).containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(envOf(jobPod(jobs['dist-ps']).containers[0]).NVIDIA_VISIBLE_DEVICES).toBe('none');
    expect(envOf(jobPod(jobs['dist-worker']).containers[0]).NVIDIA_VISIBLE_DEVICES).toBeUndefined();
    expect(jobPod(jobs['dist-worker']).containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(run.rendezvousAddress).toBe('dist-chief-0.dist.ml.svc:2222');
    expect(run.totalPods).toBe(workers + 4);
  });

  test.each([1, 2, 4])('%i workers and a parameter server on JobSet', (workers) => {
    const { objects } = synth({ image: TF_IMAGE, backend: Backend.JOBSET, framework: Framework.tensorflow({ workers, parameterServers: 1 }) });
    const [jobset] = ofKind(objects, 'JobSet');
    const pods = jobSetPods(jobset);
    const cluster = {
      worker: Array.from({ length: workers }, (_, i) => `dist-worker-0-${i}.dist.ml.svc:2222`),
      ps: ['dist-ps-0-0.dist.ml.svc:2222'],
    };
    for (let i = 0; i < workers; i++) expect(tfConfig(pods.worker.containers[0], i)).toEqual({ cluster, task: { type: 'worker', index: i } });
    expect(tfConfig(pods.ps.containers[0], 0)).toEqual({ cluster, task: { type: 'ps', index: 0 } });
    // Parameter servers never exit: the run succeeds with its workers.
    expect(jobset.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['worker'] });
  });

  test('multi-worker runs wait for the chief (or worker 0); parameter-server runs start at once', () => {
    const chief = ofKind(synth({ image: TF_IMAGE, framework: Framework.tensorflow({ workers: 2, chief: true }) }).objects, 'Job');
    const byName = Object.fromEntries(chief.map((j) => [j.metadata.name, jobPod(j)]));
    expect(byName['dist-chief'].initContainers).toBeUndefined();
    expect(envOf(byName['dist-worker'].initContainers[0])).toMatchObject({ RANK0_HOST: 'dist-chief-0.dist.ml.svc', RANK0_PORT: '2222' });
    const [workers] = ofKind(synth({ image: TF_IMAGE, framework: Framework.tensorflow({ workers: 3 }) }).objects, 'Job');
    const init = jobPod(workers).initContainers[0];
    expect(envOf(init)).toMatchObject({ RANK0_HOST: 'dist-0.dist.ml.svc', POD_INDEX: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });
    // Parameter servers and workers are servers the chief connects to: waiting for the chief could deadlock.
    for (const backend of [Backend.KUBERNETES, Backend.JOBSET]) {
      const objects = synth({ image: TF_IMAGE, backend, framework: Framework.tensorflow({ workers: 2, parameterServers: 1, chief: true }) }).objects;
      const pods = backend === Backend.JOBSET ? Object.values(jobSetPods(ofKind(objects, 'JobSet')[0])) : ofKind(objects, 'Job').map(jobPod);
      expect(pods).toHaveLength(3);
      for (const pod of pods as any[]) expect(pod.initContainers).toBeUndefined();
    }
  });

  test('on Kubeflow the operator writes TF_CONFIG', () => {
    const { objects } = synth({ image: TF_IMAGE, backend: Backend.KUBEFLOW, framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }) });
    const [tfjob] = ofKind(objects, 'TFJob');
    expect(tfjob.apiVersion).toBe('kubeflow.org/v1');
    expect(tfjob.spec.tfReplicaSpecs.Worker.replicas).toBe(2);
    expect(tfjob.spec.tfReplicaSpecs.PS.replicas).toBe(1);
    for (const pod of Object.values(kubeflowPods(tfjob, 'tfReplicaSpecs')) as any[]) {
      expect(pod.containers[0].name).toBe('tensorflow');
      expect(pod.containers[0].ports).toEqual([{ name: 'tfjob-port', containerPort: 2222, protocol: 'TCP' }]);
      expect(envOf(pod.containers[0]).TF_CONFIG).toBeUndefined();
    }
  });
});

describe('Kubeflow PyTorchJob', () => {
  test.each([1, 2, 4])('%i nodes: a master and workers, the operator sets the rendezvous', (nodes) => {
    const { run, objects } = synth({ nodes, backend: Backend.KUBEFLOW, accelerator: Accelerator.nvidiaGpu(4), cleanPodPolicy: CleanPodPolicy.ALL });
    const [job] = ofKind(objects, 'PyTorchJob');
    expect(job.spec.nprocPerNode).toBe('4');
    expect(job.spec.pytorchReplicaSpecs.Master.replicas).toBe(1);
    expect(job.spec.pytorchReplicaSpecs.Worker?.replicas).toBe(nodes > 1 ? nodes - 1 : undefined);
    expect(job.spec.runPolicy).toMatchObject({ backoffLimit: 3, ttlSecondsAfterFinished: 86400, cleanPodPolicy: 'All' });
    const pods = kubeflowPods(job, 'pytorchReplicaSpecs');
    for (const pod of Object.values(pods) as any[]) {
      const c = pod.containers[0];
      expect(c.name).toBe('pytorch');
      expect(c.ports).toEqual([{ name: 'pytorchjob-port', containerPort: 29500, protocol: 'TCP' }]);
      // Not double-set: the operator injects these.
      for (const name of ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'NODE_RANK']) expect(envOf(c)[name]).toBeUndefined();
      expect(c.command).toEqual(['torchrun', '--no-python', 'python', '/app/train.py']);
      // The generated CRD class must not drop the GPU limits.
      expect(c.resources.limits['nvidia.com/gpu']).toBe('4');
    }
    expect(pods.Master.initContainers).toBeUndefined();
    if (nodes > 1) expect(envOf(pods.Worker.initContainers[0]).RANK0_HOST).toBe('dist-master-0.ml.svc');
    expect(run.rendezvousAddress).toBe('dist-master-0.ml.svc:29500');
  });

  test('elastic runs have workers only and an elastic policy', () => {
    const { objects } = synth({ backend: Backend.KUBEFLOW, framework: Framework.pytorch({ elastic: { minNodes: 1, maxNodes: 3, maxRestarts: 2 } }) });
    const [job] = ofKind(objects, 'PyTorchJob');
    expect(job.spec.elasticPolicy).toEqual({ minReplicas: 1, maxReplicas: 3, maxRestarts: 2, rdzvBackend: 'c10d' });
    expect(Object.keys(job.spec.pytorchReplicaSpecs)).toEqual(['Worker']);
    const init = job.spec.pytorchReplicaSpecs.Worker.template.spec.initContainers[0];
    expect(envOf(init).POD_INDEX).toEqual({ fieldRef: { fieldPath: "metadata.labels['training.kubeflow.org/replica-index']" } });
  });

  test('a queue makes the operator gang-schedule all pods', () => {
    const { objects } = synth({ nodes: 4, backend: Backend.KUBEFLOW, scheduling: { queue: Queue.volcano('train') } });
    expect(ofKind(objects, 'PyTorchJob')[0].spec.runPolicy.schedulingPolicy).toEqual({ minAvailable: 4, queue: 'train' });
    expect(ofKind(objects, 'PodGroup')).toHaveLength(0);
  });

  test('MPI: a launcher running mpirun over every slot, workers with the GPUs', () => {
    const { run, objects } = synth({ nodes: 3, backend: Backend.KUBEFLOW, framework: Framework.mpi({ slotsPerWorker: 2 }), accelerator: Accelerator.nvidiaGpu(4) });
    const [job] = ofKind(objects, 'MPIJob');
    expect(job.spec.slotsPerWorker).toBe(2);
    expect(job.spec.mpiReplicaSpecs.Worker.replicas).toBe(3);
    const pods = kubeflowPods(job, 'mpiReplicaSpecs');
    expect(pods.Launcher.containers[0].command.slice(0, 3)).toEqual(['mpirun', '-np', '6']);
    expect(pods.Launcher.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(envOf(pods.Launcher.containers[0]).NVIDIA_VISIBLE_DEVICES).toBe('none');
    // The launcher starts the workers' processes with kubectl exec: it needs the operator's token.
    expect(pods.Launcher.automountServiceAccountToken).toBe(true);
    expect(pods.Worker.containers[0].resources.limits['nvidia.com/gpu']).toBe('4');
    expect(run.rendezvousAddress).toBeUndefined();
  });

  test('MPI: only the launcher may reach the Kubernetes API (kubectl exec), the workers stay closed', () => {
    const { run, objects } = synth({ backend: Backend.KUBEFLOW, framework: Framework.mpi() });
    const policies = Object.fromEntries(ofKind(objects, 'NetworkPolicy').map((p) => [p.metadata.name, p]));
    expect(Object.keys(policies).sort()).toEqual(['dist', 'dist-launcher']);
    const launcher = policies['dist-launcher'].spec;
    expect(launcher.podSelector.matchLabels).toEqual({ ...run.podSelector, 'training.cdk8s-mlops.io/role': 'launcher' });
    expect(launcher.egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] });
    expect(launcher.ingress).toBeUndefined();
    // The run's own policy (workers included) opens nothing beyond DNS and the run's pods.
    expect(policies.dist.spec.egress).toHaveLength(2);
    expect(ofKind(synth().objects, 'NetworkPolicy')).toHaveLength(1);
  });
});

describe('JobSet', () => {
  test.each([1, 2, 4])('%i nodes: rank 0 is the first pod of the first Job, the group restarts together', (nodes) => {
    const { objects } = synth({ nodes, backend: Backend.JOBSET, accelerator: Accelerator.nvidiaGpu(2), backoffLimit: 5, scheduling: { queue: Queue.kueue('team-a') } });
    const [jobset] = ofKind(objects, 'JobSet');
    expect(jobset.apiVersion).toBe('jobset.x-k8s.io/v1alpha2');
    expect(jobset.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    expect(jobset.spec.network).toEqual({ enableDNSHostnames: true, subdomain: 'dist', publishNotReadyAddresses: true });
    expect(jobset.spec.failurePolicy).toEqual({ maxRestarts: 5 });
    const rj = jobset.spec.replicatedJobs[0];
    expect(rj.template.spec).toMatchObject({ completionMode: 'Indexed', completions: nodes, parallelism: nodes, backoffLimit: 0 });
    const env = envOf(rj.template.spec.template.spec.containers[0]);
    expect(env.MASTER_ADDR).toBe('dist-worker-0-0.dist.ml.svc');
    expect(env.WORLD_SIZE).toBe(String(nodes * 2));
    expect(rj.template.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('2');
    expect(ofKind(objects, 'Service')).toHaveLength(0);
  });

  test('the JobSet alone suspends and cleans up; its child Jobs do not', () => {
    const { objects } = synth({ nodes: 2, backend: Backend.JOBSET, suspend: true });
    const [jobset] = ofKind(objects, 'JobSet');
    expect(jobset.spec).toMatchObject({ suspend: true, ttlSecondsAfterFinished: 86400 });
    const child = jobset.spec.replicatedJobs[0].template.spec;
    expect(child.ttlSecondsAfterFinished).toBeUndefined();
    expect(child.suspend).toBeUndefined();
  });

  test('a fail-fast exit code fails the whole JobSet instead of restarting the group', () => {
    const { objects } = synth({ nodes: 2, backend: Backend.JOBSET, failFastExitCodes: [2] });
    const [jobset] = ofKind(objects, 'JobSet');
    expect(jobset.spec.failurePolicy).toEqual({
      maxRestarts: 3,
      rules: [{ name: 'failFastExitCodes', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'] }],
    });
    expect(jobset.spec.replicatedJobs[0].template.spec.podFailurePolicy.rules).toContainEqual(
      { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [2] }, onPodConditions: [] },
    );
  });
});

describe('DistributedTraining wiring and scheduling', () => {
  test('the NetworkPolicy lets the pods reach each other on every port and nothing else', () => {
    const { run, objects } = synth();
    const [np] = ofKind(objects, 'NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual(run.podSelector);
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: run.podSelector } }] }]);
    expect(np.spec.egress).toHaveLength(2);
    expect(np.spec.egress[1]).toEqual({ to: [{ podSelector: { matchLabels: run.podSelector } }] });
  });

  test('addEnv reaches the main container of every role', () => {
    const { run } = synth({ image: TF_IMAGE, framework: Framework.tensorflow({ workers: 2, parameterServers: 1, chief: true }) });
    run.addEnv('MLFLOW_TRACKING_URI', 'http://mlflow.ml.svc:5000');
    run.addEnv('MLFLOW_TRACKING_TOKEN', SecretValue.fromSecret('mlflow', 'token'));
    const jobs = ofKind(Testing.synth(Chart.of(run)), 'Job');
    expect(jobs).toHaveLength(3);
    for (const job of jobs) {
      const env = envOf(jobPod(job).containers[0]);
      expect(env.MLFLOW_TRACKING_URI).toBe('http://mlflow.ml.svc:5000');
      expect(env.MLFLOW_TRACKING_TOKEN).toEqual({ secretKeyRef: { name: 'mlflow', key: 'token' } });
      expect(envOf(jobPod(job).initContainers?.[0] ?? {}).MLFLOW_TRACKING_URI).toBeUndefined();
    }
  });

  test('a Volcano queue makes a PodGroup of every pod', () => {
    const { objects } = synth({ image: TF_IMAGE, framework: Framework.tensorflow({ workers: 3, parameterServers: 1 }), scheduling: { queue: Queue.volcano('q') } });
    const [pg] = ofKind(objects, 'PodGroup');
    expect(pg.spec).toEqual({ minMember: 4, queue: 'q' });
    for (const job of ofKind(objects, 'Job')) {
      expect(job.spec.template.metadata.annotations['scheduling.k8s.io/group-name']).toBe('dist');
      expect(jobPod(job).schedulerName).toBe('volcano');
    }
  });

  test('one pod per node can be turned off', () => {
    const { objects } = synth({ accelerator: Accelerator.nvidiaGpu(4), onePodPerNode: false });
    expect(jobPod(ofKind(objects, 'Job')[0]).affinity).toBeUndefined();
  });

  test('RWX claims are fine across nodes', () => {
    expect(() => synth({ checkpoints: { claim: VolumeClaim.fromClaimName('ckpt', { accessModes: [AccessMode.READ_WRITE_MANY] }), path: '/ckpt' } })).not.toThrow();
  });
});

describe('DistributedTraining bad input', () => {
  test('nodes < 1', () => {
    expect(() => synth({ nodes: 0 })).toThrow("DistributedTraining 'dist': 'nodes' must be a whole number from 1 to 1000, got 0");
  });
  test('elastic minNodes > maxNodes', () => {
    expect(() => Framework.pytorch({ elastic: { minNodes: 4, maxNodes: 2 } }))
      .toThrow("Framework.pytorch: 'elastic.minNodes' must be at most elastic.maxNodes (2), got 4");
  });
  test('nodes outside the elastic range', () => {
    expect(() => synth({ nodes: 5, framework: Framework.pytorch({ elastic: { minNodes: 1, maxNodes: 4 } }) }))
      .toThrow("DistributedTraining 'dist': 'nodes' must be within the elastic range 1 to 4, got 5");
  });
  test('parameter servers for PyTorch', () => {
    expect(() => Framework.pytorch({ parameterServers: 1 } as any))
      .toThrow(/^Framework.pytorch: 'parameterServers' is a TensorFlow option: PyTorch runs identical data-parallel nodes .*, got 1$/);
  });
  test('nodes for TensorFlow', () => {
    expect(() => synth({ nodes: 3, framework: Framework.tensorflow({ workers: 2 }) }))
      .toThrow(/DistributedTraining 'dist': 'nodes' must not be set for TensorFlow.*, got 3/);
  });
  test('a ReadWriteOnce claim shared across nodes', () => {
    const rwo = VolumeClaim.fromClaimName('ckpt', { accessModes: [AccessMode.READ_WRITE_ONCE] });
    expect(() => synth({ nodes: 2, checkpoints: { claim: rwo, path: '/ckpt' } }))
      .toThrow("DistributedTraining 'dist': 'checkpoints.claim' must be a claim with access mode ReadWriteMany because the pods may run on several nodes, got 'ckpt (ReadWriteOnce)'");
  });
  test('GPUs per node not divisible by the processes', () => {
    expect(() => synth({ accelerator: Accelerator.nvidiaGpu(4), framework: Framework.pytorch({ processesPerNode: 3 }) }))
      .toThrow("DistributedTraining 'dist': 'framework.processesPerNode' must divide the 4 devices of each pod evenly (every process gets the same number of devices), got 3");
  });
  test('MPI slots not dividing the GPUs', () => {
    expect(() => synth({ backend: Backend.KUBEFLOW, accelerator: Accelerator.nvidiaGpu(2), framework: Framework.mpi({ slotsPerWorker: 4 }) }))
      .toThrow(/'framework.slotsPerWorker' must divide the 2 devices of each pod evenly.*, got 4/);
  });
  test('unknown backend/framework combination', () => {
    expect(() => synth({ framework: Framework.mpi() }))
      .toThrow("DistributedTraining 'dist': 'backend' must be Backend.KUBEFLOW for Framework.mpi() (the MPI operator writes the hostfile and starts the processes on the workers), got 'Backend.KUBERNETES'");
    expect(() => synth({ framework: Framework.mpi(), backend: Backend.JOBSET })).toThrow(/'backend' must be Backend.KUBEFLOW .*, got 'Backend.JOBSET'/);
  });
  test('a backend that is not a Backend', () => {
    expect(() => synth({ backend: 'kubeflow' as any })).toThrow("DistributedTraining 'dist': 'backend' must be Backend.KUBERNETES, Backend.KUBEFLOW or Backend.JOBSET, got 'kubeflow'");
  });
  test('a framework that is not a Framework', () => {
    expect(() => synth({ framework: 'pytorch' as any })).toThrow(/'framework' must be made with Framework.pytorch\(\).*, got 'pytorch'/);
  });
  test('cleanPodPolicy outside Kubeflow', () => {
    expect(() => synth({ cleanPodPolicy: CleanPodPolicy.ALL })).toThrow(/'cleanPodPolicy' applies only to Backend.KUBEFLOW/);
  });
  test('failFastExitCodes on Kubeflow', () => {
    expect(() => synth({ backend: Backend.KUBEFLOW, failFastExitCodes: [2] })).toThrow(/'failFastExitCodes' is not supported by Backend.KUBEFLOW/);
  });
  test('a name too long for pod host names', () => {
    expect(() => synth({ name: 'a'.repeat(41) })).toThrow(/'name' must be/);
  });
  test('a Kueue queue for several plain Jobs (no gang admission across them)', () => {
    expect(() => synth({ image: TF_IMAGE, framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }), scheduling: { queue: Queue.kueue('team-a') } }))
      .toThrow(/^DistributedTraining 'dist': 'scheduling.queue' must not be a Kueue queue for a run of several roles on Backend.KUBERNETES: .*use Backend.JOBSET or Backend.KUBEFLOW.*, got 'team-a'$/);
    // One Indexed Job is admitted as a whole; JobSet and Kubeflow jobs are one Kueue workload.
    expect(() => synth({ nodes: 4, scheduling: { queue: Queue.kueue('team-a') } })).not.toThrow();
    expect(() => synth({ image: TF_IMAGE, backend: Backend.JOBSET, framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }), scheduling: { queue: Queue.kueue('team-a') } })).not.toThrow();
  });
  test('a PyTorch run without a command', () => {
    expect(() => synth({ command: undefined }))
      .toThrow("DistributedTraining 'dist': 'command' must be given (or 'args'): torchrun starts it in every process, e.g. ['python', '/app/train.py'], got nothing");
  });
  test('an MPI run without a command', () => {
    expect(() => synth({ command: undefined, backend: Backend.KUBEFLOW, framework: Framework.mpi() }))
      .toThrow(/'command' must be given \(or 'args'\): mpirun starts it in every process/);
  });
  test('nodes that do not fill whole multi-host TPU slices', () => {
    const tpu = Accelerator.tpu({ version: TpuVersion.V5E, topology: '4x4' });
    expect(() => synth({ nodes: 2, accelerator: tpu }))
      .toThrow("DistributedTraining 'dist': 'nodes' must be a multiple of 4: the TPU slice (4 TPU v5e chips (topology 4x4)) spans 4 nodes and each of them must run a pod, got 2");
    expect(() => synth({ nodes: 8, accelerator: tpu })).not.toThrow();
  });
  test('TensorFlow workers that do not fill whole multi-host TPU slices', () => {
    const tpu = Accelerator.tpu({ version: TpuVersion.V4, topology: '2x2x2' });
    expect(() => synth({ image: TF_IMAGE, accelerator: tpu, framework: Framework.tensorflow({ workers: 3 }) }))
      .toThrow(/'framework.workers' must be a multiple of 2: the TPU slice .* spans 2 nodes .*, got 3/);
  });
  test('a TensorFlow chief with a multi-host TPU slice', () => {
    const tpu = Accelerator.tpu({ version: TpuVersion.V4, topology: '2x2x2' });
    expect(() => synth({ image: TF_IMAGE, accelerator: tpu, framework: Framework.tensorflow({ workers: 2, chief: true }) }))
      .toThrow(/'framework.chief' must be false with a multi-host TPU slice: a single chief pod cannot fill a slice that spans 2 nodes, got true/);
  });
  test('several MIG slices per pod', () => {
    expect(() => synth({ accelerator: Accelerator.mig('1g.10gb', 2) }))
      .toThrow("DistributedTraining 'dist': 'accelerator' must be a single MIG slice per pod: a CUDA process sees only one MIG device, so the other processes of the pod would find no GPU; add nodes instead, got '2 MIG 1g.10gb slices'");
    const { objects } = synth({ nodes: 4, accelerator: Accelerator.mig('1g.10gb') });
    expect(jobPod(ofKind(objects, 'Job')[0]).containers[0].command).toContain('--nproc_per_node=1');
  });
  test('TensorFlow without workers', () => {
    expect(() => Framework.tensorflow({ workers: 0 })).toThrow("Framework.tensorflow: 'workers' must be a whole number from 1 to 1000, got 0");
  });
});

describe('construct ids are stable', () => {
  // Ids are part of the public contract (escape hatches find children by id): adding a role must not move Resource.
  const childIds = (run: DistributedTraining) => run.node.children.map((c) => c.node.id);
  const resourceName = (run: DistributedTraining) => (run.node.findChild('Resource') as any).metadata.name;

  test('on plain Jobs, Resource is the workers\' Job whatever roles are added; the other roles are Job-<role>', () => {
    const workersOnly = synth({ image: TF_IMAGE, framework: Framework.tensorflow({ workers: 2 }) }).run;
    const allRoles = synth({ image: TF_IMAGE, framework: Framework.tensorflow({ workers: 2, parameterServers: 1, chief: true, evaluator: true }) }).run;
    expect(resourceName(workersOnly)).toBe('dist'); // one role: the Job takes the run's name
    expect(resourceName(allRoles)).toBe('dist-worker');
    expect((allRoles.node.findChild('Job-chief') as any).metadata.name).toBe('dist-chief');
    expect(allRoles.resource).toBe(allRoles.node.findChild('Resource'));
    expect(childIds(allRoles)).toEqual(expect.arrayContaining(['Resource', 'Job-chief', 'Job-ps', 'Job-evaluator']));
  });

  test.each([Backend.KUBEFLOW, Backend.JOBSET])('on %s, Resource is the one job object whatever roles are added', (backend) => {
    for (const framework of [Framework.tensorflow({ workers: 2 }), Framework.tensorflow({ workers: 2, parameterServers: 1, chief: true })]) {
      const { run } = synth({ image: TF_IMAGE, backend, framework });
      expect(resourceName(run)).toBe('dist');
    }
  });
});
