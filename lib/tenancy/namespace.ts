// A team namespace's isolation: Pod Security "restricted" admission on the namespace, and a default-deny
// NetworkPolicy that each workload's own policy opens paths through.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { PodNetworkPolicy } from '../core/network';

/** Checks `podSecurityVersion` (default `v1.27`): the Pod Security Standards version the namespaces enforce. */
export function validatePodSecurityVersion(v: IValidator, version: string | undefined): string {
  const pssVersion = version ?? 'v1.27';
  if (typeof pssVersion !== 'string' || !/^(latest|v1\.\d+)$/.test(pssVersion)) v.fail('podSecurityVersion', 'must be \'latest\' or a Kubernetes minor version such as \'v1.27\'', pssVersion);
  return pssVersion;
}

/**
 * The Pod Security admission labels of a team namespace: "restricted" enforced at `enforceVersion`, and audited and
 * warned at `latest`, to show what a Kubernetes upgrade would reject before it does.
 */
export function podSecurityLabels(enforceVersion: string): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': enforceVersion,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': 'latest',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'latest',
  };
}

/** The Namespace object (child `Resource` of `scope`), under Pod Security "restricted". */
export function addNamespace(scope: Construct, name: string, labels: Record<string, string>, podSecurityVersion: string): void {
  new k8s.KubeNamespace(scope, 'Resource', {
    metadata: { name, labels: { ...labels, ...podSecurityLabels(podSecurityVersion) } },
  });
}

/** Every pod of the namespace: nothing in or out but DNS, until a workload's own policy opens a path. */
export function addDefaultDenyPolicy(scope: Construct, namespace: string, labels: Record<string, string>): void {
  new PodNetworkPolicy(scope, 'DefaultDeny', { name: 'default-deny', namespace, podSelector: {}, labels });
}
