// `tsx bench/compare.ts <baseline> [candidate]`: two compiled builds of the library (folders holding lib/index.js,
// e.g. `tsc -p tsconfig.json --outDir build/baseline` run on an older checkout, and build/ by default; inside the
// repository, so that both load the same cdk8s) against each other and
// against the hand-written variant, alternating within each round of one process, as `npm run bench` does. A
// change of the library is worth keeping for speed only when candidate/baseline moves beyond the spread of rounds.
// BENCH_QUICK=1 runs fewer rounds; BENCH_CASES='jobs:100,jobs:1000' picks the cases.
import { join, resolve } from 'path';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import type * as Mlops from '../lib';
import { buildApp, handBuilder, libraryBuilder, useLibrary, Workload } from './workloads';

const QUICK = process.env.BENCH_QUICK === '1';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quartiles = (xs: number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil((s.length - 1) * 3 / 4)]];
};
const ratio = (xs: number[]) => {
  const [q1, q3] = quartiles(xs);
  return `${median(xs).toFixed(3)} (${q1.toFixed(3)}-${q3.toFixed(3)})`;
};

interface Contender { readonly name: string; readonly lib?: typeof Mlops }

/** CPU milliseconds of one synthesis (see bench/main.ts), with `lib` as the library (none: hand-written). */
function timeOnce(c: Contender, workload: Workload, n: number): number {
  if (c.lib) useLibrary(c.lib);
  const builder = c.lib ? libraryBuilder(workload) : handBuilder(workload);
  gc();
  const start = process.cpuUsage();
  const out = buildApp(builder, n).synthYaml();
  const used = process.cpuUsage(start);
  if (out.length === 0) throw new Error('empty synthesis');
  return (used.user + used.system) / 1000;
}

function main(): void {
  const [baselineDir, candidateDir = join(__dirname, '..', 'build')] = process.argv.slice(2);
  if (!baselineDir) throw new Error('usage: tsx bench/compare.ts <baseline build folder> [candidate build folder]');
  const load = (dir: string) => require(join(resolve(dir), 'lib', 'index.js')) as typeof Mlops;
  const contenders: Contender[] = [
    { name: 'baseline', lib: load(baselineDir) },
    { name: 'candidate', lib: load(candidateDir) },
    { name: 'hand-written' },
  ];
  const cases = (process.env.BENCH_CASES ?? (QUICK ? 'jobs:100,jobs:1000' : 'jobs:100,jobs:1000,platform:1000'))
    .split(',').map((c) => { const [w, n] = c.split(':'); return { workload: w as Workload, n: Number(n) }; });
  console.log(`baseline ${baselineDir}, candidate ${candidateDir}, node ${process.version}`);
  console.log('| workload | N | rounds | candidate/baseline | baseline/hand-written | candidate/hand-written |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const { workload, n } of cases) {
    const rounds = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 9 : n <= 100 ? 41 : 15));
    for (const c of contenders) timeOnce(c, workload, Math.min(n, 1000)); // warm-up
    const times = contenders.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const i = (round + k) % contenders.length;
        times[i].push(timeOnce(contenders[i], workload, n));
      }
    }
    const [base, cand, hand] = times;
    console.log(`| ${workload} | ${n} | ${rounds} | ${ratio(cand.map((t, i) => t / base[i]))} | ${ratio(base.map((t, i) => t / hand[i]))} | ${ratio(cand.map((t, i) => t / hand[i]))} |`);
  }
}

main();
