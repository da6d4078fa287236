import { describe, expect, it } from 'vitest';
import { explore } from 'interleave';
import { exploreBody, runSequential, scenarioOf } from '../../helpers/run.js';

/**
 * A task's body starts the moment the scheduler first picks it, on the stack of the task that
 * handed over (src/runtime/execution.ts, `dispatch`). These pin what that must never change:
 * one task runs at a time, plain (non-async) bodies work, and every start order is explored.
 */
describe('task start', () => {
  it('a plain function body that throws before any operation fails its own task, not the one that handed over', async () => {
    const r = await exploreBody(async (t) => {
      const v = t.variable('v', 0);
      const bad = t.spawn('bad', (): number => {
        throw new RangeError('no such slot');
      });
      await v.set(1);
      await bad.join();
    });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.task).toBe('bad');
    expect(r.failure?.error).toMatchObject({ name: 'RangeError', message: 'no such slot' });
    expect(r.trace).not.toBeNull();
  });

  it('a plain function body with no operation ends, and join sees its result', async () => {
    const r = await runSequential(async (t) => {
      const h = t.spawn('plain', () => 42);
      await h.join();
      t.assert(h.result === 42, `result ${String(h.result)}`);
    });
    expect(r.failure).toBeNull();
  });

  // A task's code runs from its resumption to its next operation call; no other task's code may
  // run inside that stretch, also when a task starts inside the call of the one handing over.
  it('one task runs at a time, also while a task starts on the stack of the one handing over', async () => {
    let running = 0;
    let overlaps = 0;
    const segment = (): void => {
      if (++running > 1) overlaps++;
    };
    const r = await explore(
      scenarioOf(async (t) => {
        const v = t.variable('v', 0);
        const body = async (): Promise<void> => {
          segment();
          running--;
          await v.update((x) => x + 1);
          segment();
          running--;
        };
        segment();
        const hs = [t.spawn('a', body), t.spawn('b', body), t.spawn('c', body)];
        running--;
        for (const h of hs) {
          await h.join();
          segment();
          running--;
        }
      }),
      { strategy: 'dfs' },
    );
    expect(r.failure).toBeNull();
    expect(r.search?.complete).toBe(true);
    expect(overlaps).toBe(0);
  });

  it('every order of first steps is explored: three tasks that each write once give 3! orders', async () => {
    const orders = new Set<string>();
    const r = await explore(
      scenarioOf(async (t) => {
        const log = t.variable<string>('log', '');
        const hs = ['a', 'b', 'c'].map((n) => t.spawn(n, () => log.update((s) => s + n)));
        for (const h of hs) await h.join();
        orders.add(log.peek());
      }),
      { strategy: 'dfs', por: false },
    );
    expect(r.search?.complete).toBe(true);
    expect([...orders].sort()).toEqual(['abc', 'acb', 'bac', 'bca', 'cab', 'cba']);
  });

  it('thousands of new tasks picked one after another (round-robin) do not overflow the stack', async () => {
    const n = 3_000;
    const r = await explore(
      scenarioOf(async (t) => {
        const v = t.variable('v', 0);
        const hs = Array.from({ length: n }, (_, i) => t.spawn(`w${i}`, () => v.update((x) => x + 1)));
        for (const h of hs) await h.join();
        t.assert(v.peek() === n, `v = ${v.peek()}`);
      }),
      { strategy: 'round-robin', iterations: 1, maxSteps: 100_000 },
    );
    expect(r.failure).toBeNull();
    expect(r.steps).toBe(2 * n + n + 1); // n starts, n updates, n joins, main's start
  });
});
