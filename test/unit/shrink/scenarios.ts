import fc from 'fast-check';
import { defineScenario, param } from 'interleave';

/**
 * Small buggy scenarios for the shrink tests, each with noise (unrelated steps) so a random
 * schedule has many needless preemptions, and a known minimum.
 */

/** Lost update: `workers` get-then-set increments, each with unrelated work around it. Minimum: 1 preemption, 2 workers. */
export const noisyLostUpdate = defineScenario({
  name: 'noisy-lost-update',
  description: 'get-then-set increments with unrelated steps around them',
  params: { workers: param(4, fc.integer({ min: 1, max: 4 })) },
  variants: { buggy: { expect: 'assertion' } },
  async run(t) {
    const counter = t.variable('counter', 0);
    const scratch = t.map<string, number>('scratch');
    const handles = [];
    for (let i = 1; i <= t.params.workers; i++) {
      handles.push(
        t.spawn(`worker-${i}`, async () => {
          for (let j = 0; j < 3; j++) await scratch.set(`w${i}-${j}`, j);
          const v = await counter.get();
          await counter.set(v + 1);
          for (let j = 0; j < 3; j++) await scratch.get(`w${i}-${j}`);
        }),
      );
    }
    for (const h of handles) await h.join();
    t.assert(counter.peek() === t.params.workers, `lost update: counter is ${counter.peek()} after ${t.params.workers} increments`);
  },
});

/** ABBA deadlock with noise before each task's first acquire. Minimum: 1 preemption. */
export const noisyAbba = defineScenario({
  name: 'noisy-abba',
  description: 'two tasks take two locks in opposite orders, after unrelated steps',
  variants: { buggy: { expect: 'deadlock' } },
  async run(t) {
    const a = t.lock('a');
    const b = t.lock('b');
    const notes = t.map<string, number>('notes');
    const task = (name: string, first: typeof a, second: typeof a) =>
      t.spawn(name, async () => {
        for (let j = 0; j < 4; j++) await notes.set(`${name}-${j}`, j);
        await first.acquire();
        await second.acquire();
        await second.release();
        await first.release();
      });
    const x = task('left', a, b);
    const y = task('right', b, a);
    await x.join();
    await y.join();
  },
});

/**
 * Check-then-act on a map key, like the audit's `if plan_id in d: d[plan_id]`: connect-B
 * checks the key, then reads it; cleanup deletes it. Minimum: 1 preemption, between the check
 * and the read.
 */
export const checkThenAct = defineScenario({
  name: 'check-then-act',
  description: 'has/get on a key another task deletes',
  variants: { buggy: { expect: 'exception' } },
  async run(t) {
    const streams = t.map<string, string>('progress_streams', { missing: 'throw' });
    const log = t.variable('log', 0);
    await streams.set('B', 'queue-B');
    const connect = t.spawn('connect-B', async () => {
      await log.update((n) => n + 1);
      if (await streams.has('B')) {
        await streams.get('B');
      }
      await log.update((n) => n + 1);
    });
    const cleanup = t.spawn('cleanup', async () => {
      await log.update((n) => n + 1);
      await streams.delete('B');
      await log.update((n) => n + 1);
    });
    await connect.join();
    await cleanup.join();
  },
});

/** Two tasks each `if has(k): get(k); delete(k)`: a KeyError raised by `get` or by `delete`, two bugs. */
export const twoBugs = defineScenario({
  name: 'two-bugs',
  description: 'check-then-get and check-then-delete on one key by two tasks',
  variants: { buggy: { expect: 'exception' } },
  async run(t) {
    const m = t.map<string, number>('m', { missing: 'throw' });
    await m.set('k', 1);
    const body = async (): Promise<void> => {
      if (await m.has('k')) {
        await m.get('k');
        await m.delete('k');
      }
    };
    const x = t.spawn('x', body);
    const y = t.spawn('y', body);
    await x.join();
    await y.join();
  },
});
