import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario, explore, replayTrace, search, type ScenarioDefinition } from 'interleave';
import getOrLoad from '../fixtures/real/get-or-load.js';
import chainLock from '../fixtures/real/chain-lock.js';
import { formatFailureReport } from '../../src/report/text.js';

const ROOT = join(import.meta.dirname, '..', '..');
const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;

describe('t.io: real code with controlled calls', () => {
  it('a get-or-load cache that awaits its loader between has and set loads twice; the trace names each call and replays', async () => {
    const r = await explore(s(getOrLoad), { variant: 'buggy', seed: 1, file: join(ROOT, 'test/fixtures/real/get-or-load.ts') });
    expect(r.failure?.kind).toBe('assertion');
    expect(r.failure?.message).toBe('assertion: AssertionFailure: loaded 2 times in task "main" (step 5)');
    const calls = r.trace!.events.filter((e) => e.op === 'call').map((e) => `${e.task}: ${e.obj} -> ${e.result}`);
    expect(calls.sort()).toEqual(['auth#2: auth("bob") -> true', 'auth: auth("ann") -> true', 'load#2: load("k") -> "value of k"', 'load: load("k") -> "value of k"']);
    const replayed = await replayTrace(s(getOrLoad), r.trace!);
    expect(replayed.outcome).toBe('reproduced');
  });

  it('the in-flight promise fix is clean on every schedule: dfs explores the 4 orders of auth, auth and the one load', async () => {
    const r = await search(s(getOrLoad), { variant: 'fixed', strategy: 'dfs' });
    expect(r.failure).toBeNull();
    expect(r.complete).toBe(true);
    expect(r.executions).toBe(4);
  });

  it('a promise-chain lock settles through microtasks after controlled steps: clean and never nondeterminism; without it, the lost update', async () => {
    const fixed = await search(s(chainLock), { variant: 'fixed', strategy: 'dfs' });
    expect([fixed.failure, fixed.complete]).toEqual([null, true]);
    const sampled = await explore(s(chainLock), { variant: 'fixed', seed: 3, iterations: 10_000 });
    expect([sampled.failure, sampled.executions]).toEqual([null, 10_000]);
    const buggy = await explore(s(chainLock), { variant: 'buggy', seed: 1 });
    expect(buggy.failure?.message).toBe('assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main" (step 5)');
    expect((await replayTrace(s(chainLock), buggy.trace!)).outcome).toBe('reproduced');
  });

  it('a promise no step will settle is stuck, naming the task that waits on it and the line it awaits at', async () => {
    const r = await explore(s(chainLock), { variant: 'never-released', seed: 1 });
    expect(r.failure?.kind).toBe('stuck');
    expect(r.failure?.message).toBe('stuck: every task is blocked and none can wake another: main waits on a promise that no step left to run settles');
    // The exploring run compares messages only; the recording and its replay locate the await.
    expect(r.trace!.failure?.awaits).toEqual(['test/fixtures/real/chain-lock.ts:51']);
    const again = await replayTrace(s(chainLock), r.trace!);
    expect([again.outcome, again.trace.failure?.awaits]).toEqual(['reproduced', ['test/fixtures/real/chain-lock.ts:51']]);
  });

  it('of async functions awaiting each other, the innermost await is named, once per chain', async () => {
    const never = new Promise<void>(() => undefined);
    const line = (offset: number): string => `test/real/io.test.ts:${HERE + offset}`;
    const HERE = 59; // the line of `const inner` below
    const nested = defineScenario({
      name: 'nested-waits',
      description: 'two chains, each awaiting a helper that awaits a promise nothing settles',
      variants: { only: { expect: 'stuck' } },
      async run(t) {
        const io = t.io('io', async () => 1);
        const inner = async (): Promise<void> => {
          await io();
          await never;
        };
        const outer = async (): Promise<void> => {
          await inner();
        };
        await Promise.all([outer(), outer()]);
      },
    });
    const r = await explore(s(nested), { seed: 1 });
    expect(r.failure?.kind).toBe('stuck');
    expect(r.trace!.failure?.awaits).toEqual([line(2), line(2)]);
    expect(formatFailureReport(r.trace!, null).split('\n')[1]).toBe(`  2 awaits never resumed at ${line(2)}`);
  });

  it('misuse is one clear line: t.io on a non-function, a controlled call after the execution ended', async () => {
    const bad = defineScenario({
      name: 'bad-io',
      description: 'controls a number',
      variants: { only: { expect: 'pass' } },
      async run(t) {
        t.io('x', 42 as never);
      },
    });
    await expect(explore(s(bad), { iterations: 1 })).rejects.toThrow('t.io("x"): expected a function or an object whose methods to control, got 42');
    let kept: (() => Promise<unknown>) | null = null;
    const late = defineScenario({
      name: 'late-io',
      description: 'keeps a controlled function from its first run and calls it in the next',
      variants: { only: { expect: 'pass' } },
      async run(t) {
        const f = t.io('ping', async () => 1);
        if (kept === null) kept = f;
        else await kept();
        await f();
      },
    });
    await expect(explore(s(late), { iterations: 2 })).rejects.toThrow(/io "ping" was called after the execution ended/);
  });
});
