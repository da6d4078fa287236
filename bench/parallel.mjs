// Parallel exploration: the same exploration (seed, executions) with 1 worker (in this thread)
// and with 2 worker threads; the 2-worker time includes starting the workers and loading the
// scenario module in each.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { exploreParallel } from '../dist/parallel/index.js';

export async function benchParallel({ quick, log }) {
  const file = fileURLToPath(new URL('./fixtures/short.mjs', import.meta.url));
  const iterations = quick ? 20_000 : 100_000;
  const out = { workload: '3 tasks × 5 steps', executions: iterations };
  await exploreParallel({ file, seed: 5, iterations: 5_000 }); // warm-up
  let same = true;
  let reference = null;
  for (const workers of [1, 2]) {
    let best = Infinity;
    for (let round = 0; round < (quick ? 1 : 2); round++) {
      globalThis.gc();
      const t0 = performance.now();
      const r = await exploreParallel({ file, seed: 1, iterations, workers });
      best = Math.min(best, performance.now() - t0);
      const key = `${r.executions}:${r.steps}:${r.failureAt}`;
      if (reference === null) reference = key;
      else if (key !== reference) same = false;
    }
    out[`workers${workers}`] = { ms: Math.round(best), schedulesPerSec: Math.round((iterations / best) * 1000) };
  }
  out.speedup = Math.round((out.workers2.schedulesPerSec / out.workers1.schedulesPerSec) * 100) / 100;
  out.sameResult = same;
  log(
    `\nparallel (${out.workload}, ${iterations.toLocaleString('en-US')} executions): 1 worker ${out.workers1.schedulesPerSec.toLocaleString('en-US')} schedules/s, ` +
      `2 workers ${out.workers2.schedulesPerSec.toLocaleString('en-US')} schedules/s: ${out.speedup}× (same result: ${same ? 'yes' : 'NO'})\n`,
  );
  return out;
}
