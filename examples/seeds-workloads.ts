// The seeds' workload scenarios that training.ts and distributed.ts do not already cover: the "distributed-training"
// StatefulSet, the Kubeflow TFJob, the ConfigMap + Secret + claim of an AI training pod, and the DVC data job.
import { App, Chart } from 'cdk8s';
import {
  AccessMode, Accelerator, Backend, ClaimPurpose, ConfigFiles, DistributedTraining, Framework, GpuTrainingJob, MlStorage, SecretValue,
  StorageClassRef, VolumeClaim,
} from '../lib';

export function build(app: App): void {
  // "StatefulSet: management of worker nodes for distributed training": four workers that each need their index.
  // The seed read it from `metadata.ordinal`, a field path that does not exist (the API server rejects the pod), and
  // had no selector. A StatefulSet also never completes. Here an Indexed Job per run: each pod's rank comes from
  // its completion index, the rendezvous address from the headless Service.
  const statefulSet = new Chart(app, 'seeds-distributed-workers', { namespace: 'mlops-training' });
  new DistributedTraining(statefulSet, 'distributed-training', {
    image: 'distributed-training:v1',
    command: ['python', '/app/train.py'],
    framework: Framework.pytorch(),
    nodes: 4,
    accelerator: Accelerator.nvidiaGpu(1),
    checkpoints: {
      claim: VolumeClaim.fromClaimName('distributed-checkpoints', { accessModes: [AccessMode.READ_WRITE_MANY] }),
      path: '/checkpoints',
    },
  });

  // "TFJob Example": 2 GPU workers and a parameter server on the Kubeflow training operator, with TF_CONFIG from
  // the operator and cpu/memory requests on every pod (the seed gave none, so quotas and Kueue cannot account them).
  // The parameter server runs the seed's CPU image, sized for holding variables rather than training.
  const tfjob = new Chart(app, 'seeds-tfjob', { namespace: 'mlops-training' });
  new DistributedTraining(tfjob, 'tensorflow-mnist', {
    image: 'tensorflow/tensorflow:2.12.0-gpu',
    command: ['python', '/app/train.py'],
    framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }),
    backend: Backend.KUBEFLOW,
    accelerator: Accelerator.nvidiaGpu(1),
    roles: { parameterServers: { image: 'tensorflow/tensorflow:2.12.0', cpu: 2, memory: '8Gi' } },
  });

  // "ConfigMaps, Secrets and Volumes": the seed's `ai-config` ConfigMap (consumed with envFrom), its `ai-secret`
  // (with the values written into the manifest) and its `pvc-model` claim used by a `pytorch:latest` pod. Here the
  // settings are the run's hyperparameters (the seed's ConfigMap `ai-config`, read with envFrom and as files), the
  // Hugging Face key is a reference to a Secret created out of band, and the claim comes from MlStorage.
  // ReadWriteOnce: one pod writes it, and an SSD block volume cannot be ReadWriteMany as the seed asked.
  const config = new Chart(app, 'seeds-config-secret-volume', { namespace: 'ai-training' });
  const storage = new MlStorage(config, 'storage');
  const models = storage.addClaim('pvc-model', {
    purpose: ClaimPurpose.MODEL,
    size: '100Gi',
    storageClass: StorageClassRef.fromName('ssd-storage'),
    accessModes: [AccessMode.READ_WRITE_ONCE],
  });
  new GpuTrainingJob(config, 'training-job', {
    image: 'ai-company/training:v2.1',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    hyperparameters: {
      BATCH_SIZE: 64,
      MODEL_PATH: '/models/resnet.pt',
      LOG_LEVEL: 'INFO',
      FEATURE_GATE_ADVANCED_METRIC: true,
    },
    hyperparametersConfigMapName: 'ai-config',
    secretEnv: { HF_API_KEY: SecretValue.fromSecret('ai-secret', 'HF_API_KEY') },
    modelOutput: { claim: models, path: '/models' },
  });

  // "Data Versioning with DVC": a CPU-only data job. The seed mounted its `git-config` ConfigMap and its
  // `git-credentials` and `dvc-config` Secrets as directories over /root/.gitconfig, /root/.git-credentials and
  // /root/.dvc (where git and DVC expect files, in the home of a pod running as root) and wrote no resources. Here it
  // runs as a non-root user with a writable HOME, without a GPU (Accelerator.none()), and the same three objects are
  // mounted read-only where the tools read them: the git config at $GIT_CONFIG_GLOBAL (it points git's credential
  // store at the mounted credentials file), the credentials readable by the pod's group only, the DVC remote's
  // config (with its keys) as DVC's system config /etc/xdg/dvc/config. Two retries.
  const dvc = new Chart(app, 'seeds-data-versioning', { namespace: 'mlops-data' });
  new GpuTrainingJob(dvc, 'data-versioning', {
    image: 'iterativeai/dvc:3.55.2',
    command: ['bash', '-c', 'git clone https://github.com/company/ml-project.git /tmp/project && cd /tmp/project && dvc pull '
      + '&& python process_data.py && dvc add processed_data && dvc push '
      + '&& git add . && git commit -m "Updated processed data" && git push'],
    accelerator: Accelerator.none(),                         // no GPU, and no memory-backed /dev/shm
    containerName: 'dvc',                                    // a data step, not a "trainer"
    component: 'data',
    cpu: 2,
    memory: '8Gi',
    files: [
      { source: ConfigFiles.fromConfigMap('git-config', { items: { gitconfig: { path: 'config' } } }), path: '/etc/git' },
      { source: ConfigFiles.fromSecret('git-credentials', { items: { credentials: { path: 'credentials', mode: 0o400 } } }), path: '/etc/git-credentials' },
      { source: ConfigFiles.fromSecret('dvc-config', { items: { config: { path: 'config' } } }), path: '/etc/xdg/dvc' },
    ],
    env: { GIT_CONFIG_GLOBAL: '/etc/git/config' },           // its credential helper reads /etc/git-credentials/credentials
    backoffLimit: 2,
  });
}
