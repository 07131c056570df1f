import { IValidator } from './errors';

/**
 * The names of a props interface, written once as an object whose keys the compiler checks against the interface:
 * a prop missing from the object or a key that is no prop fails the type-check, so the list cannot drift.
 *
 * ```ts
 * const KNOWN = propNames<GpuTrainingJobProps>()({ image: true, accelerator: true, ... });
 * ```
 */
export function propNames<P>() {
  return <K extends Record<keyof P, true>>(keys: K & Record<Exclude<keyof K, keyof P>, never>): readonly string[] =>
    Object.freeze(Object.keys(keys));
}

/** Names people reach for that the library spells differently: the prop they mean. */
const MEANT: ReadonlyMap<string, string> = new Map([
  ['gpus', 'accelerator'], ['gpu', 'accelerator'], ['numGpus', 'accelerator'], ['gpuCount', 'accelerator'],
  ['tpu', 'accelerator'], ['tpus', 'accelerator'],
]);

/**
 * Refuses a prop the construct does not know (a plain JavaScript user writing `gpus` or `replica` would otherwise
 * get a manifest without it), naming the nearest known prop.
 */
export function rejectUnknownProps(v: IValidator, props: object | undefined, known: readonly string[]): void {
  if (props === undefined || props === null || typeof props !== 'object') return;
  for (const key of Object.keys(props)) {
    if (known.includes(key)) continue;
    const nearest = nearestName(key, known);
    v.fail(key, `is not a prop of ${v.subject.split(' ')[0]}${nearest ? ` (did you mean '${nearest}'?)` : ''}; known props: ${known.join(', ')}`, (props as Record<string, unknown>)[key]);
  }
}

/** The known name closest to `name` (case-insensitive edit distance of at most a third of its length), if any. */
function nearestName(name: string, known: readonly string[]): string | undefined {
  const meant = MEANT.get(name);
  if (meant !== undefined && known.includes(meant)) return meant;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(name.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
