// Parallel exploration: the same exploration (seed, executions) with 1 explorer (this thread)
// and with 2 (this thread and one worker thread); the 2-explorer time includes starting the
// worker and loading the scenario module in it. Rounds alternate 1, 2, 1, 2 and the best of
// each counts, since this machine's speed drifts by ±20% over seconds. Each round also measures
// the machine's ceiling (two independent processes) right after its 1 and 2, so a round's
// speed-up and ceiling see the same load: measured after all the rounds instead, a ceiling of
// 2.56× stood beside a speed-up of 0.78× once the load fell (docs/bench.md, 2026-12-07).
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { exploreParallel, searchParallel } from '../dist/parallel/index.js';

export async function benchParallel({ quick, log }) {
  const file = fileURLToPath(new URL('./fixtures/short.mjs', import.meta.url));
  const iterations = quick ? 50_000 : 600_000;
  const out = { workload: '3 tasks × 5 steps', executions: iterations };
  await exploreParallel({ file, seed: 5, iterations: 5_000 }); // warm-up
  let same = true;
  let reference = null;
  const best = { 1: Infinity, 2: Infinity };
  const ceiling = { solo: Infinity, pair: Infinity };
  const rounds = [];
  const loadStart = os.loadavg()[0];
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    const ms = {};
    for (const workers of [1, 2]) {
      globalThis.gc();
      const t0 = performance.now();
      const r = await exploreParallel({ file, seed: 1, iterations, workers });
      ms[workers] = performance.now() - t0;
      best[workers] = Math.min(best[workers], ms[workers]);
      const key = `${r.executions}:${r.steps}:${r.failureAt}`;
      if (reference === null) reference = key;
      else if (key !== reference) same = false;
    }
    const { solo, pair } = await processRound({ quick });
    ceiling.solo = Math.min(ceiling.solo, solo);
    ceiling.pair = Math.min(ceiling.pair, pair);
    rounds.push({ speedup: ratio(ms[1], ms[2]), ceiling: ratio(2 * solo, pair), load: Math.round(os.loadavg()[0] * 10) / 10 });
  }
  for (const workers of [1, 2]) out[`workers${workers}`] = { ms: Math.round(best[workers]), schedulesPerSec: Math.round((iterations / best[workers]) * 1000) };
  out.speedup = Math.round((out.workers2.schedulesPerSec / out.workers1.schedulesPerSec) * 100) / 100;
  out.sameResult = same;
  log(
    `\nparallel (${out.workload}, ${iterations.toLocaleString('en-US')} executions): 1 worker ${out.workers1.schedulesPerSec.toLocaleString('en-US')} schedules/s, ` +
      `2 workers ${out.workers2.schedulesPerSec.toLocaleString('en-US')} schedules/s: ${out.speedup}× (same result: ${same ? 'yes' : 'NO'})\n`,
  );
  out.processes = { schedules: processSchedules(quick), soloMs: Math.round(ceiling.solo), pairMs: Math.round(ceiling.pair), speedup: ratio(2 * ceiling.solo, ceiling.pair) };
  // Round by round: the speed-up beside the ceiling measured just after it, and the load average
  // then (above the CPU count, the machine was shared and neither figure says much).
  out.rounds = rounds;
  out.loadAverage = { start: Math.round(loadStart * 10) / 10, cpus: os.cpus().length };
  log(
    `  the machine's ceiling, two independent processes of the same workload (nothing shared): ${out.processes.speedup}× ` +
      `(one alone ${out.processes.soloMs} ms, two side by side ${out.processes.pairMs} ms for the slower)\n` +
      `  round by round, 2 workers / ceiling / 1-minute load average: ${rounds.map((r) => `${r.speedup}× / ${r.ceiling}× / ${r.load}`).join(', ')} (load ${out.loadAverage.start} at the start, ${out.loadAverage.cpus} cpus)\n`,
  );
  return out;
}

/** `a / b` to two decimals. */
const ratio = (a, b) => Math.round((a / b) * 100) / 100;

const processSchedules = (quick) => (quick ? 20_000 : 200_000);

/**
 * One round of what this machine gives two explorations that share nothing: one process timing
 * `n` short schedules (bench/contender.mjs) alone, then two such processes started together;
 * the pair's throughput over the lone one's is 2 × solo / slower of the pair (the best of each
 * over the rounds is the ceiling). The peer for `--workers 2`: a thread pool cannot beat two
 * separate processes.
 */
async function processRound({ quick }) {
  const script = fileURLToPath(new URL('./contender.mjs', import.meta.url));
  const n = processSchedules(quick);
  const one = (seed) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', script, 'interleave', '3', '5', String(n), String(seed), String(n / 4)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text).ms) : reject(new Error(`bench: contender exited with ${code}`))));
    });
  const solo = await one(1);
  const pair = Math.max(...(await Promise.all([one(1), one(2)])));
  return { solo, pair };
}

// Split exhaustive search: the same dfs search with 1 worker (this thread) and 2 worker threads.
// Its units are uneven DFS subtrees cut into pieces as they run (src/parallel/pieces.ts); the
// counts must be the same for both. One round each: the search takes ~45 s with one worker.
export async function benchSearchParallel({ quick, log }) {
  const file = fileURLToPath(new URL('../scenarios/multi-client-disconnect.ts', import.meta.url));
  const params = { clients: 3, messages: quick ? 2 : 3 };
  const out = { workload: `multi-client-disconnect [fixed] dfs, clients=3 messages=${params.messages}` };
  const runs = {};
  for (const workers of [1, 2]) {
    globalThis.gc();
    const t0 = performance.now();
    const r = await searchParallel({ file, variant: 'fixed', params, strategy: 'dfs', workers });
    const ms = performance.now() - t0;
    runs[workers] = r;
    out[`workers${workers}`] = { ms: Math.round(ms), executionsPerSec: Math.round((r.executions / ms) * 1000) };
  }
  out.executions = runs[1].executions;
  out.completeExecutions = runs[1].completeExecutions;
  out.speedup = Math.round((out.workers1.ms / out.workers2.ms) * 100) / 100;
  out.sameResult = runs[1].executions === runs[2].executions && runs[1].completeExecutions === runs[2].completeExecutions && runs[1].complete === runs[2].complete;
  log(
    `split search (${out.workload}, ${out.executions.toLocaleString('en-US')} executions, ${out.completeExecutions.toLocaleString('en-US')} complete): ` +
      `1 worker ${(out.workers1.ms / 1000).toFixed(1)} s, 2 workers ${(out.workers2.ms / 1000).toFixed(1)} s: ${out.speedup}× (same result: ${out.sameResult ? 'yes' : 'NO'})\n`,
  );
  return out;
}
