import { propNames, rejectUnknownProps } from '../core/props';
import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { IValidator, Validator } from '../core/errors';
import { childObject, childObjects } from '../core/handles';
import { durationSeconds } from '../core/job';
import { lazyModule } from '../core/lazy';
import { PodNetworkPolicy } from '../core/network';
import { ContainerSpec } from '../core/pod';
import { Queue } from '../core/scheduling';
import { SecretValue } from '../core/secrets';
import { validateInteger, validateServiceName } from '../core/validation';
import { IWorkload } from '../core/workload';
import { Backend } from './backend';
import { Framework } from './framework';
import { waitForRank0 } from './rendezvous';
import { applyRoleSettings, resolveRoleSettings, roleProp, roleSharedMemory, TrainingRoleSettings, TrainingRoles } from './role-settings';
import { Role, RoleName, RolePod, TRAINING_ROLE_LABEL } from './roles';
import { TrainingRun, TrainingRunProps } from './run';
import { CleanPodPolicy, RunLayout, TrainingBackend, TrainingFramework } from './contracts';
import { registerConstruct } from '../core/platform';

// Loaded when first used (see lazyModule).
const podGroupCrd = lazyModule(() => require('../../imports/volcano-podgroup-scheduling.volcano.sh') as typeof import('../../imports/volcano-podgroup-scheduling.volcano.sh'));

/** Props of {@link DistributedTraining}. */
export interface DistributedTrainingProps extends TrainingRunProps {
  /**
   * The run's name: the prefix of its Jobs, Service and pods' host names (a DNS label of at most 40 characters, so
   * that `<name>-<role>-<index>` host names fit).
   * @default - the construct id
   */
  readonly name?: string;
  /** The framework: `Framework.pytorch()`, `Framework.tensorflow({ workers })` or `Framework.mpi()`. */
  readonly framework: Framework;
  /**
   * What runs the pods.
   * @default Backend.KUBERNETES
   */
  readonly backend?: Backend;
  /**
   * Training nodes (pods) of a PyTorch run, or workers of an MPI run. TensorFlow takes its pods from its roles.
   * @default - the elastic maximum, else 2
   */
  readonly nodes?: number;
  /**
   * Place at most one training pod per node (a required pod anti-affinity on the host name), so multi-GPU pods do
   * not compete for one node's GPUs and network.
   * @default - true when a pod has more than one device
   */
  readonly onePodPerNode?: boolean;
  /**
   * How long a pod waits for rank 0 to accept TCP connections before it fails (and is retried). Pods of MPI runs
   * and of TensorFlow runs with parameter servers do not wait.
   * @default Duration.minutes(10)
   */
  readonly rendezvousTimeout?: Duration;
  /**
   * What the Kubeflow operator does with pods still running when the run ends (Kubeflow only).
   * @default CleanPodPolicy.RUNNING
   */
  readonly cleanPodPolicy?: CleanPodPolicy;
  /**
   * Settings of single roles that differ from the run's: the parameter servers' image, CPU and memory, a CPU-only
   * evaluator, the MPI launcher's size. Every backend applies them.
   * @default - every role as the run's props say
   */
  readonly roles?: TrainingRoles;
}


/** Every prop of DistributedTrainingProps, for refusing unknown ones (the compiler checks the list against the interface). */
const DISTRIBUTED_TRAINING_PROPS = propNames<DistributedTrainingProps>()({
  name: true, framework: true, backend: true, nodes: true, onePodPerNode: true, rendezvousTimeout: true,
  cleanPodPolicy: true, roles: true, namespace: true, team: true, image: true, command: true, args: true, workingDir: true,
  accelerator: true, cpu: true, cpuLimit: true, memory: true, memoryLimit: true, sharedMemory: true, env: true, secretEnv: true, hyperparameters: true,
  hyperparametersConfigMapName: true, files: true, envFrom: true,
  scheduling: true, serviceAccountName: true, automountServiceAccountToken: true, security: true, labels: true,
  backoffLimit: true, activeDeadline: true, ttlAfterFinished: true, retryOnDisruption: true, failFastExitCodes: true,
  suspend: true, dataset: true, modelOutput: true, checkpoints: true, mounts: true,
});
/**
 * A multi-node training run: PyTorch (torchrun), TensorFlow (`TF_CONFIG`) or MPI, on plain Kubernetes, the Kubeflow
 * training operator or JobSet, from one set of props. Ranks, world size, the rank-0 address and each pod's
 * `TF_CONFIG` are computed; pods wait (bounded) until rank 0 accepts connections; gang scheduling through the
 * queue; a NetworkPolicy that lets the run's pods reach each other and nothing else until wired.
 *
 * @example
 * new DistributedTraining(chart, 'bert', {
 *   image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
 *   command: ['python', '/app/train.py'],
 *   framework: Framework.pytorch(),
 *   nodes: 4,
 *   accelerator: Accelerator.nvidiaGpu(8),
 * });
 */
export class DistributedTraining extends Construct implements IWorkload {
  /** The run's name. */
  public readonly workloadName: string;
  /** The namespace, if set. */
  public readonly namespace?: string;
  /** Labels that select every pod of the run. */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of the run's pods: each other on every port and DNS, until wired. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The Service through which the pods find rank 0 (created by the operator for Kubeflow and JobSet). */
  public readonly serviceName: string;
  /** `host:port` of rank 0's rendezvous (PyTorch master, TensorFlow chief or worker 0); undefined for MPI. */
  public readonly rendezvousAddress?: string;
  /** Pods of the run (all roles). */
  public readonly totalPods: number;
  /**
   * The Job, JobSet or Kubeflow job; child id `Resource`. For TensorFlow on plain Kubernetes, the workers' Job (every
   * run has workers); the Jobs of the chief, parameter servers and evaluator are children `Job-chief`, `Job-ps` and
   * `Job-evaluator`.
   */
  public readonly resource: ApiObject;

  /** The pod of every role, which wiring (`addEnv`, `addPodLabel`) changes. */
  private readonly pods: readonly RolePod[];

  public constructor(scope: Construct, id: string, props: DistributedTrainingProps) {
    super(scope, id);
    registerConstruct(this, 'DistributedTraining');
    const v = Validator.forConstruct('DistributedTraining', id);
    rejectUnknownProps(v, props, DISTRIBUTED_TRAINING_PROPS);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least an image and a framework', props);
    this.workloadName = validateServiceName(v, 'name', props.name ?? id, 40);
    const { framework, backend } = resolveChoices(v, props);
    const roles = framework.roles(v, props.nodes, backend.operator);
    this.totalPods = roles.reduce((sum, r) => sum + r.replicas, 0);
    const run = TrainingRun.prepare(this, v, props, {
      name: this.workloadName,
      podsMaySpanNodes: this.totalPods > 1,
      checkAccelerator: (accelerator) => checkAccelerator(v, framework, roles, accelerator),
    });
    if (framework.launcher !== undefined && props.command === undefined && props.args === undefined) {
      v.fail('command', `must be given (or 'args'): ${framework.launcher} starts it in every process, e.g. ['python', '/app/train.py']`, props.command);
    }
    const queue = run.placement.scheduling?.queue;
    backend.validateQueue(v, queue, roles);
    this.namespace = run.placement.namespace;
    this.podSelector = run.podSelector;

    const layout = this.layout(v, framework, backend, roles, run);
    const timeout = validateInteger(v, 'rendezvousTimeout', durationSeconds(v, 'rendezvousTimeout', props.rendezvousTimeout ?? Duration.minutes(10)), 1, 86400);
    this.serviceName = backend.serviceName(this.workloadName, roles);
    this.rendezvousAddress = framework.port === undefined ? undefined : `${layout.hostOf(layout.rank0, 0)}:${framework.port}`;
    // Volcano gangs the pods through a PodGroup, which the Kubeflow operator makes itself.
    const podGroupQueue = queue?.system === 'volcano' && backend.needsPodGroup ? queue : undefined;

    const onePodPerNode = props.onePodPerNode ?? run.accelerator.count > 1;
    const podContext: RolePodContext = {
      props, run, framework, backend, layout, timeout, v,
      roleSettings: resolveRoleSettings(v, props.roles, roles),
      podGroup: podGroupQueue !== undefined,
      affinity: onePodPerNode ? onePodPerNodeAffinity(this.podSelector, roles) : undefined,
    };
    this.pods = roles.map((role) => this.rolePod(podContext, role));
    this.resource = backend.render(this, {
      v,
      options: props,
      framework,
      layout,
      pods: this.pods,
      metadata: { name: this.workloadName, namespace: this.namespace, labels: { ...run.labels, ...queue?.labels } },
      labels: run.labels,
      podSelector: this.podSelector,
      queue,
      priorityClassName: run.placement.scheduling?.priorityClassName,
      totalPods: this.totalPods,
    });
    if (podGroupQueue !== undefined) this.renderPodGroup(podGroupQueue, run.labels);
    this.networkPolicy = this.renderNetworkPolicies(framework, run.labels);
  }

  /**
   * The Jobs of a run on `Backend.KUBERNETES`, one per role (`resource` first, then children `Job-<role>`); empty on
   * the other backends, whose controllers make the Jobs.
   */
  public get jobs(): k8s.KubeJob[] {
    const primary = childObject(this, ['Resource'], k8s.KubeJob);
    return primary === undefined ? [] : [primary, ...childObjects(this, 'Job-', [], k8s.KubeJob)];
  }

  /** The headless Service (child id `Service`) of a run on `Backend.KUBERNETES`; the operators make their own. */
  public get service(): k8s.KubeService | undefined {
    return childObject(this, ['Service'], k8s.KubeService);
  }

  /** The hyperparameters ConfigMap (child id `Hyperparameters`), if `hyperparameters` is set. */
  public get hyperparametersConfigMap(): k8s.KubeConfigMap | undefined {
    return childObject(this, ['Hyperparameters'], k8s.KubeConfigMap);
  }

  /** Adds an environment variable to the main container of every role (used by wiring such as `MlflowPlatform.connect`). */
  public addEnv(name: string, value: string | SecretValue): void {
    for (const { pod } of this.pods) pod.addEnv(name, value);
  }

  /** Adds a label to the pods of every role (used by wiring such as `ModelServer.connect` to a server in the mesh). */
  public addPodLabel(key: string, value: string): void {
    for (const { pod } of this.pods) pod.addLabel(key, value);
  }

  /** What the framework and backend render from: the roles, rank 0, processes per pod and the pods' host names. */
  private layout(v: IValidator, framework: TrainingFramework, backend: TrainingBackend, roles: Role[], run: TrainingRun): RunLayout {
    const name = this.workloadName;
    const namespace = this.namespace;
    const accelerator = run.accelerator;
    return {
      name,
      roles,
      rank0: roles[0],
      operator: backend.operator,
      processes: framework.processesPerPod(v, accelerator.count, accelerator.processesPerPod),
      containerName: backend.containerName(framework),
      indexField: backend.indexField,
      hostOf: (role, index) => {
        const host = backend.hostName(name, role, index, roles);
        return namespace ? `${host}.${namespace}.svc` : host;
      },
    };
  }

  /**
   * The pod of a role: the run's pod with the role label, one pod per node when asked, the wait for rank 0 where the
   * framework wants it, and the framework's trainer container.
   */
  private rolePod(c: RolePodContext, role: Role): RolePod {
    const { run, framework, layout } = c;
    const settings = c.roleSettings.get(role.name);
    const runShm = role.podOptions && 'sharedMemory' in role.podOptions ? role.podOptions.sharedMemory : run.sharedMemorySize;
    const pod = run.pod({
      labels: { [TRAINING_ROLE_LABEL]: role.name },
      annotations: c.podGroup ? { 'scheduling.k8s.io/group-name': layout.name } : undefined,
      subdomain: c.backend.podsOnSubdomain ? layout.name : undefined,
      affinity: role.accelerated ? c.affinity : undefined,
      ...role.podOptions,
      ...(settings === undefined ? {} : { sharedMemory: roleSharedMemory(c.v, role, settings, runShm) }),
    });
    // DNS alone is not enough: the pods wait until rank 0's process listens.
    if (framework.port !== undefined && framework.waitsForRank0(role, layout)) {
      pod.addInitContainer(waitForRank0(layout, role, framework.port, c.timeout));
    }
    let container = framework.container(run, layout, role, settings?.command ?? c.props.command ?? []);
    if (settings !== undefined) container = this.withRoleSettings(c, role, container, settings);
    // A parameter server or MPI launcher requests no GPU, but on an untainted GPU node (EKS does not taint them)
    // it would still see, and TensorFlow would fill, every GPU of the node.
    const hideGpus = container.accelerator === undefined && run.accelerator.isNvidia;
    pod.addContainer(hideGpus ? { ...container, env: { ...container.env, NVIDIA_VISIBLE_DEVICES: 'none' } } : container);
    return { role, pod };
  }

  /** The container of a role with its own settings (an MPI worker's command is the launcher's to give). */
  private withRoleSettings(c: RolePodContext, role: Role, container: ContainerSpec, settings: TrainingRoleSettings): ContainerSpec {
    const mpiWorker = c.framework.launcher === 'mpirun' && role.name === 'worker';
    for (const key of ['command', 'args'] as const) {
      if (mpiWorker && settings[key] !== undefined) c.v.fail(`${roleProp(role)}.${key}`, 'must be given to the launcher: mpirun starts the workers\' processes', settings[key]);
    }
    const own = c.props.env ?? {};
    const computed = [...(container.envFirst ?? []).map((e) => e.name), ...Object.keys(container.env ?? {}).filter((k) => !(k in own))];
    return applyRoleSettings(c.v, role, container, settings, computed);
  }

  /** The Volcano PodGroup that gang-schedules every pod of the run. */
  private renderPodGroup(queue: Queue, labels: Record<string, string>): void {
    new (podGroupCrd().PodGroup)(this, 'PodGroup', {
      metadata: { name: this.workloadName, namespace: this.namespace, labels },
      spec: { minMember: this.totalPods, queue: queue.name },
    });
  }

  /** The run's NetworkPolicy, and the framework's own. */
  private renderNetworkPolicies(framework: TrainingFramework, labels: Record<string, string>): PodNetworkPolicy {
    const run = { name: this.workloadName, namespace: this.namespace, podSelector: this.podSelector, labels };
    const policy = new PodNetworkPolicy(this, 'NetworkPolicy', run);
    // NCCL, Gloo, TensorFlow and MPI open ephemeral ports between the pods.
    policy.allowWithinSelf();
    framework.addNetworkPolicies?.(this, run);
    return policy;
  }
}

/** What every pod of a run is made from. */
interface RolePodContext {
  readonly props: DistributedTrainingProps;
  readonly run: TrainingRun;
  readonly framework: TrainingFramework;
  readonly backend: TrainingBackend;
  readonly layout: RunLayout;
  /** Seconds a pod waits for rank 0. */
  readonly timeout: number;
  /** True when the pods join the run's Volcano PodGroup. */
  readonly podGroup: boolean;
  /** The anti-affinity of the accelerated pods: one per node, if asked. */
  readonly affinity?: k8s.Affinity;
  readonly v: IValidator;
  /** The settings of the roles that have their own. */
  readonly roleSettings: Map<RoleName, TrainingRoleSettings>;
}

/** The framework and backend of the props, checked against each other and the backend's options. */
function resolveChoices(v: IValidator, props: DistributedTrainingProps): { framework: TrainingFramework; backend: TrainingBackend } {
  const framework = props.framework;
  if (!(framework instanceof Framework)) v.fail('framework', 'must be made with Framework.pytorch(), Framework.tensorflow() or Framework.mpi()', framework);
  const backend = props.backend ?? Backend.KUBERNETES;
  if (!(backend instanceof Backend)) v.fail('backend', 'must be Backend.KUBERNETES, Backend.KUBEFLOW or Backend.JOBSET', backend);
  const needsOperator = framework._impl.needsOperator;
  if (needsOperator !== undefined && !backend._impl.operator) {
    v.fail('backend', `must be Backend.KUBEFLOW for ${framework._impl.factory} (${needsOperator})`, backend.name);
  }
  backend._impl.validateOptions(v, props);
  return { framework: framework._impl, backend: backend._impl };
}

/** Checks of the accelerator that depend on the run's roles. */
function checkAccelerator(v: IValidator, framework: TrainingFramework, roles: readonly Role[], accelerator: Accelerator): void {
  // CUDA enumerates one MIG device per process, so the second process a pod starts finds no GPU.
  if (accelerator.resourceName.startsWith('nvidia.com/mig-') && accelerator.count > 1) {
    v.fail('accelerator', 'must be a single MIG slice per pod: a CUDA process sees only one MIG device, so the other processes of the pod would find no GPU; add nodes instead', accelerator.description);
  }
  // A TPU slice that spans several hosts needs a pod on each of them: every accelerated role fills whole slices.
  const hosts = accelerator.hostsInSlice;
  if (hosts === 1) return;
  framework.checkSlices(v, roles, hosts, `the TPU slice (${accelerator.description}) spans ${hosts} nodes and each of them must run a pod`);
}

/** At most one accelerated pod of the run per node, so that multi-device pods do not share a node's devices and network. */
function onePodPerNodeAffinity(podSelector: Record<string, string>, roles: readonly Role[]): k8s.Affinity {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{
        labelSelector: {
          matchLabels: podSelector,
          matchExpressions: [{ key: TRAINING_ROLE_LABEL, operator: 'In', values: roles.filter((r) => r.accelerated).map((r) => r.name) }],
        },
        topologyKey: 'kubernetes.io/hostname',
      }],
    },
  };
}
