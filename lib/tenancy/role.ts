// A persona's Role in one team namespace and the RoleBinding that gives it to the persona's ServiceAccount and people.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Persona, Subject } from './persona';
import { GroupRule, RBAC_GROUP } from './rbac-rule';

/** One persona's Role in one namespace. */
export interface PersonaRoleProps {
  /** The name of the Role and its RoleBinding. */
  readonly name: string;
  /** The namespace of the Role. */
  readonly namespace: string;
  /** The rules of the Role. */
  readonly rules: GroupRule[];
  /** The persona's ServiceAccounts bound to the Role (none for the viewer). */
  readonly serviceAccounts: ReadonlyArray<{ readonly name: string; readonly namespace: string }>;
  /** The people bound to the persona. */
  readonly people: Subject[];
  /** The labels of the team's objects. */
  readonly labels: Record<string, string>;
}

/**
 * Adds the Role (child `Role-<persona>`) and, when anyone is bound to it, its RoleBinding (`RoleBinding-<persona>`):
 * ids in the library's `Kind-<name>` case.
 */
export function addPersonaRole(scope: Construct, persona: Persona, props: PersonaRoleProps): void {
  const { name, namespace, labels, serviceAccounts } = props;
  new k8s.KubeRole(scope, `Role-${persona}`, {
    metadata: { name, namespace, labels },
    rules: props.rules.map((r) => ({ apiGroups: [r.apiGroup], resources: r.resources, verbs: r.verbs, resourceNames: r.resourceNames })),
  });
  const subjects: k8s.Subject[] = [
    ...serviceAccounts.map((sa) => ({ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace })),
    ...props.people.map((p) => ({ kind: p.kind, name: p.name, apiGroup: RBAC_GROUP })),
  ];
  if (subjects.length === 0) return;
  new k8s.KubeRoleBinding(scope, `RoleBinding-${persona}`, {
    metadata: { name, namespace, labels },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name },
    subjects,
  });
}
