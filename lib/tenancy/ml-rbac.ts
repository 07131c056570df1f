import { propNames, rejectUnknownProps } from '../core/props';
import { Construct } from 'constructs';
import { ClusterDns } from '../core/dns';
import { Validator } from '../core/errors';
import { childId } from '../core/labels';
import { validateDnsLabel } from '../core/validation';
import { FlavorRegistry } from './cluster-queue';
import { CROSS_TEAM_WIRING } from './cross-team';
import { addWorkloadPriority, WorkloadPriorityOptions } from './priority';
import { KUEUE_QUEUES } from './queue-checks';
import { QUOTA_FIT } from './quota-fit';
import { Team, TeamOptions } from './team';
import { registerConstruct } from '../core/platform';

/** Props of {@link MlRbac}. */
export interface MlRbacProps {
  /**
   * The teams; more can be added with `addTeam`.
   * @default - none
   */
  readonly teams?: TeamOptions[];
  /**
   * More namespaces that no team may own (the cluster's own and shared services: `istio-system`, `monitoring`...),
   * besides `default`, `kube-system`, `kube-public`, `kube-node-lease` and every other `kube-` namespace, which are
   * always refused: a team namespace is relabelled Pod Security "restricted", gets a default-deny NetworkPolicy
   * (which cuts the DNS of `kube-system`) and lets the team's trainers create Jobs there.
   * @default - only the Kubernetes ones
   */
  readonly systemNamespaces?: string[];
  /**
   * Where the pods of every team's namespaces resolve names (NodeLocal DNSCache, CoreDNS elsewhere than
   * `kube-system`): the default of each team's `clusterDns`.
   * @default - the nearest `ClusterDns.use` setting, else `ClusterDns.kubeDns()` (kube-dns in kube-system)
   */
  readonly clusterDns?: ClusterDns;
  /**
   * Kueue WorkloadPriorityClasses (cluster-wide) that workloads name in `scheduling.workloadPriorityClass`; more can
   * be added with `addWorkloadPriority`. A workload that names a class the app does not write, while the app writes
   * some, is refused at synth (Kueue would hold it until the class exists).
   * @default - none (workloads get Kueue's default priority)
   */
  readonly workloadPriorities?: WorkloadPriorityOptions[];
}

/** Namespaces of Kubernetes itself that never become team namespaces (with every other `kube-` namespace). */
const RESERVED_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];


/** Every prop of MlRbacProps, for refusing unknown ones (the compiler checks the list against the interface). */
const ML_RBAC_PROPS = propNames<MlRbacProps>()({
  teams: true,
  systemNamespaces: true,
  clusterDns: true,
  workloadPriorities: true,
});
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
  /** The names of the WorkloadPriorityClasses, in the order they were added. */
  public readonly workloadPriorities: string[] = [];

  private readonly validator: Validator;
  private readonly flavors: FlavorRegistry = new Map();
  private readonly systemNamespaces: string[];
  private readonly clusterDns?: ClusterDns;

  public constructor(scope: Construct, id: string, props: MlRbacProps = {}) {
    super(scope, id);
    registerConstruct(this, 'MlRbac', [QUOTA_FIT, KUEUE_QUEUES, CROSS_TEAM_WIRING]);
    this.validator = Validator.forConstruct('MlRbac', id);
    rejectUnknownProps(this.validator, props, ML_RBAC_PROPS);
    this.systemNamespaces = validateSystemNamespaces(this.validator, props.systemNamespaces);
    if (props.clusterDns !== undefined && !(props.clusterDns instanceof ClusterDns)) {
      this.validator.fail('clusterDns', 'must be made with ClusterDns.kubeDns(), nodeLocalCache() or addresses()', props.clusterDns);
    }
    this.clusterDns = props.clusterDns;
    if (props.teams !== undefined && !Array.isArray(props.teams)) this.validator.fail('teams', 'must be a list of teams', props.teams);
    if (props.workloadPriorities !== undefined && !Array.isArray(props.workloadPriorities)) {
      this.validator.fail('workloadPriorities', 'must be a list of { name, value }', props.workloadPriorities);
    }
    for (const priority of props.workloadPriorities ?? []) this.addWorkloadPriority(priority);
    for (const team of props.teams ?? []) this.addTeam(team);
  }

  /**
   * Adds a Kueue WorkloadPriorityClass and returns its name (give it as `scheduling.workloadPriorityClass`).
   */
  public addWorkloadPriority(options: WorkloadPriorityOptions): string {
    const prop = `workloadPriorities[${this.workloadPriorities.length}]`;
    const name = addWorkloadPriority(this, `WorkloadPriority-${this.workloadPriorities.length}`, this.validator, prop, options, this.workloadPriorities);
    this.workloadPriorities.push(name);
    return name;
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
      // Without `namespaces`, the team's name is its namespace.
      const prop = options.namespaces === undefined ? 'name' : `namespaces[${i}]`;
      validateDnsLabel(v, prop, ns);
      if (RESERVED_NAMESPACES.includes(ns) || ns.startsWith('kube-') || this.systemNamespaces.includes(ns)) {
        const what = options.namespaces === undefined ? 'must not name a system namespace (it is the team\'s namespace when \'namespaces\' is not given)' : 'must not be a system namespace';
        v.fail(prop, `${what}: ${SYSTEM_NAMESPACE_REASON} (system namespaces: ${[...RESERVED_NAMESPACES, 'kube-*', ...this.systemNamespaces].join(', ')})`, ns);
      }
      if (taken.has(ns) || namespaces.indexOf(ns) !== i) v.fail(`namespaces[${i}]`, 'must belong to one team only, once', ns);
    });
    if (namespaces.length === 0) v.fail('namespaces', 'must list at least one namespace', namespaces);
    const team = new Team(this, childId(name), v, { ...options, name, namespaces, clusterDns: options.clusterDns ?? this.clusterDns }, this.flavors);
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

/** Why a system namespace cannot be a team's. */
const SYSTEM_NAMESPACE_REASON = 'a team namespace is relabelled Pod Security "restricted", gets a default-deny NetworkPolicy (which would cut the cluster DNS in kube-system) and lets the team\'s trainers create Jobs there';

function validateSystemNamespaces(v: Validator, input: string[] | undefined): string[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) v.fail('systemNamespaces', 'must be a list of namespace names', input);
  input.forEach((ns, i) => validateDnsLabel(v, `systemNamespaces[${i}]`, ns));
  return [...input];
}
