import { IConstruct } from 'constructs';
import { IValidator } from './errors';
import { namespaceOf } from './labels';
import { allowBetween, NetworkPort, PodNetworkPolicy } from './network';
import { Queue, SchedulingOptions, withWorkloadPriority } from './scheduling';
import { SecretValue } from './secrets';
import { validateDnsLabel, validateDnsSubdomain } from './validation';

/**
 * A construct that runs pods which platform services can be wired to: GpuTrainingJob, DistributedTraining,
 * ModelServer. Services (`MlflowPlatform`, `FeatureStore`) take an `IWorkload` in `connect()`, give it the
 * environment it needs and open exactly the network path between them.
 */
export interface IWorkload extends IConstruct {
  /** The workload's name (the Job, Deployment or training run). */
  readonly workloadName: string;
  /** Its namespace (undefined: the chart's default, usually `default`). */
  readonly namespace?: string;
  /** Labels that select all of its pods. */
  readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of its pods. */
  readonly networkPolicy: PodNetworkPolicy;
  /** Adds an environment variable to its main containers. */
  addEnv(name: string, value: string | SecretValue): void;
  /** Adds a label to its pods, not to their selector (wiring uses it for Istio sidecar injection). */
  addPodLabel(key: string, value: string): void;
}

/** The pod label that asks Istio to inject its sidecar, whatever the namespace's `istio-injection` label. */
export const ISTIO_INJECT_LABEL = 'sidecar.istio.io/inject';

/**
 * A service inside the cluster that workloads connect to (MLflow, a feature server, a model server).
 */
export interface IServiceEndpoint {
  /** The Service's name. */
  readonly serviceName: string;
  /** Its namespace. */
  readonly namespace?: string;
  /** The port clients connect to. */
  readonly port: number;
  /** The in-cluster address clients use (`name.namespace.svc:port`, or `name:port` without a namespace). */
  readonly host: string;
}

/**
 * A service that workloads are wired to (MlflowPlatform, FeatureStore, ModelServer): `connect(workload)` gives the
 * workload the environment it needs (at least the service's URL) and opens exactly the network path from the
 * workload's pods to the service's pods on the service's ports.
 */
export interface IService extends IServiceEndpoint {
  /** The URL clients use (`http://host:port`). */
  readonly url: string;
  /** Labels that select the service's pods. */
  readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of the service's pods. */
  readonly networkPolicy: PodNetworkPolicy;
  /** Wires `workload` to the service: environment, and the network path on both sides. */
  connect(workload: IWorkload, options?: ConnectOptions): void;
}

/** What every service's `connect()` takes. */
export interface ConnectOptions {
  /**
   * Connect a workload of another team (its namespace belongs to another `MlRbac` team than the service's): the
   * service hands it its URL and credentials and opens a network path between the two teams' namespaces, which the
   * platform checks refuse at synth without this acknowledgement.
   * @default false
   */
  readonly acrossTeams?: boolean;
}

/** A `connect()` of the app, for the platform checks (which see teams; this file does not). */
export interface Connection {
  readonly service: IConstruct;
  readonly serviceNamespace?: string;
  readonly workload: IWorkload;
  readonly acrossTeams: boolean;
}

/** The connections made in each app (by its root construct). */
const appConnections = new WeakMap<IConstruct, Connection[]>();

/** The `connect()` calls made in the app of `scope`. */
export function connectionsOf(scope: IConstruct): readonly Connection[] {
  return appConnections.get(scope.node.root) ?? [];
}

/** Opens the path from `client` to the pods of a service: egress on the client, ingress on the server. */
function openPath(client: IWorkload, server: { networkPolicy: PodNetworkPolicy }, ports: NetworkPort[]): void {
  allowBetween(client.networkPolicy, server.networkPolicy, ports);
}

/** The workloads each service's pods were connected to, to refuse connecting one twice. */
const connections = new WeakMap<PodNetworkPolicy, Set<IWorkload>>();

/**
 * What every service's `connect` does, in one place: checks that `workload` is a workload that can be wired to
 * `service` (a workload construct, not the service itself, not connected before, with a namespace when the
 * service's namespace differs: a NetworkPolicy cannot name "the chart's default"), adds `env` to it and opens
 * `ports` from its pods to the service's. `v` names the prop as `connect.workload`.
 */
export function connectWorkload(
  v: IValidator,
  service: IConstruct & { readonly namespace?: string; readonly networkPolicy: PodNetworkPolicy },
  workload: IWorkload,
  env: Record<string, string | SecretValue>,
  ports: NetworkPort[],
  options: ConnectOptions = {},
): void {
  if (options.acrossTeams !== undefined && typeof options.acrossTeams !== 'boolean') v.fail('connect.acrossTeams', 'must be true or false', options.acrossTeams);
  if (!workload || typeof workload.addEnv !== 'function' || !(workload.networkPolicy instanceof PodNetworkPolicy)) {
    v.fail('connect.workload', 'must be a workload construct (GpuTrainingJob, DistributedTraining, ModelServer...)', workload?.node?.path ?? workload);
  }
  if (workload.networkPolicy === service.networkPolicy) v.fail('connect.workload', 'must be another workload than the service itself', workload.workloadName);
  if (workload.namespace !== service.namespace && (workload.namespace === undefined || service.namespace === undefined)) {
    v.fail('connect.workload', `must have a namespace when the server's differs (server: '${service.namespace ?? 'chart default'}'): set the namespaces of both charts or constructs`, workload.workloadName);
  }
  const connected = connections.get(service.networkPolicy) ?? new Set<IWorkload>();
  if (connected.has(workload)) v.fail('connect.workload', 'must be connected only once', workload.workloadName);
  connected.add(workload);
  connections.set(service.networkPolicy, connected);
  const root = service.node.root;
  appConnections.set(root, [...(appConnections.get(root) ?? []), { service, serviceNamespace: service.namespace, workload, acrossTeams: options.acrossTeams === true }]);
  for (const [name, value] of Object.entries(env)) workload.addEnv(name, value);
  openPath(workload, service, ports);
}

/** The DNS name of a Service: `name.namespace.svc` when the namespace is known, else `name`. */
export function serviceHost(serviceName: string, namespace?: string): string {
  return namespace ? `${serviceName}.${namespace}.svc` : serviceName;
}

/** What a workload does, which decides the service account a team gives it. */
export enum WorkloadRole {
  /** Training runs (GpuTrainingJob, DistributedTraining). */
  TRAINING = 'training',
  /** Model servers and feature servers. */
  SERVING = 'serving',
  /** Pipeline steps (feature materialization, batch jobs). */
  PIPELINE = 'pipeline',
}

/**
 * A tenant that owns workloads: its namespace, the service account of each workload role and its batch queue.
 * `MlRbac` teams implement it; workloads given a `team` take these from it.
 */
export interface ITeam {
  /** The team's name. */
  readonly teamName: string;
  /** The namespace its workloads run in. */
  readonly namespace: string;
  /**
   * Every namespace of the team, where a workload given the team may also run with an explicit `namespace`.
   * @default - only `namespace`
   */
  readonly namespaces?: readonly string[];
  /** Its batch queue, if it has one. */
  readonly queue?: Queue;
  /** The ServiceAccount for workloads of `role`, if the team defines one. */
  serviceAccountFor(role: WorkloadRole): string | undefined;
}

/** Where a workload runs and as whom, after a team's defaults are applied. */
export interface Placement {
  readonly namespace?: string;
  readonly serviceAccountName?: string;
  readonly scheduling?: SchedulingOptions;
}

/**
 * Applies a team's namespace, service account and queue to a workload's props; explicit props win, but a namespace
 * different from the team's is an error (the team's quota, RBAC and policies would not apply).
 */
export function resolvePlacement(
  v: IValidator,
  scope: IConstruct,
  props: { team?: ITeam; namespace?: string; serviceAccountName?: string; scheduling?: SchedulingOptions },
  role: WorkloadRole,
): Placement {
  const team = props.team;
  const namespace = resolveNamespace(v, scope, props);
  if (props.serviceAccountName !== undefined) validateDnsSubdomain(v, 'serviceAccountName', props.serviceAccountName);
  if (team === undefined) {
    return { namespace, serviceAccountName: props.serviceAccountName, scheduling: withWorkloadPriority(v, props.scheduling) };
  }
  // The team's batch queue admits runs that finish; long-running servers are not queued.
  const queue = props.scheduling?.queue ?? (role === WorkloadRole.SERVING ? undefined : team.queue);
  return {
    namespace,
    serviceAccountName: props.serviceAccountName ?? team.serviceAccountFor(role),
    scheduling: props.scheduling === undefined && queue === undefined ? undefined : withWorkloadPriority(v, { ...props.scheduling, queue }),
  };
}

/**
 * The namespace of a construct that may belong to a team: the explicit one, else the team's, else the chart's. A
 * namespace that is not one of the team's is an error (the team's quota, RBAC and policies would not apply).
 */
export function resolveNamespace(v: IValidator, scope: IConstruct, props: { team?: ITeam; namespace?: string }): string | undefined {
  if (props.namespace !== undefined) validateDnsLabel(v, 'namespace', props.namespace);
  const team = props.team;
  if (team === undefined) return namespaceOf(scope, props.namespace);
  if (!team || typeof team !== 'object' || typeof team.namespace !== 'string') v.fail('team', 'must be a team made with MlRbac.addTeam(...)', team);
  const namespaces = Array.isArray(team.namespaces) ? team.namespaces : [team.namespace];
  if (props.namespace !== undefined && props.namespace !== team.namespace && !namespaces.includes(props.namespace)) {
    const allowed = namespaces.length > 1 ? `one of the team's namespaces (${namespaces.join(', ')})` : `the team's namespace '${team.namespace}'`;
    v.fail('namespace', `must be ${allowed} (or be left out)`, props.namespace);
  }
  return props.namespace ?? team.namespace;
}
