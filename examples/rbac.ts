// Team tenancy: the seed's "model-trainer" Role done right, its "model-serving" ServiceAccount with a token,
// and a two-team GPU platform with quotas, Kueue queues and a training run placed by its team.
import { App, Chart } from 'cdk8s';
import { Accelerator, ClusterDns, GpuTrainingJob, MlRbac, Persona, Subject } from '../lib';

export function build(app: App): void {
  // The seed's model-trainer Role put `jobs` in the core group, where it does not exist. Here the trainer persona
  // manages Jobs and CronJobs in `batch`, reads its pods and their logs, manages claims, and (as the seed intends)
  // may create training jobs but not delete them.
  const trainerChart = new Chart(app, 'rbac-model-trainer');
  new MlRbac(trainerChart, 'rbac', {
    teams: [{
      name: 'ml-training',
      quota: { gpus: 4, cpu: 32, memory: '256Gi', storage: '2Ti', persistentVolumeClaims: 10 },
      queue: { clusterQueueName: 'shared-gpus' },
      personas: [Persona.TRAINER],
      trainer: { name: 'model-trainer', serviceAccountName: 'training-account', allowDelete: false },
      members: [{ subject: Subject.group('oidc:ml-training'), persona: Persona.TRAINER }],
    }],
  });

  // The seed's model-serving ServiceAccount and its token Secret: the account reads only its own ConfigMap and
  // Secret, its pods may mount only the listed Secrets, and no pod gets a token it did not ask for.
  const servingChart = new Chart(app, 'rbac-model-serving');
  new MlRbac(servingChart, 'rbac', {
    teams: [{
      name: 'ml-serving',
      quota: { gpus: 2, cpu: 16, memory: '64Gi' },
      queue: { clusterQueueName: 'shared-gpus' },
      personas: [Persona.MODEL_SERVER, Persona.VIEWER],
      modelServer: { name: 'model-serving', configMaps: ['triton-config'], secrets: ['model-registry'], tokenSecret: true },
      members: [{ subject: Subject.group('oidc:sre'), persona: Persona.VIEWER }],
    }],
  });

  // Two teams sharing A100 nodes through a Kueue cohort: each its own namespace(s), quota, queue and personas. The
  // cluster runs NodeLocal DNSCache: every NetworkPolicy of the teams' namespaces allows DNS to it (and to kube-dns).
  const platform = new Chart(app, 'rbac-two-teams');
  const a100 = { name: 'a100', nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } };
  const rbac = new MlRbac(platform, 'rbac', {
    clusterDns: ClusterDns.nodeLocalCache(),
    teams: [
      {
        name: 'vision',
        // Whole A100s for training, and the MIG slices of the partitioned ones for notebooks and small jobs.
        quota: {
          gpus: 8, cpu: 64, memory: '512Gi', storage: '20Ti', persistentVolumeClaims: 20, pods: 200, jobs: 100,
          accelerators: [{ accelerator: Accelerator.mig('1g.10gb'), count: 14 }],
        },
        queue: { clusterQueue: { cohort: 'research', flavor: a100 } },
        members: [
          { subject: Subject.group('oidc:ml-vision'), persona: Persona.TRAINER },
          { subject: Subject.group('oidc:ml-leads'), persona: Persona.VIEWER },
        ],
      },
      {
        name: 'nlp',
        namespaces: ['nlp', 'nlp-pipelines'],
        quota: { gpus: 16, cpu: 128, memory: '1Ti', storage: '50Ti' },
        limitDefaults: { cpu: '500m', memory: '1Gi' },
        queue: { clusterQueue: { cohort: 'research', flavor: a100 } },
        personas: [Persona.TRAINER, Persona.PIPELINE_RUNNER, Persona.VIEWER],
        trainer: { allowPodExec: true },
        members: [
          { subject: Subject.group('oidc:ml-nlp'), persona: Persona.TRAINER },
          { subject: Subject.user('pipelines-bot@example.com'), persona: Persona.PIPELINE_RUNNER },
          { subject: Subject.group('oidc:ml-leads'), persona: Persona.VIEWER },
        ],
      },
    ],
  });

  // A training run given a team: the team's namespace, its trainer ServiceAccount and its Kueue queue.
  new GpuTrainingJob(platform, 'resnet50', {
    team: rbac.team('vision'),
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['torchrun', '--nproc_per_node=2', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(2),
    cpu: 16,
    memory: '64Gi',
  });

  // A team's second namespace: the run lands in nlp-pipelines as that namespace's nlp-trainer ServiceAccount, through
  // its LocalQueue, under the same quota, limits and default-deny policy.
  new GpuTrainingJob(platform, 'tokenizer-eval', {
    team: rbac.team('nlp').inNamespace('nlp-pipelines'),
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/eval_tokenizer.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '16Gi',
  });

  // A GPU cluster with three node pools (CPU, A100, H100): the team's ClusterQueue has a flavor per pool, each with
  // its share of the quota, its node labels and taint derived from the accelerator; production runs are admitted
  // before research sweeps (Kueue WorkloadPriorityClasses). At synth, a run that no flavor could hold (say, 16 H100s
  // at once with 8 in the H100 flavor) would be refused with each flavor's reason.
  const gpus = new Chart(app, 'rbac-gpu-flavors');
  const cluster = new MlRbac(gpus, 'rbac', {
    workloadPriorities: [
      { name: 'production', value: 1000, description: 'scheduled retraining of served models' },
      { name: 'research', value: 100, description: 'experiments and sweeps' },
    ],
    teams: [{
      name: 'llm',
      quota: { gpus: 16, cpu: 256, memory: '2Ti' },
      queue: {
        clusterQueue: {
          flavors: [
            { name: 'cpu-nodes', cpu: 64, memory: '256Gi' },
            { name: 'a100-80gb', accelerator: Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-80GB' }), devices: 8, cpu: 96, memory: '1Ti' },
            { name: 'h100-80gb', accelerator: Accelerator.nvidiaGpu(1, { product: 'NVIDIA-H100-80GB-HBM3' }), devices: 8, cpu: 96, memory: '1Ti' },
          ],
        },
      },
      members: [{ subject: Subject.group('oidc:ml-llm'), persona: Persona.TRAINER }],
    }],
  });
  new GpuTrainingJob(gpus, 'retrain', {
    team: cluster.team('llm'),
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['torchrun', '--nproc_per_node=4', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(4, { product: 'NVIDIA-H100-80GB-HBM3' }),
    cpu: 32,
    memory: '256Gi',
    scheduling: { workloadPriorityClass: 'production' },
  });
}
