import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkSearchState, explore, initialSearchState, makeTarget, replayTrace, runExecution, search, type ScenarioContext, type ScenarioDefinition, type Strategy } from 'interleave';
import { delayOrder, delaysOf } from '../../../src/strategies/delayOrder.js';
import { program } from './programs.js';
import writersChecker from '../../fixtures/search/writers-checker.js';
import lostUpdate from '../../fixtures/scenarios/lost-update.js';
import lockOrder from '../../fixtures/scenarios/lock-order.js';

/**
 * Delay bounding (`db`) against a brute-force reference: on small generated programs, the
 * schedules db explores at bound d are exactly the schedules of the program whose delays (counted
 * by an independent scan over task ids, below) are at most d, each once.
 */
type Op = { kind: 'read' | 'write' | 'locked'; v: number } | { kind: 'yield' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('read' as const, 'write' as const, 'locked' as const), v: fc.integer({ min: 0, max: 1 }) }),
  fc.constant({ kind: 'yield' as const }),
);
/** Steps of a program: main's (1, or 2 with its join), and per task its start plus each operation's (a critical section takes 3). */
const stepsOf = (p: { tasks: Op[][]; join: boolean }): number => (p.join ? 2 : 1) + p.tasks.reduce((n, ops) => n + 1 + ops.reduce((m, op) => m + (op.kind === 'locked' ? 3 : 1), 0), 0);
/** 2-3 tasks of 1-2 operations, at most 9 steps in all (at most a few thousand schedules); main joins the first task or not (a blocked main). */
const programArb = fc
  .record({ tasks: fc.array(fc.array(opArb, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 3 }), join: fc.boolean() })
  .filter((p) => stepsOf(p) <= 9);

/**
 * The program as a scenario whose every execution leaves its schedule in `logs`: the id of the
 * task of each step, in order. Main (id 0) pushes at its start and after its join; task i (id
 * i + 1) at its start and after each operation, so each step pushes exactly once (a step is an
 * operation plus the local code up to the next one). The reference checks the log against the
 * decisions it took, so a step that pushed twice or not at all would fail the test.
 */
function generated(p: { tasks: Op[][]; join: boolean }, logs: number[][]): ScenarioDefinition {
  return program('generated', async (t: ScenarioContext) => {
    const log = [0];
    logs.push(log);
    const vars = [t.variable('x', 0), t.variable('y', 0)];
    const lock = t.lock('l');
    const handles = p.tasks.map((ops, i) =>
      t.spawn(`t${i}`, async () => {
        const id = i + 1;
        log.push(id);
        const step = async (op: Promise<unknown>): Promise<void> => {
          await op;
          log.push(id);
        };
        for (const op of ops) {
          if (op.kind === 'read') await step(vars[op.v]!.get());
          else if (op.kind === 'write') await step(vars[op.v]!.update((x) => x + 1));
          else if (op.kind === 'yield') await step(t.yield());
          else {
            await step(lock.acquire());
            await step(vars[op.v]!.update((x) => x + 1));
            await step(lock.release());
          }
        }
      }),
    );
    if (p.join) {
      await handles[0]!.join();
      log.push(0);
    }
  });
}

/**
 * Delays of running `chosen` after `last`, counted the long way: scan the task ids from `last`
 * upwards, wrapping past the largest id to 0, and count the enabled tasks passed over before
 * `chosen`. The same rule as delayOrder.ts, written independently.
 */
function referenceDelays(enabled: readonly number[], last: number, chosen: number): number {
  const top = Math.max(...enabled, last) + 1;
  let passed = 0;
  for (let k = 0; k < top; k++) {
    const id = (Math.max(last, 0) + k) % top;
    if (id === chosen) return passed;
    if (enabled.includes(id)) passed++;
  }
  throw new Error(`task ${chosen} is not enabled`);
}

/** Every schedule of the scenario (plain enumeration of choice indices, an odometer), with its delays. */
async function allSchedules(scenario: ScenarioDefinition, logs: number[][]): Promise<Map<string, number>> {
  const target = makeTarget(scenario);
  const out = new Map<string, number>();
  let prefix: number[] = [];
  for (let n = 0; ; n++) {
    const taken: number[] = [];
    const widths: number[] = [];
    const ids: number[] = [];
    let delays = 0;
    const strategy: Strategy = {
      name: 'reference',
      beginExecution() {},
      chooseTask(view) {
        const i = prefix[taken.length] ?? 0;
        const enabled = view.enabled.map((task) => task.id);
        delays += referenceDelays(enabled, ids.length === 0 ? -1 : ids[ids.length - 1]!, enabled[i]!);
        ids.push(enabled[i]!);
        taken.push(i);
        widths.push(enabled.length);
        return i;
      },
      chooseValue: () => 0,
    };
    logs.length = 0;
    const r = await runExecution(target, strategy, n, false);
    expect(r.failure).toBeNull();
    expect(logs[0]).toEqual(ids);
    expect(out.has(ids.join(' '))).toBe(false);
    out.set(ids.join(' '), delays);
    let k = taken.length - 1;
    while (k >= 0 && taken[k]! + 1 >= widths[k]!) k--;
    if (k < 0) return out;
    prefix = [...taken.slice(0, k), taken[k]! + 1];
  }
}

describe('delay bounding: the round-robin order', () => {
  it('continues from the task that ran last, wraps around by id, and skips blocked tasks for free', () => {
    expect(delayOrder([0, 1, 2, 3], -1)).toEqual([0, 1, 2, 3]);
    expect(delayOrder([0, 1, 2, 3], 2)).toEqual([2, 3, 0, 1]);
    // Task 2 blocked or ended: the next one after it comes first, at no delay.
    expect(delayOrder([0, 1, 3], 2)).toEqual([3, 0, 1]);
    expect(delayOrder([0, 1], 5)).toEqual([0, 1]);
    expect([delaysOf([0, 1, 3], 2, 3), delaysOf([0, 1, 3], 2, 1), delaysOf([0, 1, 3], 2, 2)]).toEqual([0, 2, -1]);
  });
});

describe('delay bounding (db) against a brute-force enumeration', () => {
  it('bound d explores exactly the schedules with at most d delays, each once; bound 0 is one schedule, the round-robin one', async () => {
    await fc.assert(
      fc.asyncProperty(programArb, async (p) => {
        const logs: number[][] = [];
        const scenario = generated(p, logs);
        const all = await allSchedules(scenario, logs);
        // The base scheduler's choice is unique at every point: exactly one schedule has no delay.
        expect([...all.values()].filter((d) => d === 0)).toHaveLength(1);
        for (const bound of [0, 1, 2]) {
          logs.length = 0;
          const round = await search(scenario, { strategy: 'db', preemptionBound: bound, resume: initialSearchState(scenario.name, 'only', 'db', false, bound) });
          const seen = logs.map((l) => l.join(' '));
          const want = [...all].filter(([, d]) => d <= bound).map(([s]) => s);
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.sort()).toEqual(want.sort());
          expect([round.executions, round.failure, round.state.bound]).toEqual([want.length, null, bound]);
        }
        // From bound 0: rounds 0, 1, ... each re-run from the root, until one cuts nothing.
        const maxDelays = Math.max(...all.values());
        const limit = 2;
        const r = await search(scenario, { strategy: 'db', preemptionBound: limit });
        const rounds = Array.from({ length: Math.min(maxDelays, limit) + 1 }, (_, k) => [...all.values()].filter((d) => d <= k).length);
        expect(r.executions).toBe(rounds.reduce((a, b) => a + b, 0));
        expect([r.complete, r.stoppedBy, r.bound]).toEqual([
          maxDelays <= limit,
          maxDelays <= limit ? 'exhausted' : 'bound',
          { limit, reached: Math.min(maxDelays, limit), completeUpTo: Math.min(maxDelays, limit), minimalFailing: null },
        ]);
      }),
      { numRuns: 25, seed: 26 },
    );
  });
});

describe('delay bounding on known bugs', () => {
  it('N writers and one checker, 11 tasks: found at delay bound 1 (the smallest) on the third execution; the trace replays', async () => {
    const r = await search(writersChecker, { variant: 'buggy', strategy: 'db' });
    expect([r.failure?.kind, r.failure?.message, r.stoppedBy, r.executions]).toEqual(['assertion', 'assertion: AssertionFailure: checker saw a writer between its two writes in task "checker" (step 32)', 'failure', 3]);
    expect(r.bound).toEqual({ limit: 2, reached: 1, completeUpTo: 0, minimalFailing: 1 });
    expect([r.trace?.strategy.name, r.trace?.counts.preemptions]).toEqual(['db', 1]);
    expect((await replayTrace(writersChecker, r.trace!)).outcome).toBe('reproduced');
    // Deterministic: the same search gives the same result, the trace byte for byte.
    const again = await search(writersChecker, { variant: 'buggy', strategy: 'db' });
    expect([again.executions, JSON.stringify(again.trace)]).toEqual([r.executions, JSON.stringify(r.trace)]);
  });

  it('the checker spawned first: 2 delays for any number of writers (skip its read, then wrap around to it after the last writer\'s first write)', async () => {
    for (const writers of [2, 10]) {
      const r = await search(writersChecker, { variant: 'checker-first', strategy: 'db', params: { writers } });
      expect([r.failure?.kind, r.bound?.minimalFailing, r.bound?.completeUpTo]).toEqual(['assertion', 2, 1]);
      expect((await replayTrace(writersChecker, r.trace!)).outcome).toBe('reproduced');
    }
  });

  it('a db search saved after 7 executions and resumed (through JSON) runs exactly what the uninterrupted one runs', async () => {
    const options = { variant: 'fixed', strategy: 'db' as const, params: { writers: 3 } };
    const whole = await search(writersChecker, options);
    const first = await search(writersChecker, { ...options, maxExecutions: 7 });
    expect([first.stoppedBy, first.state.mode, first.state.finished]).toEqual(['executions', 'db', false]);
    const rest = await search(writersChecker, { ...options, resume: checkSearchState(JSON.parse(JSON.stringify(first.state))) });
    expect([first.executions + rest.executions, first.steps + rest.steps, rest.stoppedBy, rest.bound]).toEqual([whole.executions, whole.steps, whole.stoppedBy, whole.bound]);
    // A db state is not a pb one.
    await expect(search(writersChecker, { ...options, strategy: 'pb', resume: first.state })).rejects.toThrow('the search state is for writers-checker/fixed (db), not writers-checker/fixed (pb)');
  });

  it('the fixed writers are clean with at most 2 delays (complete up to that bound, not complete)', async () => {
    const r = await search(writersChecker, { variant: 'fixed', strategy: 'db', params: { writers: 4 } });
    expect([r.failure, r.complete, r.stoppedBy, r.bound]).toEqual([null, false, 'bound', { limit: 2, reached: 2, completeUpTo: 2, minimalFailing: null }]);
  });

  it('lost update and the ABBA deadlock need one delay; explore delegates db to the search', async () => {
    const lu = await explore(lostUpdate, { variant: 'buggy', strategy: 'db' });
    expect([lu.failure?.kind, lu.stoppedBy, lu.search?.strategy, lu.search?.bound?.minimalFailing]).toEqual(['assertion', 'failure', 'db', 1]);
    const lo = await search(lockOrder, { variant: 'buggy', strategy: 'db' });
    expect([lo.failure?.kind, lo.bound?.minimalFailing]).toEqual(['deadlock', 1]);
    expect((await replayTrace(lockOrder, lo.trace!)).outcome).toBe('reproduced');
    // A large enough bound sees every schedule: complete.
    const all = await search(lostUpdate, { variant: 'fixed', strategy: 'db', preemptionBound: 20 });
    expect([all.failure, all.complete, all.stoppedBy]).toEqual([null, true, 'exhausted']);
  });
});
