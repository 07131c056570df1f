import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator, AcceleratorVendor } from '../core/accelerator';
import { ConfigEnv, FileMount, resolveConfigEnv, resolveFileMounts, ResolvedFileMount } from '../core/config-files';
import { IValidator } from '../core/errors';
import { JobRunOptions } from '../core/job';
import { childName, componentLabels, imageTag, selectorLabels } from '../core/labels';
import { ContainerSpec, PodBuilder, PodOptions, PodSecurityOptions } from '../core/pod';
import { SchedulingOptions, validateScheduling } from '../core/scheduling';
import { SecretValue } from '../core/secrets';
import { trainingSharedMemory } from '../core/training';
import { QuantityInput, validateDnsSubdomain, validateImage, validateLabels, UNRENDERABLE_KEY } from '../core/validation';
import { checkMounts, resolveMount, ResolvedMount, VolumeMount } from '../core/volumes';
import { ITeam, Placement, resolvePlacement, WorkloadRole } from '../core/workload';

/** Hyperparameter values: scalars, or objects and arrays rendered as JSON. */
export type Hyperparameters = Record<string, string | number | boolean | object>;

/** Where hyperparameter files are mounted. */
export const HYPERPARAMETERS_PATH = '/etc/hyperparameters';

/** The data volumes of a training run. */
export interface TrainingMounts {
  /**
   * The dataset, mounted read-only unless `readOnly: false`.
   * @default - no dataset volume
   */
  readonly dataset?: VolumeMount;
  /**
   * Where the trained model is written (writable).
   * @default - no model volume
   */
  readonly modelOutput?: VolumeMount;
  /**
   * Where checkpoints are written (writable); its path is in `CHECKPOINT_DIR`. Required on spot capacity.
   * @default - no checkpoint volume
   */
  readonly checkpoints?: VolumeMount;
  /**
   * Other claims to mount (read-only unless `readOnly: false`).
   * @default - none
   */
  readonly mounts?: VolumeMount[];
}

/** The mounts of a training run with their read-only defaults applied and their fields checked. */
export function resolveTrainingMounts(v: IValidator, props: TrainingMounts): ResolvedMount[] {
  const mounts: ResolvedMount[] = [];
  if (props.dataset) mounts.push(resolveMount(v, 'dataset', props.dataset, true));
  if (props.modelOutput) mounts.push(resolveMount(v, 'modelOutput', props.modelOutput, false));
  if (props.checkpoints) mounts.push(resolveMount(v, 'checkpoints', props.checkpoints, false));
  if (props.mounts !== undefined && !Array.isArray(props.mounts)) v.fail('mounts', 'must be a list of { claim, path }', props.mounts);
  (props.mounts ?? []).forEach((m, i) => mounts.push(resolveMount(v, `mounts[${i}]`, m, true)));
  for (const m of mounts) {
    if ((m.prop === 'modelOutput' || m.prop === 'checkpoints') && m.readOnly) {
      v.fail(`${m.prop}.readOnly`, 'must be false: the run writes there', m.readOnly);
    }
  }
  return mounts;
}

/** The hyperparameters ConfigMap of a run, with the volume and mount that expose it. */
export function hyperparameterConfigMap(
  scope: Construct, v: IValidator, baseName: string, namespace: string | undefined, labels: Record<string, string>,
  hyperparameters: Hyperparameters | undefined, configMapName?: string,
): { name: string; volume: k8s.Volume; mount: k8s.VolumeMount } | undefined {
  if (configMapName !== undefined) {
    validateDnsSubdomain(v, 'hyperparametersConfigMapName', configMapName);
    if (hyperparameters === undefined) {
      v.fail('hyperparametersConfigMapName', 'names the ConfigMap made from hyperparameters, which are not set (an existing ConfigMap is mounted with files and envFrom)', configMapName);
    }
  }
  if (hyperparameters === undefined) return undefined;
  if (typeof hyperparameters !== 'object' || hyperparameters === null || Array.isArray(hyperparameters)) {
    v.fail('hyperparameters', 'must be an object of names to values', hyperparameters);
  }
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(hyperparameters)) {
    // Keys become env var names and file names.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      v.fail('hyperparameters', 'must have keys usable as environment variable and file names (letters, digits and \'_\')', key);
    }
    if (value === undefined || value === null || typeof value === 'function') {
      v.fail(`hyperparameters.${key}`, 'must be a string, number, boolean, object or array', value);
    }
    if (key === 'constructor') v.fail('hyperparameters', UNRENDERABLE_KEY, key);
    const problem = jsonProblem(value, key, []);
    if (problem !== undefined) v.fail(`hyperparameters.${problem.path}`, problem.requirement, problem.value);
    data[key] = typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value);
  }
  const name = configMapName ?? childName(baseName, 'hparams');
  new k8s.KubeConfigMap(scope, 'Hyperparameters', { metadata: { name, namespace, labels }, data });
  return {
    name,
    volume: { name: 'hyperparameters', configMap: { name } },
    mount: { name: 'hyperparameters', mountPath: HYPERPARAMETERS_PATH, readOnly: true },
  };
}

/**
 * What keeps `value` from being written as JSON and read back the same: a class instance (a Date, a Map), a
 * function, a non-finite number, a cycle. `path` names the value (`layers[2]`), `ancestors` the objects it is inside.
 */
function jsonProblem(value: unknown, path: string, ancestors: object[]): { path: string; requirement: string; value: unknown } | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, requirement: 'must be a finite number', value: String(value) };
  if (value === null || typeof value !== 'object') return { path, requirement: 'must be a string, number, boolean, null, plain object or array', value: typeof value };
  if (ancestors.includes(value)) return { path, requirement: 'must not refer back to an object it is inside (a circular structure)', value: 'a circular reference' };
  const prototype = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) {
    return { path, requirement: 'must be a plain object or array (class instances such as Date or Map do not survive JSON)', value: `a ${prototype?.constructor?.name ?? 'object'}` };
  }
  const inside = [...ancestors, value];
  for (const [k, item] of Object.entries(value)) {
    const problem = jsonProblem(item, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, inside);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** What every training construct (GpuTrainingJob, DistributedTraining) takes: image, resources, data and placement. */
export interface TrainingRunProps extends JobRunOptions, TrainingMounts {
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
   * The accelerator of each training pod.
   * @default Accelerator.nvidiaGpu(1)
   */
  readonly accelerator?: Accelerator;
  /**
   * CPU cores requested per training pod (and the limit, unless `cpuLimit` is given).
   * @default 4
   */
  readonly cpu?: QuantityInput;
  /**
   * CPU limit per training pod, at least `cpu` (bursting above the request, where the team's LimitRange and quota
   * allow it: a team quota counts `limits.cpu` too).
   * @default - the CPU request
   */
  readonly cpuLimit?: QuantityInput;
  /**
   * Memory requested per training pod (and the limit, unless `memoryLimit` is given).
   * @default '32Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * Memory limit per training pod, at least `memory`. A pod above its request is the first evicted under node
   * memory pressure: keep it equal for long runs.
   * @default - the memory request
   */
  readonly memoryLimit?: QuantityInput;
  /**
   * Size of the memory-backed `/dev/shm` (PyTorch DataLoader workers and NCCL use it; the 64 MiB a container gets
   * otherwise crashes them). It counts against the memory limit.
   * @default - a quarter of the memory, at most 16Gi; none for a CPU-only run (`Accelerator.none()`)
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
   * Hyperparameters, rendered into a ConfigMap `<name>-hparams` (or `hyperparametersConfigMapName`): each key is an
   * environment variable and a file under `/etc/hyperparameters` (objects and arrays as JSON).
   * @default - none
   */
  readonly hyperparameters?: Hyperparameters;
  /**
   * The name of the ConfigMap made from `hyperparameters` (a name other tools already read). To use a ConfigMap
   * that exists already instead, leave `hyperparameters` out and give it to `envFrom` and `files`.
   * @default - `<name>-hparams`
   */
  readonly hyperparametersConfigMapName?: string;
  /**
   * Files from ConfigMaps and Secrets that exist in the namespace, each mounted read-only as a directory (never with
   * `subPath`, so the files follow updates): `{ source: ConfigFiles.fromSecret('git-credentials'), path: '/etc/git' }`.
   * @default - none
   */
  readonly files?: FileMount[];
  /**
   * ConfigMaps and Secrets whose keys all become environment variables (`envFrom`), with an optional prefix:
   * `ConfigEnv.fromConfigMap('model-params')`.
   * @default - none
   */
  readonly envFrom?: ConfigEnv[];
  /**
   * Where and how the pods are scheduled: spot capacity, node labels, tolerations, priority, queue.
   * @default - on-demand nodes that have the accelerator
   */
  readonly scheduling?: SchedulingOptions;
  /**
   * The ServiceAccount the pods run as.
   * @default - the team's training service account, else the namespace's default, without a token
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

/** How {@link TrainingRun.prepare} places a run. */
export interface TrainingRunOptions {
  /** The run's name (its objects' names and `app.kubernetes.io/name`). */
  readonly name: string;
  /** True when the run's pods may land on several nodes (ReadWriteOnce claims are then refused). */
  readonly podsMaySpanNodes: boolean;
  /** Why the pods may span nodes, for the message (`two scheduled runs may overlap`). */
  readonly spanReason?: string;
  /** Extra checks of the accelerator, run right after it is resolved. */
  readonly checkAccelerator?: (accelerator: Accelerator) => void;
  /**
   * The `app.kubernetes.io/component` label of the run's objects and pods (and of their selector).
   * @default 'training'
   */
  readonly component?: string;
}

/**
 * The resolved, validated parts of a training run that every training construct needs: placement, accelerator,
 * mounts, labels, the hyperparameters ConfigMap; and the pods and trainer containers made from them.
 */
export class TrainingRun {
  /**
   * Validates `props`, resolves the team placement and mounts and creates the hyperparameters ConfigMap (child id
   * `Hyperparameters`) in `scope`.
   */
  public static prepare(scope: Construct, v: IValidator, props: TrainingRunProps & { readonly suspend?: boolean }, options: TrainingRunOptions): TrainingRun {
    // The image first: a bad image is the likeliest mistake, and later checks read its tag.
    validateImage(v, 'image', props.image);
    // Constructs prepend their launcher (torchrun, mpirun) to the command: a string would be spread into characters.
    for (const key of ['command', 'args'] as const) {
      const list = props[key];
      if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))) v.fail(key, 'must be a list of strings', list);
    }
    const placement = resolvePlacement(v, scope, props, WorkloadRole.TRAINING);
    const queue = placement.scheduling?.queue;
    if (props.suspend === true && queue?.system === 'kueue') {
      // A queue the user gave is checked first, so that a malformed one is reported as such.
      validateScheduling(v, props.scheduling);
      const from = props.scheduling?.queue === undefined ? 'the team\'s' : 'the';
      v.fail('suspend', `cannot hold a run queued to Kueue (${from} LocalQueue '${queue.name}'): Kueue resumes a queued Job as soon as it admits it, so it would not wait for anyone; leave suspend out to let Kueue start it, or run it without a queue (no scheduling.queue, a team with kueue: false) to start it by hand`, true);
    }
    const accelerator = props.accelerator ?? Accelerator.nvidiaGpu(1);
    if (!(accelerator instanceof Accelerator)) v.fail('accelerator', 'must be made with an Accelerator factory such as Accelerator.nvidiaGpu(1)', accelerator);
    options.checkAccelerator?.(accelerator);

    const mounts = resolveTrainingMounts(v, props);
    checkMounts(v, mounts, { podsMaySpanNodes: options.podsMaySpanNodes, namespace: placement.namespace, why: options.spanReason });
    if (placement.scheduling?.spot !== undefined && props.checkpoints === undefined) {
      v.fail('checkpoints', 'must be set for a spot run: a reclaimed spot node loses all progress that was not checkpointed to a volume', props.checkpoints);
    }

    const component = options.component ?? 'training';
    const labels = { ...validateLabels(v, 'labels', props.labels), ...componentLabels({ name: options.name, instance: options.name, component, version: imageTag(props.image) }) };
    const podSelector = selectorLabels({ instance: options.name, component });
    const hparams = hyperparameterConfigMap(scope, v, options.name, placement.namespace, labels, props.hyperparameters, props.hyperparametersConfigMapName);
    const files = resolveFileMounts(v, 'files', props.files);
    const envFrom = resolveConfigEnv(v, 'envFrom', props.envFrom);
    const memory = props.memory ?? '32Gi';
    // A CPU-only run (a data step) has no DataLoader workers or NCCL to feed: no memory-backed /dev/shm unless asked.
    const cpuOnly = accelerator.vendor === AcceleratorVendor.NONE;
    const sharedMemory = cpuOnly && props.sharedMemory === undefined ? undefined : trainingSharedMemory(v, memory, props.sharedMemory);
    return new TrainingRun(v, props, placement, accelerator, mounts, labels, podSelector, hparams, memory, sharedMemory, { files, envFrom });
  }

  private constructor(
    private readonly v: IValidator,
    private readonly props: TrainingRunProps,
    /** Namespace, service account and scheduling after the team's defaults. */
    public readonly placement: Placement,
    /** The accelerator of a training pod. */
    public readonly accelerator: Accelerator,
    /** The claims every training container mounts. */
    public readonly mounts: ResolvedMount[],
    /** The labels of every object of the run. */
    public readonly labels: Record<string, string>,
    /** Labels that select every pod of the run. */
    public readonly podSelector: Record<string, string>,
    private readonly hparams: ReturnType<typeof hyperparameterConfigMap>,
    private readonly memory: QuantityInput,
    private readonly sharedMemory: string | undefined,
    private readonly config: { readonly files: ResolvedFileMount[]; readonly envFrom: ConfigEnv[] },
  ) {}

  /** The size of the pods' memory-backed `/dev/shm`, if they have one. */
  public get sharedMemorySize(): string | undefined {
    return this.sharedMemory;
  }

  /** The name of the hyperparameters ConfigMap, if any. */
  public get hyperparametersConfigMapName(): string | undefined {
    return this.hparams?.name;
  }

  /**
   * A pod of the run: restricted, `restartPolicy: Never` (backoffLimit does not cap restarts under OnFailure),
   * memory-backed `/dev/shm`, the run's labels and the hyperparameters volume. `options` override these (a pod that
   * runs no training, such as an MPI launcher, passes `sharedMemory: undefined`).
   */
  public pod(options: Omit<PodOptions, 'scheduling' | 'security'> = {}): PodBuilder {
    const pod = new PodBuilder(this.v, {
      scheduling: this.placement.scheduling,
      serviceAccountName: this.placement.serviceAccountName,
      automountServiceAccountToken: this.props.automountServiceAccountToken,
      restartPolicy: 'Never',
      sharedMemory: this.sharedMemory,
      security: this.props.security,
      ...options,
      labels: { ...this.labels, ...this.podSelector, ...options.labels },
    });
    if (this.hparams) pod.addVolume(this.hparams.volume);
    return pod;
  }

  /**
   * The trainer container: the image, command, env (plus `CHECKPOINT_DIR`), secrets, hyperparameters, resources,
   * accelerator and mounts of the props; `overrides` replace fields and `env` adds to the props' env.
   */
  public container(overrides: Partial<ContainerSpec> & { readonly name: string }): ContainerSpec {
    const props = this.props;
    return {
      image: props.image,
      command: props.command,
      args: props.args,
      workingDir: props.workingDir,
      secretEnv: props.secretEnv,
      envFromConfigMaps: this.hparams ? [this.hparams.name] : undefined,
      envFrom: this.config.envFrom,
      files: this.config.files,
      resources: { cpu: props.cpu ?? 4, cpuLimit: props.cpuLimit, memory: this.memory, memoryLimit: props.memoryLimit },
      accelerator: this.accelerator,
      mounts: this.mounts,
      volumeMounts: this.hparams ? [this.hparams.mount] : undefined,
      ...overrides,
      env: {
        ...props.env,
        ...(props.checkpoints ? { CHECKPOINT_DIR: props.checkpoints.path } : {}),
        ...overrides.env,
      },
    };
  }
}
