import { describe, expect, it } from 'vitest';
import type { Pulse } from '../../../src/heartbeat/heartbeat.js';
import type { Failure } from '../../../src/runtime/failure.js';
import type { Trace } from '../../../src/trace/schema.js';
import { FrozenThread, Runaways } from '../../../src/parallel/runaway.js';
import { defineScenario } from '../../../src/scenario.js';
import { makeTarget } from '../../../src/run.js';
import { replayDecisions } from '../../../src/replay.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Thread id 0: unknown, so own time is wall time (the verdicts below wait it out). */
const unknown = (): number => 0;
const working = { busy: true, executing: true, hurry: false } as const;

describe('FrozenThread: the one restart decision of a watched thread', () => {
  it('a moving heartbeat, an idle thread and a unit not yet executing are not runaways', async () => {
    const frozen = new FrozenThread(0.05, 30, unknown);
    expect(frozen.judge(1, working)).toBeNull();
    await sleep(120);
    // The counter moved since the last look: a sign of life.
    expect(frozen.judge(2, working)).toBeNull();
    await sleep(120);
    // Frozen, but holding no unit, or its unit still loading (the load limit applies, 30 s).
    expect(frozen.judge(2, { ...working, busy: false })).toBeNull();
    await sleep(120);
    expect(frozen.judge(2, { ...working, executing: false })).toBeNull();
  });

  it('frozen while executing: a runaway after its seconds; cut short (Ctrl-C) it is ended sooner; a module that never loads is a load error', async () => {
    const frozen = new FrozenThread(0.05, 30, unknown);
    expect(frozen.judge(0, working)).toBeNull();
    await sleep(120);
    expect(frozen.judge(0, working)).toBe('runaway');
    // Hurried, the grace (a second, or the watchdog's seconds when shorter) comes first.
    expect(frozen.judge(0, { ...working, hurry: true })).toBe('hurry');
    const loading = new FrozenThread(5, 0.05, unknown);
    expect(loading.loadLimitMs).toBe(50);
    await sleep(120);
    expect(loading.judge(null, working)).toBe('load');
    // Loaded, a unit frozen before its first execution has the same load limit.
    loading.mark(7);
    await sleep(120);
    expect(loading.judge(7, { ...working, executing: false })).toBe('load');
  });
});

describe('Runaways: the failure and the trace of a unit that ran away', () => {
  const scenario = defineScenario({
    name: 'spinner',
    description: 'one task that yields twice',
    variants: { only: { expect: 'pass' } },
    run: async (t) => {
      const a = t.spawn('a', async () => {
        await t.yield();
        await t.yield();
      });
      await a.join();
    },
  });

  it('caught names the task and step; traced rebuilds the schedule up to the runaway pick, which replays; other units are left alone', async () => {
    const target = makeTarget(scenario, { variant: 'only' });
    // The first two decisions of a run (first-enabled past none recorded), as the heartbeat
    // logged them: the second picks "a", which the pulse says then spun.
    const run = await replayDecisions(target, [], { lenient: true });
    const log = run.decisions.slice(0, 2);
    const pulse: Pulse = { beats: 9, execution: 3, step: 1, task: 1, steps: 12, log };
    const runaways = new Runaways<string>(0.25);
    const failure = runaways.caught('0.1', pulse, ['main', 'a'], 'execution 3 of search unit 0, part 1');
    expect(failure).toMatchObject({ kind: 'livelock', task: 'a', step: 2 });
    expect(failure.message).toBe('livelock: task "a" ran for more than 0.25 s without reaching a scheduling point (a runaway loop that never awaits an interleave operation?) after step 1 of execution 3 of search unit 0, part 1');
    const unit: { failure: Failure | null; trace: Trace | null; executions: number } = { failure, trace: null, executions: 4 };
    const traced = await runaways.traced('0.1', unit, () => target, (p) => ({ name: 'dfs', execution: p.execution }));
    expect(traced.executions).toBe(4);
    expect(traced.trace?.runaway).toEqual({ seconds: 0.25 });
    expect(traced.trace?.strategy).toEqual({ name: 'dfs', execution: 3 });
    expect(traced.trace?.decisions).toEqual(log);
    // A unit that did not run away, or already has its trace, comes back as it was.
    expect(await runaways.traced('0.2', unit, () => target, () => ({ name: 'dfs' }))).toBe(unit);
    const done = { ...traced };
    expect(await runaways.traced('0.1', done, () => target, () => ({ name: 'dfs' }))).toBe(done);
  });
});
