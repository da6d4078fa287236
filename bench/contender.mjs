// One timed run of one contender, in a process of its own (spawned by bench/run.mjs):
//   node --expose-gc bench/contender.mjs <interleave|fastCheck|raw|interleaveReal|fastCheckReal> <tasks> <steps> <schedules> <seed> [warm-up schedules]
// (the real-code contenders read <tasks> as the number of concurrent requests and ignore <steps>)
// Prints {"ms":…,"peak":…} on stdout. A fresh process per run, like JMH's forks, keeps one
// contender's JIT profile and heap from taxing the next one measured.
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { runFastCheckReal, runInterleaveReal } from './realCode.mjs';
import { HeapPeak, runFastCheck, runInterleave, runRaw } from './workloads.mjs';

const RUNNERS = { interleave: runInterleave, fastCheck: runFastCheck, raw: runRaw, interleaveReal: runInterleaveReal, fastCheckReal: runFastCheckReal };
const [key, tasks, steps, schedules, seed, warmup] = process.argv.slice(2);
const run = RUNNERS[key];
if (run === undefined) {
  process.stderr.write(`contender.mjs: unknown contender "${key}"; one of ${Object.keys(RUNNERS).join(', ')}\n`);
  process.exit(2);
}
const n = Number(schedules);
// Warm-up: the same amount of work with another seed, so the JIT has settled before timing.
// (With a tenth of it, interleave's long workload still varied 113-204 ms from process to
// process on one seed; with the full amount, 125-148 ms. The same rule holds for every contender.)
// (bench/instructions.mjs gives its own count: none.)
const warm = warmup === undefined ? n : Number(warmup);
if (warm > 0) await run(Number(tasks), Number(steps), warm, null, 99);
globalThis.gc?.();
const heap = new HeapPeak();
const t0 = performance.now();
await run(Number(tasks), Number(steps), n, heap, Number(seed));
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ ms, peak: Math.max(heap.peak, getHeapStatistics().used_heap_size) })}\n`);
