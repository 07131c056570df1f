import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator, AcceleratorVendor } from '../core/accelerator';
import { Validator } from '../core/errors';
import { childObject } from '../core/handles';
import { jobRunSpec } from '../core/job';
import { PodSecurityOptions } from '../core/pod';
import { registerConstruct } from '../core/platform';
import { propNames, rejectUnknownProps } from '../core/props';
import { SchedulingOptions } from '../core/scheduling';
import { QuantityInput, validateDnsLabel } from '../core/validation';
import { ITeam } from '../core/workload';
import { TrainingRun } from './run';

/**
 * The default image of {@link GpuCheckJob} on NVIDIA devices: the CUDA base image (no CUDA libraries), which asks the
 * NVIDIA container toolkit for the driver's utilities, `nvidia-smi` among them.
 */
export const GPU_CHECK_IMAGE = 'nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04';

/** Props of {@link GpuCheckJob}. */
export interface GpuCheckJobProps {
  /**
   * The Job's name (and its NetworkPolicy's).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that runs the check: its namespace, trainer ServiceAccount and queue (the check's devices count against
   * the team's quota like any run's).
   * @default - no team
   */
  readonly team?: ITeam;
  /**
   * The device to check: whole GPUs, a MIG slice, a shared GPU, AMD GPUs or TPU chips (not `Accelerator.none()`).
   * @default Accelerator.nvidiaGpu(1)
   */
  readonly accelerator?: Accelerator;
  /**
   * The image, pinned. Required for devices other than NVIDIA's.
   * @default GPU_CHECK_IMAGE, for NVIDIA devices
   */
  readonly image?: string;
  /**
   * The check (`['rocm-smi']` on AMD; `['nvidia-smi', '-q']` for the full report). It must end: the Job keeps
   * the device until it does, or until `activeDeadline`.
   * @default ['nvidia-smi'], for NVIDIA devices
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - none
   */
  readonly args?: string[];
  /**
   * CPU request and limit.
   * @default '100m'
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory request and limit.
   * @default '256Mi'
   */
  readonly memory?: QuantityInput;
  /**
   * Where the pod may run (a node to check: `nodeSelector: { 'kubernetes.io/hostname': 'gpu-node-7' }`, spot,
   * tolerations).
   * @default - any node with the accelerator
   */
  readonly scheduling?: SchedulingOptions;
  /**
   * Stop the check after this long (a pod that cannot start, a hung driver): the device is freed either way.
   * @default Duration.minutes(10)
   */
  readonly activeDeadline?: Duration;
  /**
   * Delete the finished Job and its pod (and its logs) after this long.
   * @default Duration.hours(1)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * The user and group the container runs as.
   * @default - user 1000, group 1000
   */
  readonly security?: PodSecurityOptions;
  /**
   * Extra labels on every object and the pod.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Every prop of GpuCheckJobProps, for refusing unknown ones (the compiler checks the list against the interface). */
const GPU_CHECK_JOB_PROPS = propNames<GpuCheckJobProps>()({
  name: true, namespace: true, team: true, accelerator: true, image: true, command: true, args: true, cpu: true,
  memory: true, scheduling: true, activeDeadline: true, ttlAfterFinished: true, security: true, labels: true,
});

/**
 * A one-off check of a node's accelerator (`nvidia-smi` by default) as a Job that ends, instead of a debug pod that
 * sleeps on a GPU forever: one pod, `backoffLimit: 0` (a failed check is the answer, not something to retry), a
 * deadline, cleaned up after an hour, Pod Security "restricted", small requests, no ServiceAccount token and a
 * NetworkPolicy that allows nothing in or out (not even DNS). Read the result with `kubectl logs job/<name>`.
 *
 * @example
 * new GpuCheckJob(chart, 'gpu-check', { team: vision, accelerator: Accelerator.mig('1g.10gb') });
 */
export class GpuCheckJob extends Construct {
  /** The Job's name. */
  public readonly jobName: string;
  /** The namespace, if set. */
  public readonly namespace?: string;
  /** Labels that select the check's pod. */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of the pod: no ingress and no egress at all. */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;

  /** The Job (child id `Resource`). */
  public get job(): k8s.KubeJob {
    return childObject(this, ['Resource'], k8s.KubeJob)!;
  }

  public constructor(scope: Construct, id: string, props: GpuCheckJobProps = {}) {
    super(scope, id);
    registerConstruct(this, 'GpuCheckJob');
    const v = Validator.forConstruct('GpuCheckJob', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object', props);
    rejectUnknownProps(v, props, GPU_CHECK_JOB_PROPS);
    this.jobName = validateDnsLabel(v, 'name', props.name ?? id);
    const accelerator = props.accelerator ?? Accelerator.nvidiaGpu(1);
    if (!(accelerator instanceof Accelerator)) v.fail('accelerator', 'must be made with an Accelerator factory such as Accelerator.nvidiaGpu(1)', accelerator);
    if (accelerator.vendor === AcceleratorVendor.NONE) v.fail('accelerator', 'must be a device to check, not Accelerator.none()', accelerator.description);
    const nvidia = accelerator.vendor === AcceleratorVendor.NVIDIA;
    if (!nvidia && (props.image === undefined || props.command === undefined)) {
      const missing = props.image === undefined ? 'image' : 'command';
      v.fail(missing, `must be given for ${accelerator.description}: the default image and nvidia-smi check NVIDIA devices only`, undefined);
    }

    const run = TrainingRun.prepare(this, v, {
      namespace: props.namespace,
      team: props.team,
      image: props.image ?? GPU_CHECK_IMAGE,
      command: props.command ?? ['nvidia-smi'],
      args: props.args,
      accelerator,
      cpu: props.cpu ?? '100m',
      memory: props.memory ?? '256Mi',
      scheduling: props.scheduling,
      security: props.security,
      labels: props.labels,
    }, { name: this.jobName, component: 'gpu-check', podsMaySpanNodes: false, checkpointsOnSpot: false });
    this.namespace = run.placement.namespace;
    this.podSelector = run.podSelector;

    // A check reads the device and prints: no shared memory, no hyperparameters, nothing to mount.
    const pod = run.pod({ sharedMemory: undefined });
    const container = run.container({ name: 'gpu-check' });
    pod.addContainer(container);
    const spec = jobRunSpec(v, {
      backoffLimit: 0,
      retryOnDisruption: false,
      activeDeadline: props.activeDeadline ?? Duration.minutes(10),
      ttlAfterFinished: props.ttlAfterFinished ?? Duration.hours(1),
    }, container.name, { completions: 1, parallelism: 1, template: pod.template() });
    const queueLabels = run.placement.scheduling?.queue?.labels;
    new k8s.KubeJob(this, 'Resource', {
      metadata: { name: this.jobName, namespace: this.namespace, labels: { ...run.labels, ...queueLabels } },
      spec,
    });
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: this.jobName, namespace: this.namespace, labels: run.labels },
      spec: { podSelector: { matchLabels: this.podSelector }, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}
