import { IValidator, NetworkPeer, NetworkPort, PodNetworkPolicy } from '../core';
import { ServerServiceOptions } from '../core/server';
import { rejectInternetSource, validateCidr, validateDnsLabel, validateLabels } from '../core/validation';
import { ServingRuntime } from './runtime';

/** How the Service is reachable. */
export enum ServiceType {
  /** Inside the cluster only. */
  CLUSTER_IP = 'ClusterIP',
  /** On a port of every node. */
  NODE_PORT = 'NodePort',
  /** Through a cloud load balancer. */
  LOAD_BALANCER = 'LoadBalancer',
}

/** Who may call the server (besides workloads wired with `connect`). */
export interface AccessOptions {
  /**
   * Every pod of these namespaces.
   * @default - none
   */
  readonly namespaces?: string[];
  /**
   * Pods with these labels (in their namespace).
   * @default - none
   */
  readonly peers?: NetworkPeer[];
  /**
   * Client address ranges outside the cluster (IPv4 CIDRs). Required with a LoadBalancer or NodePort Service: they
   * become its `loadBalancerSourceRanges`, and the Service keeps client addresses (`externalTrafficPolicy: Local`)
   * so that the NetworkPolicy can admit them.
   * @default - none
   */
  readonly cidrs?: string[];
  /**
   * Accept a range in `cidrs` that admits every address (`0.0.0.0/0`): the server is then open to the internet.
   * @default false
   */
  readonly allowInternetSources?: boolean;
}

/**
 * The Service in front of the server's pods: every runtime port, named for Istio and L7 load balancers. An external
 * Service needs `access.cidrs`: the pods' NetworkPolicy admits outside clients only from listed ranges, never the
 * whole internet by default.
 */
export function serviceOptions(
  v: IValidator, serviceType: ServiceType | undefined, access: AccessOptions | undefined, runtime: ServingRuntime,
  service: { readonly name: string; readonly servingPort: number },
): ServerServiceOptions {
  const type = serviceType ?? ServiceType.CLUSTER_IP;
  if (type !== ServiceType.CLUSTER_IP && (access?.cidrs ?? []).length === 0) {
    v.fail('serviceType', 'needs access.cidrs, the client address ranges allowed from outside the cluster (e.g. [\'10.0.0.0/8\'])', type);
  }
  return {
    name: service.name,
    type,
    sourceRanges: access?.cidrs,
    ports: runtime.ports.map((p) => ({
      name: p.name,
      port: p.name === runtime.servingPortName ? service.servingPort : p.port,
      // Istio and L7 load balancers pick the protocol from appProtocol.
      appProtocol: p.name === 'grpc' ? 'grpc' : ['http', 'metrics', 'management'].includes(p.name) ? 'http' : undefined,
    })),
  };
}

/** Opens `ports` of the server's pods to the namespaces, pods and address ranges of `access`. */
export function applyAccess(v: IValidator, policy: PodNetworkPolicy, access: AccessOptions = {}, ports: NetworkPort[]): void {
  (access.namespaces ?? []).forEach((ns, i) => {
    validateDnsLabel(v, `access.namespaces[${i}]`, ns);
    policy.allowFromNamespace(ns, ports);
  });
  (access.peers ?? []).forEach((peer, i) => {
    if (!peer || typeof peer.podSelector !== 'object') v.fail(`access.peers[${i}]`, 'must be a NetworkPeer with a podSelector', peer);
    validateLabels(v, `access.peers[${i}].podSelector`, peer.podSelector);
    if (peer.namespace !== undefined) validateDnsLabel(v, `access.peers[${i}].namespace`, peer.namespace);
    policy.allowFrom(peer, ports);
  });
  (access.cidrs ?? []).forEach((cidr, i) => {
    validateCidr(v, `access.cidrs[${i}]`, cidr);
    rejectInternetSource(v, `access.cidrs[${i}]`, cidr, access.allowInternetSources, 'access.allowInternetSources');
    policy.allowFromCidr(cidr, ports);
  });
}
