import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator, ContainerSpec, IWorkload, jobRunFields, jobRunSpec, PodBuilder, PodNetworkPolicy, SecretValue, Validator } from './core';
import { lazyModule } from './core/lazy';
import { durationSeconds } from './core/job';
import { TrainingRun, TrainingRunProps } from './core/training';
import { validateDnsLabel, validateInteger, validatePort } from './core/validation';

// Generated CRD classes, loaded when first used (see lazyModule).
const jobSetCrd = lazyModule(() => require('../imports/jobset-jobset.x-k8s.io') as typeof import('../imports/jobset-jobset.x-k8s.io'));
const mpiJobCrd = lazyModule(() => require('../imports/kubeflow-mpijob-kubeflow.org') as typeof import('../imports/kubeflow-mpijob-kubeflow.org'));
const pyTorchJobCrd = lazyModule(() => require('../imports/kubeflow-pytorchjob-kubeflow.org') as typeof import('../imports/kubeflow-pytorchjob-kubeflow.org'));
const tfJobCrd = lazyModule(() => require('../imports/kubeflow-tfjob-kubeflow.org') as typeof import('../imports/kubeflow-tfjob-kubeflow.org'));
const podGroupCrd = lazyModule(() => require('../imports/volcano-podgroup-scheduling.volcano.sh') as typeof import('../imports/volcano-podgroup-scheduling.volcano.sh'));

/** The small image of the init container that waits for rank 0 (it only runs `nc`, `date` and `sleep`). */
export const RENDEZVOUS_WAIT_IMAGE = 'busybox:1.36.1';

/** The pod label that tells the roles of a run apart. */
export const TRAINING_ROLE_LABEL = 'training.cdk8s-mlops.io/role';

/** Where the Job controller writes a pod's completion index (also the `JOB_COMPLETION_INDEX` env var). */
const COMPLETION_INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
/** Where the Kubeflow training operator writes a pod's replica index. */
const KUBEFLOW_INDEX_FIELD = "metadata.labels['training.kubeflow.org/replica-index']";

/** Options of an elastic PyTorch run (torchrun with c10d rendezvous). */
export interface ElasticOptions {
  /** The fewest nodes the run continues with. */
  readonly minNodes: number;
  /** The most nodes the run uses (and the pods created). */
  readonly maxNodes: number;
  /**
   * How often torchrun restarts the worker group (after a node failed or joined) before the run fails.
   * @default 3
   */
  readonly maxRestarts?: number;
}

/** Options of {@link Framework.pytorch}. */
export interface PyTorchOptions {
  /**
   * The rendezvous port of rank 0 (torchrun's `--master_port`).
   * @default 29500
   */
  readonly port?: number;
  /**
   * Processes torchrun starts per node (`--nproc_per_node`); must divide the devices of a pod evenly.
   * @default - one per device of the accelerator
   */
  readonly processesPerNode?: number;
  /**
   * Run elastically between `minNodes` and `maxNodes` with c10d rendezvous; `nodes` then defaults to `maxNodes`.
   * @default - a fixed number of nodes
   */
  readonly elastic?: ElasticOptions;
}

/** Options of {@link Framework.tensorflow}. */
export interface TensorFlowOptions {
  /** Worker pods (each with the accelerator). */
  readonly workers: number;
  /**
   * Parameter server pods (no accelerator).
   * @default 0
   */
  readonly parameterServers?: number;
  /**
   * Run a chief (coordinator) pod with the accelerator; without it worker 0 acts as chief.
   * @default false
   */
  readonly chief?: boolean;
  /**
   * Run an evaluator pod (with the accelerator; not part of the training cluster).
   * @default false
   */
  readonly evaluator?: boolean;
  /**
   * The port every TensorFlow server listens on.
   * @default 2222
   */
  readonly port?: number;
}

/** Options of {@link Framework.mpi}. */
export interface MpiOptions {
  /**
   * MPI slots (processes) per worker, written into the hostfile.
   * @default - one per device of the accelerator
   */
  readonly slotsPerWorker?: number;
}

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
    const v = Validator.forFactory('Framework.pytorch');
    const anyOptions = options as Record<string, unknown>;
    for (const tfOnly of ['parameterServers', 'chief', 'evaluator', 'workers']) {
      if (anyOptions[tfOnly] !== undefined) {
        v.fail(tfOnly, 'is a TensorFlow option: PyTorch runs identical data-parallel nodes (set `nodes`, or use Framework.tensorflow)', anyOptions[tfOnly]);
      }
    }
    validatePort(v, 'port', options.port ?? 29500);
    if (options.processesPerNode !== undefined) validateInteger(v, 'processesPerNode', options.processesPerNode, 1, 64);
    if (options.elastic !== undefined) {
      const e = options.elastic;
      validateInteger(v, 'elastic.minNodes', e.minNodes, 1, 1000);
      validateInteger(v, 'elastic.maxNodes', e.maxNodes, 1, 1000);
      if (e.minNodes > e.maxNodes) v.fail('elastic.minNodes', `must be at most elastic.maxNodes (${e.maxNodes})`, e.minNodes);
      validateInteger(v, 'elastic.maxRestarts', e.maxRestarts ?? 3, 0, 1000);
    }
    return new Framework(FrameworkKind.PYTORCH, { ...options });
  }

  /** TensorFlow with chief, workers, parameter servers and evaluator, each pod given its `TF_CONFIG`. */
  public static tensorflow(options: TensorFlowOptions): Framework {
    const v = Validator.forFactory('Framework.tensorflow');
    if (!options || typeof options !== 'object') v.fail('options', 'must give at least the number of workers', options);
    validateInteger(v, 'workers', options.workers, 1, 1000);
    validateInteger(v, 'parameterServers', options.parameterServers ?? 0, 0, 100);
    validatePort(v, 'port', options.port ?? 2222);
    return new Framework(FrameworkKind.TENSORFLOW, undefined, { ...options });
  }

  /** MPI (Horovod and friends): a launcher that runs `mpirun` over the workers' slots. */
  public static mpi(options: MpiOptions = {}): Framework {
    const v = Validator.forFactory('Framework.mpi');
    if (options.slotsPerWorker !== undefined) validateInteger(v, 'slotsPerWorker', options.slotsPerWorker, 1, 256);
    return new Framework(FrameworkKind.MPI, undefined, undefined, { ...options });
  }

  private constructor(
    /** Which framework. */
    public readonly kind: FrameworkKind,
    /** @internal */ public readonly _pytorch?: PyTorchOptions,
    /** @internal */ public readonly _tensorflow?: TensorFlowOptions,
    /** @internal */ public readonly _mpi?: MpiOptions,
  ) {}
}

/** What runs the pods of a distributed run. */
export class Backend {
  /**
   * Plain Kubernetes, no operator: an Indexed Job per role (`completions = parallelism`), a headless Service with
   * `publishNotReadyAddresses`, pods on its subdomain. PyTorch and TensorFlow.
   */
  public static readonly KUBERNETES = new Backend('Backend.KUBERNETES');
  /** The Kubeflow training operator v1: `PyTorchJob`, `TFJob` or `MPIJob` (`kubeflow.org/v1`). */
  public static readonly KUBEFLOW = new Backend('Backend.KUBEFLOW');
  /** JobSet (`jobset.x-k8s.io/v1alpha2`): one replicated Job per role, restarted as a group. PyTorch and TensorFlow. */
  public static readonly JOBSET = new Backend('Backend.JOBSET');

  private constructor(
    /** The backend's name, for messages. */
    public readonly name: string,
  ) {}

  /** The backend's name. */
  public toString(): string {
    return this.name;
  }
}

/** What the Kubeflow operator does with the pods still running when a run ends. */
export enum CleanPodPolicy {
  /** Delete the pods still running (parameter servers, idle workers): frees their nodes. */
  RUNNING = 'Running',
  /** Delete every pod, logs included. */
  ALL = 'All',
  /** Keep every pod. */
  NONE = 'None',
}

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
}

/** One set of identical pods of a run. */
interface Role {
  /** Lower-case role name: the TF_CONFIG task type, the JobSet replicated job and the Kubeflow replica type. */
  readonly name: 'master' | 'worker' | 'chief' | 'ps' | 'evaluator' | 'launcher';
  readonly kubeflowType: string;
  readonly replicas: number;
  readonly accelerated: boolean;
  pod?: PodBuilder;
}

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
  /** The Job, JobSet or Kubeflow job (for TensorFlow on plain Kubernetes, the chief's or first worker's Job). */
  public readonly resource: ApiObject;

  private readonly roles: Role[];

  public constructor(scope: Construct, id: string, props: DistributedTrainingProps) {
    super(scope, id);
    const v = Validator.forConstruct('DistributedTraining', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least an image and a framework', props);
    this.workloadName = validateDnsLabel(v, 'name', props.name ?? id, 40);
    const name = this.workloadName;
    const framework = props.framework;
    if (!(framework instanceof Framework)) v.fail('framework', 'must be made with Framework.pytorch(), Framework.tensorflow() or Framework.mpi()', framework);
    const backend = props.backend ?? Backend.KUBERNETES;
    if (!(backend instanceof Backend)) v.fail('backend', 'must be Backend.KUBERNETES, Backend.KUBEFLOW or Backend.JOBSET', backend);
    if (framework.kind === FrameworkKind.MPI && backend !== Backend.KUBEFLOW) {
      v.fail('backend', 'must be Backend.KUBEFLOW for Framework.mpi() (the MPI operator writes the hostfile and starts the processes on the workers)', backend.name);
    }
    if (props.cleanPodPolicy !== undefined && backend !== Backend.KUBEFLOW) {
      v.fail('cleanPodPolicy', 'applies only to Backend.KUBEFLOW (the other backends delete a finished run\'s pods with ttlAfterFinished)', props.cleanPodPolicy);
    }
    if (backend === Backend.KUBEFLOW && props.failFastExitCodes !== undefined) {
      v.fail('failFastExitCodes', 'is not supported by Backend.KUBEFLOW: its replicas already fail at once on exit codes 1-127 and retry on 128 and above', props.failFastExitCodes);
    }

    this.roles = this.rolesOf(v, props, framework);
    this.totalPods = this.roles.reduce((sum, r) => sum + r.replicas, 0);
    const run = TrainingRun.prepare(this, v, props, {
      name,
      podsMaySpanNodes: this.totalPods > 1,
      checkAccelerator: (accelerator) => {
        // CUDA enumerates one MIG device per process, so the second process a pod starts finds no GPU.
        if (accelerator.resourceName.startsWith('nvidia.com/mig-') && accelerator.count > 1) {
          v.fail('accelerator', 'must be a single MIG slice per pod: a CUDA process sees only one MIG device, so the other processes of the pod would find no GPU; add nodes instead', accelerator.description);
        }
        this.checkSlices(v, framework, accelerator);
      },
    });
    if (framework.kind !== FrameworkKind.TENSORFLOW && props.command === undefined && props.args === undefined) {
      const runner = framework.kind === FrameworkKind.MPI ? 'mpirun' : 'torchrun';
      v.fail('command', `must be given (or 'args'): ${runner} starts it in every process, e.g. ['python', '/app/train.py']`, props.command);
    }
    const queue = run.placement.scheduling?.queue;
    if (queue?.system === 'kueue' && backend === Backend.KUBERNETES && this.roles.length > 1) {
      v.fail('scheduling.queue', 'must not be a Kueue queue for a run of several roles on Backend.KUBERNETES: Kueue admits each role\'s Job on its own, so some roles can hold their nodes while the others wait forever; use Backend.JOBSET or Backend.KUBEFLOW, which Kueue admits as one workload', queue.name);
    }
    this.namespace = run.placement.namespace;
    this.podSelector = run.podSelector;
    const accelerator = run.accelerator;
    const processes = this.processesPerPod(v, framework, accelerator.count, accelerator.processesPerPod);
    const timeout = validateInteger(v, 'rendezvousTimeout', durationSeconds(v, 'rendezvousTimeout', props.rendezvousTimeout ?? Duration.minutes(10)), 1, 86400);

    // Host names: plain Kubernetes and JobSet pods are `<job>-<index>` on the Service's subdomain; Kubeflow gives
    // each pod a Service `<name>-<role>-<index>`.
    const qualify = (host: string) => (this.namespace ? `${host}.${this.namespace}.svc` : host);
    const hostOf = (role: Role, index: number): string => {
      if (backend === Backend.KUBEFLOW) return qualify(`${name}-${role.name}-${index}`);
      const job = backend === Backend.JOBSET ? `${name}-${role.name}-0` : this.jobName(role);
      return qualify(`${job}-${index}.${name}`);
    };
    this.serviceName = backend === Backend.KUBEFLOW ? `${name}-${this.roles[0].name}-0` : name;
    const port = framework._pytorch ? framework._pytorch.port ?? 29500 : framework._tensorflow?.port ?? 2222;
    const rank0 = this.roles[0];
    this.rendezvousAddress = framework.kind === FrameworkKind.MPI ? undefined : `${hostOf(rank0, 0)}:${port}`;

    const volcanoGroup = queue?.system === 'volcano' && backend !== Backend.KUBEFLOW ? name : undefined;
    const onePodPerNode = props.onePodPerNode ?? accelerator.count > 1;
    const acceleratedRoles = this.roles.filter((r) => r.accelerated).map((r) => r.name);
    const containerName = backend === Backend.KUBEFLOW ? framework.kind : 'trainer';
    const indexField = backend === Backend.KUBEFLOW ? KUBEFLOW_INDEX_FIELD : COMPLETION_INDEX_FIELD;
    // TensorFlow's cluster: every role but the evaluator, which is not part of training.
    const cluster: Record<string, string[]> = {};
    for (const role of this.roles.filter((r) => r.name !== 'evaluator' && r.name !== 'launcher')) {
      cluster[role.name] = Array.from({ length: role.replicas }, (_, i) => `${hostOf(role, i)}:${port}`);
    }

    for (const role of this.roles) {
      const isLauncher = role.name === 'launcher';
      const pod = run.pod({
        labels: { [TRAINING_ROLE_LABEL]: role.name },
        annotations: volcanoGroup ? { 'scheduling.k8s.io/group-name': volcanoGroup } : undefined,
        subdomain: backend === Backend.KUBERNETES ? name : undefined,
        affinity: onePodPerNode && role.accelerated ? {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{
              labelSelector: {
                matchLabels: this.podSelector,
                matchExpressions: [{ key: TRAINING_ROLE_LABEL, operator: 'In', values: acceleratedRoles }],
              },
              topologyKey: 'kubernetes.io/hostname',
            }],
          },
        } : undefined,
        // The MPI launcher starts the workers' processes with `kubectl exec` through the operator's
        // ServiceAccount: it needs that account's token.
        ...(isLauncher ? { automountServiceAccountToken: true, serviceAccountName: undefined, sharedMemory: undefined } : {}),
      });
      role.pod = pod;

      // Every pod but rank 0 (and the MPI launcher, which the operator starts once the workers run) waits for rank
      // 0's port: DNS alone is not enough, the process must listen. Not with TensorFlow parameter servers: there
      // the workers and parameter servers are passive servers the chief connects to, so they must start first.
      const parameterServerTraining = (framework._tensorflow?.parameterServers ?? 0) > 0;
      const waits = framework.kind !== FrameworkKind.MPI && !parameterServerTraining && role.replicas > 0;
      const isRank0Only = role === rank0 && (role.replicas === 1 || (backend === Backend.KUBEFLOW && !framework._pytorch?.elastic));
      if (waits && !isRank0Only) {
        const skipsIndex0 = role === rank0;
        pod.addInitContainer({
          name: 'wait-for-rank-0',
          image: RENDEZVOUS_WAIT_IMAGE,
          command: ['sh', '-c', WAIT_SCRIPT],
          envFirst: skipsIndex0 ? [{ name: 'POD_INDEX', valueFrom: { fieldRef: { fieldPath: indexField } } }] : undefined,
          env: { RANK0_HOST: hostOf(rank0, 0), RANK0_PORT: String(port), TIMEOUT_SECONDS: String(timeout) },
          resources: { cpu: '50m', memory: '32Mi' },
        });
      }

      const container = this.container(run, framework, backend, role, {
        containerName, port, processes, hostOf, cluster, rank0, indexField, command: props.command ?? [],
      });
      // A parameter server or MPI launcher requests no GPU, but on an untainted GPU node (EKS does not taint them)
      // it would still see, and TensorFlow would fill, every GPU of the node.
      const hideGpus = !role.accelerated && accelerator.isNvidia;
      pod.addContainer(hideGpus ? { ...container, env: { ...container.env, NVIDIA_VISIBLE_DEVICES: 'none' } } : container);
    }

    const labels = run.labels;
    const topLabels = { ...labels, ...queue?.labels };
    const metadata = { name, namespace: this.namespace, labels: topLabels };
    if (backend === Backend.KUBERNETES) {
      new k8s.KubeService(this, 'Service', {
        metadata: { name, namespace: this.namespace, labels },
        spec: {
          clusterIp: 'None',
          // Pods must resolve each other before they are ready (they are never ready before rendezvous).
          publishNotReadyAddresses: true,
          selector: this.podSelector,
          ports: framework.kind === FrameworkKind.MPI ? undefined : [{ name: 'rendezvous', port, targetPort: k8s.IntOrString.fromNumber(port) }],
        },
      });
      const jobs = this.roles.map((role, i) => new k8s.KubeJob(this, i === 0 ? 'Resource' : `${role.name}-job`, {
        metadata: { ...metadata, name: this.jobName(role) },
        spec: this.jobSpec(v, props, role, containerName),
      }));
      this.resource = jobs[0];
    } else if (backend === Backend.JOBSET) {
      this.resource = new (jobSetCrd().JobSet)(this, 'Resource', {
        metadata,
        spec: {
          network: { enableDnsHostnames: true, subdomain: name, publishNotReadyAddresses: true },
          // Any failed Job restarts the whole group (a static rendezvous cannot take a replacement pod alone), except
          // a Job failed by a fail-fast exit code: restarting the group would only repeat the failure.
          failurePolicy: {
            maxRestarts: validateInteger(v, 'backoffLimit', props.backoffLimit ?? 3, 0, 1000),
            rules: props.failFastExitCodes?.length ? [{
              name: 'failFastExitCodes',
              action: jobSetCrd().JobSetSpecFailurePolicyRulesAction.FAIL_JOB_SET,
              onJobFailureReasons: ['PodFailurePolicy'],
            }] : undefined,
          },
          // Parameter servers never exit: the run succeeds when its chief (else its workers) do.
          successPolicy: { operator: jobSetCrd().JobSetSpecSuccessPolicyOperator.ALL, targetReplicatedJobs: [this.roles.find((r) => r.name === 'chief')?.name ?? rank0.name] },
          ttlSecondsAfterFinished: jobRunFields(v, props, containerName).ttlSecondsAfterFinished,
          suspend: props.suspend || undefined,
          replicatedJobs: this.roles.map((role) => ({
            name: role.name,
            replicas: 1,
            template: {
              spec: {
                ...this.jobSpec(v, props, role, containerName),
                backoffLimit: 0,
                // The JobSet owns suspension and cleanup: a child Job deleted by its own TTL while the JobSet still
                // runs (a worker done before the chief) would be created again.
                ttlSecondsAfterFinished: undefined,
                suspend: undefined,
                // The generated CRD types are structurally the Kubernetes pod template; PodBuilder's output is one.
                template: role.pod!.template() as any,
              },
            },
          })),
        },
      });
    } else {
      this.resource = this.kubeflowJob(v, props, framework, metadata, run, queue?.system === 'volcano' ? queue.name : undefined, processes, queue !== undefined);
    }

    if (volcanoGroup) {
      new (podGroupCrd().PodGroup)(this, 'PodGroup', {
        metadata: { name, namespace: this.namespace, labels },
        spec: { minMember: this.totalPods, queue: queue!.name },
      });
    }

    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', {
      name,
      namespace: this.namespace,
      podSelector: this.podSelector,
      labels,
    });
    // NCCL, Gloo, TensorFlow and MPI open ephemeral ports between the pods.
    this.networkPolicy.allowWithinSelf();
    if (framework.kind === FrameworkKind.MPI) {
      // The launcher reaches the workers through the Kubernetes API (the operator's kubectl-delivery init container
      // waits for them, mpirun starts their processes with `kubectl exec`). The API server's address is not known at
      // synth: its port (443 behind the `kubernetes` Service, 6443 on kubeadm control planes) is opened to the
      // launcher alone.
      const launcherPolicy = new PodNetworkPolicy(this, 'LauncherNetworkPolicy', {
        name: `${name}-launcher`,
        namespace: this.namespace,
        podSelector: { ...this.podSelector, [TRAINING_ROLE_LABEL]: 'launcher' },
        labels,
      });
      launcherPolicy.allowToCidr('0.0.0.0/0', [{ port: 443 }, { port: 6443 }]);
    }
  }

  /** Adds an environment variable to the main container of every role (used by wiring such as `MlflowPlatform.connect`). */
  public addEnv(name: string, value: string | SecretValue): void {
    for (const role of this.roles) role.pod!.addEnv(name, value);
  }

  /** Adds a label to the pods of every role (used by wiring such as `ModelServer.connect` to a server in the mesh). */
  public addPodLabel(key: string, value: string): void {
    for (const role of this.roles) role.pod!.addLabel(key, value);
  }

  private rolesOf(v: Validator, props: DistributedTrainingProps, framework: Framework): Role[] {
    const backend = props.backend ?? Backend.KUBERNETES;
    const tf = framework._tensorflow;
    if (tf) {
      if (props.nodes !== undefined) v.fail('nodes', 'must not be set for TensorFlow: the workers, parameter servers, chief and evaluator of Framework.tensorflow() decide the pods', props.nodes);
      const roles: Role[] = [];
      if (tf.chief) roles.push({ name: 'chief', kubeflowType: 'Chief', replicas: 1, accelerated: true });
      roles.push({ name: 'worker', kubeflowType: 'Worker', replicas: tf.workers, accelerated: true });
      if ((tf.parameterServers ?? 0) > 0) roles.push({ name: 'ps', kubeflowType: 'PS', replicas: tf.parameterServers!, accelerated: false });
      if (tf.evaluator) roles.push({ name: 'evaluator', kubeflowType: 'Evaluator', replicas: 1, accelerated: true });
      return roles;
    }
    const elastic = framework._pytorch?.elastic;
    const nodes = validateInteger(v, 'nodes', props.nodes ?? elastic?.maxNodes ?? 2, 1, 1000);
    if (elastic && (nodes < elastic.minNodes || nodes > elastic.maxNodes)) {
      v.fail('nodes', `must be within the elastic range ${elastic.minNodes} to ${elastic.maxNodes}`, nodes);
    }
    if (framework.kind === FrameworkKind.MPI) {
      return [
        { name: 'launcher', kubeflowType: 'Launcher', replicas: 1, accelerated: false },
        { name: 'worker', kubeflowType: 'Worker', replicas: nodes, accelerated: true },
      ];
    }
    // The Kubeflow operator addresses rank 0 as the Master replica; elastic runs have workers only.
    if (backend === Backend.KUBEFLOW && !elastic) {
      const roles: Role[] = [{ name: 'master', kubeflowType: 'Master', replicas: 1, accelerated: true }];
      if (nodes > 1) roles.push({ name: 'worker', kubeflowType: 'Worker', replicas: nodes - 1, accelerated: true });
      return roles;
    }
    return [{ name: 'worker', kubeflowType: 'Worker', replicas: nodes, accelerated: true }];
  }

  /** A TPU slice that spans several hosts needs a pod on each of them: every accelerated role fills whole slices. */
  private checkSlices(v: Validator, framework: Framework, accelerator: Accelerator): void {
    const hosts = accelerator.hostsInSlice;
    if (hosts === 1) return;
    const why = `the TPU slice (${accelerator.description}) spans ${hosts} nodes and each of them must run a pod`;
    if (!framework._tensorflow) {
      const nodes = this.roles.filter((r) => r.accelerated).reduce((sum, r) => sum + r.replicas, 0);
      if (nodes % hosts !== 0) v.fail('nodes', `must be a multiple of ${hosts}: ${why}`, nodes);
      return;
    }
    for (const role of this.roles.filter((r) => r.accelerated && r.replicas % hosts !== 0)) {
      if (role.name === 'worker') v.fail('framework.workers', `must be a multiple of ${hosts}: ${why}`, role.replicas);
      v.fail(`framework.${role.name}`, `must be false with a multi-host TPU slice: a single ${role.name} pod cannot fill a slice that spans ${hosts} nodes`, true);
    }
  }

  private processesPerPod(v: Validator, framework: Framework, devices: number, perDevice: number): number {
    const given = framework._pytorch?.processesPerNode ?? framework._mpi?.slotsPerWorker;
    if (given === undefined) return perDevice;
    const prop = framework._pytorch ? 'framework.processesPerNode' : 'framework.slotsPerWorker';
    if (devices % given !== 0) {
      v.fail(prop, `must divide the ${devices} devices of each pod evenly (every process gets the same number of devices)`, given);
    }
    return given;
  }

  private jobName(role: Role): string {
    return this.roles.length === 1 ? this.workloadName : `${this.workloadName}-${role.name}`;
  }

  private jobSpec(v: Validator, props: DistributedTrainingProps, role: Role, containerName: string): k8s.JobSpec {
    return jobRunSpec(v, props, containerName, { completionMode: 'Indexed', completions: role.replicas, parallelism: role.replicas, template: role.pod!.template() });
  }

  private container(run: TrainingRun, framework: Framework, backend: Backend, role: Role, c: {
    containerName: string; port: number; processes: number; cluster: Record<string, string[]>;
    hostOf: (role: Role, index: number) => string; rank0: Role; indexField: string; command: string[];
  }): ContainerSpec {
    const command = c.command;
    const base = { name: c.containerName, accelerator: role.accelerated ? run.accelerator : undefined };
    const byKubeflow = backend === Backend.KUBEFLOW;
    const pytorch = framework._pytorch;
    if (pytorch) {
      const ports = [{ name: 'pytorchjob-port', port: c.port }];
      // The operator sets MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK and torchrun's PET_* variables itself.
      if (byKubeflow) return run.container({ ...base, ports, command: ['torchrun', '--no-python', ...command] });
      const nodes = role.replicas;
      const elastic = pytorch.elastic;
      const rendezvous = elastic ? [
        `--nnodes=${elastic.minNodes}:${elastic.maxNodes}`,
        `--nproc_per_node=${c.processes}`,
        '--rdzv_backend=c10d',
        '--rdzv_endpoint=$(MASTER_ADDR):$(MASTER_PORT)',
        `--rdzv_id=${this.workloadName}`,
        `--max_restarts=${elastic.maxRestarts ?? 3}`,
      ] : [
        `--nnodes=${nodes}`,
        `--nproc_per_node=${c.processes}`,
        '--node_rank=$(NODE_RANK)',
        '--master_addr=$(MASTER_ADDR)',
        '--master_port=$(MASTER_PORT)',
      ];
      return run.container({
        ...base,
        ports,
        command: ['torchrun', ...rendezvous, '--no-python', ...command],
        envFirst: [{ name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: c.indexField } } }],
        env: {
          MASTER_ADDR: c.hostOf(c.rank0, 0),
          MASTER_PORT: String(c.port),
          ...(elastic ? {} : { WORLD_SIZE: String(nodes * c.processes) }),
        },
      });
    }
    if (framework._tensorflow) {
      const ports = [{ name: 'tfjob-port', port: c.port }];
      // The operator writes TF_CONFIG itself.
      if (byKubeflow) return run.container({ ...base, ports });
      const tfConfig = JSON.stringify({ cluster: c.cluster, task: { type: role.name, index: INDEX_PLACEHOLDER } })
        .replace(`"${INDEX_PLACEHOLDER}"`, '$(TASK_INDEX)');
      return run.container({
        ...base,
        ports,
        envFirst: [{ name: 'TASK_INDEX', valueFrom: { fieldRef: { fieldPath: c.indexField } } }],
        env: { TF_CONFIG: tfConfig },
      });
    }
    // MPI: the launcher runs mpirun over every slot; the operator writes the hostfile and keeps the workers idle
    // until the launcher starts their processes.
    if (role.name === 'launcher') {
      const slots = this.roles.find((r) => r.name === 'worker')!.replicas * c.processes;
      return run.container({
        ...base,
        command: ['mpirun', '-np', String(slots), '-bind-to', 'none', '-map-by', 'slot', ...command],
        resources: { cpu: 1, memory: '2Gi' },
        mounts: [],
        volumeMounts: [],
      });
    }
    return run.container({ ...base, command: undefined, args: undefined });
  }

  private kubeflowJob(
    v: Validator, props: DistributedTrainingProps, framework: Framework, metadata: { name: string; namespace?: string; labels: Record<string, string> },
    run: TrainingRun, volcanoQueue: string | undefined, processes: number, gang: boolean,
  ): ApiObject {
    const fields = jobRunFields(v, props, framework.kind);
    const runPolicy = {
      backoffLimit: fields.backoffLimit,
      activeDeadlineSeconds: fields.activeDeadlineSeconds,
      ttlSecondsAfterFinished: fields.ttlSecondsAfterFinished,
      suspend: fields.suspend,
      cleanPodPolicy: props.cleanPodPolicy ?? CleanPodPolicy.RUNNING,
      // Gang scheduling: no pod starts until all of them can.
      schedulingPolicy: gang ? { minAvailable: this.totalPods, queue: volcanoQueue, priorityClass: run.placement.scheduling?.priorityClassName } : undefined,
    };
    const replicaSpecs: Record<string, any> = {};
    for (const role of this.roles) {
      // ExitCode: exit codes 1-127 (program errors) fail the run, 128+ (signals, preemption) restart the pod.
      replicaSpecs[role.kubeflowType] = { replicas: role.replicas, restartPolicy: 'ExitCode', template: role.pod!.template() };
    }
    if (framework.kind === FrameworkKind.PYTORCH) {
      const elastic = framework._pytorch!.elastic;
      return new (pyTorchJobCrd().PyTorchJob)(this, 'Resource', {
        metadata,
        spec: {
          runPolicy,
          nprocPerNode: String(processes),
          elasticPolicy: elastic ? {
            minReplicas: elastic.minNodes,
            maxReplicas: elastic.maxNodes,
            maxRestarts: elastic.maxRestarts ?? 3,
            rdzvBackend: 'c10d',
          } : undefined,
          pytorchReplicaSpecs: replicaSpecs,
        },
      });
    }
    if (framework.kind === FrameworkKind.TENSORFLOW) {
      return new (tfJobCrd().TfJob)(this, 'Resource', {
        metadata,
        // The default success policy ends the run when the chief (else worker 0) succeeds: parameter servers never exit.
        spec: { runPolicy, tfReplicaSpecs: replicaSpecs },
      });
    }
    return new (mpiJobCrd().MpiJob)(this, 'Resource', {
      metadata,
      spec: { runPolicy, slotsPerWorker: processes, mpiReplicaSpecs: replicaSpecs },
    });
  }
}

const INDEX_PLACEHOLDER = '__TASK_INDEX__';

/**
 * Waits until rank 0 accepts TCP connections, for at most TIMEOUT_SECONDS; rank 0 itself (POD_INDEX 0) does not
 * wait.
 */
const WAIT_SCRIPT = [
  'if [ "${POD_INDEX:-}" = "0" ]; then exit 0; fi',
  'deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))',
  'until nc -z -w 2 "$RANK0_HOST" "$RANK0_PORT"; do',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then echo "rank 0 at $RANK0_HOST:$RANK0_PORT not reachable after ${TIMEOUT_SECONDS}s" >&2; exit 1; fi',
  '  sleep 2',
  'done',
].join('\n');
