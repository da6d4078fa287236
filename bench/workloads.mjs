// The three contenders of the benchmark, each running the same workload: `tasks` tasks, each
// taking `steps` steps; at every step a task reaches a scheduling point and the scheduler picks,
// at random, which waiting task goes on. Every contender counts tasks × steps steps per schedule.
//
// Each contender imports its library only when it runs, so the process timing one contender
// (bench/contender.mjs) holds no other contender's modules in its heap.
import { getHeapStatistics } from 'node:v8';

/** Peak heap, sampled every few schedules inside each contender's loop (same rule for all). */
export class HeapPeak {
  peak = 0;
  count = 0;
  sample() {
    if ((++this.count & 255) !== 0) return;
    const used = getHeapStatistics().used_heap_size;
    if (used > this.peak) this.peak = used;
  }
}

/** interleave: a scenario whose tasks each update a shared variable `steps` times; random strategy. */
export function interleaveScenario(defineScenario, tasks, steps, heap) {
  return defineScenario({
    name: `bench-${tasks}x${steps}`,
    description: 'benchmark workload',
    variants: { only: { expect: 'pass' } },
    async run(t) {
      heap?.sample();
      const counter = t.variable('counter', 0);
      const handles = [];
      for (let i = 0; i < tasks; i++) {
        handles.push(
          t.spawn(`task-${i}`, async () => {
            for (let k = 0; k < steps; k++) await counter.update((x) => x + 1);
          }),
        );
      }
      for (const h of handles) await h.join();
      t.assert(counter.peek() === tasks * steps, 'lost step');
    },
  });
}

export async function runInterleave(tasks, steps, schedules, heap, seed = 1) {
  const { defineScenario, explore } = await import('../dist/index.js');
  const scenario = interleaveScenario(defineScenario, tasks, steps, heap);
  const r = await explore(scenario, { seed, iterations: schedules, strategy: 'random' });
  if (r.failure !== null || r.executions !== schedules) throw new Error(`interleave workload failed: ${r.failure?.message}`);
  return r;
}

/** fast-check: each task awaits `s.schedule(...)` at every step; `s.waitAll()` drives them. */
export async function runFastCheck(tasks, steps, schedules, heap, seed = 1) {
  const { default: fc } = await import('fast-check');
  let bad = 0;
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), async (s) => {
      heap?.sample();
      let counter = 0;
      const running = [];
      for (let i = 0; i < tasks; i++) {
        running.push(
          (async () => {
            for (let k = 0; k < steps; k++) {
              await s.schedule(Promise.resolve(k));
              counter++;
            }
          })(),
        );
      }
      await s.waitAll();
      await Promise.all(running);
      if (counter !== tasks * steps) bad++;
    }),
    { numRuns: schedules, seed },
  );
  if (bad > 0) throw new Error('fast-check workload lost steps');
}

/** mulberry32: a tiny seeded generator, so the raw limit pays almost nothing for randomness. */
function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The raw limit: async functions handing control directly to a randomly chosen waiting one
 * (resolving its promise), with no bookkeeping: no operations, no enabled set, no decisions.
 */
function rawSchedule(tasks, steps, rng) {
  const waiting = [];
  let counter = 0;
  let live = tasks;
  let done;
  const finished = new Promise((r) => {
    done = r;
  });
  const pick = () => {
    const i = Math.floor(rng() * waiting.length);
    const resume = waiting[i];
    waiting[i] = waiting[waiting.length - 1];
    waiting.pop();
    resume();
  };
  const task = async () => {
    await new Promise((r) => waiting.push(r));
    for (let k = 0; k < steps; k++) {
      const p = new Promise((r) => waiting.push(r));
      pick();
      await p;
      counter++;
    }
    if (--live === 0) done(counter);
    else pick();
  };
  for (let i = 0; i < tasks; i++) void task();
  pick();
  return finished;
}

export async function runRaw(tasks, steps, schedules, heap, seed = 1) {
  for (let i = 0; i < schedules; i++) {
    heap?.sample();
    const counter = await rawSchedule(tasks, steps, mulberry32(seed * 1_000_003 + i));
    if (counter !== tasks * steps) throw new Error('raw workload lost steps');
  }
}
