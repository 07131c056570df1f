// The GPU software of the nodes through the NVIDIA GPU Operator (v26.7.0) instead of the bare device plugin: the
// same typed sharing, per-node configurations, MIG strategy and DCGM metrics, expressed as the operator's
// ClusterPolicy, which installs the driver and container toolkit too, and the MIG manager's layouts. Install the
// operator's Helm chart without its own ClusterPolicy first:
//   helm install gpu-operator nvidia/gpu-operator --version v26.7.0 -n gpu-operator --set clusterPolicy.deployCR=false
// The tenants in the same app request what the nodes advertise, which the setup checks at synth.
import { App, Chart } from 'cdk8s';
import {
  AccessMode, Accelerator, GpuModel, GpuNodeSetup, GpuNodeSoftware, GpuSharing, GpuTrainingJob, MigStrategy, ModelServer, ModelSource,
  ServingRuntime, VolumeClaim,
} from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'gpu-operator');
  new GpuNodeSetup(chart, 'gpus', {
    software: GpuNodeSoftware.gpuOperator({
      // kubectl label node n1 nvidia.com/mig.config=inference-mix: the MIG manager partitions its H100s so.
      migLayouts: {
        'inference-mix': { '3g.40gb': 1, '2g.20gb': 1, '1g.10gb': 2 },
        'all-1g': { '1g.10gb': 7 },
      },
    }),
    // One MIG strategy for the cluster (the ClusterPolicy has one): each MIG profile is its own resource.
    migStrategy: MigStrategy.MIXED,
    nodeConfigs: {
      // kubectl label node n2 nvidia.com/device-plugin.config=shared: 4 time-sliced shares of each whole GPU.
      shared: { sharing: GpuSharing.timeSlicing({ replicas: 4 }), migStrategy: MigStrategy.MIXED },
    },
    gpuModels: [GpuModel.H100_80GB],
    // The operator's DCGM exporter and ServiceMonitor, scraped from the platform's Prometheus, with the GPU alerts.
    metrics: { scraperNamespace: 'mlops-monitoring' },
  });

  const tenants = new Chart(app, 'gpu-operator-tenants', { namespace: 'gpu-tenants' });
  new ModelServer(tenants, 'small-model', {
    runtime: ServingRuntime.triton(),
    model: ModelSource.claim(VolumeClaim.fromClaimName('small-models', { accessModes: [AccessMode.READ_ONLY_MANY] })),
    accelerator: Accelerator.sharedGpu(),                     // a time-sliced share, on the `shared` nodes
    replicas: 2,
    cpu: 1,
    memory: '4Gi',
  });
  new GpuTrainingJob(tenants, 'mig-finetune', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/finetune.py'],
    accelerator: Accelerator.mig('3g.40gb'),                  // the big slice of an inference-mix node's H100
  });
  new GpuTrainingJob(tenants, 'full-train', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(2),                    // whole H100s where MIG is off
  });
}
