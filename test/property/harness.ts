/**
 * How the property tests run and what they assert.
 *
 * - Reproducible by default: a fixed seed. `FC_SEED=<n>` picks another seed, `FC_RUNS=<n>` sets the runs of every
 *   property (e.g. `FC_RUNS=20000 npx jest test/property`), `FC_VALIDATE_EVERY=<n>` schema-validates only every nth
 *   valid prop set (faster long explorations; by default every one is validated: synthesis dominates the cost).
 * - Valid prop sets: every one is synthesized and checked for cheap invariants (no `undefined`, `NaN` or
 *   `[object Object]` anywhere, names set and unique); every one (or every `FC_VALIDATE_EVERY`th) is also schema-validated
 *   (strict, Kubernetes 1.27 + CRDs), checked against Pod Security "restricted" and for NetworkPolicy coverage.
 * - Invalid prop sets: the construct (or the factory) must throw MlopsValidationError naming itself and the
 *   broken prop, with a message free of `undefined` and `[object Object]`.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { MlopsValidationError } from '../../lib';
import { checkRestricted, uncoveredPods, validateObjects } from '../support/validate';

/** The seed of every property (fixed, so CI is reproducible). */
export const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261123;

/** Every `VALIDATE_EVERY`th valid prop set is fully validated. */
export const VALIDATE_EVERY = Math.max(1, Number(process.env.FC_VALIDATE_EVERY ?? 1));

/** The runs of a property: `FC_RUNS` when set, else `defaultRuns`. */
export function runs(defaultRuns: number): number {
  return process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : defaultRuns;
}

/** fast-check parameters of a property with `defaultRuns` runs. */
export function params(defaultRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: runs(defaultRuns), endOnFailure: true };
}

/** A fresh chart (namespace `namespace` when given). */
export function newChart(namespace?: string): Chart {
  return new Chart(new App(), 'test', namespace === undefined ? {} : { namespace });
}

/** Synthesizes `chart` after `build` and checks the manifests (fully on every `VALIDATE_EVERY`th call). */
export class ValidChecker {
  private count = 0;

  /** Builds, synthesizes and checks; returns the objects. */
  public check(build: (chart: Chart) => void, namespace?: string): any[] {
    const chart = newChart(namespace);
    build(chart);
    const objects = Testing.synth(chart);
    const problems = cheapProblems(objects);
    if (this.count++ % VALIDATE_EVERY === 0) {
      problems.push(...validateObjects(objects), ...checkRestricted(objects), ...uncoveredPods(objects, namespace ?? 'default'));
    }
    if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    return objects;
  }
}

/** Problems any manifest set can be checked for quickly. */
export function cheapProblems(objects: any[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const obj of objects) {
    const id = `${obj.apiVersion}/${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
    if (typeof obj.metadata?.name !== 'string' || obj.metadata.name === '') problems.push(`${id}: no metadata.name`);
    if (ids.has(id)) problems.push(`${id}: twice`);
    ids.add(id);
    walk(obj, id, (path, value) => {
      if (typeof value === 'number' && !Number.isFinite(value)) problems.push(`${path}: ${value}`);
      if (typeof value === 'string' && /undefined|\[object |NaN/.test(value)) problems.push(`${path}: ${JSON.stringify(value)}`);
      if (value === undefined || typeof value === 'function') problems.push(`${path}: ${typeof value}`);
    });
  }
  return problems;
}

function walk(node: unknown, path: string, visit: (path: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) walk(value, `${path}.${key}`, visit);
  } else {
    visit(path, node);
  }
}

/**
 * Asserts that `fn` throws the library's error for `subject` (`GpuTrainingJob 'train'`, `Accelerator.mig`) and
 * `prop` (or a field of it: `env` matches `env.X`, `mounts` matches `mounts[0].path`).
 */
export function expectRefused(fn: () => unknown, subject: string, prop: string): void {
  if (process.env.FC_REPORT) {
    try {
      refusalCheck(fn, subject, prop);
    } catch (e) {
      const key = (e as Error).message.replace(/([A-Za-z]+) '[^']*'/g, "$1 '…'").replace(/got .*/s, 'got …').slice(0, 300);
      REPORT.set(key, (REPORT.get(key) ?? 0) + 1);
    }
    return;
  }
  refusalCheck(fn, subject, prop);
}

/** Asserts that adding `build`'s constructs to a fresh chart and synthesizing it is refused as {@link expectRefused} says. */
export function expectSynthRefused(namespace: string | undefined, build: (chart: Chart) => void, subject: string, prop: string): void {
  expectRefused(() => {
    const chart = newChart(namespace);
    build(chart);
    Testing.synth(chart);
  }, subject, prop);
}

/** With `FC_REPORT=1`, refusal failures are counted here (and printed) instead of failing at the first one. */
export const REPORT = new Map<string, number>();
if (process.env.FC_REPORT) {
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log([...REPORT.entries()].map(([k, n]) => `${n}x ${k}`).join('\n') || 'no refusal failures');
  });
}

function refusalCheck(fn: () => unknown, subject: string, prop: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`${subject}: '${prop}' was accepted (expected MlopsValidationError)`);
  if (!(error instanceof MlopsValidationError)) {
    throw new Error(`${subject}: '${prop}': expected MlopsValidationError, not ${(error as Error)?.name}: ${(error as Error)?.message ?? error}`);
  }
  const propOk = error.prop === prop || error.prop.startsWith(`${prop}.`) || error.prop.startsWith(`${prop}[`);
  if (error.subject !== subject || !propOk) {
    throw new Error(`expected an error for ${subject}: '${prop}', got: ${error.message}`);
  }
  // A quoted value may be a user's string 'undefined'; outside quotes the words mean a raw value slipped in.
  if (/undefined|\[object /.test(error.message.replace(/'[^']*'/g, "''"))) throw new Error(`message shows a raw value: ${error.message}`);
  if (!error.message.startsWith(`${subject}: '${error.prop}' `)) throw new Error(`message does not start with the subject and prop: ${error.message}`);
}

/** A broken variant of a valid prop set: `apply` breaks one field, the error must name `prop` (and `subject`). */
export interface Breakage<P> {
  readonly prop: string;
  readonly apply: (props: P) => P;
  /** The factory that must refuse it, when a factory rather than the construct does. */
  readonly subject?: string;
}

/** Builds a breakage arbitrary from a value arbitrary. */
export function breaks<P, V>(arb: fc.Arbitrary<V>, prop: string | ((v: V) => string), apply: (props: P, value: V) => P): fc.Arbitrary<Breakage<P>> {
  // eslint-disable-next-line @typescript-eslint/no-shadow
  return arb.map((value) => ({
    prop: typeof prop === 'string' ? prop : prop(value),
    apply: (props: P) => apply(props, value),
    toString: () => `${typeof prop === 'string' ? prop : prop(value)} = ${safeShow(value)}`,
  }));
}

function safeShow(value: unknown): string {
  try {
    return fc.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * A hostile value in one prop: the outcome must be either the library's error for `subject` and `prop` (see
 * {@link expectRefused}) or manifests that pass every check of {@link ValidChecker}. Anything else (a TypeError, a
 * message with a raw value, an error naming another prop, an invalid manifest) fails.
 */
export function expectRefusedOrValid(checker: ValidChecker, namespace: string | undefined, build: (chart: Chart) => void, subject: string, prop: string): void {
  let objects: any[] | undefined;
  let error: unknown;
  try {
    const chart = newChart(namespace);
    build(chart);
    objects = Testing.synth(chart);
  } catch (e) {
    error = e;
  }
  if (objects === undefined) {
    // A refusal may name the prop the hostile value conflicts with, when its message names the hostile prop
    // ("'replicas' cannot be combined with autoscaling").
    const word = prop.split('.').pop()!;
    const named = error instanceof MlopsValidationError && error.subject === subject && error.message.includes(word) ? error.prop : prop;
    expectRefused(() => { throw error; }, subject, named);
    return;
  }
  if (process.env.FC_REPORT) {
    try {
      checker.check(build, namespace);
    } catch (e) {
      const key = `${prop}: ${(e as Error).message.split('\n').slice(1, 2).join('').replace(/^\s*\S+: /, '').slice(0, 200)}`;
      REPORT.set(key, (REPORT.get(key) ?? 0) + 1);
    }
    return;
  }
  checker.check(build, namespace);
}

/** A prop (a dotted path into the props) and the hostile value put there. */
export interface HostileProp<P> {
  readonly prop: string;
  readonly apply: (props: P) => P;
}

/**
 * Puts `value` at the dotted `path` of `props` (copying the objects on the way). When a parent on the way is not set
 * (a `dataset.path` without a dataset), the props stay as they are: the hostile value has nowhere to go.
 */
export function setPath<P>(props: P, path: string, value: unknown): P {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return { ...(props as any), [head]: value };
  const current = (props as any)?.[head];
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return props;
  return { ...(props as any), [head]: setPath(current, rest.join('.'), value) };
}

/** One of `paths` with a value from `values`. A path ending in `.*` puts a map `{ <hostile key>: <hostile value> }` there. */
export function hostileProps<P>(paths: string[], values: fc.Arbitrary<unknown>, keys: fc.Arbitrary<string>): fc.Arbitrary<HostileProp<P>> {
  return fc.tuple(fc.constantFrom(...paths), values, keys, fc.boolean()).map(([path, value, key, hostileKey]) => {
    const isMap = path.endsWith('.*');
    const prop = isMap ? path.slice(0, -2) : path;
    const mapKey = hostileKey ? key : 'EXTRA_KEY';
    const put = isMap ? { [mapKey]: hostileKey ? 'x' : value } : value;
    return { prop, apply: (props: P) => setPath(props, prop, put), toString: () => `${prop} = ${safeShow(put)}` };
  });
}
