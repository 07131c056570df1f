import { Chart, Duration, Testing } from 'cdk8s';
import {
  AccessMode, Accelerator, ConcurrencyPolicy, GpuTrainingJob, GpuTrainingJobProps, ITeam, Queue, Schedule, SecretValue,
  Spot, TpuVersion, VolumeClaim, WorkloadRole,
} from '../lib';
import { expectValidManifests, KUBE_DNS_EGRESS, uncoveredPods } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';

function synth(props: Partial<GpuTrainingJobProps> = {}, id = 'train', namespace = 'ml') {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const job = new GpuTrainingJob(chart, id, { image: IMAGE, ...props });
  return { job, objects: Testing.synth(chart) };
}

function find(objects: any[], kind: string) {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

function podSpecOf(objects: any[]) {
  const job = objects.find((o) => o.kind === 'Job');
  if (job) return job.spec.template.spec;
  return find(objects, 'CronJob').spec.jobTemplate.spec.template.spec;
}

const rwx = (name: string) => VolumeClaim.fromClaimName(name, { accessModes: [AccessMode.READ_WRITE_MANY] });

describe('GpuTrainingJob', () => {
  test('a typical training run (snapshot)', () => {
    const { objects } = synth({
      command: ['python', '/app/train.py'],
      accelerator: Accelerator.nvidiaGpu(2),
      dataset: { claim: rwx('datasets'), path: '/data' },
      modelOutput: { claim: rwx('models'), path: '/models' },
      hyperparameters: { learning_rate: 0.001, layers: [128, 64] },
      secretEnv: { WANDB_API_KEY: SecretValue.fromSecret('wandb', 'api-key') },
      failFastExitCodes: [2, 3],
      activeDeadline: Duration.hours(6),
    });
    expect(objects).toMatchSnapshot();
  });

  test('GPU request, toleration and restricted security context', () => {
    const spec = podSpecOf(synth({ accelerator: Accelerator.nvidiaGpu(4) }).objects);
    const container = spec.containers[0];
    expect(container.resources.limits['nvidia.com/gpu']).toBe('4');
    expect(container.resources.requests['nvidia.com/gpu']).toBe('4');
    expect(spec.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, fsGroupChangePolicy: 'OnRootMismatch' });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
  });

  test('a memory-backed /dev/shm sized from the memory', () => {
    const spec = podSpecOf(synth({ memory: '64Gi' }).objects);
    expect(spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16384Mi' } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
    const small = podSpecOf(synth({ memory: '8Gi', sharedMemory: '1Gi' }).objects);
    expect(small.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
  });

  test('datasets are read-only, outputs writable, checkpoints in CHECKPOINT_DIR', () => {
    const spec = podSpecOf(synth({
      dataset: { claim: rwx('data'), path: '/data' },
      modelOutput: { claim: rwx('models'), path: '/models' },
      checkpoints: { claim: rwx('ckpt'), path: '/ckpt' },
    }).objects);
    const mounts = spec.containers[0].volumeMounts;
    expect(mounts).toContainEqual({ name: 'data', mountPath: '/data', readOnly: true });
    expect(mounts).toContainEqual({ name: 'models', mountPath: '/models' });
    expect(spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } });
    expect(spec.containers[0].env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/ckpt' });
  });

  test('pod failure policy ignores disruptions and fails fast on listed exit codes', () => {
    const job = find(synth({ failFastExitCodes: [42, 2, 42], backoffLimit: 5 }).objects, 'Job');
    expect(job.spec.backoffLimit).toBe(5);
    expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
    expect(job.spec.podFailurePolicy.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [2, 42] }, onPodConditions: [] },
    ]);
  });

  test('hyperparameters become a ConfigMap exposed as env and files', () => {
    const { objects } = synth({ hyperparameters: { batch_size: 32, arch: { layers: [1] }, fp16: true } });
    const cm = find(objects, 'ConfigMap');
    expect(cm.metadata.name).toBe('train-hparams');
    expect(cm.data).toEqual({ batch_size: '32', arch: '{\n  "layers": [\n    1\n  ]\n}', fp16: 'true' });
    const container = podSpecOf(objects).containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'train-hparams' } }]);
    expect(container.volumeMounts).toContainEqual({ name: 'hyperparameters', mountPath: '/etc/hyperparameters', readOnly: true });
  });

  test('a schedule makes a CronJob that forbids overlapping runs', () => {
    const cron = find(synth({ schedule: Schedule.cron('0 2 * * *'), scheduleOptions: { timeZone: 'Europe/Berlin' } }).objects, 'CronJob');
    expect(cron.spec).toMatchObject({
      schedule: '0 2 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3,
    });
    expect(cron.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    const replace = find(synth({ schedule: Schedule.daily(3, 30), scheduleOptions: { concurrencyPolicy: ConcurrencyPolicy.REPLACE } }).objects, 'CronJob');
    expect(replace.spec).toMatchObject({ schedule: '30 3 * * *', concurrencyPolicy: 'Replace' });
  });

  test('spot capacity selects and tolerates spot nodes', () => {
    const spec = podSpecOf(synth({ scheduling: { spot: Spot.gke() }, checkpoints: { claim: rwx('ckpt'), path: '/ckpt' } }).objects);
    expect(spec.nodeSelector).toEqual({ 'cloud.google.com/gke-spot': 'true' });
    expect(spec.tolerations).toContainEqual({ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    const aks = podSpecOf(synth({ scheduling: { spot: Spot.aks() }, checkpoints: { claim: rwx('ckpt'), path: '/ckpt' } }).objects);
    expect(aks.tolerations).toContainEqual({ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' });
    expect(podSpecOf(synth({ scheduling: { spot: Spot.eks() }, checkpoints: { claim: rwx('ckpt'), path: '/ckpt' } }).objects).nodeSelector)
      .toEqual({ 'eks.amazonaws.com/capacityType': 'SPOT' });
    expect(podSpecOf(synth({ scheduling: { spot: Spot.karpenter() }, checkpoints: { claim: rwx('ckpt'), path: '/ckpt' } }).objects).nodeSelector)
      .toEqual({ 'karpenter.sh/capacity-type': 'spot' });
  });

  test('MIG, shared, AMD and TPU accelerators', () => {
    expect(podSpecOf(synth({ accelerator: Accelerator.mig('1g.10gb') }).objects).containers[0].resources.limits['nvidia.com/mig-1g.10gb']).toBe('1');
    // Resource names cannot hold '+': the device plugin advertises media-extension profiles with a '.'.
    const me = podSpecOf(synth({ accelerator: Accelerator.mig('1g.5gb+me') }).objects).containers[0].resources;
    expect(Object.keys(me.limits)).toEqual(['cpu', 'memory', 'nvidia.com/mig-1g.5gb.me']);
    expect(me.requests['nvidia.com/mig-1g.5gb.me']).toBe('1');
    expect(podSpecOf(synth({ accelerator: Accelerator.sharedGpu() }).objects).containers[0].resources.limits['nvidia.com/gpu.shared']).toBe('1');
    const amd = podSpecOf(synth({ accelerator: Accelerator.amdGpu(2) }).objects);
    expect(amd.containers[0].resources.limits['amd.com/gpu']).toBe('2');
    expect(amd.tolerations).toContainEqual({ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    const tpu = podSpecOf(synth({ accelerator: Accelerator.tpu({ version: TpuVersion.V5E, topology: '2x4' }) }).objects);
    expect(tpu.containers[0].resources.limits['google.com/tpu']).toBe('8');
    expect(tpu.nodeSelector).toEqual({ 'cloud.google.com/gke-tpu-accelerator': 'tpu-v5-lite-podslice', 'cloud.google.com/gke-tpu-topology': '2x4' });
  });

  test('Accelerator.none(): a CPU-only run requests, tolerates and selects no accelerator', () => {
    const spec = podSpecOf(synth({ accelerator: Accelerator.none(), cpu: 2, memory: '4Gi' }).objects);
    expect(spec.containers[0].resources).toEqual({ limits: { cpu: '2', memory: '4Gi' }, requests: { cpu: '2', memory: '4Gi' } });
    expect([spec.tolerations, spec.nodeSelector, spec.affinity]).toEqual([undefined, undefined, undefined]);
    // Not on GPU nodes: no NVIDIA_VISIBLE_DEVICES to hide them.
    expect(spec.containers[0].env.map((e: any) => e.name)).not.toContain('NVIDIA_VISIBLE_DEVICES');
    expect(Accelerator.none().resources).toEqual({});
    expect(Accelerator.none().processesPerPod).toBe(1);
  });

  test('GPU product and memory become node selection', () => {
    const spec = podSpecOf(synth({ accelerator: Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-80GB', minMemoryMiB: 40000 }) }).objects);
    expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' });
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'nvidia.com/gpu.memory', operator: 'Gt', values: ['39999'] }]);
  });

  test('a Kueue queue labels the Job; Volcano sets the scheduler', () => {
    const { objects } = synth({ scheduling: { queue: Queue.kueue('team-a'), priorityClassName: 'training-low' } });
    const job = find(objects, 'Job');
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    expect(job.spec.template.spec.priorityClassName).toBe('training-low');
    const volcano = podSpecOf(synth({ scheduling: { queue: Queue.volcano('research') } }).objects);
    expect(volcano.schedulerName).toBe('volcano');
  });

  test('a team gives namespace, service account and queue', () => {
    const team: ITeam = {
      teamName: 'vision', namespace: 'team-vision', queue: Queue.kueue('vision'),
      serviceAccountFor: (role) => (role === WorkloadRole.TRAINING ? 'vision-trainer' : undefined),
    };
    const job = find(synth({ team }).objects, 'Job');
    expect(job.metadata.namespace).toBe('team-vision');
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('vision');
    expect(job.spec.template.spec.serviceAccountName).toBe('vision-trainer');
    expect(() => synth({ team, namespace: 'other' })).toThrow(/GpuTrainingJob 'train': 'namespace' must be the team's namespace 'team-vision' \(or be left out\), got 'other'/);
  });

  test('sidecar-free GPU pod: the trainer sees its GPUs; wiring env is added later', () => {
    const chart = new Chart(Testing.app(), 'test');
    const job = new GpuTrainingJob(chart, 'train', { image: IMAGE });
    job.addEnv('MLFLOW_TRACKING_URI', 'http://mlflow.mlops.svc:5000');
    const spec = Testing.synth(chart).find((o) => o.kind === 'Job').spec.template.spec;
    expect(spec.containers[0].env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow.mlops.svc:5000' });
    expect(spec.containers[0].env.find((e: any) => e.name === 'NVIDIA_VISIBLE_DEVICES')).toBeUndefined();
  });

  test('the NetworkPolicy selects the pod and allows only DNS until wired', () => {
    const { job, objects } = synth();
    const policy = find(objects, 'NetworkPolicy');
    expect(policy.spec.podSelector.matchLabels).toEqual(job.podSelector);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toBeUndefined();
    expect(policy.spec.egress).toEqual([KUBE_DNS_EGRESS]);
  });

  test('names are predictable', () => {
    const { job, objects } = synth({ name: 'nightly' });
    expect(job.workloadName).toBe('nightly');
    expect(find(objects, 'Job').metadata.name).toBe('nightly');
    expect(job.node.findChild('Resource')).toBeDefined();
  });

  describe('every configuration validates (Kubernetes 1.27 schema, no unknown field, Pod Security restricted)', () => {
    const ckpt = { claim: rwx('ckpt'), path: '/ckpt' };
    const team: ITeam = { teamName: 'vision', namespace: 'team-vision', queue: Queue.kueue('vision'), serviceAccountFor: () => 'vision-trainer' };
    const configs: Array<[string, Partial<GpuTrainingJobProps>]> = [
      ['defaults', {}],
      ['everything on a Job', {
        command: ['python', '/app/train.py'], args: ['--epochs=3'], workingDir: '/app', accelerator: Accelerator.nvidiaGpu(8, { product: 'NVIDIA-H100-80GB-HBM3', minMemoryMiB: 80000 }),
        cpu: '16', memory: '128Gi', sharedMemory: '32Gi', env: { LOG_LEVEL: 'info' }, secretEnv: { HF_TOKEN: SecretValue.fromSecret('hf', 'token') },
        hyperparameters: { lr: 0.001, layers: [1, 2] }, dataset: { claim: rwx('data'), path: '/data', subPath: 'imagenet' },
        modelOutput: { claim: rwx('models'), path: '/models' }, checkpoints: ckpt, mounts: [{ claim: rwx('vocab'), path: '/vocab' }],
        backoffLimit: 2, activeDeadline: Duration.hours(8), ttlAfterFinished: Duration.hours(2), failFastExitCodes: [2, 3], suspend: true,
        scheduling: { priorityClassName: 'training', avoidNodesRunning: { 'app.kubernetes.io/component': 'serving' }, nodeSelector: { pool: 'gpu' } },
        serviceAccountName: 'trainer', security: { user: 2000, group: 2000 }, labels: { team: 'vision' },
      }],
      ['a nightly CronJob', { schedule: Schedule.cron('0 2 * * *'), scheduleOptions: { timeZone: 'Europe/Berlin', concurrencyPolicy: ConcurrencyPolicy.REPLACE }, hyperparameters: { lr: 0.1 } }],
      ['MIG', { accelerator: Accelerator.mig('3g.40gb') }],
      ['MIG media extension', { accelerator: Accelerator.mig('1g.10gb+me') }],
      ['time-sliced GPU', { accelerator: Accelerator.sharedGpu() }],
      ['AMD GPUs', { accelerator: Accelerator.amdGpu(2) }],
      ['TPU', { accelerator: Accelerator.tpu({ version: TpuVersion.V6E, topology: '2x2' }) }],
      ['GKE spot', { scheduling: { spot: Spot.gke() }, checkpoints: ckpt }],
      ['EKS spot', { scheduling: { spot: Spot.eks() }, checkpoints: ckpt }],
      ['AKS spot', { scheduling: { spot: Spot.aks() }, checkpoints: ckpt }],
      ['Karpenter spot', { scheduling: { spot: Spot.karpenter() }, checkpoints: ckpt }],
      ['Kueue queue', { scheduling: { queue: Queue.kueue('team-a') } }],
      ['Volcano queue', { scheduling: { queue: Queue.volcano('research') } }],
      ['a team', { team }],
    ];
    test.each(configs)('%s', (_name, props) => {
      const { objects } = synth(props);
      expectValidManifests(objects);
      expect(uncoveredPods(objects)).toEqual([]);
    });
  });

  describe('rejects bad input', () => {
    test('a concurrency policy that is not a ConcurrencyPolicy', () => {
      expect(() => synth({ schedule: Schedule.daily(2), scheduleOptions: { concurrencyPolicy: 'Skip' as ConcurrencyPolicy } }))
        .toThrow("GpuTrainingJob 'train': 'scheduleOptions.concurrencyPolicy' must be one of ConcurrencyPolicy.FORBID, ConcurrencyPolicy.REPLACE, ConcurrencyPolicy.ALLOW, got 'Skip'");
    });

    const cases: Array<[string, () => unknown, RegExp]> = [
      ['GPU count 0', () => Accelerator.nvidiaGpu(0), /Accelerator.nvidiaGpu: 'count' must be a whole number from 1 to 16, got 0/],
      ['negative GPU count', () => Accelerator.nvidiaGpu(-1), /'count' must be a whole number from 1 to 16, got -1/],
      ['fractional GPU count', () => Accelerator.nvidiaGpu(1.5), /'count' must be a whole number from 1 to 16, got 1.5/],
      ['unknown MIG profile', () => Accelerator.mig('9g.1gb'), /Accelerator.mig: 'profile' must be a MIG profile: A100 40GB 1g.5gb.*got '9g.1gb'/],
      ['more than one shared GPU', () => Accelerator.sharedGpu(2), /Accelerator.sharedGpu: 'count' must be 1: .*got 2/],
      ['TPU chips not matching the topology', () => Accelerator.tpu({ version: TpuVersion.V5E, topology: '2x2', chips: 8 }), /Accelerator.tpu: 'chips' must be 4 for topology 2x2 \(4 chips, one host\), got 8/],
      ['TPU topology of the wrong shape', () => Accelerator.tpu({ version: TpuVersion.V4, topology: '2x4' }), /Accelerator.tpu: 'topology' must be a 3-dimensional TPU v4 topology such as '2x2x4', got '2x4'/],
      ['a multi-host TPU slice', () => synth({ accelerator: Accelerator.tpu({ version: TpuVersion.V5E, topology: '4x4' }) }), /GpuTrainingJob 'train': 'accelerator' must fit on one node; this TPU slice spans 4 nodes: use DistributedTraining/],
      ['name not DNS-1123', () => synth({ name: 'My_Job' }), /GpuTrainingJob 'train': 'name' must be a DNS-1123 label .*got 'My_Job'/],
      ['a CronJob name too long', () => synth({ name: 'a'.repeat(53), schedule: Schedule.daily() }), /'name' must be a DNS-1123 label .*at most 52 characters/],
      ['image without a tag', () => synth({ image: 'pytorch/pytorch' }), /GpuTrainingJob 'train': 'image' must pin a tag or a digest .*got 'pytorch\/pytorch'/],
      ['image with latest', () => synth({ image: 'ghcr.io/acme/train:latest' }), /'image' must pin a tag other than 'latest' or a digest, got 'ghcr.io\/acme\/train:latest'/],
      ['registry port without a tag', () => synth({ image: 'registry:5000/train' }), /'image' must pin a tag or a digest/],
      ['schedule that is not a cron expression', () => Schedule.cron('every night'), /Schedule.cron: 'expression' must be a cron expression with five fields .*got 'every night'/],
      ['cron field out of range', () => Schedule.cron('0 25 * * *'), /Schedule.cron: 'expression' must be a cron expression/],
      ['unknown time zone', () => synth({ schedule: Schedule.daily(), scheduleOptions: { timeZone: 'Mars/Olympus' } }), /'scheduleOptions.timeZone' must be an IANA time zone name .*got 'Mars\/Olympus'/],
      ['scheduleOptions without a schedule', () => synth({ scheduleOptions: { timeZone: 'UTC' } }), /'scheduleOptions' can only be given with a schedule/],
      ['memory that is not a quantity', () => synth({ memory: '16 gigs' }), /GpuTrainingJob 'train': 'memory' must be a Kubernetes quantity .*got '16 gigs'/],
      ['zero cpu', () => synth({ cpu: 0 }), /'cpu' must be a quantity greater than zero, got 0/],
      ['shared memory above the memory limit', () => synth({ memory: '8Gi', sharedMemory: '8Gi' }), /'sharedMemory' must be smaller than the memory limit 8Gi/],
      ['negative backoff limit', () => synth({ backoffLimit: -1 }), /'backoffLimit' must be a whole number from 0 to 1000, got -1/],
      ['exit code out of range', () => synth({ failFastExitCodes: [0] }), /'failFastExitCodes\[0\]' must be a whole number from 1 to 255, got 0/],
      ['fractional deadline', () => synth({ activeDeadline: Duration.millis(1500) }), /'activeDeadline' must be a whole number of seconds, got '1.5s'/],
      ['password in an env value', () => synth({ env: { DB_PASSWORD: 'hunter2' } }), /'env.DB_PASSWORD' looks like a credential and must come from a Secret .*got 'DB_PASSWORD'/],
      ['password in a URI argument', () => synth({ args: ['--db=postgresql://mlflow:s3cret@db:5432/mlflow'] }), /'args' must not carry a password inside a URI; .*got '--db=postgresql:\/\/mlflow:\*\*\*@db:5432\/mlflow'/],
      ['spot without checkpoints', () => synth({ scheduling: { spot: Spot.gke() } }), /'checkpoints' must be set for a spot run/],
      ['read-only checkpoints', () => synth({ checkpoints: { claim: rwx('c'), path: '/c', readOnly: true } }), /'checkpoints.readOnly' must be false: the run writes there, got true/],
      ['two mounts at one path', () => synth({ dataset: { claim: rwx('a'), path: '/data' }, mounts: [{ claim: rwx('b'), path: '/data' }] }), /'mounts\[0\].path' must differ from the path of 'dataset', got '\/data'/],
      ['a relative mount path', () => synth({ dataset: { claim: rwx('a'), path: 'data' } }), /'dataset.path' must be an absolute path/],
      ['a ReadWriteOnce claim written by scheduled runs that may overlap', () => synth({
        schedule: Schedule.daily(), scheduleOptions: { concurrencyPolicy: ConcurrencyPolicy.ALLOW },
        modelOutput: { claim: VolumeClaim.fromClaimName('models'), path: '/models' },
      }), /^GpuTrainingJob 'train': 'modelOutput.claim' must be a claim with access mode ReadWriteMany because ConcurrencyPolicy.ALLOW lets two scheduled runs overlap on different nodes, got 'models \(ReadWriteOnce\)'$/],
      ['a claim from another namespace', () => synth({ dataset: { claim: VolumeClaim.fromClaimName('d', { namespace: 'other' }), path: '/d' } }), /'dataset.claim' must be in the workload's namespace 'ml' .*got 'other\/d'/],
      ['a priority class that is not a name', () => synth({ scheduling: { priorityClassName: 'High Priority' } }), /'scheduling.priorityClassName' must be a DNS-1123 subdomain/],
      ['a secret env that is not a SecretValue', () => synth({ secretEnv: { TOKEN: 'abc' as any } }), /'secretEnv.TOKEN' must be made with SecretValue.fromSecret\(name, key\), got 'abc'/],
      ['a hyperparameter key that is not an env name', () => synth({ hyperparameters: { 'learning-rate': 0.1 } }), /'hyperparameters' must have keys usable as environment variable and file names .*got 'learning-rate'/],
      ['root user', () => synth({ security: { user: 0 } }), /'security.user' must be a whole number from 1 to 2147483647, got 0/],
    ];
    test.each(cases)('%s', (_name, make, message) => {
      expect(make).toThrow(message);
    });

    test('messages never show undefined or [object Object]', () => {
      for (const [, make] of cases) {
        try {
          make();
        } catch (e) {
          expect((e as Error).message).not.toMatch(/undefined|\[object Object\]/);
        }
      }
      expect(() => synth({ image: undefined as any })).toThrow(/'image' must be an image reference with a pinned tag or digest .*got nothing/);
    });
  });
});
