import { Duration } from 'cdk8s';
import { Accelerator } from '../core/accelerator';
import { ConfigEnv, FileMount } from '../core/config-files';
import { PodSecurityOptions } from '../core/pod';
import { SchedulingOptions } from '../core/scheduling';
import { SecretValue } from '../core/secrets';
import { QuantityInput } from '../core/validation';
import { VolumeMount } from '../core/volumes';
import { ITeam } from '../core/workload';
import { WorkerHealthCheck } from './health-check';
import { WorkerQueue } from './queue';
import { QueueScalingOptions } from './scaling';

/** Props of {@link QueueWorker}. */
export interface QueueWorkerProps {
  /**
   * The name of the Deployment and of the worker's other objects: a DNS-1123 label.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of every object.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that owns the worker: its namespace and pipeline service account are used unless given here.
   * @default - no team
   */
  readonly team?: ITeam;
  /** The worker's image, pinned by tag (not `latest`) or digest. */
  readonly image: string;
  /**
   * The command (entrypoint).
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's cmd
   */
  readonly args?: string[];
  /**
   * The working directory.
   * @default - the image's
   */
  readonly workingDir?: string;
  /**
   * The accelerator of each replica.
   * @default - none (a CPU worker)
   */
  readonly accelerator?: Accelerator;
  /**
   * CPU cores requested per replica.
   * @default 1
   */
  readonly cpu?: QuantityInput;
  /**
   * CPU limit per replica.
   * @default - the CPU request
   */
  readonly cpuLimit?: QuantityInput;
  /**
   * Memory requested per replica.
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * Memory limit per replica.
   * @default - the memory request
   */
  readonly memoryLimit?: QuantityInput;
  /**
   * Size of a memory-backed `/dev/shm` (PyTorch DataLoader workers use it); counts against the memory limit.
   * @default - none
   */
  readonly sharedMemory?: QuantityInput;
  /**
   * Plain environment variables (credential-like names are refused: use `secretEnv`).
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables read from Secrets (the queue's password the worker connects with).
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretValue>;
  /**
   * Claims to mount: models, media. Read-only unless `readOnly: false`.
   * @default - none
   */
  readonly mounts?: VolumeMount[];
  /**
   * Files from ConfigMaps and Secrets that exist in the namespace, each mounted read-only as a directory (never with
   * `subPath`, so the files follow updates): `{ source: ConfigFiles.fromConfigMap('detector-config'), path: '/etc/detector' }`.
   * @default - none
   */
  readonly files?: FileMount[];
  /**
   * ConfigMaps and Secrets whose keys all become environment variables (`envFrom`), with an optional prefix.
   * @default - none
   */
  readonly envFrom?: ConfigEnv[];
  /**
   * The queue the worker consumes: opened in its NetworkPolicy, and what `autoscaling` scales on.
   * @default - none (a worker that pulls from a store reached through `connect()`)
   */
  readonly queue?: WorkerQueue;
  /**
   * A fixed replica count.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Scale on the queue's depth with a KEDA ScaledObject, down to zero by default. Needs `queue`.
   * @default - a fixed replica count
   */
  readonly autoscaling?: QueueScalingOptions;
  /**
   * How the kubelet tells that the worker is alive (its liveness and readiness probes; the startup probe gives
   * it `startupTimeout` for the first success).
   * @default WorkerHealthCheck.heartbeatFile(): the worker touches `$HEARTBEAT_FILE` at least every 2 minutes
   */
  readonly healthCheck?: WorkerHealthCheck;
  /**
   * Seconds between health checks.
   * @default Duration.seconds(10)
   */
  readonly probePeriod?: Duration;
  /**
   * How long a worker may take to pass its first health check (loading a model).
   * @default Duration.minutes(5)
   */
  readonly startupTimeout?: Duration;
  /**
   * How long a stopping worker may finish its in-flight message after SIGTERM (and `preStop`) before it is killed.
   * @default Duration.minutes(1)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * A command run before SIGTERM (stop taking new messages); its time counts against `terminationGracePeriod`.
   * @default - none: the worker handles SIGTERM itself
   */
  readonly preStop?: string[];
  /**
   * Extra replicas a rolling update may start above the desired count (each needs its accelerator free).
   * @default 1
   */
  readonly maxSurge?: number;
  /**
   * Require replicas on different nodes, else only preferred.
   * @default false
   */
  readonly requireSpreadAcrossNodes?: boolean;
  /**
   * Where and how the pods are scheduled: spot capacity, node labels, tolerations, priority.
   * @default - on-demand nodes that have the accelerator
   */
  readonly scheduling?: SchedulingOptions;
  /**
   * The ServiceAccount the pods run as.
   * @default - the team's pipeline service account, else the namespace's default, without a token
   */
  readonly serviceAccountName?: string;
  /**
   * Mount a service-account token (only for code that calls the Kubernetes API).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The user and group the containers run as.
   * @default - user 1000, group 1000
   */
  readonly security?: PodSecurityOptions;
  /**
   * Extra labels on every object and pod.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}
