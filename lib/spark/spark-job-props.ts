import { Duration } from 'cdk8s';
import { Accelerator } from '../core/accelerator';
import { ScheduleOptions, Schedule } from '../core/job';
import { PodSecurityOptions } from '../core/pod';
import { SchedulingOptions } from '../core/scheduling';
import { SecretValue } from '../core/secrets';
import { QuantityInput } from '../core/validation';
import { VolumeMount } from '../core/volumes';
import { ITeam } from '../core/workload';
import { SparkProgram } from './program';

/** The driver pod of a {@link SparkJob}. */
export interface SparkDriverOptions {
  /**
   * CPU cores of the driver (`spark.driver.cores`, a whole number).
   * @default 1
   */
  readonly cores?: number;
  /**
   * CPU limit of the driver pod.
   * @default - the cores
   */
  readonly cpuLimit?: QuantityInput;
  /**
   * JVM heap of the driver (`spark.driver.memory`). The pod requests and is limited to this plus `memoryOverhead`.
   * @default '1Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * Memory outside the heap (`spark.driver.memoryOverhead`): JVM overhead, and the Python or R workers beside it.
   * @default - as Spark computes it: 10% of `memory` (40% for Python and R), at least 384Mi
   */
  readonly memoryOverhead?: QuantityInput;
}

/** The executor pods of a {@link SparkJob}. */
export interface SparkExecutorOptions {
  /**
   * Executors to run (`spark.executor.instances`). Not with `dynamicAllocation`, which sets the count.
   * @default 2
   */
  readonly instances?: number;
  /**
   * CPU cores per executor (`spark.executor.cores`, a whole number): the tasks an executor runs at once.
   * @default 1
   */
  readonly cores?: number;
  /**
   * CPU limit per executor pod.
   * @default - the cores
   */
  readonly cpuLimit?: QuantityInput;
  /**
   * JVM heap per executor (`spark.executor.memory`). The pod requests and is limited to this plus `memoryOverhead`.
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * Memory outside the heap per executor (`spark.executor.memoryOverhead`).
   * @default - as Spark computes it: 10% of `memory` (40% for Python and R), at least 384Mi
   */
  readonly memoryOverhead?: QuantityInput;
  /**
   * A GPU per executor for the RAPIDS Accelerator: only `Accelerator.nvidiaGpu(1)` (RAPIDS uses one GPU per executor;
   * product and memory options allowed). Spark schedules the GPU (`spark.executor.resource.gpu.*`, one GPU shared
   * by the executor's tasks) and the pods tolerate the GPU taint.
   * @default - CPU executors
   */
  readonly accelerator?: Accelerator;
  /**
   * Turn on the RAPIDS Accelerator for GPU executors (`spark.plugins=com.nvidia.spark.SQLPlugin`). The image must
   * contain the RAPIDS jar (NVIDIA's Spark RAPIDS images do), or add it with `dependencies.jars`/`packages`.
   * @default true when `accelerator` is set
   */
  readonly rapids?: boolean;
  /**
   * The GPU discovery script inside the image (`spark.executor.resource.gpu.discoveryScript`).
   * @default '/opt/spark/examples/src/main/scripts/getGpusResources.sh' (shipped with the Apache Spark images)
   */
  readonly gpuDiscoveryScript?: string;
  /**
   * Scheduling of the executors alone (e.g. spot capacity while the driver stays on demand). Replaces the job's
   * `scheduling` for the executors.
   * @default - the job's `scheduling`
   */
  readonly scheduling?: SchedulingOptions;
}

/**
 * Dynamic allocation: Spark adds executors while tasks wait and removes idle ones. On Kubernetes there is no
 * external shuffle service, so shuffle tracking is turned on: executors that hold shuffle data are kept.
 */
export interface SparkDynamicAllocation {
  /**
   * Fewest executors.
   * @default 0
   */
  readonly minExecutors?: number;
  /** Most executors. */
  readonly maxExecutors: number;
  /**
   * Executors at the start.
   * @default - minExecutors
   */
  readonly initialExecutors?: number;
  /**
   * How long an executor holding shuffle data for active jobs is kept.
   * @default - until the shuffle data is no longer needed (Spark's default)
   */
  readonly shuffleTrackingTimeout?: Duration;
}

/** Code and files the application needs beyond its image, downloaded by `spark-submit` in the driver pod. */
export interface SparkDependencies {
  /**
   * Jars on the driver and executor class paths (`--jars`).
   * @default - none
   */
  readonly jars?: string[];
  /**
   * Python files (`.py`, `.zip`, `.egg`) on the PYTHONPATH (`--py-files`).
   * @default - none
   */
  readonly pyFiles?: string[];
  /**
   * Files placed in the working directory of every executor (`--files`).
   * @default - none
   */
  readonly files?: string[];
  /**
   * Archives unpacked in the working directory of every executor (`--archives`).
   * @default - none
   */
  readonly archives?: string[];
  /**
   * Maven coordinates `group:artifact:version` resolved with Ivy by the driver (`--packages`); the driver then
   * needs HTTPS egress to the repositories.
   * @default - none
   */
  readonly packages?: string[];
  /**
   * `group:artifact` coordinates left out when resolving `packages`.
   * @default - none
   */
  readonly excludePackages?: string[];
  /**
   * Extra Maven repositories (`https://` URLs) for `packages`.
   * @default - Maven Central
   */
  readonly repositories?: string[];
}

/** Addresses outside the cluster the Spark pods may reach (object storage, a database). */
export interface SparkEgress {
  /** The address range, e.g. `10.20.0.0/16`, or `0.0.0.0/0` for any address. */
  readonly cidr: string;
  /** The TCP ports. */
  readonly ports: number[];
}

/** Props of {@link SparkJob}. */
export interface SparkJobProps {
  /**
   * The SparkApplication's name: a DNS-1035 label of at most 56 characters (36 with a `schedule`: the operator
   * appends a 20-character run suffix, and the driver pod `-driver`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of every object.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that owns the job: its namespace and its batch queue are used unless given here.
   * @default - no team
   */
  readonly team?: ITeam;
  /** The Spark image of the driver and executors, pinned by tag or digest (e.g. `apache/spark:3.5.5-python3`). */
  readonly image: string;
  /** What runs: `SparkProgram.python(...)`, `SparkProgram.scala(...)`, `SparkProgram.java(...)` or `SparkProgram.r(...)`. */
  readonly program: SparkProgram;
  /**
   * The Spark version of the image (3.0.0 or later: the pods are built from pod templates).
   * @default - read from the image tag (`3.5.5` of `apache/spark:3.5.5-python3`)
   */
  readonly sparkVersion?: string;
  /**
   * Arguments of the application.
   * @default - none
   */
  readonly arguments?: string[];
  /**
   * The driver pod.
   * @default - 1 core, 1Gi heap
   */
  readonly driver?: SparkDriverOptions;
  /**
   * The executor pods.
   * @default - 2 executors of 1 core and 2Gi heap
   */
  readonly executor?: SparkExecutorOptions;
  /**
   * Scale the executors with the work instead of a fixed `executor.instances`. Not with a Kueue queue (Kueue admits
   * a SparkApplication with a fixed size only).
   * @default - a fixed number of executors
   */
  readonly dynamicAllocation?: SparkDynamicAllocation;
  /**
   * Jars, Python files, files, archives and Maven packages to download.
   * @default - none: everything is in the image
   */
  readonly dependencies?: SparkDependencies;
  /**
   * Spark configuration (`--conf key=value`). Keys the construct sets from props (ports, memory, cores, executors,
   * dynamic allocation, GPUs, images, service accounts, pod templates) and credential-like keys are refused.
   * @default - none
   */
  readonly sparkConf?: Record<string, string>;
  /**
   * Plain environment variables of the driver and executors (credential-like names are refused: use `secretEnv`).
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables of the driver and executors read from Secrets (object-store keys).
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretValue>;
  /**
   * Claims mounted in the driver and every executor (read-only unless `readOnly: false`).
   * @default - none
   */
  readonly mounts?: VolumeMount[];
  /**
   * Addresses outside the cluster the driver and executors may reach. Remote dependencies open HTTPS (443) on
   * their own; in-cluster services are reached through their `connect()`.
   * @default - none
   */
  readonly egress?: SparkEgress[];
  /**
   * Times a failed run is started again by the operator (`restartPolicy: OnFailure`); 0 never restarts it.
   * @default 0
   */
  readonly retries?: number;
  /**
   * The wait before a failed run is started again.
   * @default Duration.seconds(30)
   */
  readonly retryInterval?: Duration;
  /**
   * How long a finished SparkApplication (with its driver pod and logs) is kept before the operator deletes it.
   * Not with a `schedule`, whose history limits keep past runs.
   * @default Duration.days(1)
   */
  readonly timeToLive?: Duration;
  /**
   * Run on a schedule: a ScheduledSparkApplication instead of a SparkApplication.
   * @default - one run, when applied
   */
  readonly schedule?: Schedule;
  /**
   * Time zone, concurrency and history of the schedule. `startingDeadline` is refused: the operator has none.
   * @default - UTC, ConcurrencyPolicy.FORBID, 3 successful and 3 failed runs kept
   */
  readonly scheduleOptions?: ScheduleOptions;
  /**
   * Where and how the driver and executors are scheduled (spot, node labels, tolerations, priority), and the queue:
   * a Kueue queue labels the SparkApplication (Kueue's SparkApplication integration), a Volcano queue sets the
   * operator's batch scheduler.
   * @default - on-demand nodes, the team's queue if any
   */
  readonly scheduling?: SchedulingOptions;
  /**
   * An existing ServiceAccount for the driver, which must be allowed what the driver does (create, watch and delete
   * executor pods, their ConfigMap and Services). When set, the construct creates no ServiceAccount and no Role.
   * @default - a ServiceAccount `<name>-spark` and a Role with exactly the driver's needs
   */
  readonly serviceAccountName?: string;
  /**
   * The user and group the driver and executors run as.
   * @default - user 185, group 185 (the `spark` user of the Apache Spark images)
   */
  readonly security?: PodSecurityOptions;
  /**
   * Extra labels on every object and pod.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}
