import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { resolveConfigEnv, resolveFileMounts } from '../core/config-files';
import { IValidator, Validator } from '../core/errors';
import { childObject } from '../core/handles';
import { durationSeconds } from '../core/job';
import { componentLabels, imageTag, selectorLabels } from '../core/labels';
import { PodNetworkPolicy } from '../core/network';
import { PodBuilder } from '../core/pod';
import { SecretValue } from '../core/secrets';
import { ServerBlock } from '../core/server';
import { trainingSharedMemory } from '../core/training';
import { validateDnsLabel, validateImage, validateInteger, validateLabels } from '../core/validation';
import { checkMounts, resolveMount, ResolvedMount } from '../core/volumes';
import { IWorkload, Placement, resolvePlacement, WorkloadRole } from '../core/workload';
import { HEARTBEAT_FILE_ENV, validateHealthCheck, WorkerHealthCheck } from './health-check';
import { WorkerQueue } from './queue';
import { QueueWorkerProps } from './queue-worker-props';
import { renderQueueScaling, resolveQueueScaling, ResolvedQueueScaling } from './scaling';
import { registerConstruct } from '../core/platform';

/** The props every part of the worker needs, checked and with their defaults. */
interface WorkerBasics {
  readonly placement: Placement;
  readonly accelerator?: Accelerator;
  readonly queue?: WorkerQueue;
  readonly scaling?: ResolvedQueueScaling;
  readonly replicas: number;
  readonly healthCheck: WorkerHealthCheck;
}

/**
 * A long-running consumer with no serving port, with or without an accelerator: a Deployment (rollout that never
 * drops below the desired count, spread over nodes and zones), a PodDisruptionBudget, a NetworkPolicy that opens
 * only DNS, the queue's brokers and what `connect()` adds, and optionally a KEDA ScaledObject on the queue's
 * depth (down to zero) with a TriggerAuthentication that references Secrets. Its health is an exec probe on a
 * heartbeat file (or a command), and a stopping worker gets a grace period to finish its message.
 *
 * @example
 * new QueueWorker(chart, 'object-detector', {
 *   image: 'registry.example.com/vision/object-detector:1.4.2',
 *   accelerator: Accelerator.nvidiaGpu(1),
 *   queue: WorkerQueue.redisList({ address: 'redis.data.svc:6379', listName: 'frames', location: QueueLocation.inCluster({ app: 'redis' }, 'data') }),
 *   autoscaling: { maxReplicas: 5 },
 * });
 */
export class QueueWorker extends Construct implements IWorkload {
  /** The Deployment's name. */
  public readonly workloadName: string;
  /** The namespace, if known. */
  public readonly namespace?: string;
  /** Labels that select the worker's pods. */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of the worker's pods. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;

  private readonly pod: PodBuilder;

  /** The KEDA ScaledObject (child id `Autoscaler`), if `autoscaling` is set. */
  public get autoscaler(): ApiObject | undefined {
    return childObject(this, ['Autoscaler'], ApiObject);
  }

  /** The PodDisruptionBudget (child id `DisruptionBudget`). */
  public get disruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return childObject(this, ['DisruptionBudget'], k8s.KubePodDisruptionBudget);
  }

  public constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    registerConstruct(this, 'QueueWorker');
    const v = Validator.forConstruct('QueueWorker', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least an image', props);
    const name = this.workloadName = validateDnsLabel(v, 'name', props.name ?? id);
    const basics = this.resolveBasics(v, props);
    this.namespace = basics.placement.namespace;
    validateLabels(v, 'labels', props.labels);
    const labels = { ...props.labels, ...componentLabels({ name, instance: name, component: 'worker', version: imageTag(validateImage(v, 'image', props.image)) }) };
    this.podSelector = selectorLabels({ instance: name, component: 'worker' });
    const block = new ServerBlock(this, { name, namespace: this.namespace, labels, selector: this.podSelector });
    this.networkPolicy = block.addNetworkPolicy();
    basics.queue?.location.allowFrom(this.networkPolicy, basics.queue.ports);

    this.pod = this.renderPod(v, props, basics, block);
    const maxSurge = validateInteger(v, 'maxSurge', props.maxSurge ?? 1, 1, 100);
    this.deployment = block.addDeployment({ pod: this.pod, replicas: basics.scaling ? undefined : basics.replicas, maxSurge });
    block.addDisruptionBudget();
    if (basics.scaling) renderQueueScaling(this, block, basics.queue!, basics.scaling);
  }

  /** Adds an environment variable to the worker container (used by wiring such as `MlflowPlatform.connect`). */
  public addEnv(name: string, value: string | SecretValue): void {
    this.pod.addEnv(name, value);
  }

  /** Adds a label to the worker pods (used by wiring such as `ModelServer.connect` to a server in the mesh). */
  public addPodLabel(key: string, value: string): void {
    this.pod.addLabel(key, value);
  }

  private resolveBasics(v: IValidator, props: QueueWorkerProps): WorkerBasics {
    const placement = resolvePlacement(v, this, props, WorkloadRole.SERVING);
    // Workers are pipeline steps that never finish: the team's pipeline account, but not its batch queue.
    const serviceAccountName = props.serviceAccountName ?? props.team?.serviceAccountFor(WorkloadRole.PIPELINE) ?? placement.serviceAccountName;
    const accelerator = props.accelerator;
    if (accelerator !== undefined && !(accelerator instanceof Accelerator)) v.fail('accelerator', 'must be made with an Accelerator factory such as Accelerator.nvidiaGpu(1)', accelerator);
    if (accelerator !== undefined && accelerator.hostsInSlice !== 1) v.fail('accelerator', 'must fit on one node (a replica is one pod)', accelerator.description);
    const queue = props.queue;
    if (queue !== undefined && !(queue instanceof WorkerQueue)) v.fail('queue', 'must be made with a WorkerQueue factory such as WorkerQueue.redisList(...)', queue);
    if (props.replicas !== undefined && props.autoscaling !== undefined) v.fail('replicas', 'cannot be combined with autoscaling (use autoscaling.minReplicas)', props.replicas);
    if (props.autoscaling !== undefined && queue === undefined) v.fail('autoscaling', 'needs a queue to scale on (set queue)', props.autoscaling);
    const replicas = validateInteger(v, 'replicas', props.replicas ?? 1, 1, 1000);
    const scaling = props.autoscaling === undefined ? undefined : resolveQueueScaling(v, props.autoscaling);
    const healthCheck = props.healthCheck === undefined ? WorkerHealthCheck.heartbeatFile() : validateHealthCheck(v, 'healthCheck', props.healthCheck);
    return { placement: { ...placement, serviceAccountName }, accelerator, queue, scaling, replicas, healthCheck };
  }

  /** The pod: the worker container with its probes, mounts and shutdown hook, spread over nodes and zones. */
  private renderPod(v: IValidator, props: QueueWorkerProps, basics: WorkerBasics, block: ServerBlock): PodBuilder {
    const memory = props.memory ?? '2Gi';
    const graceSeconds = validateInteger(v, 'terminationGracePeriod', durationSeconds(v, 'terminationGracePeriod', props.terminationGracePeriod ?? Duration.minutes(1)), 1, 86400);
    const pod = new PodBuilder(v, {
      scheduling: basics.placement.scheduling,
      serviceAccountName: basics.placement.serviceAccountName,
      automountServiceAccountToken: props.automountServiceAccountToken,
      sharedMemory: props.sharedMemory === undefined ? undefined : trainingSharedMemory(v, memory, props.sharedMemory),
      security: props.security,
      labels: block.podLabels(),
      terminationGracePeriodSeconds: graceSeconds,
      topologySpreadConstraints: block.spread({ requireAcrossNodes: props.requireSpreadAcrossNodes }),
    });
    const check = basics.healthCheck;
    const heartbeatDirectory = check.heartbeatDirectory;
    if (heartbeatDirectory !== undefined) pod.addVolume({ name: 'heartbeat', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Mi') } });
    pod.addContainer({
      name: 'worker',
      image: props.image,
      command: props.command,
      args: props.args,
      workingDir: props.workingDir,
      env: check.heartbeatPath === undefined ? props.env : { ...props.env, [HEARTBEAT_FILE_ENV]: check.heartbeatPath },
      secretEnv: props.secretEnv,
      resources: { cpu: props.cpu ?? 1, cpuLimit: props.cpuLimit, memory, memoryLimit: props.memoryLimit },
      accelerator: basics.accelerator,
      mounts: this.mounts(v, props, basics),
      files: resolveFileMounts(v, 'files', props.files),
      envFrom: resolveConfigEnv(v, 'envFrom', props.envFrom),
      volumeMounts: heartbeatDirectory === undefined ? undefined : [{ name: 'heartbeat', mountPath: heartbeatDirectory }],
      lifecycle: this.preStop(v, props.preStop),
      ...this.probes(v, props, check),
    });
    return pod;
  }

  /** The claims, read-only unless asked; every replica may run on another node. */
  private mounts(v: IValidator, props: QueueWorkerProps, basics: WorkerBasics): ResolvedMount[] {
    if (props.mounts !== undefined && !Array.isArray(props.mounts)) v.fail('mounts', 'must be a list of { claim, path }', props.mounts);
    const mounts = (props.mounts ?? []).map((m, i) => resolveMount(v, `mounts[${i}]`, m, true));
    const maxReplicas = basics.scaling?.maxReplicas ?? basics.replicas;
    checkMounts(v, mounts, { podsMaySpanNodes: maxReplicas > 1, namespace: this.namespace, why: `the ${maxReplicas} replicas may run on different nodes` });
    return mounts;
  }

  /** Startup gets the whole startup budget; liveness and readiness fail after three missed checks. */
  private probes(v: IValidator, props: QueueWorkerProps, check: WorkerHealthCheck): { startupProbe: k8s.Probe; readinessProbe: k8s.Probe; livenessProbe: k8s.Probe } {
    const period = validateInteger(v, 'probePeriod', durationSeconds(v, 'probePeriod', props.probePeriod ?? Duration.seconds(10)), 1, 300);
    const startupSeconds = durationSeconds(v, 'startupTimeout', props.startupTimeout ?? Duration.minutes(5));
    if (startupSeconds < period) {
      v.fail('startupTimeout', `must be at least one probe period (${period}s): the startup probe needs one check to succeed`, `${startupSeconds}s`);
    }
    return {
      startupProbe: check.probe(period, Math.ceil(startupSeconds / period)),
      readinessProbe: check.probe(period, 3),
      livenessProbe: check.probe(period, 3),
    };
  }

  private preStop(v: IValidator, command: string[] | undefined): k8s.Lifecycle | undefined {
    if (command === undefined) return undefined;
    if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== 'string' || c.length === 0)) {
      v.fail('preStop', 'must be a non-empty list of non-empty strings (the command and its arguments)', command);
    }
    return { preStop: { exec: { command: [...command] } } };
  }
}
