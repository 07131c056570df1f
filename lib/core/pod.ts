import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Accelerator, TolerationSpec } from './accelerator';
import { checkFileMountOverlaps, ConfigEnv, fileVolumeName, ResolvedFileMount } from './config-files';
import { checkArguments, checkContainerStrings, checkUniqueMountPaths, containerPorts } from './container-checks';
import { IValidator } from './errors';
import { deepFreeze } from './frozen';
import { SchedulingOptions, validateScheduling } from './scheduling';
import { SecretValue } from './secrets';
import {
  QuantityInput, quantityToNumber, rejectInlineCredential, validateDnsLabel, validateEnvName, validateImage,
  validateInteger, validateMountPath, validateQuantity,
} from './validation';
import { ResolvedMount } from './volumes';

/** CPU and memory of one container. Requests are what the scheduler reserves; limits cap the container. */
export interface ContainerResources {
  /** CPU request in cores (`2`, `'500m'`). */
  readonly cpu: QuantityInput;
  /** Memory request (`'16Gi'` or `Size.gibibytes(16)`). */
  readonly memory: QuantityInput;
  /**
   * CPU limit.
   * @default - the CPU request
   */
  readonly cpuLimit?: QuantityInput;
  /**
   * Memory limit. A memory-backed `/dev/shm` counts against it.
   * @default - the memory request
   */
  readonly memoryLimit?: QuantityInput;
}

/** The user and group the pods run as. The library never runs a container as root. */
export interface PodSecurityOptions {
  /**
   * The user id of every container (must not be 0).
   * @default 1000
   */
  readonly user?: number;
  /**
   * The primary group id.
   * @default 1000
   */
  readonly group?: number;
  /**
   * The group that owns mounted volumes. Ownership is changed only when the volume root does not match
   * (`fsGroupChangePolicy: OnRootMismatch`), so huge dataset volumes do not take hours to mount.
   * @default - the group id
   */
  readonly fsGroup?: number;
}

/** A named container port. */
export interface PortSpec {
  /** An IANA service name (at most 15 lower-case letters, digits and '-'). */
  readonly name: string;
  /** The port number. */
  readonly port: number;
}

/** One container of a pod, as the constructs describe it. */
export interface ContainerSpec {
  readonly name: string;
  /** The image, pinned by tag or digest. Required unless `imageFromPlatform` is set. */
  readonly image?: string;
  /**
   * The platform supplies the image (a KServe predictor's model container takes it from its ServingRuntime), so
   * the container is rendered without one.
   * @default false
   */
  readonly imageFromPlatform?: boolean;
  readonly command?: string[];
  readonly args?: string[];
  readonly workingDir?: string;
  /** Plain environment values (credential-like names and URIs with passwords are refused). */
  readonly env?: Record<string, string>;
  /** Environment values read from Secrets. */
  readonly secretEnv?: Record<string, SecretValue>;
  /** Environment values computed by the constructs (field references, Secret references). */
  readonly envSources?: Record<string, k8s.EnvVarSource>;
  /**
   * Environment variables placed before all others, so that later values can refer to them as `$(NAME)`
   * (Kubernetes expands only references to variables defined earlier in the list).
   */
  readonly envFirst?: k8s.EnvVar[];
  /** ConfigMaps whose keys become environment variables. */
  readonly envFromConfigMaps?: string[];
  /** ConfigMaps and Secrets whose keys become environment variables (after `envFromConfigMaps`). */
  readonly envFrom?: ConfigEnv[];
  /** ConfigMap and Secret files to mount, read-only (checked by `resolveFileMounts`). */
  readonly files?: ResolvedFileMount[];
  readonly resources: ContainerResources;
  readonly accelerator?: Accelerator;
  readonly ports?: PortSpec[];
  /** Claims to mount (validated by the caller with `checkMounts`). */
  readonly mounts?: ResolvedMount[];
  /** Other volumes of the pod to mount: volume name to mount options. */
  readonly volumeMounts?: k8s.VolumeMount[];
  readonly startupProbe?: k8s.Probe;
  readonly readinessProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
  /** Hooks run after start and before stop (a worker's preStop that finishes in-flight work). */
  readonly lifecycle?: k8s.Lifecycle;
  /** Writable directories (memory-backed `emptyDir`s are not used: these go to node disk). */
  readonly writablePaths?: string[];
  /** Prop name prefix for messages. */
  readonly prop?: string;
}

/** Pod-wide options. */
export interface PodOptions {
  readonly scheduling?: SchedulingOptions;
  readonly serviceAccountName?: string;
  /** Mount a service-account token (only for pods that call the Kubernetes API). @default false */
  readonly automountServiceAccountToken?: boolean;
  readonly restartPolicy?: 'Never' | 'OnFailure' | 'Always';
  /** Size of the memory-backed `/dev/shm`; none when undefined. */
  readonly sharedMemory?: string;
  readonly security?: PodSecurityOptions;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly subdomain?: string;
  readonly terminationGracePeriodSeconds?: number;
  readonly topologySpreadConstraints?: k8s.TopologySpreadConstraint[];
  readonly affinity?: k8s.Affinity;
}

const TMP_VOLUME = 'tmp';
const SHM_VOLUME = 'dshm';
const DEFAULT_ID = 1000;

// Shared by every pod that uses them (frozen: manifests are rendered from copies, never changed in place): thousands
// of pods share one copy of what is the same everywhere, as hand-written code with constants does.
const CONTAINER_SECURITY: k8s.SecurityContext = deepFreeze({
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
});
const DEFAULT_POD_SECURITY = podSecurityContext(DEFAULT_ID, DEFAULT_ID, DEFAULT_ID);
const TMP: k8s.Volume = deepFreeze({ name: TMP_VOLUME, emptyDir: {} });
const TMP_MOUNT: k8s.VolumeMount = deepFreeze({ name: TMP_VOLUME, mountPath: '/tmp' });
const SHM_MOUNT: k8s.VolumeMount = deepFreeze({ name: SHM_VOLUME, mountPath: '/dev/shm' });
// The root filesystem is read-only: tools that cache under $HOME (pip, Hugging Face, matplotlib) need a writable home.
const HOME_IN_TMP: k8s.EnvVar = deepFreeze({ name: 'HOME', value: '/tmp' });

/**
 * Builds pod templates that meet Pod Security "restricted": non-root user, no privilege escalation, all
 * capabilities dropped, RuntimeDefault seccomp, read-only root filesystem with writable `emptyDir`s for `/tmp`
 * (and `/dev/shm` when asked), requests and limits on every container, no service-account token unless asked.
 *
 * The pod spec of {@link PodBuilder.template} is rendered at synth (a `Lazy`), so wiring that changes the pod after
 * the workload was created (`addEnv`, `addVolume`, ...) shows in the manifest.
 */
export class PodBuilder {
  private readonly containers: k8s.Container[] = [];
  private readonly initContainers: k8s.Container[] = [];
  private readonly volumes: k8s.Volume[];
  private readonly accelerators: Accelerator[] = [];
  private readonly extraEnv: k8s.EnvVar[] = [];
  private readonly labels: Record<string, string>;
  private readonly annotations?: Record<string, string>;

  /** The options the spec is built from; labels and annotations live in their own fields. */
  private readonly options: Omit<PodOptions, 'labels' | 'annotations'>;

  public constructor(private readonly v: IValidator, options: PodOptions = {}) {
    validateScheduling(v, options.scheduling);
    if (options.automountServiceAccountToken !== undefined && typeof options.automountServiceAccountToken !== 'boolean') {
      v.fail('automountServiceAccountToken', 'must be true or false', options.automountServiceAccountToken);
    }
    const security = options.security ?? {};
    validateInteger(v, 'security.user', security.user ?? DEFAULT_ID, 1, 2147483647);
    validateInteger(v, 'security.group', security.group ?? DEFAULT_ID, 0, 2147483647);
    validateInteger(v, 'security.fsGroup', security.fsGroup ?? security.group ?? DEFAULT_ID, 0, 2147483647);
    const { labels, annotations, ...podOptions } = options;
    this.options = podOptions;
    this.labels = { ...labels, ...options.scheduling?.queue?.labels };
    const podAnnotations = { ...annotations, ...options.scheduling?.queue?.podAnnotations };
    if (Object.keys(podAnnotations).length > 0) this.annotations = podAnnotations;
    this.volumes = options.sharedMemory === undefined ? [TMP]
      : [TMP, { name: SHM_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(options.sharedMemory) } }];
  }

  /** Adds a main container. */
  public addContainer(spec: ContainerSpec): this {
    this.containers.push(this.container(spec, false));
    return this;
  }

  /** Adds an init container (run to completion, in order, before the main containers start). */
  public addInitContainer(spec: ContainerSpec): this {
    this.initContainers.push(this.container(spec, true));
    return this;
  }

  /** Adds a volume to the pod (a volume of the same name is replaced only if identical). */
  public addVolume(volume: k8s.Volume): this {
    const existing = this.volume(volume.name);
    if (existing && JSON.stringify(existing) !== JSON.stringify(volume)) {
      this.v.fail('volumes', 'must not define two different volumes with the same name', volume.name);
    }
    this.setVolume(volume);
    return this;
  }

  /** Adds an environment variable to every main container (used by wiring: tracking URIs, feature store address). */
  public addEnv(name: string, value: string | SecretValue | k8s.EnvVarSource): this {
    validateEnvName(this.v, 'env', name);
    let env: k8s.EnvVar;
    if (typeof value === 'string') {
      rejectInlineCredential(this.v, `env.${name}`, name, value);
      env = { name, value };
    } else if (value instanceof SecretValue) {
      env = { name, valueFrom: value.toEnvSource() };
    } else {
      env = { name, valueFrom: value };
    }
    this.extraEnv.push(env);
    return this;
  }

  /**
   * Adds a label to the pods (used by wiring, e.g. Istio sidecar injection). The label is not part of any selector,
   * so a Deployment's immutable selector does not change.
   */
  public addLabel(key: string, value: string): this {
    this.labels[key] = value;
    return this;
  }

  /** The labels the pods carry. */
  public get podLabels(): Record<string, string> {
    return { ...this.labels };
  }

  /** The pod template: its labels are the builder's own object and its spec is rendered at synth (later wiring shows). */
  public template(): k8s.PodTemplateSpec {
    return {
      metadata: {
        labels: this.labels,
        // Fixed at construction (wiring adds env and volumes, not annotations).
        annotations: this.annotations,
      },
      spec: Lazy.any({ produce: () => this.buildSpec() }),
    };
  }

  /** The pod spec as it stands now: a copy, changing it does not change the pod. */
  public podSpec(): k8s.PodSpec {
    const spec = this.buildSpec();
    return {
      ...spec,
      initContainers: spec.initContainers && [...spec.initContainers],
      containers: [...spec.containers],
      volumes: spec.volumes && [...spec.volumes],
    };
  }

  /** The pod spec as it stands now; its volumes are the builder's own list. */
  private buildSpec(): k8s.PodSpec {
    const scheduling = this.options.scheduling ?? {};
    const security = this.options.security ?? {};
    const user = security.user ?? DEFAULT_ID;
    const group = security.group ?? DEFAULT_ID;
    const fsGroup = security.fsGroup ?? group;
    const nodeSelector: Record<string, string> = {
      ...scheduling.spot?.nodeSelector,
      ...scheduling.nodeSelector,
    };
    const tolerations: TolerationSpec[] = [...(scheduling.spot?.tolerations ?? []), ...(scheduling.tolerations ?? [])];
    const nodeRequirements = [...(scheduling.requiredNodeAffinity ?? [])];
    for (const accelerator of this.accelerators) {
      Object.assign(nodeSelector, accelerator.nodeSelector);
      tolerations.push(...accelerator.tolerations);
      nodeRequirements.push(...accelerator.nodeRequirements);
    }
    const runsOnNvidiaNodes = this.accelerators.some((a) => a.isNvidia) || tolerations.some((t) => t.key === 'nvidia.com/gpu');
    // A container whose env does not change is used as it is: the spec shares it with the builder.
    const withPodEnv = (container: k8s.Container, extra: k8s.EnvVar[], hideGpus: boolean): k8s.Container => {
      let env = mergeEnv(container.env, extra);
      if (hideGpus && !(env ?? []).some((e) => e.name === 'NVIDIA_VISIBLE_DEVICES')) {
        // A container that requests no GPU still sees every GPU of the node unless told otherwise.
        env = [...(env ?? []), { name: 'NVIDIA_VISIBLE_DEVICES', value: 'none' }];
      }
      return env === container.env ? container : { ...container, env };
    };
    const hasNvidia = (c: k8s.Container) => Object.keys(c.resources?.limits ?? {}).some((r) => r.startsWith('nvidia.com/'));
    const containers = this.containers.map((c) => withPodEnv(c, this.extraEnv, runsOnNvidiaNodes && !hasNvidia(c)));
    const initContainers = this.initContainers.map((c) => withPodEnv(c, [], runsOnNvidiaNodes && !hasNvidia(c)));

    return {
      serviceAccountName: this.options.serviceAccountName,
      automountServiceAccountToken: this.options.automountServiceAccountToken ?? false,
      restartPolicy: this.options.restartPolicy,
      subdomain: this.options.subdomain,
      terminationGracePeriodSeconds: this.options.terminationGracePeriodSeconds,
      priorityClassName: scheduling.priorityClassName,
      schedulerName: scheduling.queue?.schedulerName,
      securityContext: user === DEFAULT_ID && group === DEFAULT_ID && fsGroup === DEFAULT_ID ? DEFAULT_POD_SECURITY : podSecurityContext(user, group, fsGroup),
      nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
      tolerations: tolerations.length > 0 ? dedupe(tolerations) : undefined,
      affinity: this.affinity(nodeRequirements, scheduling),
      topologySpreadConstraints: this.options.topologySpreadConstraints,
      initContainers: initContainers.length > 0 ? initContainers : undefined,
      containers,
      volumes: this.volumes,
    };
  }

  private volume(name: string): k8s.Volume | undefined {
    return this.volumes.find((v) => v.name === name);
  }

  /** Adds `volume`, or replaces the volume of the same name (its position in the list is kept). */
  private setVolume(volume: k8s.Volume): void {
    const i = this.volumes.findIndex((v) => v.name === volume.name);
    if (i < 0) this.volumes.push(volume);
    else this.volumes[i] = volume;
  }

  private affinity(nodeRequirements: SchedulingOptions['requiredNodeAffinity'] & object, scheduling: SchedulingOptions): k8s.Affinity | undefined {
    const affinity: { -readonly [K in keyof k8s.Affinity]: k8s.Affinity[K] } = { ...this.options.affinity };
    if (nodeRequirements.length > 0) {
      affinity.nodeAffinity = {
        ...affinity.nodeAffinity,
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: nodeRequirements.map((r) => ({ key: r.key, operator: r.operator, values: r.values })) }],
        },
      };
    }
    if (scheduling.avoidNodesRunning && Object.keys(scheduling.avoidNodesRunning).length > 0) {
      affinity.podAntiAffinity = {
        ...affinity.podAntiAffinity,
        preferredDuringSchedulingIgnoredDuringExecution: [
          ...(affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
          { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: scheduling.avoidNodesRunning }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      };
    }
    return Object.keys(affinity).length > 0 ? affinity : undefined;
  }

  private container(spec: ContainerSpec, isInit: boolean): k8s.Container {
    const v = this.v;
    const at = (name: string) => (spec.prop ? `${spec.prop}.${name}` : name);
    validateDnsLabel(v, at('name'), spec.name);
    if (spec.image !== undefined || !spec.imageFromPlatform) validateImage(v, at('image'), spec.image as string);
    const resources = this.resources(spec, at, !isInit);
    checkContainerStrings(v, at, spec);
    if (spec.accelerator) {
      if (!(spec.accelerator instanceof Accelerator)) v.fail(at('accelerator'), 'must be made with an Accelerator factory such as Accelerator.nvidiaGpu(1)', spec.accelerator);
      this.accelerators.push(spec.accelerator);
    }

    const env: k8s.EnvVar[] = [];
    for (const e of spec.envFirst ?? []) {
      validateEnvName(v, at('env'), e.name);
      if (e.value !== undefined) rejectInlineCredential(v, at(`env.${e.name}`), e.name, e.value);
      env.push(e);
    }
    for (const [name, value] of Object.entries(spec.env ?? {})) {
      validateEnvName(v, at('env'), name);
      if (typeof value !== 'string') v.fail(at(`env.${name}`), 'must be a string (use secretEnv for Secret values)', value);
      rejectInlineCredential(v, at(`env.${name}`), name, value);
      env.push({ name, value });
    }
    for (const [name, secret] of Object.entries(spec.secretEnv ?? {})) {
      validateEnvName(v, at('secretEnv'), name);
      if (!(secret instanceof SecretValue)) v.fail(at(`secretEnv.${name}`), 'must be made with SecretValue.fromSecret(name, key)', secret);
      env.push({ name, valueFrom: secret.toEnvSource() });
    }
    for (const [name, source] of Object.entries(spec.envSources ?? {})) env.push({ name, valueFrom: source });
    if (!env.some((e) => e.name === 'HOME')) env.push(HOME_IN_TMP);
    checkArguments(v, at, spec);
    const ports = containerPorts(v, at, spec.ports);

    const volumeMounts = this.volumeMounts(spec, at, isInit);
    const envFrom = [...(spec.envFromConfigMaps ?? []).map((name) => ({ configMapRef: { name } })), ...(spec.envFrom ?? []).map((e) => e._source())];

    return {
      name: spec.name,
      image: spec.image,
      imagePullPolicy: 'IfNotPresent',
      command: spec.command,
      args: spec.args,
      workingDir: spec.workingDir,
      env: env.length > 0 ? env : undefined,
      envFrom: envFrom.length > 0 ? envFrom : undefined,
      ports,
      resources,
      volumeMounts,
      startupProbe: spec.startupProbe,
      readinessProbe: spec.readinessProbe,
      livenessProbe: spec.livenessProbe,
      lifecycle: spec.lifecycle,
      securityContext: CONTAINER_SECURITY,
    };
  }

  /** The container's mounts: `/tmp`, `/dev/shm`, claims, writable paths, the caller's and ConfigMap/Secret files. */
  private volumeMounts(spec: ContainerSpec, at: (name: string) => string, isInit: boolean): k8s.VolumeMount[] {
    const v = this.v;
    const volumeMounts: k8s.VolumeMount[] = [TMP_MOUNT];
    if (this.volume(SHM_VOLUME) && !isInit) volumeMounts.push(SHM_MOUNT);
    for (const mount of spec.mounts ?? []) {
      const claimName = mount.claim.claimName;
      // One volume per claim, even when it is mounted twice (sub-paths, read-only and writable): read-only only while
      // every mount of it is (each mount is read-only on its own). A claim named like a volume of the library
      // (`tmp`, `dshm`, `hyperparameters`) gets a `claim-` prefix.
      let volumeName = claimVolumeName(claimName);
      const sameName = this.volume(volumeName);
      if (sameName && sameName.persistentVolumeClaim?.claimName !== claimName) {
        volumeName = claimVolumeName(`claim-${claimName}`);
      }
      const previous = this.volume(volumeName)?.persistentVolumeClaim;
      const readOnly = mount.readOnly && (previous === undefined || previous.readOnly === true);
      this.setVolume({ name: volumeName, persistentVolumeClaim: { claimName, readOnly: readOnly || undefined } });
      volumeMounts.push({ name: volumeName, mountPath: mount.path, readOnly: mount.readOnly || undefined, subPath: mount.subPath });
    }
    for (const [i, path] of (spec.writablePaths ?? []).entries()) {
      validateMountPath(v, at(`writablePaths[${i}]`), path);
      const name = `${spec.name}-scratch-${i}`.slice(0, 63);
      this.addVolume({ name, emptyDir: {} });
      volumeMounts.push({ name, mountPath: path });
    }
    volumeMounts.push(...(spec.volumeMounts ?? []));
    const fileVolumes = (spec.files ?? []).map((file, i) => {
      const name = file.volumeName ?? fileVolumeName(spec.name, i);
      this.addVolume(file.source._volume(name));
      volumeMounts.push({ name, mountPath: file.path, readOnly: true });
      return name;
    });
    checkFileMountOverlaps(v, spec.files ?? [], volumeMounts, fileVolumes);
    checkUniqueMountPaths(v, at('mounts'), volumeMounts);
    return volumeMounts;
  }

  private resources(spec: ContainerSpec, at: (name: string) => string, mountsSharedMemory: boolean): k8s.ResourceRequirements {
    const r = spec.resources;
    if (!r) this.v.fail(at('resources'), 'must give cpu and memory', r);
    const cpu = validateQuantity(this.v, at('cpu'), r.cpu);
    const memory = validateQuantity(this.v, at('memory'), r.memory);
    const cpuLimit = r.cpuLimit === undefined ? cpu : validateQuantity(this.v, at('cpuLimit'), r.cpuLimit);
    const memoryLimit = r.memoryLimit === undefined ? memory : validateQuantity(this.v, at('memoryLimit'), r.memoryLimit);
    if (quantityToNumber(cpuLimit) < quantityToNumber(cpu)) this.v.fail(at('cpuLimit'), `must be at least the cpu request ${cpu}`, cpuLimit);
    if (quantityToNumber(memoryLimit) < quantityToNumber(memory)) this.v.fail(at('memoryLimit'), `must be at least the memory request ${memory}`, memoryLimit);
    if (mountsSharedMemory && this.options.sharedMemory !== undefined && quantityToNumber(this.options.sharedMemory) >= quantityToNumber(memoryLimit)) {
      this.v.fail('sharedMemory', `must be smaller than the memory limit ${memoryLimit} (a memory-backed /dev/shm counts against it)`, this.options.sharedMemory);
    }
    // Extended resources (GPUs, TPUs) go in limits; requests, when given, must equal them. Kueue reads requests.
    const extended: Record<string, k8s.Quantity> = {};
    for (const [name, count] of Object.entries(spec.accelerator?.resources ?? {})) extended[name] = k8s.Quantity.fromString(count);
    return {
      requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory), ...extended },
      limits: { cpu: k8s.Quantity.fromString(cpuLimit), memory: k8s.Quantity.fromString(memoryLimit), ...extended },
    };
  }
}

/** The pod volume name for a claim (volume names are DNS labels; claim names may be longer subdomains). */
function claimVolumeName(claimName: string): string {
  const name = claimName.replace(/\./g, '-');
  return name.length <= 63 ? name : name.slice(0, 63).replace(/-+$/, '');
}

function mergeEnv(own: k8s.EnvVar[] | undefined, extra: k8s.EnvVar[]): k8s.EnvVar[] | undefined {
  if (extra.length === 0) return own;
  const names = new Set(extra.map((e) => e.name));
  return [...(own ?? []).filter((e) => !names.has(e.name)), ...extra];
}

function dedupe(tolerations: TolerationSpec[]): TolerationSpec[] {
  if (tolerations.length === 1) return tolerations;
  const seen = new Set<string>();
  return tolerations.filter((t) => {
    const key = JSON.stringify(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The pod security context of Pod Security "restricted" for these ids. */
function podSecurityContext(user: number, group: number, fsGroup: number): k8s.PodSecurityContext {
  return deepFreeze({
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: group,
    fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  });
}
