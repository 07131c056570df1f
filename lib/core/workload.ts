import { IConstruct } from 'constructs';
import { NetworkPeer, NetworkPort, PodNetworkPolicy } from './network';
import { SecretValue } from './secrets';

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
  const serverPeer: NetworkPeer = server.networkPolicy.peer;
  const clientPeer: NetworkPeer = client.networkPolicy.peer;
  client.networkPolicy.allowTo(serverPeer, ports);
  server.networkPolicy.allowFrom(clientPeer, ports);
}

/** The DNS name of a Service: `name.namespace.svc` when the namespace is known, else `name`. */
export function serviceHost(serviceName: string, namespace?: string): string {
  return namespace ? `${serviceName}.${namespace}.svc` : serviceName;
}
