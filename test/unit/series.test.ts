import { describe, expect, it } from 'vitest';
import type { ScenarioContext } from 'interleave';
import { makeTarget, NondeterminismGuard, runExecution, type Target } from '../../src/run.js';
import { runSeries } from '../../src/series.js';
import type { Warning } from '../../src/runtime/failure.js';
import { createStrategy } from '../../src/strategies/index.js';
import { scenarioOf } from '../helpers/run.js';

/** Lost update: get then set, so some interleavings lose one of the two increments. */
async function lostUpdate(t: ScenarioContext): Promise<void> {
  const v = t.variable('v', 0);
  const inc = async (): Promise<void> => {
    const x = await v.get();
    await v.set(x + 1);
  };
  const a = t.spawn('a', inc);
  const b = t.spawn('b', inc);
  await a.join();
  await b.join();
  t.assert(v.peek() === 2, `v is ${v.peek()}`);
}

const target = (body: (t: ScenarioContext) => Promise<void>): Target<object> => makeTarget(scenarioOf(body)) as Target<object>;

/**
 * A series runs executions back to back, each started where the one before ended
 * (src/series.ts). It must give exactly what running them one at a time gives.
 */
describe('runSeries', () => {
  it('finds the same first failure, at the same index with the same schedule and steps, as one execution at a time', async () => {
    const tg = target(lostUpdate);
    let steps = 0;
    let expected: { index: number; decisions: readonly number[] } | null = null;
    const one = createStrategy('random', { seed: 3 });
    for (let i = 10; i < 200 && expected === null; i++) {
      const r = await runExecution(tg, one, i, false);
      steps += r.steps;
      if (r.failure !== null) expected = { index: i, decisions: r.decisions };
    }
    expect(expected).not.toBeNull();
    const series = await runSeries(tg, createStrategy('random', { seed: 3 }), 10, 190, new NondeterminismGuard(), new Map());
    expect(series.failed?.index).toBe(expected!.index);
    expect(series.failed?.result.decisions).toEqual(expected!.decisions);
    expect(series.failed?.result.failure?.kind).toBe('assertion');
    expect(series.executions).toBe(expected!.index - 10 + 1);
    expect(series.steps).toBe(steps);
  });

  it('runs exactly `count` executions when none fails, and keeps the first warning of each message', async () => {
    const tg = target(async (t) => {
      const l1 = t.lock('l1');
      const l2 = t.lock('l2');
      const ab = t.spawn('ab', async () => {
        await l1.acquire();
        await l2.acquire();
        await l2.release();
        await l1.release();
      });
      await ab.join();
      await l2.acquire();
      await l1.acquire();
      await l1.release();
      await l2.release();
    });
    const warnings = new Map<string, Warning>();
    const series = await runSeries(tg, createStrategy('random', { seed: 1 }), 0, 25, new NondeterminismGuard(), warnings);
    expect(series.failed).toBeNull();
    expect(series.executions).toBe(25);
    expect(warnings.size).toBe(1);
    expect([...warnings.values()][0]!.kind).toBe('potential-deadlock');
  });

  it('a thousand executions back to back do not grow the stack (each ends on a fresh microtask)', async () => {
    const tg = target(async (t) => {
      const v = t.variable('v', 0);
      const h = t.spawn('w', async () => {
        await v.set(1);
      });
      await h.join();
    });
    const series = await runSeries(tg, createStrategy('random', { seed: 1 }), 0, 1000, new NondeterminismGuard(), new Map());
    expect(series.executions).toBe(1000);
    expect(series.failed).toBeNull();
  });

  // The series' first execution checks each task's one operation at a time (the others find the
  // second operation pending only when the scheduler switches at the first: 'still pending').
  it('rejects with the usage error of a scenario that misuses the API, named at its line by the first execution', async () => {
    const tg = target(async (t) => {
      const m = t.map<string, number>('m');
      t.spawn('other', () => m.set('a', 1));
      await Promise.all([m.get('a'), m.get('b')]);
    });
    await expect(runSeries(tg, createStrategy('random', { seed: 1 }), 0, 10, new NondeterminismGuard(), new Map())).rejects.toThrow(/series\.test\.ts:\d+: task "main" started get m\["b"\] before its previous operation completed/);
  });

  it('an empty series settles at once', async () => {
    const series = await runSeries(target(lostUpdate), createStrategy('random', { seed: 1 }), 0, 0, new NondeterminismGuard(), new Map());
    expect(series).toEqual({ executions: 0, steps: 0, failed: null });
  });
});
