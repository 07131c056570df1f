import { MpiFramework, MpiOptions } from './frameworks/mpi';
import { PyTorchFramework, PyTorchOptions } from './frameworks/pytorch';
import { TensorFlowFramework, TensorFlowOptions } from './frameworks/tensorflow';
import { TrainingFramework } from './contracts';

/** The kind of a {@link Framework}. */
export enum FrameworkKind {
  PYTORCH = 'pytorch',
  TENSORFLOW = 'tensorflow',
  MPI = 'mpi',
}

/** The distributed training framework, which decides the roles, the rendezvous and each pod's environment. */
export class Framework {
  /** PyTorch with torchrun: fixed nodes with a static rendezvous on rank 0, or elastic with c10d. */
  public static pytorch(options: PyTorchOptions = {}): Framework {
    return new Framework(FrameworkKind.PYTORCH, new PyTorchFramework(options));
  }

  /** TensorFlow with chief, workers, parameter servers and evaluator, each pod given its `TF_CONFIG`. */
  public static tensorflow(options: TensorFlowOptions): Framework {
    return new Framework(FrameworkKind.TENSORFLOW, new TensorFlowFramework(options));
  }

  /** MPI (Horovod and friends): a launcher that runs `mpirun` over the workers' slots. */
  public static mpi(options: MpiOptions = {}): Framework {
    return new Framework(FrameworkKind.MPI, new MpiFramework(options));
  }

  private constructor(
    /** Which framework. */
    public readonly kind: FrameworkKind,
    /** @internal What the framework decides about a run: its implementation in frameworks/. */
    public readonly _impl: TrainingFramework,
  ) {}
}
