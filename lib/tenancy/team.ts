import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ClusterDns, useClusterDnsInNamespace } from '../core/dns';
import { IValidator, Validator } from '../core/errors';
import { childName, componentLabels } from '../core/labels';
import { Queue } from '../core/scheduling';
import { validateDnsLabel, validateDnsSubdomain } from '../core/validation';
import { ITeam, WorkloadRole } from '../core/workload';
import { addClusterQueue, FlavorRegistry } from './cluster-queue';
import { constantName } from './constant-name';
import { addDefaultDenyPolicy, addNamespace, validatePodSecurityVersion } from './namespace';
import {
  JobPersonaOptions, ModelServerOptions, Persona, PersonaOptions, Subject, TeamMember, TrainerOptions, WORKLOAD_PERSONAS, WorkloadPersonaOptions,
} from './persona';
import { builtInRules } from './persona-rules';
import { addQuotaAndLimits, LimitDefaultQuantities, limitDefaults, quotaHard, TeamLimitDefaults, TeamQuota } from './quota';
import { addLocalQueue, resolveTeamQueues, TeamQueueOptions, TeamQueues } from './queue';
import { checkRule, GroupRule, validateObjectNames } from './rbac-rule';
import { addPersonaRole } from './role';
import { addPersonaServiceAccount, PersonaServiceAccountProps } from './service-account';

/** One team: its namespaces, quota, queue, personas and members. */
export interface TeamOptions {
  /** The team's name (a DNS-1123 label of at most 40 characters: it prefixes object names). */
  readonly name: string;
  /**
   * The namespaces the team owns. Each gets the quota, LimitRange, default-deny policy, LocalQueue, persona Roles
   * and the workload personas' ServiceAccounts; workloads given the team run in the first, and in another with
   * `team.inNamespace(ns)` (or `namespace: ns` beside `team`).
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
  readonly pipelineRunner?: JobPersonaOptions;
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
  /**
   * Where the pods of the team's namespaces resolve names: every NetworkPolicy in them (the default-deny and each
   * workload's) allows DNS to these peers only. Wins over `MlRbac`'s `clusterDns` and `ClusterDns.use`.
   * @default - MlRbac's `clusterDns`
   */
  readonly clusterDns?: ClusterDns;
}

/** Each persona's prop in {@link TeamOptions} (for messages) and its options. */
type PersonaOptionsTable = Record<Persona, [string, PersonaOptions | undefined]>;

/** What every namespace of a team gets, resolved once. */
interface NamespaceParts {
  readonly labels: Record<string, string>;
  readonly podSecurityVersion: string;
  readonly quota: Record<string, k8s.Quantity>;
  readonly limitDefaults: LimitDefaultQuantities;
  readonly queues?: TeamQueues;
  readonly personaRules: Map<Persona, GroupRule[]>;
  readonly members: TeamMember[];
}

/**
 * A team made by {@link MlRbac}. Workload constructs given it as `team` run in its first namespace, as the
 * ServiceAccount of their role, through its LocalQueue; given `team.inNamespace(ns)`, in another of its namespaces,
 * with the same wiring (every team namespace has the ServiceAccounts and the LocalQueue).
 */
export class Team extends Construct implements ITeam {
  /** The team's name. */
  public readonly teamName: string;
  /** The namespace its workloads run in unless placed elsewhere with `inNamespace` (the first of `namespaces`). */
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
  /** The ServiceAccount of each workload persona, as made in the first namespace. */
  private readonly accounts = new Map<Persona, PersonaServiceAccountProps>();

  /** @internal */
  public constructor(scope: Construct, id: string, v: IValidator, options: TeamOptions & { name: string; namespaces: string[] }, flavors: FlavorRegistry) {
    super(scope, id);
    this.teamName = options.name;
    this.namespaces = options.namespaces;
    this.namespace = options.namespaces[0];
    const labels = componentLabels({ name: this.teamName, instance: this.teamName, component: 'tenancy' });

    const quota = quotaHard(v, options.quota);
    const defaults = limitDefaults(v, options.limitDefaults);
    const podSecurityVersion = validatePodSecurityVersion(v, options.podSecurityVersion);
    const queues = resolveTeamQueues(v, this.teamName, options.kueue, options.queue);
    this.localQueueName = queues?.localQueueName;
    this.clusterQueueName = queues?.clusterQueueName;
    this.queue = queues?.queue;

    this.personas = options.personas ?? [Persona.TRAINER, Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER, Persona.VIEWER];
    const personaOptions = personaOptionsOf(options);
    checkPersonas(v, this.personas, personaOptions);
    const personaRules = new Map<Persona, GroupRule[]>();
    for (const persona of this.personas) {
      personaRules.set(persona, this.namePersona(v, persona, personaOptions[persona], options));
    }
    const members = checkMembers(v, options.members, this.personas);

    this.addServiceAccounts(v, personaOptions, options.modelServer, labels);
    if (options.clusterDns !== undefined) {
      for (const ns of this.namespaces) useClusterDnsInNamespace(v, this, ns, options.clusterDns, `team '${this.teamName}'`);
    }
    for (const ns of this.namespaces) {
      this.addNamespaceObjects(ns, { labels, podSecurityVersion, quota, limitDefaults: defaults, queues, personaRules, members });
    }
    if (options.queue?.clusterQueue !== undefined) {
      const team = { clusterQueueName: this.clusterQueueName!, namespaces: this.namespaces, labels };
      addClusterQueue(this, v, options.queue.clusterQueue, team, options.quota, quota, flavors);
    }
  }

  /**
   * The team in another of its namespaces, to pass as `team` to a workload construct: the workload runs there, as
   * the ServiceAccount of its role (each team namespace has its own, of the same name) and through the LocalQueue of
   * that namespace.
   * @param namespace one of the team's `namespaces`
   */
  public inNamespace(namespace: string): ITeam {
    if (!this.namespaces.includes(namespace)) {
      Validator.forConstruct('Team', this.teamName).fail('namespace', `must be one of the team's namespaces (${this.namespaces.join(', ')})`, namespace);
    }
    return namespace === this.namespace ? this : new TeamInNamespace(this, namespace);
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

  /** Names the persona's Role (and ServiceAccount, for a workload persona) and returns the Role's rules. */
  private namePersona(v: IValidator, persona: Persona, [prop, opts]: [string, PersonaOptions | undefined], options: TeamOptions): GroupRule[] {
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
    return [...base, ...extra];
  }

  /**
   * Checks the workload personas' ServiceAccount options and adds their ServiceAccounts to the team's first namespace
   * (with the token Secrets, if asked); the other namespaces get theirs in `addNamespaceObjects`.
   */
  private addServiceAccounts(v: IValidator, personaOptions: PersonaOptionsTable, modelServer: ModelServerOptions | undefined, labels: Record<string, string>): void {
    for (const persona of WORKLOAD_PERSONAS.filter((p) => this.personas.includes(p))) {
      const [prop, personaOpts] = personaOptions[persona];
      const opts = personaOpts as WorkloadPersonaOptions | undefined;
      const tokenSecret = opts?.tokenSecret ?? false;
      if (opts?.mountableSecrets !== undefined && !tokenSecret) {
        v.fail(`${prop}.mountableSecrets`, 'can only be given with tokenSecret: true (only then does the ServiceAccount restrict the Secrets its pods use)', opts.mountableSecrets);
      }
      const extra = validateObjectNames(v, `${prop}.mountableSecrets`, opts?.mountableSecrets);
      const named = persona === Persona.MODEL_SERVER ? (modelServer?.secrets ?? []) : [];
      const account: PersonaServiceAccountProps = {
        name: this.serviceAccounts.get(persona)!,
        namespace: this.namespace,
        labels,
        tokenSecret,
        restrictSecrets: tokenSecret,
        mountableSecrets: [...new Set([...named, ...extra])],
      };
      this.accounts.set(persona, account);
      addPersonaServiceAccount(new Construct(this, `ServiceAccount-${persona}`), account);
    }
  }

  /**
   * The Namespace, its quota, limits, default-deny policy, LocalQueue and the personas' Roles; in a namespace other
   * than the first, the workload personas' ServiceAccounts too (a pod runs only as a ServiceAccount of its own
   * namespace). The long-lived token Secrets stay in the first namespace: one per persona for clients outside.
   */
  private addNamespaceObjects(ns: string, parts: NamespaceParts): void {
    const { labels } = parts;
    const scope = new Construct(this, `Namespace-${ns}`);
    addNamespace(scope, ns, labels, parts.podSecurityVersion);
    addQuotaAndLimits(scope, this.teamName, ns, labels, parts.quota, parts.limitDefaults);
    addDefaultDenyPolicy(scope, ns, labels);
    if (parts.queues !== undefined) addLocalQueue(scope, ns, labels, parts.queues);
    for (const persona of this.personas) {
      const account = this.accounts.get(persona);
      if (account !== undefined && ns !== this.namespace) {
        addPersonaServiceAccount(new Construct(scope, `ServiceAccount-${persona}`), { ...account, namespace: ns, tokenSecret: false });
      }
      // The first namespace's account keeps its Role in every team namespace; each other namespace's, in its own.
      const accounts = account === undefined ? []
        : [{ name: account.name, namespace: this.namespace }, ...(ns === this.namespace ? [] : [{ name: account.name, namespace: ns }])];
      addPersonaRole(scope, persona, {
        name: this.roleNames.get(persona)!,
        namespace: ns,
        rules: parts.personaRules.get(persona)!,
        serviceAccounts: accounts,
        people: parts.members.filter((m) => m.persona === persona).map((m) => m.subject),
        labels,
      });
    }
  }
}

/** A team placed in another of its namespaces ({@link Team.inNamespace}). */
class TeamInNamespace implements ITeam {
  public readonly teamName: string;
  public readonly queue?: Queue;
  public readonly namespaces: readonly string[];

  public constructor(private readonly team: Team, public readonly namespace: string) {
    this.teamName = team.teamName;
    this.queue = team.queue;
    this.namespaces = team.namespaces;
  }

  public serviceAccountFor(role: WorkloadRole): string | undefined {
    return this.team.serviceAccountFor(role);
  }
}

function personaOptionsOf(options: TeamOptions): PersonaOptionsTable {
  return {
    [Persona.TRAINER]: ['trainer', options.trainer],
    [Persona.MODEL_SERVER]: ['modelServer', options.modelServer],
    [Persona.PIPELINE_RUNNER]: ['pipelineRunner', options.pipelineRunner],
    [Persona.VIEWER]: ['viewer', options.viewer],
  };
}

/** The personas must be known, each once, and options are given only for personas the team has. */
function checkPersonas(v: IValidator, personas: Persona[], personaOptions: PersonaOptionsTable): void {
  const known = Object.values(Persona) as string[];
  if (!Array.isArray(personas)) v.fail('personas', 'must be a list of Persona values', personas);
  personas.forEach((p, i) => {
    if (!known.includes(p) || personas.indexOf(p) !== i) v.fail(`personas[${i}]`, `must be one of ${known.map((k) => `'${k}'`).join(', ')}, each once`, p);
  });
  for (const persona of Object.values(Persona)) {
    const [prop, opts] = personaOptions[persona];
    if (opts === undefined) continue;
    if (!personas.includes(persona)) v.fail(prop, `can only be given when 'personas' includes Persona.${constantName(Persona, persona) ?? persona}`, opts);
  }
}

function checkMembers(v: IValidator, input: TeamMember[] | undefined, personas: Persona[]): TeamMember[] {
  const members = input ?? [];
  if (!Array.isArray(members)) v.fail('members', 'must be a list of { subject, persona }', members);
  members.forEach((m, i) => {
    if (!(m?.subject instanceof Subject)) v.fail(`members[${i}].subject`, 'must be made with Subject.user(...) or Subject.group(...)', m?.subject);
    if (!personas.includes(m.persona)) v.fail(`members[${i}].persona`, `must be one of the team's personas (${personas.join(', ')})`, m.persona);
  });
  return members;
}
