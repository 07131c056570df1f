import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The value of `app.kubernetes.io/part-of` and `app.kubernetes.io/managed-by` on everything the library emits. */
const LIBRARY_NAME = 'cdk8s-mlops';

/** The recommended `app.kubernetes.io/*` labels of one component. */
export interface ComponentLabelsOptions {
  /** `app.kubernetes.io/name`: the application (`mlflow`, `triton`, the job's name). */
  readonly name: string;
  /** `app.kubernetes.io/instance`: the construct instance, unique in its namespace. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: the role inside the instance (`server`, `database`, `worker`). */
  readonly component: string;
  /** `app.kubernetes.io/part-of`. @default 'cdk8s-mlops' */
  readonly partOf?: string;
  /** `app.kubernetes.io/version`, when the image tag is a version. @default - not set */
  readonly version?: string;
}

/**
 * The labels of every object of a component. The selector uses only `instance` and `component` (stable across
 * upgrades: a Deployment selector is immutable).
 */
export function componentLabels(options: ComponentLabelsOptions): Record<string, string> {
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': truncateLabel(options.name),
    'app.kubernetes.io/instance': truncateLabel(options.instance),
    'app.kubernetes.io/component': truncateLabel(options.component),
    'app.kubernetes.io/part-of': options.partOf ?? LIBRARY_NAME,
    'app.kubernetes.io/managed-by': LIBRARY_NAME,
  };
  if (options.version && /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(options.version)) {
    labels['app.kubernetes.io/version'] = options.version;
  }
  return labels;
}

/** The subset of {@link componentLabels} that selects the component's pods. */
export function selectorLabels(options: Pick<ComponentLabelsOptions, 'instance' | 'component'>): Record<string, string> {
  return {
    'app.kubernetes.io/instance': truncateLabel(options.instance),
    'app.kubernetes.io/component': truncateLabel(options.component),
  };
}

/** The tag of an image reference (`2.3.1` of `repo/img:2.3.1`), if it has one. */
export function imageTag(image: string): string | undefined {
  const last = image.split('@')[0].split('/').pop() ?? '';
  const colon = last.lastIndexOf(':');
  return colon >= 0 ? last.slice(colon + 1) : undefined;
}

/** The namespace a construct's objects go to: the explicit one, else the chart's (may be undefined). */
export function namespaceOf(scope: IConstruct, explicit?: string): string | undefined {
  return explicit ?? Chart.of(scope).namespace;
}

/** Joins name parts into a DNS label, keeping it within 63 characters. */
export function childName(base: string, suffix: string, maxLength = 63): string {
  const full = `${base}-${suffix}`;
  if (full.length <= maxLength) return full;
  return `${base.slice(0, Math.max(1, maxLength - suffix.length - 1)).replace(/-+$/, '')}-${suffix}`;
}

function truncateLabel(value: string): string {
  return value.length <= 63 ? value : value.slice(0, 63).replace(/[-_.]+$/, '');
}

/**
 * A construct id for a child named after a user's string. constructs 10 keeps children in a plain object, so an id
 * that is an `Object.prototype` key (`constructor`, `toString`) is taken for a duplicate; such a name gets a `-`
 * suffix (ids are no object names: the manifests keep the name as given).
 */
export function childId(name: string): string {
  return name in Object.prototype ? `${name}-` : name;
}
