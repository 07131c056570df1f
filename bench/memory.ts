// Run by bench/main.ts in a fresh process: one synthesis of `n` workloads by one variant; prints the peak RSS and
// how far it rose over the process with everything loaded and prepared (JSON, megabytes).
import { join } from 'path';
import { VARIANTS } from './variants';
import { useLibrary, Workload } from './workloads';

// The compiled package, as in bench/main.ts (which compiles it first).
useLibrary(require(join(__dirname, '../build/lib/index.js')));

const [name, workload, n] = process.argv.slice(2);
const variant = VARIANTS.find((v) => v.name === name);
if (!variant || !Object.values(Workload).includes(workload as Workload)) throw new Error('usage: memory.ts <variant> <workload> <n>');

// Warm up on a small case so that both loaded code and JIT are in the baseline.
variant.prepare(workload as Workload, 10)();
const run = variant.prepare(workload as Workload, Number(n));
const baseline = process.memoryUsage().rss;
run();
const peak = process.resourceUsage().maxRSS * 1024;
const mb = (bytes: number) => bytes / 1024 / 1024;
process.stdout.write(JSON.stringify({ peakMb: mb(peak), growthMb: mb(peak - baseline) }));
