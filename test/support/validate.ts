/**
 * Manifest validation harness for the test suite: strict schema validation of every object against
 * Kubernetes 1.27 and the CRDs in the shared schema folder, Pod Security Standards "restricted", this
 * library's defaults, and NetworkPolicy coverage.
 */
import { ErrorObject } from 'ajv';
import { checkLibraryDefaults } from './library-defaults';
import { metadataErrors } from './metadata';
import { childPath, objectId } from './objects';
import { checkRestricted } from './pod-security';
import { podSpecsOf } from './pods';
import { validatorFor } from './schemas';
import { crossObjectErrors, semanticErrors } from './semantics';

export { checkLibraryDefaults } from './library-defaults';
export { isDnsRule, KUBE_DNS_EGRESS, uncoveredPods } from './network';
export { checkRestricted, gpuNodeSetupNamespaces, GPU_NODE_SETUP } from './pod-security';
export { containersOf, podSpecsOf } from './pods';
export type { ContainerLocation, PodSpecLocation } from './pods';
export { registerSchema } from './schemas';

/**
 * Validates each object against the schema of its apiVersion/kind, the apiserver's naming, label and selector
 * rules (./metadata.ts) and its other built-in rules the schemas do not express (./semantics.ts), and the
 * objects against each other. Returns one message per problem, `Kind/namespace/name: path: problem`; empty when valid.
 */
export function validateObjects(objects: any[]): string[] {
  const errors: string[] = [];
  objects.forEach((obj, index) => {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      errors.push(`object #${index}: not a Kubernetes object: ${show(obj)}`);
      return;
    }
    const id = objectId(obj);
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      errors.push(`${id}: apiVersion and kind must be strings`);
      return;
    }
    const validate = validatorFor(obj.apiVersion, obj.kind);
    if (!validate) {
      errors.push(`${id}: no schema for ${obj.apiVersion}/${obj.kind}`);
    } else if (!validate(obj)) {
      errors.push(...new Set((validate.errors ?? []).map((e) => `${id}: ${describeError(e)}`)));
    }
    errors.push(...metadataErrors(obj), ...semanticErrors(obj), ...podTemplateErrors(obj, id));
  });
  errors.push(...crossObjectErrors(objects));
  return errors;
}

/**
 * The Spark operator's CRDs keep their pod templates as free-form objects (`x-kubernetes-preserve-unknown-fields`):
 * each is checked here as the `PodTemplateSpec` it becomes (through a v1 PodTemplate, the kind that holds one).
 */
function podTemplateErrors(obj: any, id: string): string[] {
  if (obj.apiVersion !== 'sparkoperator.k8s.io/v1beta2') return [];
  const validate = validatorFor('v1', 'PodTemplate')!;
  return podSpecsOf(obj).flatMap((location) => {
    const templatePath = location.path.replace(/\.spec$/, '');
    const template = { metadata: location.metadata, spec: location.spec };
    if (validate({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'template' }, template })) return [];
    return [...new Set((validate.errors ?? []).map((e) => `${id}: ${templatePath}: ${describeError(e).replace(/^template\.?/, '')}`))];
  });
}

/** Fails (throws) with every problem found by validateObjects, checkRestricted and checkLibraryDefaults. */
export function expectValidManifests(objects: any[]): void {
  const problems = [...validateObjects(objects), ...checkRestricted(objects), ...checkLibraryDefaults(objects)];
  if (problems.length > 0) {
    throw new Error(`${problems.length} problem(s) in the manifests:\n  ${problems.join('\n  ')}`);
  }
}

function describeError(error: ErrorObject): string {
  const path = pointerToPath(error.instancePath);
  const at = path || '(root)';
  switch (error.keyword) {
    case 'additionalProperties':
      return `${childPath(path, error.params.additionalProperty)}: unknown field`;
    case 'required':
      return `${childPath(path, error.params.missingProperty)}: required field is missing`;
    case 'type':
      return `${at}: must be ${String(error.params.type).split(',').join(' or ')}, got ${show(error.data)}`;
    case 'enum':
      return `${at}: must be one of ${error.params.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ')}, got ${show(error.data)}`;
    default: {
      // The offending value helps with scalars; for objects and arrays the message says enough.
      const scalar = error.data === null || typeof error.data !== 'object';
      return scalar ? `${at}: ${error.message}, got ${show(error.data)}` : `${at}: ${error.message}`;
    }
  }
}

/** `/spec/containers/0/name` → `spec.containers[0].name` */
function pointerToPath(pointer: string): string {
  return pointer.split('/').slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((path, segment) => childPath(path, /^\d+$/.test(segment) ? Number(segment) : segment), '');
}

function show(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
