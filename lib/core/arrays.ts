// Every object a construct builds stays in memory until synth ends, so for thousands of workloads the spare capacity
// of arrays is measurable garbage-collection work (see `npm run bench`). An array grown by `push`, `filter` or a
// spread literal (`[...items, item]`) keeps up to 17-22 slots for a handful of items; `slice`, `concat`, `map` and
// `new Array(n)` allocate exactly the length.

/** `items` as an array of exactly its length. */
export function exactArray<T>(items: T[]): T[] {
  return items.slice();
}

/** A new array of exactly `items` followed by `item` (`items` is not changed). */
export function appended<T>(items: readonly T[], item: T): T[] {
  // A loop, not `concat`: four times faster for the few items of a pod's lists (concat is generic).
  const out = new Array<T>(items.length + 1);
  for (let i = 0; i < items.length; i++) out[i] = items[i];
  out[items.length] = item;
  return out;
}

/** `items` mapped by `f`; `items` itself when `f` returned every item unchanged (nothing new is allocated to keep). */
export function mapKeepingIdentity<T>(items: readonly T[], f: (item: T) => T): T[] {
  const mapped = items.map(f);
  return mapped.every((item, i) => item === items[i]) ? items as T[] : mapped;
}
