// What bench/main.ts and bench/compare.ts share: a forced collection and the statistics over rounds.
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

// A collection before each timed run, so that one variant's garbage is not collected on the next one's clock.
setFlagsFromString('--expose-gc');
export const gc = runInNewContext('gc') as () => void;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The first and third quartile. */
export const quartiles = (xs: number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil((s.length - 1) * 3 / 4)]];
};
