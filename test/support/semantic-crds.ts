/**
 * Rules of the CRDs' admission webhooks and CEL validations (`x-kubernetes-validations`, which the JSON Schema
 * validator does not evaluate) for the kinds this library writes: Kueue (pkg/webhooks/clusterqueue_webhook.go,
 * resourceflavor_webhook.go), Istio (the VirtualService validation), KEDA (the ScaledObject webhook), Gateway API
 * (the HTTPRoute CRD's CEL rules) and its Inference Extension (the InferencePool CRD's CEL rules).
 */
import { dns1123Subdomain, quantityValue } from './formats';
type Report = (path: string, problem: string) => void;

/** The checks of a CRD object by group and kind; nothing for kinds without rules here. */
export function crdProblems(obj: any, report: Report): void {
  const group = String(obj.apiVersion).split('/')[0];
  const spec = obj.spec ?? {};
  switch (`${group}/${obj.kind}`) {
    case 'kueue.x-k8s.io/ClusterQueue': return clusterQueueProblems(spec, report);
    case 'kueue.x-k8s.io/LocalQueue':
      if (!spec.clusterQueue || dns1123Subdomain(spec.clusterQueue)) report('spec.clusterQueue', `must name a ClusterQueue (got ${JSON.stringify(spec.clusterQueue)})`);
      return undefined;
    case 'kueue.x-k8s.io/ResourceFlavor': return flavorProblems(spec, report);
    case 'networking.istio.io/VirtualService': return virtualServiceProblems(spec, report);
    case 'keda.sh/ScaledObject': return scaledObjectProblems(spec, report);
    case 'gateway.networking.k8s.io/HTTPRoute': return httpRouteProblems(spec, report);
    case 'inference.networking.k8s.io/InferencePool': return inferencePoolProblems(spec, report);
    default: return undefined;
  }
}

/**
 * ClusterQueue: each flavor lists the group's coveredResources, by name and in order; a resource and a flavor in one
 * group only; quotas non-negative, lendingLimit ≤ nominalQuota; borrowingLimit only with a cohort (CEL).
 */
function clusterQueueProblems(spec: any, report: Report): void {
  const resources = new Set<string>();
  const flavors = new Set<string>();
  const cohort = spec.cohortName ?? spec.cohort;
  (spec.resourceGroups ?? []).forEach((group: any, i: number) => {
    const covered: string[] = group?.coveredResources ?? [];
    for (const name of covered) {
      if (resources.has(name)) report(`spec.resourceGroups[${i}].coveredResources`, `${name} is covered by another resource group`);
      resources.add(name);
    }
    (group?.flavors ?? []).forEach((flavor: any, j: number) => {
      const at = `spec.resourceGroups[${i}].flavors[${j}]`;
      if (flavors.has(flavor?.name)) report(`${at}.name`, `flavor ${flavor?.name} is used by another resource group`);
      flavors.add(flavor?.name);
      const names = (flavor?.resources ?? []).map((r: any) => r?.name);
      if (names.join(',') !== covered.join(',')) report(`${at}.resources`, `must list the coveredResources in order (${covered.join(', ')}), got ${names.join(', ')}`);
      (flavor?.resources ?? []).forEach((r: any, k: number) => {
        const here = `${at}.resources[${k}]`;
        for (const field of ['nominalQuota', 'borrowingLimit', 'lendingLimit']) {
          if (r?.[field] !== undefined && !((quantityValue(r[field]) ?? -1) >= 0)) report(`${here}.${field}`, `must be a non-negative quantity (got ${JSON.stringify(r[field])})`);
        }
        if (r?.borrowingLimit !== undefined && !cohort) report(`${here}.borrowingLimit`, 'must not be set without a cohort');
        const nominal = quantityValue(r?.nominalQuota);
        const lending = quantityValue(r?.lendingLimit);
        if (nominal !== undefined && lending !== undefined && lending > nominal) report(`${here}.lendingLimit`, 'must be less than or equal to nominalQuota');
      });
    });
  });
}

/** ResourceFlavor: node taints and tolerations as the CEL rules of the CRD say. */
function flavorProblems(spec: any, report: Report): void {
  (spec.nodeTaints ?? []).forEach((t: any, i: number) => {
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t?.effect)) report(`spec.nodeTaints[${i}].effect`, 'must be NoSchedule, PreferNoSchedule or NoExecute');
  });
  (spec.tolerations ?? []).forEach((t: any, i: number) => {
    if (!t?.key && t?.operator !== 'Exists') report(`spec.tolerations[${i}].operator`, 'must be Exists when key is empty');
    if (t?.operator === 'Exists' && t?.value) report(`spec.tolerations[${i}].value`, 'must be empty when operator is Exists');
    if (t?.tolerationSeconds !== undefined && t?.effect !== 'NoExecute') report(`spec.tolerations[${i}].effect`, 'must be NoExecute when tolerationSeconds is set');
  });
}

/** Istio's validation: the weights of a route's destinations add up to 100. */
function virtualServiceProblems(spec: any, report: Report): void {
  (spec.http ?? []).forEach((route: any, i: number) => {
    const destinations: any[] = route?.route ?? [];
    if (destinations.length < 2 || destinations.every((d) => d?.weight === undefined)) return;
    const total = destinations.reduce((sum, d) => sum + (d?.weight ?? 0), 0);
    if (total !== 100) report(`spec.http[${i}].route`, `the weights must add up to 100 (got ${total})`);
  });
}

/** KEDA's webhook and CEL rule: minReplicaCount ≤ maxReplicaCount, at least one trigger. */
function scaledObjectProblems(spec: any, report: Report): void {
  const min = spec.minReplicaCount ?? 0;
  const max = spec.maxReplicaCount ?? 100;
  if (min > max) report('spec.minReplicaCount', `must be less than or equal to maxReplicaCount ${max} (got ${min})`);
  if (!(spec.triggers ?? []).length) report('spec.triggers', 'must have at least one trigger');
}

/** HTTPRoute CEL rules: a Service backend names a port; Exact and PathPrefix paths are absolute and normalised. */
function httpRouteProblems(spec: any, report: Report): void {
  (spec.rules ?? []).forEach((rule: any, i: number) => {
    (rule?.backendRefs ?? []).forEach((b: any, j: number) => {
      const isService = (b?.group ?? '') === '' && (b?.kind ?? 'Service') === 'Service';
      if (isService && b?.port === undefined) report(`spec.rules[${i}].backendRefs[${j}]`, 'Must have port for Service reference');
    });
    (rule?.matches ?? []).forEach((m: any, j: number) => {
      const path = m?.path;
      if (!path || !['Exact', 'PathPrefix'].includes(path.type ?? 'PathPrefix')) return;
      const value = String(path.value ?? '/');
      const bad = !value.startsWith('/') || ['//', '/./', '/../', '%2f', '%2F', '#'].some((x) => value.includes(x)) || value.endsWith('/..') || value.endsWith('/.')
        || !/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/.test(value);
      if (bad) report(`spec.rules[${i}].matches[${j}].path.value`, `must be an absolute path without '//', dot segments, '#' or encoded slashes (got ${JSON.stringify(value)})`);
    });
  });
}

/** InferencePool CEL rules: unique target port numbers; an endpoint picker Service reference names its port. */
function inferencePoolProblems(spec: any, report: Report): void {
  const numbers = (spec.targetPorts ?? []).map((p: any) => p?.number);
  if (new Set(numbers).size !== numbers.length) report('spec.targetPorts', 'port number must be unique');
  const ref = spec.endpointPickerRef;
  if (ref && (ref.kind ?? 'Service') === 'Service' && ref.port === undefined) report('spec.endpointPickerRef', 'port is required when kind is \'Service\' or unspecified (defaults to \'Service\')');
}
