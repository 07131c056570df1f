import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** A kind a resource step creates and waits for: the verbs Argo's executor uses on it. */
export interface CreatedKind {
  readonly apiGroup: string;
  readonly resource: string;
  /** Applied (`kubectl apply`: also patch), not only created. */
  readonly apply?: boolean;
}

/**
 * The pipeline runner's identity: a ServiceAccount without an automounted token, the token Secret Argo mounts into its
 * executor containers only (`executor.serviceAccountName`), and a Role with exactly what the executor needs: create
 * and patch `workflowtaskresults` (how the wait container reports outputs, Argo v3.4+), and create and get on the
 * kinds resource steps create (`kubectl create`, then polling the object for its success condition).
 */
export class RunnerIdentity {
  public readonly serviceAccountName: string;
  /** The Role's rules: the manifest holds this array, so kinds added later show in it. */
  private readonly rules: k8s.PolicyRule[] = [{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }];

  public constructor(scope: Construct, name: string, namespace: string | undefined, labels: Record<string, string>) {
    this.serviceAccountName = name;
    new k8s.KubeServiceAccount(scope, 'RunnerServiceAccount', {
      metadata: { name, namespace, labels },
      automountServiceAccountToken: false,
    });
    // Argo reads the executor's token from the Secret `<sa>.service-account-token` (util/secrets in Argo v3.4+); the
    // token controller fills it in. The manifest holds no secret data.
    new k8s.KubeSecret(scope, 'RunnerToken', {
      metadata: { name: `${name}.service-account-token`, namespace, labels, annotations: { 'kubernetes.io/service-account.name': name } },
      type: 'kubernetes.io/service-account-token',
    });
    new k8s.KubeRole(scope, 'RunnerRole', {
      metadata: { name, namespace, labels },
      rules: this.rules,
    });
    new k8s.KubeRoleBinding(scope, 'RunnerRoleBinding', {
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
  }

  /** Lets the executor create and read objects of this kind (a resource step). */
  public allowCreate(kind: CreatedKind): void {
    const verbs = kind.apply ? ['create', 'get', 'patch'] : ['create', 'get'];
    const i = this.rules.findIndex((r) => r.apiGroups?.[0] === kind.apiGroup && r.resources?.[0] === kind.resource);
    if (i < 0) this.rules.push({ apiGroups: [kind.apiGroup], resources: [kind.resource], verbs });
    else if (kind.apply) this.rules[i] = { ...this.rules[i], verbs };
  }
}
