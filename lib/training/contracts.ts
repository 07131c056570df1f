// The contracts between DistributedTraining, its frameworks (frameworks/) and its backends (backends/): a framework
// says what the run's roles are and what runs in their pods; a backend says how pods find each other and renders
// the objects that run them. DistributedTraining resolves the props into a RunLayout and composes the two.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { JobRunOptions } from '../core/job';
import { PodNetworkPolicyProps } from '../core/network';
import { ContainerSpec } from '../core/pod';
import { Queue } from '../core/scheduling';
import { Role, RolePod } from './roles';
import { TrainingRun } from './run';

/** What the Kubeflow operator does with the pods still running when a run ends. */
export enum CleanPodPolicy {
  /** Delete the pods still running (parameter servers, idle workers): frees their nodes. */
  RUNNING = 'Running',
  /** Delete every pod, logs included. */
  ALL = 'All',
  /** Keep every pod. */
  NONE = 'None',
}

/** The props of a run that its backend reads: how it retries, ends and is cleaned up. */
export interface RunOptions extends JobRunOptions {
  readonly cleanPodPolicy?: CleanPodPolicy;
}

/** The metadata of one of the run's objects. */
export interface RunMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
}

/** What DistributedTraining resolved from the props, that the framework and the backend render from. */
export interface RunLayout {
  /** The run's name. */
  readonly name: string;
  readonly roles: readonly Role[];
  /** The role whose pod of index 0 is rank 0: the first role. */
  readonly rank0: Role;
  /** True when the Kubeflow operator runs the pods: it sets their rendezvous environment itself. */
  readonly operator: boolean;
  /** Processes (PyTorch) or MPI slots per accelerated pod. */
  readonly processes: number;
  /** The name of the trainer container. */
  readonly containerName: string;
  /** The field path where a pod finds its index within its role. */
  readonly indexField: string;
  /** The DNS name of pod `index` of `role`. */
  hostOf(role: Role, index: number): string;
}

/** The run policy of every Kubeflow job kind (`kubeflow.org/v1` RunPolicy). */
export interface KubeflowRunPolicy {
  readonly backoffLimit: number;
  readonly activeDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished: number;
  readonly suspend?: boolean;
  readonly cleanPodPolicy: CleanPodPolicy;
  readonly schedulingPolicy?: { readonly minAvailable: number; readonly queue?: string; readonly priorityClass?: string };
}

/** What a framework's Kubeflow job kind is made from. */
export interface KubeflowJobInput {
  readonly metadata: RunMetadata;
  readonly runPolicy: KubeflowRunPolicy;
  /**
   * The replica specs by Kubeflow replica type. The generated CRD types are structurally the Kubernetes pod
   * template, but not the same types, hence `any`.
   */
  readonly replicaSpecs: Record<string, any>;
  /** Processes or slots per accelerated pod. */
  readonly processes: number;
}

/** What a framework decides about a run. One implementation per framework, in frameworks/. */
export interface TrainingFramework {
  /** The factory call, for messages: `Framework.mpi()`. */
  readonly factory: string;
  /** The name the Kubeflow operator requires for the trainer container (`pytorch`, `tensorflow`, `mpi`). */
  readonly kubeflowContainerName: string;
  /** The launcher (`torchrun`, `mpirun`) that starts the user's command in every process, which is then required. */
  readonly launcher?: string;
  /** Why only the Kubeflow operator can run this framework, when that is so. */
  readonly needsOperator?: string;
  /** The port of rank 0's rendezvous; undefined when pods do not find rank 0 themselves. */
  readonly port?: number;
  /** The run's roles, rank 0's first, from the `nodes` prop (undefined when not given). */
  roles(v: IValidator, nodes: number | undefined, operator: boolean): Role[];
  /** Refuses roles that do not fill whole multi-host TPU slices of `hosts` nodes (`why` ends the message). */
  checkSlices(v: IValidator, roles: readonly Role[], hosts: number, why: string): void;
  /** Processes (or MPI slots) per accelerated pod of `devices` devices, `perDevice` by default. */
  processesPerPod(v: IValidator, devices: number, perDevice: number): number;
  /** Whether the pods of `role` wait until rank 0 accepts connections (rank 0 itself never waits). */
  waitsForRank0(role: Role, layout: RunLayout): boolean;
  /** The trainer container of the pods of `role`. */
  container(run: TrainingRun, layout: RunLayout, role: Role, command: string[]): ContainerSpec;
  /** The framework's Kubeflow job (`PyTorchJob`, `TFJob`, `MPIJob`), with id `id` in `scope`. */
  kubeflowJob(scope: Construct, id: string, input: KubeflowJobInput): ApiObject;
  /** Adds the NetworkPolicies the framework needs besides the run's own (which `run` describes). */
  addNetworkPolicies?(scope: Construct, run: PodNetworkPolicyProps): void;
}

/** What a backend renders a run from. */
export interface BackendInput {
  readonly v: IValidator;
  readonly options: RunOptions;
  readonly framework: TrainingFramework;
  readonly layout: RunLayout;
  /** The pod of each role, in the order of the roles. */
  readonly pods: readonly RolePod[];
  /** The metadata of the run's primary object: the run's labels and the queue's. */
  readonly metadata: RunMetadata;
  /** The run's labels without the queue's. */
  readonly labels: Record<string, string>;
  readonly podSelector: Record<string, string>;
  readonly queue?: Queue;
  readonly priorityClassName?: string;
  readonly totalPods: number;
}

/** What runs the pods of a run. One implementation per backend, in backends/. */
export interface TrainingBackend {
  /** The backend's name, for messages: `Backend.KUBEFLOW`. */
  readonly name: string;
  /** True when the Kubeflow operator runs the pods (it sets their rendezvous environment and gives each a Service). */
  readonly operator: boolean;
  /** The field path where a pod finds its index within its role. */
  readonly indexField: string;
  /** True when the pods are on the run's headless Service as their subdomain (set on the pod, not by a controller). */
  readonly podsOnSubdomain: boolean;
  /** True when a Volcano queue needs a PodGroup made by the run (the Kubeflow operator makes its own). */
  readonly needsPodGroup: boolean;
  /** Refuses props this backend cannot honour. */
  validateOptions(v: IValidator, options: RunOptions): void;
  /** Refuses a queue that cannot admit the run's roles as one workload. */
  validateQueue(v: IValidator, queue: Queue | undefined, roles: readonly Role[]): void;
  /** The name of the trainer container. */
  containerName(framework: TrainingFramework): string;
  /** The host name of pod `index` of `role`, relative to the run's namespace. */
  hostName(runName: string, role: Role, index: number, roles: readonly Role[]): string;
  /** The Service through which the pods find rank 0. */
  serviceName(runName: string, roles: readonly Role[]): string;
  /** Renders the objects that run the pods into `scope`; returns the primary one, whose id is `Resource`. */
  render(scope: Construct, input: BackendInput): ApiObject;
}

/** For the backends without the Kubeflow operator: `cleanPodPolicy` is the operator's. */
export function refuseCleanPodPolicy(v: IValidator, options: RunOptions): void {
  if (options.cleanPodPolicy !== undefined) {
    v.fail('cleanPodPolicy', 'applies only to Backend.KUBEFLOW (the other backends delete a finished run\'s pods with ttlAfterFinished)', options.cleanPodPolicy);
  }
}
