// Memory must stay flat over long runs: nothing kept per execution that is not needed.
// One exploration of the short workload; the scenario body itself forces a full GC and reads
// the heap when the exploration reaches execution 10^4 and again at the last one (10^6), so
// both readings are taken inside the same live exploration.
import { performance } from 'node:perf_hooks';
import { defineScenario, explore } from '../dist/index.js';

export async function benchMemory({ quick, log }) {
  const total = quick ? 100_000 : 1_000_000;
  const early = 10_000;
  const readings = {};
  let n = 0;
  const scenario = defineScenario({
    name: 'bench-memory',
    description: '3 tasks × 5 steps, heap read at fixed execution counts',
    variants: { only: { expect: 'pass' } },
    async run(t) {
      n++;
      if (n === early || n === total) {
        globalThis.gc();
        readings[n] = process.memoryUsage().heapUsed;
      }
      const counter = t.variable('counter', 0);
      const hs = [];
      for (let i = 0; i < 3; i++) hs.push(t.spawn(`task-${i}`, async () => {
        for (let k = 0; k < 5; k++) await counter.update((x) => x + 1);
      }));
      for (const h of hs) await h.join();
    },
  });
  const t0 = performance.now();
  const r = await explore(scenario, { seed: 1, iterations: total });
  const ms = performance.now() - t0;
  const ratio = readings[total] / readings[early];
  const out = {
    schedules: r.executions,
    heapAfter10e4MB: Math.round((readings[early] / 1048576) * 100) / 100,
    heapAfterAllMB: Math.round((readings[total] / 1048576) * 100) / 100,
    ratio: Math.round(ratio * 1000) / 1000,
    withinTenPercent: ratio <= 1.1,
    seconds: Math.round(ms / 100) / 10,
  };
  log(
    `\nmemory: heap after ${early.toLocaleString('en-US')} schedules ${out.heapAfter10e4MB} MB, after ${total.toLocaleString('en-US')} ${out.heapAfterAllMB} MB: ratio ${out.ratio} (${out.withinTenPercent ? 'within' : 'NOT within'} 10%), ${out.seconds} s\n`,
  );
  return out;
}
