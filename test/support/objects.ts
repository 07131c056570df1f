/** Helpers shared by the manifest checks: naming objects and paths, matching label selectors. */

/** `Kind/namespace/name`, or `Kind/name` for objects without a namespace. */
export function objectId(obj: any): string {
  const kind = typeof obj?.kind === 'string' ? obj.kind : '<no kind>';
  const name = obj?.metadata?.name ?? obj?.metadata?.generateName ?? '<no name>';
  const namespace = obj?.metadata?.namespace;
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

/** Appends a key or index to a dotted path: `a.b`, `a[0]`, `a["app.kubernetes.io/name"]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Whether a metav1.LabelSelector selects a set of labels. An empty selector selects everything. */
export function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expr of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
    const values: string[] = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(labels[expr.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[expr.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
