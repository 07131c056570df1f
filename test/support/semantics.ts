/**
 * The semantic validator: the rules the apiserver (and, where marked, the kubelet or a controller) applies
 * in code, which the JSON schemas do not express. `validateObjects` runs it on every object, after the
 * schema; object names, labels and workload selectors are in ./metadata.ts.
 *
 * Sources (Kubernetes 1.27): pkg/apis/core/validation/validation.go, pkg/apis/apps/validation,
 * pkg/apis/batch/validation, pkg/apis/networking/validation, pkg/apis/autoscaling/validation,
 * pkg/apis/policy/validation, pkg/apis/rbac/validation; k8s.io/apimachinery/pkg/util/validation.
 */
import { childPath, objectId, selectorMatches } from './objects';
import { containerGroupsOf, containersOf, podSpecsOf } from './pods';
import { kindProblems } from './semantic-kinds';
import { podSpecProblems } from './semantic-pods';

/** The semantic problems of one object, as `Kind/ns/name: path: problem`. */
export function semanticErrors(obj: any): string[] {
  const id = objectId(obj);
  const errors: string[] = [];
  const report = (path: string, problem: string) => errors.push(`${id}: ${path || '(root)'}: ${problem}`);
  // StatefulSet pods mount their volumeClaimTemplates by name.
  const claims: string[] = obj.kind === 'StatefulSet' ? (obj.spec?.volumeClaimTemplates ?? []).map((c: any) => c?.metadata?.name) : [];
  for (const group of containerGroupsOf(obj)) podSpecProblems(group, claims, report);
  kindProblems(obj, report);
  return [...new Set(errors)];
}

interface PodTemplate {
  readonly namespace: string;
  readonly owner: string;
  readonly labels: Record<string, string>;
  readonly spec: any;
}

/** Problems between objects: the same object twice, and references an apply would not resolve as meant. */
export function crossObjectErrors(objects: any[]): string[] {
  const valid = objects.filter((o) => o !== null && typeof o === 'object' && typeof o.kind === 'string');
  const errors: string[] = [];
  // The same object twice with different contents: the second apply overwrites the first. (Identical copies,
  // e.g. the NetworkPolicy of alternative charts of one example app, are harmless.)
  const seen = new Map<string, string>();
  for (const obj of valid) {
    const key = `${String(obj.apiVersion).split('/').slice(0, -1).join('/')}/${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
    const text = JSON.stringify(obj);
    if (seen.has(key) && seen.get(key) !== text) errors.push(`${objectId(obj)}: metadata.name: defined twice with different contents; the second apply overwrites the first`);
    seen.set(key, text);
  }
  const templates: PodTemplate[] = valid.flatMap((obj) => podSpecsOf(obj).map((p) => ({
    namespace: obj.metadata?.namespace ?? '',
    owner: objectId(obj),
    labels: { ...(p.metadata?.labels ?? {}), ...(p.controllerLabels ?? {}) },
    spec: p.spec,
  })));
  for (const obj of valid) {
    const namespace = obj.metadata?.namespace ?? '';
    const report = (path: string, problem: string) => errors.push(`${objectId(obj)}: ${path}: ${problem}`);
    if (obj.apiVersion === 'v1' && obj.kind === 'Service') serviceTargets(obj, templates.filter((t) => t.namespace === namespace), report);
    if (obj.apiVersion === 'networking.k8s.io/v1' && obj.kind === 'Ingress') ingressBackends(obj, valid, report);
    if (obj.apiVersion === 'autoscaling/v2' && obj.kind === 'HorizontalPodAutoscaler') hpaTarget(obj, valid, report);
    if (obj.apiVersion === 'gateway.networking.k8s.io/v1' && obj.kind === 'HTTPRoute') routeBackends(obj, valid, report);
    if (obj.apiVersion === 'inference.networking.k8s.io/v1' && obj.kind === 'InferencePool') poolTargets(obj, templates.filter((t) => t.namespace === namespace), report);
  }
  errors.push(...doubleAutoscaling(valid));
  return errors;
}

/** A named targetPort must be a port name of the pods the Service selects, or the endpoints stay empty. */
function serviceTargets(service: any, templates: PodTemplate[], report: (path: string, problem: string) => void): void {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return;
  const selected = templates.filter((t) => selectorMatches({ matchLabels: selector }, t.labels));
  if (selected.length === 0) return; // pods made elsewhere (an operator, another app)
  (service.spec?.ports ?? []).forEach((port: any, i: number) => {
    if (typeof port?.targetPort !== 'string') return;
    for (const t of selected) {
      const names = containersOf({ path: '', spec: t.spec }).flatMap((c) => (c.container.ports ?? []).map((p: any) => p?.name));
      if (!names.includes(port.targetPort)) {
        report(`spec.ports[${i}].targetPort`, `endpoints: the pods of ${t.owner} have no port named ${JSON.stringify(port.targetPort)}`);
      }
    }
  });
}

/** An Ingress backend that is a Service of the same manifests must name one of its ports. */
function ingressBackends(ingress: any, objects: any[], report: (path: string, problem: string) => void): void {
  const namespace = ingress.metadata?.namespace ?? '';
  const check = (backend: any, path: string) => {
    const ref = backend?.service;
    if (!ref) return;
    const service = objects.find((o) => o.apiVersion === 'v1' && o.kind === 'Service' && o.metadata?.name === ref.name && (o.metadata?.namespace ?? '') === namespace);
    if (!service) return;
    const ports: any[] = service.spec?.ports ?? [];
    const found = ref.port?.name !== undefined ? ports.some((p) => p?.name === ref.port.name) : ports.some((p) => p?.port === ref.port?.number);
    if (!found) report(`${path}.service.port`, `Service ${ref.name} has no port ${JSON.stringify(ref.port?.name ?? ref.port?.number)}`);
  };
  if (ingress.spec?.defaultBackend) check(ingress.spec.defaultBackend, 'spec.defaultBackend');
  (ingress.spec?.rules ?? []).forEach((rule: any, i: number) => (rule?.http?.paths ?? [])
    .forEach((p: any, j: number) => check(p?.backend, `spec.rules[${i}].http.paths[${j}].backend`)));
}

/**
 * An HTTPRoute backend in the route's namespace that the manifests define must exist: a Service with that port
 * number, or an InferencePool.
 */
function routeBackends(route: any, objects: any[], report: (path: string, problem: string) => void): void {
  const namespace = route.metadata?.namespace ?? '';
  (route.spec?.rules ?? []).forEach((rule: any, i: number) => (rule?.backendRefs ?? []).forEach((b: any, j: number) => {
    if ((b?.namespace ?? namespace) !== namespace) return;
    const at = `spec.rules[${i}].backendRefs[${j}]`;
    const kind = b?.kind ?? 'Service';
    const sameKind = objects.filter((o) => o.kind === kind && String(o.apiVersion).startsWith(b?.group ? `${b.group}/` : 'v1'));
    if (sameKind.length === 0) return; // none in these manifests: made elsewhere
    const target = sameKind.find((o) => o.metadata?.name === b?.name && (o.metadata?.namespace ?? '') === namespace);
    if (!target) report(at, `no ${kind} ${JSON.stringify(b?.name)} in namespace ${JSON.stringify(namespace)}`);
    else if (kind === 'Service' && !(target.spec?.ports ?? []).some((p: any) => p?.port === b?.port)) report(`${at}.port`, `Service ${b?.name} has no port ${b?.port}`);
  }));
}

/**
 * An InferencePool's endpoint picker sends requests to `podIP:targetPort` only: a pod its selector matches whose
 * containers listen on none of the target ports is silently left out of the pool.
 */
function poolTargets(pool: any, templates: PodTemplate[], report: (path: string, problem: string) => void): void {
  const selector = pool.spec?.selector;
  const targets: number[] = (pool.spec?.targetPorts ?? []).map((p: any) => p?.number);
  const selected = templates.filter((t) => selectorMatches(selector ?? {}, t.labels));
  for (const t of selected) {
    const ports = containersOf({ path: '', spec: t.spec }).flatMap((c) => (c.container.ports ?? []).map((p: any) => p?.containerPort));
    if (!ports.some((p: number) => targets.includes(p))) report('spec.targetPorts', `the pods of ${t.owner} listen on none of ${targets.join(', ')} (ports ${ports.join(', ') || 'none'}): the pool drops them`);
  }
}

/** Utilization of a resource needs a request of it in every container of the target (else the HPA reports "missing request"). */
function hpaTarget(hpa: any, objects: any[], report: (path: string, problem: string) => void): void {
  const ref = hpa.spec?.scaleTargetRef ?? {};
  const namespace = hpa.metadata?.namespace ?? '';
  const target = objects.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name && (o.metadata?.namespace ?? '') === namespace);
  if (!target) return;
  const containers = podSpecsOf(target).flatMap((p) => containersOf(p).filter((c) => c.type === 'container'));
  (hpa.spec?.metrics ?? []).forEach((metric: any, i: number) => {
    const resource = metric?.resource;
    if (metric?.type !== 'Resource' || resource?.target?.type !== 'Utilization') return;
    for (const c of containers) {
      if (c.container.resources?.requests?.[resource.name] === undefined) {
        report(`spec.metrics[${i}]`, `controller: container ${JSON.stringify(c.name)} of ${objectId(target)} has no ${resource.name} request, so its utilization is unknown`);
      }
    }
  });
}

/** Two autoscalers (HPAs, or KEDA ScaledObjects, which make an HPA) on one workload fight each other. */
function doubleAutoscaling(objects: any[]): string[] {
  const owners = new Map<string, string>();
  const errors: string[] = [];
  for (const obj of objects) {
    const isHpa = obj.kind === 'HorizontalPodAutoscaler';
    const isScaledObject = obj.kind === 'ScaledObject' && String(obj.apiVersion).startsWith('keda.sh/');
    if (!isHpa && !isScaledObject) continue;
    const ref = obj.spec?.scaleTargetRef ?? {};
    const key = `${obj.metadata?.namespace ?? ''}/${ref.kind ?? 'Deployment'}/${ref.name}`;
    const other = owners.get(key);
    if (other) errors.push(`${objectId(obj)}: ${childPath('spec', 'scaleTargetRef')}: ${ref.kind ?? 'Deployment'} ${ref.name} is already scaled by ${other}`);
    else owners.set(key, objectId(obj));
  }
  return errors;
}
