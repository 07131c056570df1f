import { IConstruct } from 'constructs';
import { IValidator } from './errors';
import { namespaceOf } from './labels';
import { allowBetween, NetworkPort, PodNetworkPolicy } from './network';
import { Queue, SchedulingOptions } from './scheduling';
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
}

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

/** Opens the path from `client` to the pods of a service: egress on the client, ingress on the server. */
export function openPath(client: IWorkload, server: { networkPolicy: PodNetworkPolicy }, ports: NetworkPort[]): void {
  allowBetween(client.networkPolicy, server.networkPolicy, ports);
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
  if (props.namespace !== undefined) validateDnsLabel(v, 'namespace', props.namespace);
  if (props.serviceAccountName !== undefined) validateDnsSubdomain(v, 'serviceAccountName', props.serviceAccountName);
  if (team === undefined) {
    return { namespace: namespaceOf(scope, props.namespace), serviceAccountName: props.serviceAccountName, scheduling: props.scheduling };
  }
  if (props.namespace !== undefined && props.namespace !== team.namespace) {
    v.fail('namespace', `must be the team's namespace '${team.namespace}' (or be left out)`, props.namespace);
  }
  const queue = props.scheduling?.queue ?? team.queue;
  return {
    namespace: team.namespace,
    serviceAccountName: props.serviceAccountName ?? team.serviceAccountFor(role),
    scheduling: { ...props.scheduling, queue },
  };
}
