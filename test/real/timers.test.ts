import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import getOrLoad from '../fixtures/real/get-or-load.js';
import { defineScenario, explore, replayTrace, search, type ScenarioDefinition } from 'interleave';
import timeout from '../fixtures/real/timeout.js';

const ROOT = join(import.meta.dirname, '..', '..');
const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;

/** The process's own timer functions, to check they are back after every execution. */
const REAL = { setTimeout, clearTimeout, setInterval, setImmediate, Date, now: performance.now, abort: AbortSignal.timeout };
function expectRealGlobals(): void {
  expect([globalThis.setTimeout, globalThis.clearTimeout, globalThis.setInterval, globalThis.setImmediate, globalThis.Date, AbortSignal.timeout]).toEqual([
    REAL.setTimeout,
    REAL.clearTimeout,
    REAL.setInterval,
    REAL.setImmediate,
    REAL.Date,
    REAL.abort,
  ]);
  expect(Object.getOwnPropertyDescriptor(performance, 'now')).toBeUndefined();
  expect(delay).not.toBe(undefined);
}

describe('virtual timers', () => {
  it('a read raced against a timeout: the timeout can win three times in a row; virtual time says 450 ms; the trace replays', async () => {
    const r = await explore(s(timeout), { seed: 1, file: join(ROOT, 'test/fixtures/real/timeout.ts') });
    expect(r.failure?.message).toBe('assertion: AssertionFailure: gave up after 450 ms in task "main" (step 7)');
    expect(r.trace!.events.filter((e) => e.op === 'fire').map((e) => e.obj)).toEqual([
      'setTimeout(callback, 100ms)',
      'setTimeout(callback, 50ms)',
      'setTimeout(callback, 100ms)',
      'setTimeout(callback, 50ms)',
      'setTimeout(callback, 100ms)',
      'setTimeout(callback, 50ms)',
    ]);
    expect((await replayTrace(s(timeout), r.trace!)).outcome).toBe('reproduced');
    expectRealGlobals();
  });

  it('dfs finds the same bug; every global is the real one again after each execution', async () => {
    const r = await search(s(timeout), { strategy: 'dfs' });
    expect(r.failure?.kind).toBe('assertion');
    expectRealGlobals();
    // A series of executions keeps the globals installed from one to the next (src/series.ts),
    // and puts them back when it ends, failure or not.
    const clean = await explore(s(getOrLoad), { variant: 'fixed', seed: 1, iterations: 300 });
    expect([clean.failure, clean.executions]).toEqual([null, 300]);
    expectRealGlobals();
  });

  it('Date, performance.now, setInterval, AbortSignal.timeout and node:timers/promises follow the virtual clock; an interval alone does not keep the run alive', async () => {
    const seen: string[] = [];
    const clockScenario = defineScenario({
      name: 'clock',
      description: 'reads the virtual clock through every timer API',
      variants: { only: { expect: 'pass' } },
      timers: 'virtual',
      async run(t) {
        const t0 = Date.now();
        const p0 = performance.now();
        let ticks = 0;
        setInterval(() => ticks++, 10);
        await delay(25);
        seen.push(`after 25: ${Date.now() - t0} ms, perf ${performance.now() - p0}, ${new Date().getTime() - t0}, ticks ${ticks}`);
        const signal = AbortSignal.timeout(5);
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        seen.push(`aborted at ${Date.now() - t0}: ${(signal.reason as Error).name}`);
        t.assert(t.now() === Date.now() - t0, 'one clock');
      },
    });
    const r = await explore(s(clockScenario), { iterations: 1 });
    expect(r.failure).toBeNull();
    expect(seen).toEqual(['after 25: 25 ms, perf 25, 25, ticks 2', 'aborted at 30: TimeoutError']);
    expectRealGlobals();
  });

  it('a callback that throws fails the run in task "timers"; after a failure or a usage error the globals are real again', async () => {
    const throwing = defineScenario({
      name: 'throwing-timer',
      description: 'a timer callback throws',
      variants: { only: { expect: 'exception' } },
      timers: 'virtual',
      async run() {
        setTimeout(() => {
          throw new Error('boom');
        }, 5);
      },
    });
    const r = await explore(s(throwing), { iterations: 1 });
    expect(r.failure?.message).toBe('exception: Error: boom in task "timers" (step 2)');
    expectRealGlobals();
    const misuse = defineScenario({
      name: 'misuse-timer',
      description: 'a bad sleep inside virtual time',
      variants: { only: { expect: 'pass' } },
      timers: 'virtual',
      async run(t) {
        await t.sleep(-1);
      },
    });
    await expect(explore(s(misuse), { iterations: 1 })).rejects.toThrow(/sleep/);
    expectRealGlobals();
  });

  it("timers: 'real' keeps the real setTimeout, which is nondeterminism naming the line, even when it fired before the next step", async () => {
    const real = (due: boolean) =>
      defineScenario({
        name: 'real-timer',
        description: 'a real timer awaited in real code',
        variants: { only: { expect: 'nondeterminism' } },
        timers: 'real',
        async run(t) {
          const ping = t.io('ping', async () => 1);
          await ping();
          const fired = new Promise((resolve) => setTimeout(resolve, 1));
          // Past its time before the step ends: Node fires it before the next scheduling point.
          if (due) for (const end = Date.now() + 20; Date.now() < end; );
          await fired;
        },
      });
    for (const due of [false, true]) {
      const r = await explore(s(real(due)), { iterations: 1 });
      expect(r.failure?.kind).toBe('nondeterminism');
      expect(r.failure?.message).toMatch(
        /^nondeterminism: a real timer \(setTimeout, 1ms at test\/real\/timers\.test\.ts:\d+\) was started in step 2, which fires when wall-clock time says, not when the scheduler does; use virtual timers/,
      );
    }
    expectRealGlobals();
    // An interval left running is cleared when the execution ends: it never fires into a later one.
    let ticks = 0;
    const interval = defineScenario({
      name: 'real-interval',
      description: 'a real interval nobody clears',
      variants: { only: { expect: 'nondeterminism' } },
      timers: 'real',
      async run(t) {
        await t.io('ping', async () => 1)();
        setInterval(() => ticks++, 1);
      },
    });
    const r = await explore(s(interval), { iterations: 1 });
    expect(r.failure?.message).toMatch(/a real timer \(setInterval, 1ms at .*\) was started/);
    const before = ticks;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ticks).toBe(before);
  });


  it('an AsyncLocalStorage in the process (a tracing or logging library) changes nothing: the same failure and trace as without, timers still virtual', async () => {
    const alone = await explore(s(timeout), { seed: 1 });
    // Once a store is entered, Node numbers every promise, so microtasks no longer run in async context 0.
    const storage = new AsyncLocalStorage<string>();
    let r: Awaited<ReturnType<typeof explore>> | undefined;
    try {
      r = await storage.run('request-1', () => explore(s(timeout), { seed: 1 }));
    } finally {
      storage.disable();
    }
    expect(r.failure?.message).toBe('assertion: AssertionFailure: gave up after 450 ms in task "main" (step 7)');
    expect(JSON.stringify(r.trace)).toBe(JSON.stringify(alone.trace));
    expectRealGlobals();
  });
});
