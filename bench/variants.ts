// The three ways the benchmark produces the same YAML, and the check that they do.
import { isDeepStrictEqual } from 'util';
import * as YAML from 'yaml';
import { Builder, buildApp, handBuilder, libraryBuilder, Workload } from './workloads';

/** A way to produce the YAML of `n` workloads. `prepare` does untimed set-up and returns the timed run. */
export interface Variant {
  readonly name: string;
  prepare(workload: Workload, n: number): () => string;
}

/** Synthesizes with cdk8s; the constructs are built inside the timed run. */
function cdk8sVariant(name: string, builder: (workload: Workload) => Builder): Variant {
  return { name, prepare: (workload, n) => () => buildApp(builder(workload), n).synthYaml() };
}

export const LIBRARY = cdk8sVariant('library', libraryBuilder);
export const HAND_WRITTEN = cdk8sVariant('hand-written', handBuilder);

/** cdk8s's own YAML options (cdk8s Yaml.stringify), so that the floor writes byte-identical output. */
const YAML_OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;

/** The manifests of `n` workloads as plain objects, as cdk8s resolves them. */
export function manifests(builder: Builder, n: number): unknown[] {
  return buildApp(builder, n).charts.flatMap((chart) => chart.toJson());
}

/**
 * The floor: the same manifests, already plain objects, serialized with `yaml` alone. No framework can synthesize
 * faster than it writes its output.
 */
export const FLOOR: Variant = {
  name: 'floor',
  prepare: (workload, n) => {
    const docs = JSON.parse(JSON.stringify(manifests(handBuilder(workload), n))) as unknown[];
    return () => docs.map((doc) => YAML.stringify(doc, YAML_OPTIONS)).join('---\n');
  },
};

export const VARIANTS: readonly Variant[] = [LIBRARY, HAND_WRITTEN, FLOOR];

/** The outcome of comparing the variants' output. */
export interface Equivalence {
  readonly equivalent: boolean;
  /** Manifests produced by the library. */
  readonly objects: number;
  /** What differs, when not equivalent. */
  readonly difference?: string;
}

/**
 * Checks that the library and the hand-written classes produce deep-equal manifests, and that all three variants
 * write the same YAML text.
 */
export function checkEquivalence(workload: Workload, n: number, builders = { library: libraryBuilder, hand: handBuilder }): Equivalence {
  const library = manifests(builders.library(workload), n);
  const hand = manifests(builders.hand(workload), n);
  if (!isDeepStrictEqual(library, hand)) {
    return { equivalent: false, objects: library.length, difference: firstDifference(library, hand) };
  }
  const yamls: Record<string, string> = {
    'library': buildApp(builders.library(workload), n).synthYaml(),
    'hand-written': buildApp(builders.hand(workload), n).synthYaml(),
    'floor': FLOOR.prepare(workload, n)(),
  };
  for (const [name, text] of Object.entries(yamls)) {
    if (text !== yamls.library) return { equivalent: false, objects: library.length, difference: `${name} YAML differs from the library's` };
  }
  return { equivalent: true, objects: library.length };
}

/** The first path at which two manifest lists differ, e.g. `[3].spec.template.spec.containers[0].env`. */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (!isDeepStrictEqual(a[i], b[i])) return firstDifference(a[i], b[i], `${path}[${i}]`);
    }
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      if (!isDeepStrictEqual(ra[key], rb[key])) return firstDifference(ra[key], rb[key], `${path}.${key}`);
    }
  }
  return `${path || '(root)'}: library ${JSON.stringify(a)} vs hand-written ${JSON.stringify(b)}`;
}
