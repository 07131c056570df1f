// `tsx bench/compare.ts <baseline> [candidate...]`: compiled builds of the library (folders holding lib/index.js,
// e.g. `tsc -p tsconfig.json --outDir build/baseline` run on an older checkout; build/ when only one is given; inside
// the repository, so that all load the same cdk8s) against each other and against the hand-written variant,
// alternating within each round of one process, as `npm run bench` does. A change of the library is worth keeping
// for speed only when its ratio to the build before it moves beyond the spread of the rounds.
// BENCH_QUICK=1 runs fewer rounds; BENCH_CASES='jobs:100,jobs:1000' picks the cases.
import { join, resolve } from 'path';
import type * as Mlops from '../lib';
import { gc, median, quartiles } from './stats';
import { buildApp, handBuilder, libraryBuilder, useLibrary, Workload } from './workloads';

const QUICK = process.env.BENCH_QUICK === '1';
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
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) throw new Error('usage: tsx bench/compare.ts <baseline build folder> [candidate build folder...]');
  if (dirs.length === 1) dirs.push(join(__dirname, '..', 'build'));
  const load = (dir: string) => require(join(resolve(dir), 'lib', 'index.js')) as typeof Mlops;
  const contenders: Contender[] = [...dirs.map((dir) => ({ name: dir, lib: load(dir) })), { name: 'hand-written' }];
  const hand = contenders.length - 1;
  const cases = (process.env.BENCH_CASES ?? (QUICK ? 'jobs:100,jobs:1000' : 'jobs:100,jobs:1000,platform:1000'))
    .split(',').map((c) => { const [w, n] = c.split(':'); return { workload: w as Workload, n: Number(n) }; });
  console.log(`node ${process.version}; each build against the one before it, the first and hand-written code (median of per-round ratios, middle half)`);
  console.log('| workload | N | rounds | build | / previous build | / first build | / hand-written |');
  console.log('|---|---:|---:|---|---:|---:|---:|');
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
    const over = (a: number, b: number) => ratio(times[a].map((t, r) => t / times[b][r]));
    for (let i = 0; i < hand; i++) {
      console.log(`| ${workload} | ${n} | ${rounds} | ${contenders[i].name} | ${i === 0 ? '' : over(i, i - 1)} | ${i === 0 ? '' : over(i, 0)} | ${over(i, hand)} |`);
    }
  }
}

main();
