// The GPU software of the nodes (seed 002's device plugin DaemonSet, its time-slicing config and the MPS ConfigMap):
// the NVIDIA device plugin with GPU Feature Discovery in a privileged namespace of its own, time-slicing on every
// GPU node, MPS on nodes labelled nvidia.com/device-plugin.config=mps and MIG devices on nodes labelled
// nvidia.com/device-plugin.config=mig-mixed. The tenants in the same app request what it advertises, which the setup
// checks at synth: a shared GPU (`nvidia.com/gpu.shared`), a MIG slice of a declared GPU model, whole GPUs.
import { App, Chart } from 'cdk8s';
import {
  AccessMode, Accelerator, GpuModel, GpuNodeSetup, GpuSharing, GpuTrainingJob, MigStrategy, ModelServer, ModelSource, ServingRuntime, VolumeClaim,
} from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'gpu-nodes');

  // The seed set NVIDIA_MPS_ENABLE_TIMESLICING=1 (no such setting exists) and NVIDIA_VISIBLE_DEVICES=all on the
  // plugin: sharing is the plugin's `sharing.timeSlicing` config, and the plugin image already sees every GPU. The
  // seed's MPS script ran `nvidia-smi -c EXCLUSIVE_PROCESS` as root on the node: the plugin's MPS control daemon
  // does that for the nodes whose configuration uses `sharing.mps`.
  new GpuNodeSetup(chart, 'gpus', {
    sharing: GpuSharing.timeSlicing({ replicas: 4 }),
    nodeConfigs: {
      'mps': { sharing: GpuSharing.mps({ replicas: 4 }) },
      'mig-mixed': { migStrategy: MigStrategy.MIXED },
    },
    gpuModels: [GpuModel.A100_40GB, GpuModel.A100_80GB, GpuModel.withoutMig('L4')],
    // The DCGM exporter, scraped by the platform's Prometheus (platform.ts), with the GPU alerts.
    metrics: { scraperNamespace: 'mlops-monitoring' },
  });

  // Tenants of the GPU nodes. Asking for a resource no configuration advertises (a shared GPU without renamed
  // sharing, a MIG profile without the mixed strategy or of a GPU the cluster lacks) fails at synth.
  const tenants = new Chart(app, 'gpu-nodes-tenants', { namespace: 'gpu-tenants' });
  new ModelServer(tenants, 'small-model', {
    runtime: ServingRuntime.triton(),
    model: ModelSource.claim(VolumeClaim.fromClaimName('small-models', { accessModes: [AccessMode.READ_ONLY_MANY] })),
    accelerator: Accelerator.sharedGpu(),                     // one of 4 time-sliced (or MPS) shares of a GPU
    replicas: 2,
    cpu: 1,
    memory: '4Gi',
  });
  new GpuTrainingJob(tenants, 'mig-finetune', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/finetune.py'],
    accelerator: Accelerator.mig('1g.10gb'),                  // an A100 80GB slice, on the mig-mixed nodes
  });
  new GpuTrainingJob(tenants, 'full-train', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(2),                    // whole GPUs: the mig-mixed nodes' GPUs without MIG
  });
}
