import { IndexedJobsBackend } from './backends/indexed-jobs';
import { JobSetBackend } from './backends/jobset';
import { KubeflowBackend } from './backends/kubeflow';
import { TrainingBackend } from './contracts';

/** What runs the pods of a distributed run. */
export class Backend {
  /**
   * Plain Kubernetes, no operator: an Indexed Job per role (`completions = parallelism`), a headless Service with
   * `publishNotReadyAddresses`, pods on its subdomain. PyTorch and TensorFlow.
   */
  public static readonly KUBERNETES = new Backend(new IndexedJobsBackend());
  /** The Kubeflow training operator v1: `PyTorchJob`, `TFJob` or `MPIJob` (`kubeflow.org/v1`). */
  public static readonly KUBEFLOW = new Backend(new KubeflowBackend());
  /** JobSet (`jobset.x-k8s.io/v1alpha2`): one replicated Job per role, restarted as a group. PyTorch and TensorFlow. */
  public static readonly JOBSET = new Backend(new JobSetBackend());

  /** The backend's name, for messages. */
  public readonly name: string;

  private constructor(
    /** @internal What the backend renders: its implementation in backends/. */
    public readonly _impl: TrainingBackend,
  ) {
    this.name = _impl.name;
  }

  /** The backend's name. */
  public toString(): string {
    return this.name;
  }
}
