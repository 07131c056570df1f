// Single-node training: the seeds' basic GPU Job and nightly retraining CronJob done right, plus MIG, TPU and spot.
import { App, Chart, Duration } from 'cdk8s';
import { AccessMode, Accelerator, GpuTrainingJob, Schedule, SecretValue, Spot, TpuVersion, VolumeClaim } from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'training', { namespace: 'mlops-training' });
  const data = VolumeClaim.fromClaimName('mnist-data-pvc', { accessModes: [AccessMode.READ_ONLY_MANY], namespace: 'mlops-training' });
  const models = VolumeClaim.fromClaimName('model-storage-pvc', { accessModes: [AccessMode.READ_WRITE_ONCE], namespace: 'mlops-training' });

  // The seed's "tf-mnist" Job: restartPolicy Never, backoffLimit 4, data read-only, a cost cap.
  new GpuTrainingJob(chart, 'tf-mnist', {
    image: 'tensorflow/tensorflow:2.12.0-gpu',
    command: ['python', '/app/train.py', '--data_dir=/data', '--model_dir=/models'],
    accelerator: Accelerator.nvidiaGpu(1),
    dataset: { claim: data, path: '/data' },
    modelOutput: { claim: models, path: '/models' },
    backoffLimit: 4,
    activeDeadline: Duration.hours(12),
  });

  // The seed's nightly "model-retraining" CronJob: GPUs in limits, no overlapping runs, a starting deadline.
  new GpuTrainingJob(chart, 'model-retraining', {
    image: 'ml-training:v1',
    accelerator: Accelerator.nvidiaGpu(1),
    dataset: { claim: VolumeClaim.fromClaimName('training-data-claim', { accessModes: [AccessMode.READ_WRITE_MANY] }), path: '/data' },
    modelOutput: { claim: VolumeClaim.fromClaimName('model-storage-claim', { accessModes: [AccessMode.READ_WRITE_MANY] }), path: '/models' },
    hyperparameters: {
      learning_rate: 0.001,
      batch_size: 32,
      epochs: 100,
      model_architecture: { layers: [{ type: 'Dense', units: 128 }, { type: 'Dropout', rate: 0.5 }] },
    },
    secretEnv: { MODEL_REGISTRY_KEY: SecretValue.fromSecret('ml-credentials', 'model_registry_key') },
    schedule: Schedule.cron('0 2 * * *'),
    scheduleOptions: { timeZone: 'Etc/UTC' },
  });

  // The seed's MIG pod as a training run on one 1g.5gb slice of an A100 40GB.
  new GpuTrainingJob(chart, 'mig-finetune', {
    image: 'nvidia/cuda:11.6.0-base-ubuntu20.04',
    command: ['python', '/app/finetune.py'],
    accelerator: Accelerator.mig('1g.5gb'),
    cpu: 2,
    memory: '8Gi',
  });

  // The seed's TPU pod: TPU v5e chips on GKE (the seed's `cloud-tpus.google.com/v3` resource is the retired
  // TPU-node API); one host with a 2x4 slice.
  new GpuTrainingJob(chart, 'tpu-train', {
    image: 'tensorflow/tensorflow:2.12.0',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.tpu({ version: TpuVersion.V5E, topology: '2x4' }),
    cpu: 8,
    memory: '64Gi',
  });

  // The seed's spot Job: GKE spot capacity, checkpoints on a volume, restartPolicy Never (not OnFailure).
  new GpuTrainingJob(chart, 'spot-training', {
    image: 'tensorflow/tensorflow:2.12.0-gpu',
    command: ['python', '/app/train_with_checkpoints.py', '--checkpoint_frequency=10'],
    accelerator: Accelerator.nvidiaGpu(1),
    scheduling: { spot: Spot.gke() },
    checkpoints: { claim: VolumeClaim.fromClaimName('spot-checkpoints', { accessModes: [AccessMode.READ_WRITE_ONCE] }), path: '/checkpoints' },
    backoffLimit: 10,
  });

  // The seed's "elastic-training" Job, pinned and with requests equal to limits for the GPU.
  new GpuTrainingJob(chart, 'elastic-training', {
    image: 'company/elastic-training:1.4.2',
    command: ['python', '/app/elastic_train.py', '--initial_workers=1', '--max_workers=4'],
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '16Gi',
    env: { TF_FORCE_GPU_ALLOW_GROWTH: 'true' },
  });
}
