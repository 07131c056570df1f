import { propNames, rejectUnknownProps } from '../core/props';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  ConcurrencyPolicy, cronJobFields, IWorkload, jobRunSpec, PodBuilder, PodNetworkPolicy, Schedule, ScheduleOptions, SecretValue, Validator,
} from '../core';
import { childObject } from '../core/handles';
import { validateDnsLabel } from '../core/validation';
import { TrainingRun, TrainingRunProps } from './run';
import { registerConstruct } from '../core/platform';

/** Props of {@link GpuTrainingJob}. */
export interface GpuTrainingJobProps extends TrainingRunProps {
  /**
   * The Job's name (and the prefix of its other objects). A DNS-1123 label of at most 52 characters when
   * scheduled (CronJob names get a timestamp suffix), 63 otherwise.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Run on this schedule as a CronJob instead of once as a Job (nightly retraining).
   * @default - a one-off Job
   */
  readonly schedule?: Schedule;
  /**
   * The container's name, for what the run really is (`dvc`, `preprocess`): `kubectl logs`, metrics and alerts show it.
   * @default 'trainer'
   */
  readonly containerName?: string;
  /**
   * The `app.kubernetes.io/component` label of the run's objects and pod (and of the pod selector), for what the run
   * really is (`data`, `evaluation`).
   * @default 'training'
   */
  readonly component?: string;
  /**
   * How the CronJob recurs; only with `schedule`.
   * @default - UTC, Forbid overlapping runs, 1 hour starting deadline, keep 3 successful and 3 failed runs
   */
  readonly scheduleOptions?: ScheduleOptions;
}


/** Every prop of GpuTrainingJobProps, for refusing unknown ones (the compiler checks the list against the interface). */
const GPU_TRAINING_JOB_PROPS = propNames<GpuTrainingJobProps>()({
  name: true, schedule: true, scheduleOptions: true, containerName: true, component: true, namespace: true, team: true, image: true, command: true,
  args: true, workingDir: true, accelerator: true, cpu: true, cpuLimit: true, memory: true, memoryLimit: true, sharedMemory: true, env: true,
  secretEnv: true, hyperparameters: true, hyperparametersConfigMapName: true, files: true, envFrom: true, scheduling: true, serviceAccountName: true,
  automountServiceAccountToken: true, security: true, labels: true, backoffLimit: true, activeDeadline: true,
  ttlAfterFinished: true, retryOnDisruption: true, failFastExitCodes: true, suspend: true, dataset: true,
  modelOutput: true, checkpoints: true, mounts: true,
});
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

  /** The Job (child id `Resource`); undefined with a `schedule` (see `cronJob`). */
  public get job(): k8s.KubeJob | undefined {
    return childObject(this, ['Resource'], k8s.KubeJob);
  }

  /** The CronJob (child id `Resource`) of a run with a `schedule`. */
  public get cronJob(): k8s.KubeCronJob | undefined {
    return childObject(this, ['Resource'], k8s.KubeCronJob);
  }

  /** The hyperparameters ConfigMap (child id `Hyperparameters`), if `hyperparameters` is set. */
  public get hyperparametersConfigMap(): k8s.KubeConfigMap | undefined {
    return childObject(this, ['Hyperparameters'], k8s.KubeConfigMap);
  }

  public constructor(scope: Construct, id: string, props: GpuTrainingJobProps) {
    super(scope, id);
    registerConstruct(this, 'GpuTrainingJob');
    const v = Validator.forConstruct('GpuTrainingJob', id);
    rejectUnknownProps(v, props, GPU_TRAINING_JOB_PROPS);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least an image', props);
    this.kind = props.schedule === undefined ? 'Job' : 'CronJob';
    if (props.scheduleOptions !== undefined && props.schedule === undefined) {
      v.fail('scheduleOptions', 'can only be given with a schedule', props.scheduleOptions);
    }
    this.workloadName = validateDnsLabel(v, 'name', props.name ?? id, this.kind === 'CronJob' ? 52 : 63);
    // Scheduled runs allowed to overlap may run on two nodes at once.
    const overlapping = props.schedule !== undefined && props.scheduleOptions?.concurrencyPolicy === ConcurrencyPolicy.ALLOW;
    const containerName = validateDnsLabel(v, 'containerName', props.containerName ?? 'trainer');
    const component = props.component === undefined ? undefined : validateDnsLabel(v, 'component', props.component);
    const run = TrainingRun.prepare(this, v, props, {
      name: this.workloadName,
      component,
      podsMaySpanNodes: overlapping,
      spanReason: 'ConcurrencyPolicy.ALLOW lets two scheduled runs overlap on different nodes',
      checkAccelerator: (accelerator) => {
        if (accelerator.hostsInSlice !== 1) {
          v.fail('accelerator', `must fit on one node; this TPU slice spans ${accelerator.hostsInSlice} nodes: use DistributedTraining`, accelerator.description);
        }
      },
    });
    const placement = run.placement;
    this.namespace = placement.namespace;
    const labels = run.labels;
    this.podSelector = run.podSelector;
    this.hyperparametersConfigMapName = run.hyperparametersConfigMapName;

    this.pod = run.pod();
    const container = run.container({ name: containerName });
    this.pod.addContainer(container);

    const jobSpec = jobRunSpec(v, props, container.name, { completions: 1, parallelism: 1, template: this.pod.template() });
    // Kueue admits the Job by its own queue label (a suspended Job it then resumes).
    const queueLabels = placement.scheduling?.queue?.labels;
    const jobLabels = queueLabels === undefined ? labels : { ...labels, ...queueLabels };
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

  /** Adds a label to the training pod (used by wiring such as `ModelServer.connect` to a server in the mesh). */
  public addPodLabel(key: string, value: string): void {
    this.pod.addLabel(key, value);
  }
}
