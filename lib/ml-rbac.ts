import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Accelerator, acceleratorResourceNames, describeValue, ITeam, IValidator, PodNetworkPolicy, QuantityInput, Queue, TolerationSpec,
  validateLabels, Validator, WorkloadRole,
} from './core';
import { lazyModule } from './core/lazy';
import { childName, componentLabels } from './core/labels';
import { validateTolerations } from './core/scheduling';
import { validateDnsLabel, validateDnsSubdomain, validateInteger, validateQuantity } from './core/validation';

// Generated CRD classes, loaded when first used (see lazyModule).
const clusterQueueCrd = lazyModule(() => require('../imports/kueue-clusterqueue-kueue.x-k8s.io') as typeof import('../imports/kueue-clusterqueue-kueue.x-k8s.io'));
const localQueueCrd = lazyModule(() => require('../imports/kueue-localqueue-kueue.x-k8s.io') as typeof import('../imports/kueue-localqueue-kueue.x-k8s.io'));

/** An RBAC verb. Wildcards (`*`) and the privilege-changing verbs (`escalate`, `bind`, `impersonate`) are not offered. */
export enum Verb {
  GET = 'get',
  LIST = 'list',
  WATCH = 'watch',
  CREATE = 'create',
  UPDATE = 'update',
  PATCH = 'patch',
  DELETE = 'delete',
  DELETE_COLLECTION = 'deletecollection',
}

const READ = [Verb.GET, Verb.LIST, Verb.WATCH];
const ALL_VERBS = Object.values(Verb) as Verb[];

/**
 * A namespaced API resource a team Role may name, with the API group it really lives in and the verbs it serves.
 * Only these can appear in rules, so `jobs` in the core group, a made-up resource or a wildcard cannot be written.
 * `pods/exec` is deliberately absent: it is granted only by `TrainerOptions.allowPodExec`.
 */
export class ApiResource {
  private static readonly catalog: ApiResource[] = [];

  /** Pods (core group). */
  public static readonly PODS = new ApiResource('', 'pods', ALL_VERBS);
  /** Container logs of pods (core group; read only). */
  public static readonly POD_LOGS = new ApiResource('', 'pods/log', [Verb.GET]);
  /** ConfigMaps (core group). */
  public static readonly CONFIG_MAPS = new ApiResource('', 'configmaps', ALL_VERBS);
  /** Secrets (core group); `list`, `watch` and `deletecollection` are refused in team Roles. */
  public static readonly SECRETS = new ApiResource('', 'secrets', ALL_VERBS);
  /** Services (core group). */
  public static readonly SERVICES = new ApiResource('', 'services', ALL_VERBS);
  /** PersistentVolumeClaims (core group). */
  public static readonly PERSISTENT_VOLUME_CLAIMS = new ApiResource('', 'persistentvolumeclaims', ALL_VERBS);
  /** Events (core group; read only). */
  public static readonly EVENTS = new ApiResource('', 'events', READ);
  /** ResourceQuotas (core group; read only: a team must not raise its own quota). */
  public static readonly RESOURCE_QUOTAS = new ApiResource('', 'resourcequotas', READ);
  /** LimitRanges (core group; read only). */
  public static readonly LIMIT_RANGES = new ApiResource('', 'limitranges', READ);
  /** Jobs (group `batch`). */
  public static readonly JOBS = new ApiResource('batch', 'jobs', ALL_VERBS);
  /** CronJobs (group `batch`). */
  public static readonly CRON_JOBS = new ApiResource('batch', 'cronjobs', ALL_VERBS);
  /** Deployments (group `apps`). */
  public static readonly DEPLOYMENTS = new ApiResource('apps', 'deployments', ALL_VERBS);
  /** StatefulSets (group `apps`). */
  public static readonly STATEFUL_SETS = new ApiResource('apps', 'statefulsets', ALL_VERBS);
  /** HorizontalPodAutoscalers (group `autoscaling`). */
  public static readonly HORIZONTAL_POD_AUTOSCALERS = new ApiResource('autoscaling', 'horizontalpodautoscalers', ALL_VERBS);
  /** PodDisruptionBudgets (group `policy`). */
  public static readonly POD_DISRUPTION_BUDGETS = new ApiResource('policy', 'poddisruptionbudgets', ALL_VERBS);
  /** Ingresses (group `networking.k8s.io`). */
  public static readonly INGRESSES = new ApiResource('networking.k8s.io', 'ingresses', ALL_VERBS);
  /** Kubeflow PyTorchJobs (group `kubeflow.org`). */
  public static readonly PYTORCH_JOBS = new ApiResource('kubeflow.org', 'pytorchjobs', ALL_VERBS);
  /** Kubeflow TFJobs (group `kubeflow.org`). */
  public static readonly TF_JOBS = new ApiResource('kubeflow.org', 'tfjobs', ALL_VERBS);
  /** Kubeflow MPIJobs (group `kubeflow.org`). */
  public static readonly MPI_JOBS = new ApiResource('kubeflow.org', 'mpijobs', ALL_VERBS);
  /** JobSets (group `jobset.x-k8s.io`). */
  public static readonly JOB_SETS = new ApiResource('jobset.x-k8s.io', 'jobsets', ALL_VERBS);
  /** KServe InferenceServices (group `serving.kserve.io`). */
  public static readonly INFERENCE_SERVICES = new ApiResource('serving.kserve.io', 'inferenceservices', ALL_VERBS);
  /** Argo Workflows (group `argoproj.io`). */
  public static readonly ARGO_WORKFLOWS = new ApiResource('argoproj.io', 'workflows', ALL_VERBS);
  /** Kueue Workloads, the admission state of queued jobs (group `kueue.x-k8s.io`; read only). */
  public static readonly KUEUE_WORKLOADS = new ApiResource('kueue.x-k8s.io', 'workloads', READ);
  /** Kueue LocalQueues (group `kueue.x-k8s.io`; read only: the platform owns them). */
  public static readonly LOCAL_QUEUES = new ApiResource('kueue.x-k8s.io', 'localqueues', READ);

  /** Every resource rules may name. */
  public static get all(): ApiResource[] {
    return [...ApiResource.catalog];
  }

  private constructor(
    /** The API group (`''` is the core group). */
    public readonly apiGroup: string,
    /** The resource, with its subresource if any (`pods/log`). */
    public readonly resource: string,
    /** The verbs the API serves for it. */
    public readonly verbs: Verb[],
  ) {
    ApiResource.catalog.push(this);
  }

  /** `jobs.batch`, or `pods` for the core group: how kubectl names it. */
  public toString(): string {
    return this.apiGroup === '' ? this.resource : `${this.resource}.${this.apiGroup}`;
  }
}

/** `pods/exec`: outside the catalog so that it cannot be granted by accident, only by `allowPodExec`. */
const POD_EXEC: Pick<ApiResource, 'apiGroup' | 'resource'> = { apiGroup: '', resource: 'pods/exec' };

/** One permission of a Role: these verbs on these resources (optionally only the named objects). */
export interface RbacRule {
  /** The resources, from the {@link ApiResource} catalog. */
  readonly resources: ApiResource[];
  /** The verbs; each must be served by every listed resource. */
  readonly verbs: Verb[];
  /**
   * Restrict the rule to objects with these names, for `get`, `update`, `patch` and `delete` (Kubernetes cannot
   * restrict `create` and `deletecollection` by name, and a named `list` or `watch` needs a field selector).
   * @default - every object of the resources in the namespace
   */
  readonly resourceNames?: string[];
}

/** The personas a team's Roles are made for. */
export enum Persona {
  /** Data scientists and training runs: manage training Jobs and CronJobs, read their pods and logs, manage claims. */
  TRAINER = 'trainer',
  /** A model server's runtime identity: reads only its own named ConfigMaps and Secrets. */
  MODEL_SERVER = 'model-server',
  /** Pipeline steps and their runners: submit and watch batch Jobs, exchange data through claims and ConfigMaps. */
  PIPELINE_RUNNER = 'pipeline-runner',
  /** People who look but do not touch: read-only access to workloads, logs, events and quotas (never Secrets). */
  VIEWER = 'viewer',
}

const WORKLOAD_PERSONAS = [Persona.TRAINER, Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER];

/** A person or group from the cluster's authenticator (e.g. OIDC claims) that a persona is bound to. */
export class Subject {
  /** A user, as the authenticator names it (`alice@example.com`, `oidc:alice`). */
  public static user(name: string): Subject {
    return new Subject('User', Subject.check('Subject.user', name));
  }

  /** A group, as the authenticator names it (`oidc:ml-vision`, `ml-vision@example.com`). */
  public static group(name: string): Subject {
    return new Subject('Group', Subject.check('Subject.group', name));
  }

  private static check(factory: string, name: string): string {
    if (typeof name !== 'string' || name.trim() === '' || name !== name.trim() || name.startsWith('system:')) {
      Validator.forFactory(factory).fail('name', 'must be a non-empty name without surrounding spaces, not a system: identity', name);
    }
    return name;
  }

  private constructor(
    /** `User` or `Group`. */
    public readonly kind: 'User' | 'Group',
    /** The user or group name. */
    public readonly name: string,
  ) {}
}

/** A human user or group bound to one of the team's personas. */
export interface TeamMember {
  /** Who: `Subject.user(...)` or `Subject.group(...)`. */
  readonly subject: Subject;
  /** The persona whose Role they get. */
  readonly persona: Persona;
}

/** Options shared by every persona. */
export interface PersonaOptions {
  /**
   * The name of the persona's ServiceAccount, Role and RoleBinding.
   * @default - `<team>-<persona>`, e.g. `vision-trainer`
   */
  readonly name?: string;
  /**
   * More permissions for this persona, checked against the {@link ApiResource} catalog.
   * @default - none
   */
  readonly extraRules?: RbacRule[];
}

/** Options of the persona that runs as a workload identity (a ServiceAccount). */
export interface WorkloadPersonaOptions extends PersonaOptions {
  /**
   * The name of the persona's ServiceAccount.
   * @default - the persona's `name`
   */
  readonly serviceAccountName?: string;
  /**
   * Create a long-lived token Secret `<name>-token` for this ServiceAccount (for a client outside the cluster that
   * calls the API). The ServiceAccount is then annotated `kubernetes.io/enforce-mountable-secrets: "true"`: its pods
   * may use only the Secrets in `mountableSecrets` (never the token itself). Pods never mount a token unless they ask
   * for one.
   * @default false
   */
  readonly tokenSecret?: boolean;
  /**
   * With `tokenSecret`, the Secrets the account's pods may use as volumes or env (`secretKeyRef`, `envFrom`): the
   * admission plugin rejects a pod that references any other, such as a workload's MLflow credentials left out here.
   * @default - none (for the model server: its `secrets`)
   */
  readonly mountableSecrets?: string[];
}

/** Options of the trainer persona. */
export interface TrainerOptions extends WorkloadPersonaOptions {
  /**
   * Allow deleting Jobs, CronJobs and pods. `false` gives "create and monitor, but not delete".
   * @default true
   */
  readonly allowDelete?: boolean;
  /**
   * Allow `kubectl exec` into the team's pods (`pods/exec`): a shell in a pod has everything the pod has.
   * @default false
   */
  readonly allowPodExec?: boolean;
}

/** Options of the model server runtime persona. */
export interface ModelServerOptions extends WorkloadPersonaOptions {
  /**
   * The ConfigMaps the server may read (by name; no listing).
   * @default - none
   */
  readonly configMaps?: string[];
  /**
   * The Secrets the server may read (by name; no listing). They are also the only Secrets its pods may mount
   * when `tokenSecret` enforces mountable secrets.
   * @default - none
   */
  readonly secrets?: string[];
}

/** A quota on one kind of accelerator other than whole NVIDIA GPUs. */
export interface AcceleratorQuota {
  /**
   * The kind of device, as workloads request it: `Accelerator.mig('1g.10gb')`, `Accelerator.sharedGpu()`,
   * `Accelerator.amdGpu()` or `Accelerator.tpu({...})`. Only its extended resource counts, not its per-pod count.
   */
  readonly accelerator: Accelerator;
  /** Devices (MIG slices, GPU shares, AMD GPUs, TPU chips) requested at once; 0 forbids them. */
  readonly count: number;
}

/**
 * The ResourceQuota of each team namespace (a team with two namespaces may use it twice; the ClusterQueue, when the
 * team has one, caps queued workloads across all of them). Omitted fields are not limited, except accelerators,
 * LoadBalancers and NodePorts (0).
 */
export interface TeamQuota {
  /** Whole NVIDIA GPUs requested at once (`requests.nvidia.com/gpu`); 0 forbids them. */
  readonly gpus: number;
  /**
   * Quotas on MIG slices, shared GPUs, AMD GPUs and TPU chips (`requests.<resource>`). Every accelerator resource the
   * library knows that is not listed gets a quota of 0, so a team cannot get around `gpus` with another kind of
   * device (a MIG node advertises `nvidia.com/mig-*`, not `nvidia.com/gpu`).
   * @default - none of them allowed
   */
  readonly accelerators?: AcceleratorQuota[];
  /**
   * CPU cores (`requests.cpu` and `limits.cpu`).
   * @default - not limited (required when the team has a ClusterQueue)
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory (`requests.memory` and `limits.memory`).
   * @default - not limited (required when the team has a ClusterQueue)
   */
  readonly memory?: QuantityInput;
  /**
   * Storage requested by claims (`requests.storage`).
   * @default - not limited
   */
  readonly storage?: QuantityInput;
  /**
   * Number of PersistentVolumeClaims.
   * @default - not limited
   */
  readonly persistentVolumeClaims?: number;
  /**
   * Number of pods.
   * @default - not limited
   */
  readonly pods?: number;
  /**
   * Number of Jobs (`count/jobs.batch`).
   * @default - not limited
   */
  readonly jobs?: number;
  /**
   * Number of Services.
   * @default - not limited
   */
  readonly services?: number;
  /**
   * Number of ConfigMaps.
   * @default - not limited
   */
  readonly configMaps?: number;
  /**
   * Number of Secrets.
   * @default - not limited
   */
  readonly secrets?: number;
  /**
   * Number of LoadBalancer Services (each one is a public address).
   * @default 0
   */
  readonly loadBalancers?: number;
  /**
   * Number of NodePort Services (each one opens a port on every node).
   * @default 0
   */
  readonly nodePorts?: number;
}

/** Defaults the LimitRange gives containers that set no requests or limits. */
export interface TeamLimitDefaults {
  /**
   * CPU request and limit of a container without one.
   * @default '1'
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory request and limit of a container without one.
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
}

/** A Kueue ResourceFlavor: the kind of nodes a ClusterQueue's quota is for. */
export interface ResourceFlavorOptions {
  /** The flavor's name (cluster-wide; teams that name the same flavor share it). */
  readonly name: string;
  /**
   * Labels of the nodes of this flavor; admitted pods are given them as node selectors.
   * @default - any node
   */
  readonly nodeLabels?: Record<string, string>;
  /**
   * Tolerations admitted pods are given.
   * @default - none
   */
  readonly tolerations?: TolerationSpec[];
}

/** A Kueue ClusterQueue for the team, whose nominal quota is the team's cpu, memory, GPU and listed accelerator quota. */
export interface TeamClusterQueueOptions {
  /**
   * The ClusterQueue's name.
   * @default - the team name
   */
  readonly name?: string;
  /**
   * A cohort of ClusterQueues that lend each other unused quota.
   * @default - no cohort (no borrowing)
   */
  readonly cohort?: string;
  /**
   * The flavor the quota is for.
   * @default - a flavor named `default-flavor` without node labels
   */
  readonly flavor?: ResourceFlavorOptions;
}

/** The team's Kueue queues. */
export interface TeamQueueOptions {
  /**
   * The LocalQueue's name, in every team namespace.
   * @default - the team name
   */
  readonly name?: string;
  /**
   * Create a ClusterQueue (and its ResourceFlavor) for the team.
   * @default - submit to the existing ClusterQueue `clusterQueueName`
   */
  readonly clusterQueue?: TeamClusterQueueOptions;
  /**
   * An existing ClusterQueue to submit to; not with `clusterQueue`.
   * @default - the team name
   */
  readonly clusterQueueName?: string;
}

/** One team: its namespaces, quota, queue, personas and members. */
export interface TeamOptions {
  /** The team's name (a DNS-1123 label of at most 40 characters: it prefixes object names). */
  readonly name: string;
  /**
   * The namespaces the team owns; the first is where its ServiceAccounts and workloads live.
   * @default - one namespace named after the team
   */
  readonly namespaces?: string[];
  /** The ResourceQuota of each of its namespaces. */
  readonly quota: TeamQuota;
  /**
   * Container defaults of the LimitRange.
   * @default - cpu 1, memory 2Gi
   */
  readonly limitDefaults?: TeamLimitDefaults;
  /**
   * Give the team a Kueue LocalQueue in each namespace, which its training and pipeline runs submit to. Set it to
   * false for a team that runs no batch work (a platform team's services): no LocalQueue, and no queue label on
   * its workloads.
   * @default true
   */
  readonly kueue?: boolean;
  /**
   * The Kueue LocalQueue (and optionally ClusterQueue).
   * @default - a LocalQueue named after the team, submitting to a ClusterQueue named after the team
   */
  readonly queue?: TeamQueueOptions;
  /**
   * Which personas get a Role (and, for workload personas, a ServiceAccount).
   * @default - all four
   */
  readonly personas?: Persona[];
  /**
   * The trainer persona.
   * @default - delete allowed, no pods/exec, no token
   */
  readonly trainer?: TrainerOptions;
  /**
   * The model server runtime persona.
   * @default - reads nothing, no token
   */
  readonly modelServer?: ModelServerOptions;
  /**
   * The pipeline runner persona.
   * @default - no extra rules, no token
   */
  readonly pipelineRunner?: WorkloadPersonaOptions;
  /**
   * The viewer persona (people only: it has no ServiceAccount).
   * @default - no extra rules
   */
  readonly viewer?: PersonaOptions;
  /**
   * People and groups bound to personas.
   * @default - none (only the ServiceAccounts are bound)
   */
  readonly members?: TeamMember[];
  /**
   * Pod Security Standards version the namespaces enforce (`audit` and `warn` use `latest`, to show what a
   * Kubernetes upgrade would reject before it does).
   * @default 'v1.27'
   */
  readonly podSecurityVersion?: string;
}

/** Props of {@link MlRbac}. */
export interface MlRbacProps {
  /**
   * The teams; more can be added with `addTeam`.
   * @default - none
   */
  readonly teams?: TeamOptions[];
}

/** A generated RBAC rule: one API group. */
interface GroupRule {
  readonly apiGroup: string;
  readonly resources: string[];
  readonly verbs: Verb[];
  readonly resourceNames?: string[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * Team tenancy: for each team, namespaces under Pod Security "restricted", a ResourceQuota with GPUs, a LimitRange,
 * a default-deny NetworkPolicy that allows DNS, a Kueue LocalQueue (and a ClusterQueue when asked), and
 * least-privilege Roles for its personas, bound to their ServiceAccounts and to the people given.
 *
 * @example
 * const rbac = new MlRbac(chart, 'rbac');
 * const vision = rbac.addTeam({ name: 'vision', quota: { gpus: 8, cpu: 64, memory: '512Gi' },
 *   members: [{ subject: Subject.group('oidc:ml-vision'), persona: Persona.TRAINER }] });
 * new GpuTrainingJob(chart, 'train', { team: vision, image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' });
 */
export class MlRbac extends Construct {
  /** The teams, in the order they were added. */
  public readonly teams: Team[] = [];

  private readonly validator: Validator;
  private readonly flavors = new Map<string, string>();

  public constructor(scope: Construct, id: string, props: MlRbacProps = {}) {
    super(scope, id);
    this.validator = Validator.forConstruct('MlRbac', id);
    if (props.teams !== undefined && !Array.isArray(props.teams)) this.validator.fail('teams', 'must be a list of teams', props.teams);
    for (const team of props.teams ?? []) this.addTeam(team);
  }

  /** Adds a team and returns it (pass it as `team` to workload constructs). */
  public addTeam(options: TeamOptions): Team {
    const v = this.validator.nested(`teams[${this.teams.length}]`);
    if (!options || typeof options !== 'object') v.fail('props', 'must be an object with at least a name and a quota', options);
    const name = validateDnsLabel(v, 'name', options.name, 40);
    const clash = this.teams.find((t) => t.teamName === name);
    if (clash) v.fail('name', 'must be unique among the teams', name);
    const namespaces = options.namespaces ?? [name];
    if (!Array.isArray(namespaces)) v.fail('namespaces', 'must be a list of namespace names', namespaces);
    const taken = new Set(this.teams.flatMap((t) => t.namespaces));
    namespaces.forEach((ns, i) => {
      validateDnsLabel(v, `namespaces[${i}]`, ns);
      if (taken.has(ns) || namespaces.indexOf(ns) !== i) v.fail(`namespaces[${i}]`, 'must belong to one team only, once', ns);
    });
    if (namespaces.length === 0) v.fail('namespaces', 'must list at least one namespace', namespaces);
    const team = new Team(this, name, v, { ...options, name, namespaces }, this.flavors);
    this.teams.push(team);
    return team;
  }

  /** The team named `name`. */
  public team(name: string): Team {
    const team = this.teams.find((t) => t.teamName === name);
    if (!team) this.validator.fail('team', `must name one of the teams (${this.teams.map((t) => t.teamName).join(', ') || 'none yet'})`, name);
    return team;
  }
}

/**
 * A team made by {@link MlRbac}. Workload constructs given it as `team` run in its first namespace, as the
 * ServiceAccount of their role, through its LocalQueue.
 */
export class Team extends Construct implements ITeam {
  /** The team's name. */
  public readonly teamName: string;
  /** The namespace its workloads and ServiceAccounts live in (the first of `namespaces`). */
  public readonly namespace: string;
  /** Every namespace the team owns. */
  public readonly namespaces: string[];
  /** Its Kueue LocalQueue, unless `kueue` is false. */
  public readonly queue?: Queue;
  /** The name of its LocalQueue, unless `kueue` is false. */
  public readonly localQueueName?: string;
  /** The ClusterQueue its LocalQueue submits to, unless `kueue` is false. */
  public readonly clusterQueueName?: string;
  /** The personas that have a Role. */
  public readonly personas: Persona[];

  private readonly serviceAccounts = new Map<Persona, string>();
  private readonly roleNames = new Map<Persona, string>();

  /** @internal */
  public constructor(scope: Construct, id: string, v: IValidator, options: TeamOptions & { name: string; namespaces: string[] }, flavors: Map<string, string>) {
    super(scope, id);
    this.teamName = options.name;
    this.namespaces = options.namespaces;
    this.namespace = options.namespaces[0];
    const labels = componentLabels({ name: this.teamName, instance: this.teamName, component: 'tenancy' });

    const quota = quotaHard(v, options.quota);
    const limits = options.limitDefaults ?? {};
    const defaults = {
      cpu: k8s.Quantity.fromString(validateQuantity(v, 'limitDefaults.cpu', limits.cpu ?? '1')),
      memory: k8s.Quantity.fromString(validateQuantity(v, 'limitDefaults.memory', limits.memory ?? '2Gi')),
    };
    const pssVersion = options.podSecurityVersion ?? 'v1.27';
    if (!/^(latest|v1\.\d+)$/.test(pssVersion)) v.fail('podSecurityVersion', 'must be \'latest\' or a Kubernetes minor version such as \'v1.27\'', pssVersion);

    const kueue = options.kueue ?? true;
    if (typeof kueue !== 'boolean') v.fail('kueue', 'must be true or false', kueue);
    if (!kueue && options.queue !== undefined) v.fail('queue', 'cannot be given when kueue is false (the team has no LocalQueue)', options.queue);
    const queueOptions = options.queue ?? {};
    if (kueue) {
      this.localQueueName = validateDnsSubdomain(v, 'queue.name', queueOptions.name ?? this.teamName);
      if (queueOptions.clusterQueue !== undefined && queueOptions.clusterQueueName !== undefined) {
        v.fail('queue.clusterQueueName', 'cannot be given with queue.clusterQueue (which names the ClusterQueue it creates)', queueOptions.clusterQueueName);
      }
      this.clusterQueueName = validateDnsSubdomain(v, queueOptions.clusterQueue ? 'queue.clusterQueue.name' : 'queue.clusterQueueName',
        queueOptions.clusterQueue?.name ?? queueOptions.clusterQueueName ?? this.teamName);
      this.queue = Queue.kueue(this.localQueueName);
    }

    this.personas = options.personas ?? [Persona.TRAINER, Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER, Persona.VIEWER];
    const personaRules = new Map<Persona, GroupRule[]>();
    const personaOptions: Record<Persona, [string, PersonaOptions | undefined]> = {
      [Persona.TRAINER]: ['trainer', options.trainer],
      [Persona.MODEL_SERVER]: ['modelServer', options.modelServer],
      [Persona.PIPELINE_RUNNER]: ['pipelineRunner', options.pipelineRunner],
      [Persona.VIEWER]: ['viewer', options.viewer],
    };
    const known = Object.values(Persona) as string[];
    if (!Array.isArray(this.personas)) v.fail('personas', 'must be a list of Persona values', this.personas);
    this.personas.forEach((p, i) => {
      if (!known.includes(p) || this.personas.indexOf(p) !== i) v.fail(`personas[${i}]`, `must be one of ${known.map((k) => `'${k}'`).join(', ')}, each once`, p);
    });
    for (const persona of Object.values(Persona)) {
      const [prop, opts] = personaOptions[persona];
      if (opts === undefined) continue;
      if (!this.personas.includes(persona)) v.fail(prop, `can only be given when 'personas' includes Persona.${enumKey(persona)}`, opts);
    }
    for (const persona of this.personas) {
      const [prop, opts] = personaOptions[persona];
      const name = validateDnsLabel(v, `${prop}.name`, opts?.name ?? childName(this.teamName, persona));
      this.roleNames.set(persona, name);
      if (WORKLOAD_PERSONAS.includes(persona)) {
        const account = (opts as WorkloadPersonaOptions | undefined)?.serviceAccountName ?? name;
        // Each workload persona creates its ServiceAccount: two of the same name would be one object twice.
        const other = [...this.serviceAccounts.entries()].find(([, sa]) => sa === account);
        if (other) v.fail(`${prop}.serviceAccountName`, `must differ from the ServiceAccount of persona '${other[0]}'`, account);
        this.serviceAccounts.set(persona, validateDnsSubdomain(v, `${prop}.serviceAccountName`, account));
      }
      const base = builtInRules(v, persona, options);
      const extra = (opts?.extraRules ?? []).flatMap((rule, i) => checkRule(v, `${prop}.extraRules[${i}]`, rule));
      personaRules.set(persona, [...base, ...extra]);
    }
    const members = options.members ?? [];
    if (!Array.isArray(members)) v.fail('members', 'must be a list of { subject, persona }', members);
    members.forEach((m, i) => {
      if (!(m?.subject instanceof Subject)) v.fail(`members[${i}].subject`, 'must be made with Subject.user(...) or Subject.group(...)', m?.subject);
      if (!this.personas.includes(m.persona)) v.fail(`members[${i}].persona`, `must be one of the team's personas (${this.personas.join(', ')})`, m.persona);
    });

    // The ServiceAccounts live in the team's first namespace; their Roles are bound in every team namespace.
    for (const persona of WORKLOAD_PERSONAS.filter((p) => this.personas.includes(p))) {
      const name = this.serviceAccounts.get(persona)!;
      const opts = personaOptions[persona][1] as WorkloadPersonaOptions | undefined;
      const tokenSecret = opts?.tokenSecret ?? false;
      const [prop] = personaOptions[persona];
      if (opts?.mountableSecrets !== undefined && !tokenSecret) {
        v.fail(`${prop}.mountableSecrets`, 'can only be given with tokenSecret: true (only then does the ServiceAccount restrict the Secrets its pods use)', opts.mountableSecrets);
      }
      const extra = (opts?.mountableSecrets ?? []).map((n, i) => validateDnsSubdomain(v, `${prop}.mountableSecrets[${i}]`, n));
      const named = persona === Persona.MODEL_SERVER ? (options.modelServer?.secrets ?? []) : [];
      this.addServiceAccount(persona, name, labels, tokenSecret, [...new Set([...named, ...extra])]);
    }

    for (const ns of this.namespaces) {
      const scope = new Construct(this, `Namespace-${ns}`);
      new k8s.KubeNamespace(scope, 'Resource', {
        metadata: {
          name: ns,
          labels: {
            ...labels,
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': pssVersion,
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/audit-version': 'latest',
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/warn-version': 'latest',
          },
        },
      });
      new k8s.KubeResourceQuota(scope, 'Quota', { metadata: { name: childName(this.teamName, 'quota'), namespace: ns, labels }, spec: { hard: quota } });
      new k8s.KubeLimitRange(scope, 'LimitRange', {
        metadata: { name: childName(this.teamName, 'limits'), namespace: ns, labels },
        spec: { limits: [{ type: 'Container', default: defaults, defaultRequest: defaults }] },
      });
      // Every pod of the namespace: nothing in or out but DNS, until a workload's own policy opens a path.
      new PodNetworkPolicy(scope, 'DefaultDeny', { name: 'default-deny', namespace: ns, podSelector: {}, labels });
      if (this.localQueueName !== undefined) {
        new (localQueueCrd().LocalQueueV1Beta2)(scope, 'LocalQueue', {
          metadata: { name: this.localQueueName, namespace: ns, labels },
          spec: { clusterQueue: this.clusterQueueName! },
        });
      }
      for (const persona of this.personas) {
        this.addRole(scope, ns, persona, personaRules.get(persona)!, members.filter((m) => m.persona === persona).map((m) => m.subject), labels);
      }
    }

    if (queueOptions.clusterQueue !== undefined) {
      this.addClusterQueue(v, queueOptions.clusterQueue, options.quota, quota, labels, flavors);
    }
  }

  /** The ServiceAccount of the persona that runs workloads of `role`. */
  public serviceAccountFor(role: WorkloadRole): string | undefined {
    switch (role) {
      case WorkloadRole.TRAINING: return this.serviceAccounts.get(Persona.TRAINER);
      case WorkloadRole.SERVING: return this.serviceAccounts.get(Persona.MODEL_SERVER);
      case WorkloadRole.PIPELINE: return this.serviceAccounts.get(Persona.PIPELINE_RUNNER);
      default: return undefined;
    }
  }

  /** The ServiceAccount of a workload persona, if the team has it (the viewer has none). */
  public serviceAccountOf(persona: Persona): string | undefined {
    return this.serviceAccounts.get(persona);
  }

  /** The name of the persona's Role (in every team namespace), if the team has the persona. */
  public roleNameOf(persona: Persona): string | undefined {
    return this.roleNames.get(persona);
  }

  private addServiceAccount(persona: Persona, name: string, labels: Record<string, string>, tokenSecret: boolean, mountableSecrets: string[]): void {
    const tokenName = childName(name, 'token', 253);
    const enforce = tokenSecret ? { 'kubernetes.io/enforce-mountable-secrets': 'true' } : undefined;
    const scope = new Construct(this, `ServiceAccount-${persona}`);
    new k8s.KubeServiceAccount(scope, 'Resource', {
      metadata: { name, namespace: this.namespace, labels, annotations: enforce },
      // Pods that call the API opt in themselves (automountServiceAccountToken on the pod).
      automountServiceAccountToken: false,
      // With enforce-mountable-secrets, pods of this account may use only the Secrets listed here; the long-lived
      // token is for a client outside the cluster, so no pod may mount it.
      secrets: tokenSecret && mountableSecrets.length > 0 ? mountableSecrets.map((s) => ({ name: s })) : undefined,
    });
    if (tokenSecret) {
      new k8s.KubeSecret(scope, 'Token', {
        metadata: { name: tokenName, namespace: this.namespace, labels, annotations: { 'kubernetes.io/service-account.name': name } },
        type: 'kubernetes.io/service-account-token',
      });
    }
  }

  private addRole(scope: Construct, ns: string, persona: Persona, rules: GroupRule[], people: Subject[], labels: Record<string, string>): void {
    const name = this.roleNames.get(persona)!;
    new k8s.KubeRole(scope, `${persona}-role`, {
      metadata: { name, namespace: ns, labels },
      rules: rules.map((r) => ({ apiGroups: [r.apiGroup], resources: r.resources, verbs: r.verbs, resourceNames: r.resourceNames })),
    });
    const account = this.serviceAccounts.get(persona);
    const subjects: k8s.Subject[] = [
      ...(account ? [{ kind: 'ServiceAccount', name: account, namespace: this.namespace }] : []),
      ...people.map((p) => ({ kind: p.kind, name: p.name, apiGroup: RBAC_GROUP })),
    ];
    if (subjects.length === 0) return;
    new k8s.KubeRoleBinding(scope, `${persona}-binding`, {
      metadata: { name, namespace: ns, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name },
      subjects,
    });
  }

  private addClusterQueue(v: IValidator, options: TeamClusterQueueOptions, input: TeamQuota, hard: Record<string, k8s.Quantity>,
    labels: Record<string, string>, flavors: Map<string, string>): void {
    if (input.cpu === undefined) v.fail('quota.cpu', 'must be set when the team has a ClusterQueue (its nominal quota)', input.cpu);
    if (input.memory === undefined) v.fail('quota.memory', 'must be set when the team has a ClusterQueue (its nominal quota)', input.memory);
    const flavor = options.flavor ?? { name: 'default-flavor' };
    const flavorName = validateDnsSubdomain(v, 'queue.clusterQueue.flavor.name', flavor.name);
    // Kueue gives admitted pods these labels as node selectors and these tolerations; it takes at most 8 of each.
    validateLabels(v, 'queue.clusterQueue.flavor.nodeLabels', flavor.nodeLabels);
    if (Object.keys(flavor.nodeLabels ?? {}).length > 8) v.fail('queue.clusterQueue.flavor.nodeLabels', 'must have at most 8 labels', flavor.nodeLabels);
    validateTolerations(v, 'queue.clusterQueue.flavor.tolerations', flavor.tolerations);
    if ((flavor.tolerations ?? []).length > 8) v.fail('queue.clusterQueue.flavor.tolerations', 'must have at most 8 tolerations', flavor.tolerations);
    const flavorSpec = {
      nodeLabels: flavor.nodeLabels && Object.keys(flavor.nodeLabels).length > 0 ? { ...flavor.nodeLabels } : undefined,
      tolerations: flavor.tolerations && flavor.tolerations.length > 0 ? flavor.tolerations.map((t) => ({ ...t })) : undefined,
    };
    // A flavor is cluster-wide: the first team that names it creates it, others must describe it the same way.
    const json = JSON.stringify(flavorSpec);
    const existing = flavors.get(flavorName);
    if (existing !== undefined && existing !== json) {
      v.fail('queue.clusterQueue.flavor', `must match the flavor '${flavorName}' another team defined (${existing})`, flavorSpec);
    }
    if (existing === undefined) {
      flavors.set(flavorName, json);
      const flavorLabels = componentLabels({ name: 'kueue', instance: flavorName, component: 'resource-flavor' });
      new KueueResourceFlavor(this, 'ResourceFlavor', { metadata: { name: flavorName, labels: flavorLabels }, spec: flavorSpec });
    }
    const cohort = options.cohort === undefined ? undefined : validateDnsSubdomain(v, 'queue.clusterQueue.cohort', options.cohort);
    // Kueue admits no workload that requests a resource its ClusterQueue does not cover: cover the listed devices.
    const devices = [...acceleratorCounts(v, input.accelerators).keys()];
    const covered: Array<[string, string]> = [['cpu', 'requests.cpu'], ['memory', 'requests.memory'], ['nvidia.com/gpu', 'requests.nvidia.com/gpu'],
      ...devices.map((d): [string, string] => [d, `requests.${d}`])];
    new (clusterQueueCrd().ClusterQueueV1Beta2)(this, 'ClusterQueue', {
      metadata: { name: this.clusterQueueName, labels },
      spec: {
        cohortName: cohort,
        // Only the team's namespaces may submit (a null selector would admit none, an empty one all).
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...this.namespaces] }] },
        resourceGroups: [{
          coveredResources: covered.map(([resource]) => resource),
          flavors: [{
            name: flavorName,
            resources: covered.map(([resource, key]) => ({ name: resource, nominalQuota: clusterQueueCrd().ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesNominalQuota.fromString(String(hard[key].value)) })),
          }],
        }],
      },
    });
  }
}

/** The Kueue ResourceFlavor spec the library writes (its CRD is not among the imported ones). */
interface KueueResourceFlavorSpec {
  readonly nodeLabels?: Record<string, string>;
  readonly tolerations?: TolerationSpec[];
}

/** `kueue.x-k8s.io/v1beta2` ResourceFlavor, typed for the fields the library sets. */
class KueueResourceFlavor extends ApiObject {
  public constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: KueueResourceFlavorSpec }) {
    super(scope, id, { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: props.metadata, spec: props.spec });
  }
}

function enumKey(persona: Persona): string {
  return (Object.keys(Persona) as Array<keyof typeof Persona>).find((k) => Persona[k] === persona) ?? persona;
}

/** The ResourceQuota `hard` map of a team. */
function quotaHard(v: IValidator, input: TeamQuota): Record<string, k8s.Quantity> {
  if (!input || typeof input !== 'object') v.fail('quota', 'must be an object with at least gpus', input);
  const hard: Record<string, k8s.Quantity> = {};
  const q = (value: string) => k8s.Quantity.fromString(value);
  hard['requests.nvidia.com/gpu'] = q(String(validateInteger(v, 'quota.gpus', input.gpus, 0)));
  const devices = acceleratorCounts(v, input.accelerators);
  for (const resource of acceleratorResourceNames().filter((r) => r !== 'nvidia.com/gpu')) {
    hard[`requests.${resource}`] = q(String(devices.get(resource) ?? 0));
  }
  if (input.cpu !== undefined) {
    const cpu = validateQuantity(v, 'quota.cpu', input.cpu);
    hard['requests.cpu'] = q(cpu);
    hard['limits.cpu'] = q(cpu);
  }
  if (input.memory !== undefined) {
    const memory = validateQuantity(v, 'quota.memory', input.memory);
    hard['requests.memory'] = q(memory);
    hard['limits.memory'] = q(memory);
  }
  if (input.storage !== undefined) hard['requests.storage'] = q(validateQuantity(v, 'quota.storage', input.storage));
  const counts: Array<[keyof TeamQuota, string, number | undefined]> = [
    ['persistentVolumeClaims', 'persistentvolumeclaims', undefined],
    ['pods', 'pods', undefined],
    ['jobs', 'count/jobs.batch', undefined],
    ['services', 'services', undefined],
    ['configMaps', 'configmaps', undefined],
    ['secrets', 'secrets', undefined],
    ['loadBalancers', 'services.loadbalancers', 0],
    ['nodePorts', 'services.nodeports', 0],
  ];
  for (const [prop, key, fallback] of counts) {
    const value = (input[prop] as number | undefined) ?? fallback;
    if (value !== undefined) hard[key] = q(String(validateInteger(v, `quota.${prop}`, value, 0)));
  }
  return hard;
}

/** The quota of each accelerator resource the team lists (`quota.accelerators`), by resource name. */
function acceleratorCounts(v: IValidator, quotas: AcceleratorQuota[] | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  if (quotas !== undefined && !Array.isArray(quotas)) v.fail('quota.accelerators', 'must be a list of { accelerator, count }', quotas);
  (quotas ?? []).forEach((entry, i) => {
    const prop = `quota.accelerators[${i}]`;
    if (!(entry?.accelerator instanceof Accelerator)) {
      v.fail(`${prop}.accelerator`, 'must be made with Accelerator.mig(...), .sharedGpu(), .amdGpu() or .tpu(...)', entry?.accelerator);
    }
    const resource = entry.accelerator.resourceName;
    if (resource === 'nvidia.com/gpu') v.fail(`${prop}.accelerator`, 'must not be whole NVIDIA GPUs: set quota.gpus', entry.accelerator.description);
    if (!acceleratorResourceNames().includes(resource)) {
      v.fail(`${prop}.accelerator`, 'must request a device the device plugin advertises', resource || entry.accelerator.description);
    }
    if (counts.has(resource)) v.fail(`${prop}.accelerator`, 'must be listed once per resource', resource);
    counts.set(resource, validateInteger(v, `${prop}.count`, entry.count, 0));
  });
  return counts;
}

/** The Role rules each persona starts with. */
function builtInRules(v: IValidator, persona: Persona, options: TeamOptions): GroupRule[] {
  const R = ApiResource;
  switch (persona) {
    case Persona.TRAINER: {
      const trainer = options.trainer ?? {};
      const manage = trainer.allowDelete === false ? [Verb.CREATE, ...READ] : [Verb.CREATE, ...READ, Verb.DELETE];
      const pods = trainer.allowDelete === false ? READ : [...READ, Verb.DELETE];
      return [
        // Training pods are made through Jobs so that Kueue admits them; trainers do not create bare pods.
        ...rules([R.JOBS, R.CRON_JOBS], manage),
        ...rules([R.PODS], pods),
        ...rules([R.POD_LOGS], [Verb.GET]),
        ...rules([R.PERSISTENT_VOLUME_CLAIMS], [Verb.CREATE, ...READ, Verb.DELETE]),
        ...rules([R.CONFIG_MAPS], [Verb.CREATE, ...READ, Verb.UPDATE, Verb.PATCH, Verb.DELETE]),
        ...rules([R.EVENTS, R.KUEUE_WORKLOADS, R.LOCAL_QUEUES], READ),
        // kubectl exec opens pods/exec with a POST, which RBAC sees as create.
        ...(trainer.allowPodExec === true ? [{ apiGroup: POD_EXEC.apiGroup, resources: [POD_EXEC.resource], verbs: [Verb.CREATE] }] : []),
      ];
    }
    case Persona.MODEL_SERVER: {
      const server = options.modelServer ?? {};
      const named = (prop: string, names: string[] | undefined) => (names ?? []).map((n, i) => validateDnsSubdomain(v, `modelServer.${prop}[${i}]`, n));
      const configMaps = named('configMaps', server.configMaps);
      const secrets = named('secrets', server.secrets);
      return [
        ...(configMaps.length > 0 ? rules([R.CONFIG_MAPS], [Verb.GET], configMaps) : []),
        ...(secrets.length > 0 ? rules([R.SECRETS], [Verb.GET], secrets) : []),
      ];
    }
    case Persona.PIPELINE_RUNNER:
      return [
        ...rules([R.JOBS], [Verb.CREATE, ...READ, Verb.DELETE]),
        ...rules([R.CRON_JOBS, R.PODS, R.EVENTS, R.KUEUE_WORKLOADS], READ),
        ...rules([R.POD_LOGS], [Verb.GET]),
        ...rules([R.PERSISTENT_VOLUME_CLAIMS], [Verb.CREATE, ...READ, Verb.DELETE]),
        ...rules([R.CONFIG_MAPS], [Verb.CREATE, ...READ, Verb.UPDATE, Verb.PATCH, Verb.DELETE]),
      ];
    case Persona.VIEWER:
      return [
        ...rules([R.PODS, R.JOBS, R.CRON_JOBS, R.PERSISTENT_VOLUME_CLAIMS, R.CONFIG_MAPS, R.SERVICES, R.EVENTS, R.DEPLOYMENTS,
          R.KUEUE_WORKLOADS, R.LOCAL_QUEUES, R.RESOURCE_QUOTAS, R.LIMIT_RANGES], READ),
        ...rules([R.POD_LOGS], [Verb.GET]),
      ];
  }
}

/** Groups resources by API group: an RBAC rule's groups and resources combine as a cross product. */
function rules(resources: ApiResource[], verbs: Verb[], resourceNames?: string[]): GroupRule[] {
  const groups = [...new Set(resources.map((r) => r.apiGroup))];
  return groups.map((apiGroup) => ({
    apiGroup,
    resources: resources.filter((r) => r.apiGroup === apiGroup).map((r) => r.resource),
    verbs: [...verbs],
    resourceNames: resourceNames && resourceNames.length > 0 ? [...resourceNames] : undefined,
  }));
}

/** Checks a user-given rule against the catalog and the library's RBAC policy. */
function checkRule(v: IValidator, prop: string, rule: RbacRule): GroupRule[] {
  if (!rule || typeof rule !== 'object') v.fail(prop, 'must be an object with resources and verbs', rule);
  const catalog = ApiResource.all;
  const allowedResources = `one of the ApiResource constants (${catalog.map((r) => r.toString()).join(', ')})`;
  if (!Array.isArray(rule.resources) || rule.resources.length === 0) v.fail(`${prop}.resources`, `must list at least one resource, each ${allowedResources}`, rule.resources);
  if (!Array.isArray(rule.verbs) || rule.verbs.length === 0) v.fail(`${prop}.verbs`, `must list at least one verb (${ALL_VERBS.join(', ')})`, rule.verbs);
  rule.resources.forEach((resource, i) => {
    if (catalog.includes(resource)) return;
    const p = `${prop}.resources[${i}]`;
    const raw = resource as unknown as { apiGroup?: unknown; resource?: unknown } | string;
    const name = typeof raw === 'string' ? raw : raw?.resource;
    const group = typeof raw === 'string' ? undefined : raw?.apiGroup;
    if (name === '*' || group === '*' || (typeof name === 'string' && name.endsWith('/*'))) {
      v.fail(p, `must not be a wildcard: name each resource, ${allowedResources}`, resource);
    }
    const sameName = catalog.find((r) => r.resource === name);
    if (sameName && group !== undefined && group !== sameName.apiGroup) {
      const where = (g: unknown) => (g === '' ? 'the core group (\'\')' : `API group ${describeValue(g)}`);
      v.fail(p, `names '${sameName.resource}', which is in ${where(sameName.apiGroup)}, not ${where(group)}: use ApiResource.${constantName(sameName)}`, resource);
    }
    v.fail(p, `must be ${allowedResources}`, resource);
  });
  const verbs = ALL_VERBS as string[];
  rule.verbs.forEach((verb, i) => {
    const p = `${prop}.verbs[${i}]`;
    if (verb === '*' as Verb) v.fail(p, `must not be a wildcard: name each verb (${verbs.join(', ')})`, verb);
    if (!verbs.includes(verb)) v.fail(p, `must be a known verb (${verbs.join(', ')})`, verb);
    for (const resource of rule.resources) {
      if (!resource.verbs.includes(verb)) v.fail(p, `must be served by ${resource.toString()}, which allows ${resource.verbs.join(', ')}`, verb);
    }
    if (rule.resources.includes(ApiResource.SECRETS) && [Verb.LIST, Verb.WATCH, Verb.DELETE_COLLECTION].includes(verb)) {
      v.fail(p, 'must not list, watch or delete collections of Secrets (listing returns every Secret\'s data): grant get on named Secrets', verb);
    }
  });
  const names = rule.resourceNames ?? [];
  if (!Array.isArray(names)) v.fail(`${prop}.resourceNames`, 'must be a list of object names', names);
  names.forEach((n, i) => validateDnsSubdomain(v, `${prop}.resourceNames[${i}]`, n));
  if (names.length > 0) {
    const unnamed = rule.verbs.find((verb) => [Verb.CREATE, Verb.LIST, Verb.WATCH, Verb.DELETE_COLLECTION].includes(verb));
    if (unnamed) {
      const why = [Verb.CREATE, Verb.DELETE_COLLECTION].includes(unnamed)
        ? 'Kubernetes cannot restrict it by name'
        : 'it would allow only requests with a metadata.name field selector, which most clients do not send';
      v.fail(`${prop}.verbs`, `cannot include '${unnamed}' with resourceNames (${why}): use get, update, patch or delete`, rule.verbs);
    }
  }
  return rules(rule.resources, [...new Set(rule.verbs)], names);
}

function constantName(resource: ApiResource): string {
  const key = (Object.keys(ApiResource) as Array<keyof typeof ApiResource>).find((k) => (ApiResource as unknown as Record<string, unknown>)[k] === resource);
  return key ?? resource.toString();
}

