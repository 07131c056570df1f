import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Accelerator, ContainerSpec, cronJobFields, ITeam, IWorkload, jobRunFields, resolvePlacement, WorkloadRole, JobRunOptions, PodBuilder, PodNetworkPolicy,
  PodSecurityOptions, QuantityInput, Schedule, ScheduleOptions, SchedulingOptions, SecretValue, Validator,
} from './core';
import { componentLabels, imageTag, selectorLabels } from './core/labels';
import { hyperparameterConfigMap, Hyperparameters, TrainingMounts, trainingSharedMemory, resolveTrainingMounts } from './core/training';
import { checkMounts } from './core/volumes';
import { validateDnsLabel, validateImage } from './core/validation';

/** Props of {@link GpuTrainingJob}. */
export interface GpuTrainingJobProps extends JobRunOptions, TrainingMounts {
  /**
   * The Job's name (and the prefix of its other objects). A DNS-1123 label of at most 52 characters when
   * scheduled (CronJob names get a timestamp suffix), 63 otherwise.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of every object.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that owns the run: its namespace, training service account and queue are used unless given here.
   * @default - no team
   */
  readonly team?: ITeam;
  /** The training image, pinned by tag (not `latest`) or digest. */
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
   * The accelerator of the training pod.
   * @default Accelerator.nvidiaGpu(1)
   */
  readonly accelerator?: Accelerator;
  /**
   * CPU cores requested (and the limit).
   * @default 4
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory requested (and the limit).
   * @default '32Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * Size of the memory-backed `/dev/shm` (PyTorch DataLoader workers and NCCL use it; the 64 MiB a container gets
   * otherwise crashes them). It counts against the memory limit.
   * @default - a quarter of the memory, at most 16Gi
   */
  readonly sharedMemory?: QuantityInput;
  /**
   * Plain environment variables (credential-like names are refused: use `secretEnv`).
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables read from Secrets.
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretValue>;
  /**
   * Hyperparameters, rendered into a ConfigMap `<name>-hparams`: each key is an environment variable and a file
   * under `/etc/hyperparameters` (objects and arrays as JSON).
   * @default - none
   */
  readonly hyperparameters?: Hyperparameters;
  /**
   * Where and how the pod is scheduled: spot capacity, node labels, tolerations, priority, queue.
   * @default - on-demand nodes that have the accelerator
   */
  readonly scheduling?: SchedulingOptions;
  /**
   * The ServiceAccount the pod runs as.
   * @default - the team's training service account, else the namespace's default, without a token
   */
  readonly serviceAccountName?: string;
  /**
   * Mount a service-account token (only for code that calls the Kubernetes API).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The user and group the container runs as.
   * @default - user 1000, group 1000
   */
  readonly security?: PodSecurityOptions;
  /**
   * Run on this schedule as a CronJob instead of once as a Job (nightly retraining).
   * @default - a one-off Job
   */
  readonly schedule?: Schedule;
  /**
   * How the CronJob recurs; only with `schedule`.
   * @default - UTC, Forbid overlapping runs, 1 hour starting deadline, keep 3 successful and 3 failed runs
   */
  readonly scheduleOptions?: ScheduleOptions;
  /**
   * Extra labels on every object and pod.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A single-node training run: a `batch/v1` Job, or a CronJob when given a schedule. The pod requests its
 * accelerator with the matching tolerations and node selection, mounts datasets read-only and outputs writable,
 * gets a memory-backed `/dev/shm`, runs under Pod Security "restricted", and does not count preemptions against
 * its retries.
 *
 * @example
 * new GpuTrainingJob(chart, 'tf-mnist', {
 *   image: 'tensorflow/tensorflow:2.12.0-gpu',
 *   command: ['python', '/app/train.py', '--data_dir=/data', '--model_dir=/models'],
 *   accelerator: Accelerator.nvidiaGpu(1),
 *   dataset: { claim: storage.claim('mnist-data'), path: '/data' },
 *   modelOutput: { claim: storage.claim('models'), path: '/models' },
 * });
 */
export class GpuTrainingJob extends Construct implements IWorkload {
  /** The Job's (or CronJob's) name. */
  public readonly workloadName: string;
  /** The namespace, if set. */
  public readonly namespace?: string;
  /** Labels that select the training pod. */
  public readonly podSelector: Record<string, string>;
  /** `Job` or `CronJob`. */
  public readonly kind: 'Job' | 'CronJob';
  /** The ConfigMap holding the hyperparameters, if any. */
  public readonly hyperparametersConfigMapName?: string;
  /** The NetworkPolicy of the training pod: DNS only until wired. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The Job or CronJob. */
  public readonly resource: ApiObject;

  private readonly pod: PodBuilder;

  public constructor(scope: Construct, id: string, props: GpuTrainingJobProps) {
    super(scope, id);
    const v = Validator.forConstruct('GpuTrainingJob', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least an image', props);
    this.kind = props.schedule === undefined ? 'Job' : 'CronJob';
    if (props.scheduleOptions !== undefined && props.schedule === undefined) {
      v.fail('scheduleOptions', 'can only be given with a schedule', props.scheduleOptions);
    }
    this.workloadName = validateDnsLabel(v, 'name', props.name ?? id, this.kind === 'CronJob' ? 52 : 63);
    validateImage(v, 'image', props.image);
    const placement = resolvePlacement(v, this, props, WorkloadRole.TRAINING);
    this.namespace = placement.namespace;

    const accelerator = props.accelerator ?? Accelerator.nvidiaGpu(1);
    if (!(accelerator instanceof Accelerator)) v.fail('accelerator', 'must be made with an Accelerator factory such as Accelerator.nvidiaGpu(1)', accelerator);
    if (accelerator.hostsInSlice !== 1) {
      v.fail('accelerator', `must fit on one node; this TPU slice spans ${accelerator.hostsInSlice} nodes: use DistributedTraining`, accelerator.description);
    }

    const mounts = resolveTrainingMounts(v, props);
    checkMounts(v, mounts, { podsMaySpanNodes: false, namespace: this.namespace });
    if (placement.scheduling?.spot !== undefined && props.checkpoints === undefined) {
      v.fail('checkpoints', 'must be set for a spot run: a reclaimed spot node loses all progress that was not checkpointed to a volume', props.checkpoints);
    }

    const labels = { ...props.labels, ...componentLabels({ name: this.workloadName, instance: this.workloadName, component: 'training', version: imageTag(props.image) }) };
    this.podSelector = selectorLabels({ instance: this.workloadName, component: 'training' });

    const hparams = hyperparameterConfigMap(this, v, this.workloadName, this.namespace, labels, props.hyperparameters);
    this.hyperparametersConfigMapName = hparams?.name;

    const memory = props.memory ?? '32Gi';
    this.pod = new PodBuilder(v, {
      scheduling: placement.scheduling,
      serviceAccountName: placement.serviceAccountName,
      automountServiceAccountToken: props.automountServiceAccountToken,
      restartPolicy: 'Never', // backoffLimit does not cap restarts under OnFailure
      sharedMemory: trainingSharedMemory(v, memory, props.sharedMemory),
      security: props.security,
      labels: { ...labels, ...this.podSelector },
    });
    if (hparams) this.pod.addVolume(hparams.volume);
    const container: ContainerSpec = {
      name: 'trainer',
      image: props.image,
      command: props.command,
      args: props.args,
      workingDir: props.workingDir,
      env: {
        ...props.env,
        ...(props.checkpoints ? { CHECKPOINT_DIR: props.checkpoints.path } : {}),
      },
      secretEnv: props.secretEnv,
      envFromConfigMaps: hparams ? [hparams.name] : undefined,
      resources: { cpu: props.cpu ?? 4, memory },
      accelerator,
      mounts,
      volumeMounts: hparams ? [hparams.mount] : undefined,
    };
    this.pod.addContainer(container);

    const jobFields = jobRunFields(v, props, container.name);
    const jobSpec: k8s.JobSpec = {
      ...jobFields,
      completions: 1,
      parallelism: 1,
      template: this.pod.template(),
    };
    // Kueue admits the Job by its own queue label (a suspended Job it then resumes).
    const jobLabels = { ...labels, ...placement.scheduling?.queue?.labels };
    const metadata = { name: this.workloadName, namespace: this.namespace, labels: jobLabels };
    if (props.schedule === undefined) {
      this.resource = new k8s.KubeJob(this, 'Resource', { metadata, spec: jobSpec });
    } else {
      this.resource = new k8s.KubeCronJob(this, 'Resource', {
        metadata,
        spec: {
          ...cronJobFields(v, props.schedule, props.scheduleOptions),
          jobTemplate: { metadata: { labels: jobLabels }, spec: jobSpec },
        },
      });
    }

    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', {
      name: this.workloadName,
      namespace: this.namespace,
      podSelector: this.podSelector,
      labels,
    });
  }

  /** Adds an environment variable to the training container (used by wiring such as `MlflowPlatform.connect`). */
  public addEnv(name: string, value: string | SecretValue): void {
    this.pod.addEnv(name, value);
  }
}
