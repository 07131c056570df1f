// The GPU software of the nodes (seed 002's device plugin DaemonSet, its time-slicing config and the MPS ConfigMap):
// the NVIDIA device plugin with GPU Feature Discovery in a privileged namespace of its own, time-slicing on every
// GPU node, MPS on nodes labelled nvidia.com/device-plugin.config=mps and MIG devices on nodes labelled
// nvidia.com/device-plugin.config=mig-mixed. The workloads of the other examples request what it advertises:
// `nvidia.com/gpu.shared` (seeds-gpu-sharing) and `nvidia.com/mig-1g.5gb` (training).
import { App, Chart } from 'cdk8s';
import { GpuModel, GpuNodeSetup, GpuSharing, MigStrategy } from '../lib';

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
  });
}
