// The ServiceAccount of a workload persona: no token mounted by default, and an optional long-lived token for a
// client outside the cluster that restricts the account's pods to the Secrets they are given.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { childName } from '../core/labels';

/** The ServiceAccount of one persona. */
export interface PersonaServiceAccountProps {
  /** The ServiceAccount's name. */
  readonly name: string;
  /** Its namespace (each team namespace has one). */
  readonly namespace: string;
  /** The labels of the team's objects. */
  readonly labels: Record<string, string>;
  /** Create the token Secret `<name>-token` (in the team's first namespace only). */
  readonly tokenSecret: boolean;
  /** Enforce mountable secrets: the account's pods may use only `mountableSecrets` (the persona's `tokenSecret`). */
  readonly restrictSecrets: boolean;
  /** With `restrictSecrets`, the only Secrets the account's pods may use. */
  readonly mountableSecrets: string[];
}

/** Adds the ServiceAccount (child `Resource`) and, with `tokenSecret`, its token Secret (child `Token`) under `scope`. */
export function addPersonaServiceAccount(scope: Construct, props: PersonaServiceAccountProps): void {
  const { name, namespace, labels, tokenSecret, restrictSecrets, mountableSecrets } = props;
  const tokenName = childName(name, 'token', 253);
  const enforce = restrictSecrets ? { 'kubernetes.io/enforce-mountable-secrets': 'true' } : undefined;
  new k8s.KubeServiceAccount(scope, 'Resource', {
    metadata: { name, namespace, labels, annotations: enforce },
    // Pods that call the API opt in themselves (automountServiceAccountToken on the pod).
    automountServiceAccountToken: false,
    // With enforce-mountable-secrets, pods of this account may use only the Secrets listed here; the long-lived
    // token is for a client outside the cluster, so no pod may mount it.
    secrets: restrictSecrets && mountableSecrets.length > 0 ? mountableSecrets.map((s) => ({ name: s })) : undefined,
  });
  if (tokenSecret) {
    new k8s.KubeSecret(scope, 'Token', {
      metadata: { name: tokenName, namespace, labels, annotations: { 'kubernetes.io/service-account.name': name } },
      type: 'kubernetes.io/service-account-token',
    });
  }
}
