// The seeds' GPU placement scenarios done with the library: a GPU pod, node/pod affinity, a taint and its toleration,
// a label selector, and a time-sliced (or MPS) shared GPU. MIG, TPU, spot and elastic runs are in training.ts.
import { App, Chart } from 'cdk8s';
import { AccessMode, Accelerator, GpuCheckJob, GpuTrainingJob, ModelServer, ModelSource, ServingRuntime, Toleration, VolumeClaim } from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'seeds-gpu-scheduling', { namespace: 'mlops-training' });

  // "Example Pod with GPU request": a bare Pod running `sleep infinity` holds a GPU forever. A GpuCheckJob runs
  // nvidia-smi once and ends: no retry, a 10-minute deadline, deleted an hour after it finished, small requests, the
  // GPU taint tolerated, the restricted profile and a NetworkPolicy with no path in or out (`kubectl logs job/gpu-pod`).
  new GpuCheckJob(chart, 'gpu-pod', { accelerator: Accelerator.nvidiaGpu(1) });

  // "Node/Pod Affinity": the seed required a node label `nvidia.com/gpu` (a resource name that GPU Feature
  // Discovery does not set as a label) and requested no GPU at all. Here the GPU is requested, the GPU model is
  // selected by its GFD label, and runs labelled training-job=gpu-intensive keep away from each other's nodes.
  new GpuTrainingJob(chart, 'gpu-training-affinity', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-40GB' }),
    labels: { 'training-job': 'gpu-intensive' },
    scheduling: { avoidNodesRunning: { 'training-job': 'gpu-intensive' } },
  });

  // "Taint and Toleration" (`kubectl taint nodes gpu-node dedicated=gpu:NoSchedule`): a toleration only allows the
  // pod onto the tainted nodes; the node selector is what sends it there.
  new GpuTrainingJob(chart, 'gpu-training-dedicated', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    scheduling: { tolerations: [Toleration.equal('dedicated', 'gpu')], nodeSelector: { dedicated: 'gpu' } },
  });

  // "Labels and Selectors" (`nodeSelector: has_GPU: true`): label values are strings; the seed's unquoted `true` is
  // a YAML boolean the API server rejects. The library types node selectors as strings.
  new GpuTrainingJob(chart, 'gpu-node-selector', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    scheduling: { nodeSelector: { has_GPU: 'true' } },
  });

  // "Fractional GPU Allocation with Time-Slicing" and the MPS ConfigMap: sharing is configured in the NVIDIA device
  // plugin (its `sharing.timeSlicing` or `sharing.mps` config with `renameByDefault`), not by an env var such as the
  // seed's NVIDIA_MPS_ENABLE_TIMESLICING; workloads then request one `nvidia.com/gpu.shared`. A small model server
  // is the typical tenant of a shared GPU.
  const serving = new Chart(app, 'seeds-gpu-sharing', { namespace: 'ml-serving' });
  new ModelServer(serving, 'small-model', {
    runtime: ServingRuntime.triton(),
    model: ModelSource.claim(VolumeClaim.fromClaimName('small-models', { accessModes: [AccessMode.READ_ONLY_MANY] })),
    accelerator: Accelerator.sharedGpu(),
    replicas: 2,
    cpu: 1,
    memory: '4Gi',
  });
}
