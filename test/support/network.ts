/** NetworkPolicy coverage: every pod should be selected by at least one NetworkPolicy of its namespace. */
import { objectId, selectorMatches } from './objects';
import { podSpecsOf } from './pods';

/**
 * The pod templates that no NetworkPolicy in the same namespace selects. Objects without a namespace are
 * in `defaultNamespace`. Pod labels are the template's labels plus those the controller adds (job-name...).
 */
export function uncoveredPods(objects: any[], defaultNamespace = 'default'): string[] {
  const namespaceOf = (obj: any): string => obj?.metadata?.namespace ?? defaultNamespace;
  const policies = objects.filter((obj) => obj?.kind === 'NetworkPolicy' && obj.apiVersion === 'networking.k8s.io/v1');
  const errors: string[] = [];
  for (const obj of objects) {
    const namespace = namespaceOf(obj);
    for (const pod of podSpecsOf(obj)) {
      const labels: Record<string, string> = { ...pod.controllerLabels, ...pod.metadata?.labels };
      // An empty podSelector selects every pod of the namespace (validateObjects reports a missing one).
      const covered = policies.some((policy) => namespaceOf(policy) === namespace && selectorMatches(policy.spec?.podSelector ?? {}, labels));
      if (!covered) {
        errors.push(`${objectId(obj)}: ${pod.path}: no NetworkPolicy in namespace "${namespace}" selects pods labelled ${JSON.stringify(labels)}`);
      }
    }
  }
  return errors;
}

/** The DNS rule of every NetworkPolicy by default: UDP and TCP 53 to the kube-dns pods in kube-system only. */
export const KUBE_DNS_EGRESS = Object.freeze({
  // In the order of the rendered manifest (ports, then to), so JSON comparisons hold.
  ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
  to: [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  }],
});

/** True for a DNS egress rule: ports 53 UDP and TCP (or another DNS port), to named peers, never to everyone. */
export function isDnsRule(rule: any): boolean {
  const ports = JSON.stringify((rule.ports ?? []).map((p: any) => p.protocol));
  return ports === '["UDP","TCP"]' && rule.ports[0].port === rule.ports[1].port && Array.isArray(rule.to) && rule.to.length > 0;
}
