/**
 * Rules the apiserver enforces in code rather than in the OpenAPI schema: object names, label and
 * annotation syntax, workload selectors that must select their own pod template, Job restart policies.
 */
import { childPath, objectId, selectorMatches } from './objects';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

// RBAC objects only need a valid path segment as name, e.g. `system:metrics-reader`.
const PATH_SEGMENT_NAMED_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
// Services, InferenceServices (KServe's webhook) and Kubeflow training jobs (the training-operator's webhook,
// validatePyTorchJob & co: NameIsDNS1035Label) need names that are valid DNS-1035 labels.
const DNS1035_NAMED_KINDS = new Set(['Service', 'InferenceService', 'PyTorchJob', 'TFJob', 'MPIJob', 'XGBoostJob', 'PaddleJob']);
const SELECTOR_REQUIRED_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

export function metadataErrors(obj: any): string[] {
  const id = objectId(obj);
  const errors: string[] = [];
  const meta = obj.metadata ?? {};
  if (!meta.name && !meta.generateName) errors.push(`${id}: metadata.name: required field is missing`);
  if (typeof meta.name === 'string') {
    const problem = nameProblem(obj.kind, meta.name);
    if (problem) errors.push(`${id}: metadata.name: ${problem} (got ${JSON.stringify(meta.name)})`);
  }
  if (typeof meta.namespace === 'string' && !isDns1123Label(meta.namespace)) {
    errors.push(`${id}: metadata.namespace: must be a DNS-1123 label (got ${JSON.stringify(meta.namespace)})`);
  }
  walkLabels(obj, '', (path, problem) => errors.push(`${id}: ${path}: ${problem}`));
  errors.push(...workloadErrors(obj, id));
  return errors;
}

function nameProblem(kind: string, name: string): string | undefined {
  if (PATH_SEGMENT_NAMED_KINDS.has(kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name) ? 'must be a valid path segment' : undefined;
  }
  if (DNS1035_NAMED_KINDS.has(kind)) {
    return name.length <= 63 && DNS1035_LABEL.test(name) ? undefined : 'must be a DNS-1035 label (a-z, 0-9, "-", starting with a letter, at most 63 characters)';
  }
  if (kind === 'Namespace') {
    return isDns1123Label(name) ? undefined : 'must be a DNS-1123 label (a-z, 0-9, "-", at most 63 characters)';
  }
  return isDns1123Subdomain(name) ? undefined : 'must be a DNS-1123 subdomain (a-z, 0-9, "-", ".", at most 253 characters)';
}

function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** Visits every `metadata.labels`, `metadata.annotations` and `matchLabels` map in the object, at any depth. */
function walkLabels(node: any, path: string, report: (path: string, problem: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walkLabels(item, childPath(path, i), report));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries<any>(node)) {
    const here = childPath(path, key);
    if (key === 'metadata' && isStringMapLike(value)) {
      checkLabelMap(value.labels, childPath(here, 'labels'), true, report);
      checkLabelMap(value.annotations, childPath(here, 'annotations'), false, report);
    } else if (key === 'matchLabels') {
      checkLabelMap(value, here, true, report);
    }
    walkLabels(value, here, report);
  }
}

function isStringMapLike(value: any): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkLabelMap(map: any, path: string, checkValues: boolean, report: (path: string, problem: string) => void): void {
  if (!isStringMapLike(map)) return;
  for (const [key, value] of Object.entries(map)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) report(childPath(path, key), `invalid key: ${keyProblem}`);
    if (checkValues && typeof value === 'string' && (value.length > 63 || (value !== '' && !LABEL_NAME.test(value)))) {
      report(childPath(path, key), `invalid label value ${JSON.stringify(value)}: at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric`);
    }
  }
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return 'the prefix must be a DNS-1123 subdomain';
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return 'the name must be 1-63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
  }
  return undefined;
}

function workloadErrors(obj: any, id: string): string[] {
  const errors: string[] = [];
  const selector = obj.spec?.selector;
  const labels = obj.spec?.template?.metadata?.labels ?? {};
  const required = SELECTOR_REQUIRED_KINDS.has(obj.kind) && obj.apiVersion === 'apps/v1';
  const empty = Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
  const isJob = obj.kind === 'Job' && obj.apiVersion === 'batch/v1';
  if (required && empty) {
    errors.push(`${id}: spec.selector: must not be empty`);
  } else if ((required || (isJob && selector)) && !selectorMatches(selector, labels)) {
    errors.push(`${id}: spec.selector: does not select the labels of spec.template.metadata.labels`);
  }

  const jobPod = isJob ? { path: 'spec.template.spec', spec: obj.spec?.template?.spec }
    : obj.kind === 'CronJob' && obj.apiVersion === 'batch/v1'
      ? { path: 'spec.jobTemplate.spec.template.spec', spec: obj.spec?.jobTemplate?.spec?.template?.spec }
      : undefined;
  const restartPolicy = jobPod?.spec?.restartPolicy;
  if (jobPod && restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errors.push(`${id}: ${jobPod.path}.restartPolicy: a Job's pods need OnFailure or Never (got ${JSON.stringify(restartPolicy)})`);
  }
  return errors;
}
