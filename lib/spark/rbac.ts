import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { childName } from '../core/labels';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * What the Spark driver does through the Kubernetes API, as the Spark operator's chart grants it to the `spark`
 * service account (charts/spark-operator-chart/templates/spark/rbac.yaml, v2.5.2): it creates, watches and deletes
 * its executor pods (one `deletecollection` by label when it stops), the ConfigMap its executors read their
 * configuration from, and Services. Persistent volume claims are left out: the library mounts existing claims only,
 * so the driver creates none.
 */
export const SPARK_DRIVER_RULES: readonly k8s.PolicyRule[] = Object.freeze([{
  apiGroups: [''],
  resources: ['pods', 'configmaps', 'services'],
  verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
}]);

/**
 * The driver's ServiceAccount `<name>-spark`, its Role and RoleBinding (ids `ServiceAccount`, `Role`,
 * `RoleBinding`). The account mounts no token by default: the driver's pod template asks for one, the executors'
 * does not. Returns the account's name.
 */
export function addDriverAccount(scope: Construct, name: string, namespace: string | undefined, labels: Record<string, string>): string {
  const account = childName(name, 'spark');
  new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: account, namespace, labels },
    automountServiceAccountToken: false,
  });
  new k8s.KubeRole(scope, 'Role', {
    metadata: { name: account, namespace, labels },
    rules: SPARK_DRIVER_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] })),
  });
  new k8s.KubeRoleBinding(scope, 'RoleBinding', {
    metadata: { name: account, namespace, labels },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: account },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
  });
  return account;
}
