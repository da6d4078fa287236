import { describe, expect, it } from 'vitest';
import { makeTarget, replayDecisions, replayTrace, ReplayStrategy, traceOf, type ScenarioDefinition, type Trace } from 'interleave';
import { FirstEnabledStrategy } from '../../src/strategies/roundRobin.js';
import { sessionRace, type Change } from '../fixtures/changed/_sessionRace.js';

const scenario = (change: Change): ScenarioDefinition<object> => sessionRace(change) as ScenarioDefinition<object>;

/**
 * The buggy trace a user saves before editing the scenario: main sets s1, the reader checks it,
 * the closer preempts and deletes it, the reader's get throws (step 7).
 */
async function buggyTrace(): Promise<Trace> {
  const target = makeTarget(scenario('none'), { variant: 'buggy' });
  const trace = traceOf(target, { name: 'random', seed: 1 }, await replayDecisions(target, [0, 0, 1, 1, 2, 2, 1]));
  expect(trace.failure?.message).toBe('exception: KeyError: "s1" not in sessions in task "reader" (step 7)');
  return trace;
}

describe('replayTrace after the scenario changed', () => {
  it('unchanged: reproduced, and the replay stops where the trace did', async () => {
    const report = await replayTrace(scenario('none'), await buggyTrace());
    expect(report.outcome).toBe('reproduced');
    expect(report.continuedFrom).toBeUndefined();
  });

  it('fixed (try/catch around the racing get): the run goes on first-enabled past the trace and passes now', async () => {
    const report = await replayTrace(scenario('catch'), await buggyTrace());
    expect(report.outcome).toBe('passes-now');
    expect(report.message).toBe("passes now: the recorded exception no longer happens; past the trace's 7 decisions the run went on first-enabled from step 7 to a clean end at step 9");
    expect(report.continuedFrom).toBe(7);
    expect(report.result.failure).toBeNull();
    // The recorded decisions, then main joins reader and closer (first-enabled).
    expect(report.result.decisions).toEqual([0, 0, 1, 1, 2, 2, 1, 0, 0]);
  });

  it('the same kind of failure later on: still failing, both failures named', async () => {
    const report = await replayTrace(scenario('retry'), await buggyTrace());
    expect(report.outcome).toBe('different-failure');
    expect(report.message).toBe(
      'still failing, elsewhere: exception: KeyError: "s1" not in sessions in task "reader" (step 8); the trace recorded exception: KeyError: "s1" not in sessions in task "reader" (step 7); ' +
        "past the trace's 7 decisions the run went on first-enabled from step 7",
    );
  });

  it('another failure past the trace: different failure, named', async () => {
    const report = await replayTrace(scenario('recheck'), await buggyTrace());
    expect(report.outcome).toBe('different-failure');
    expect(report.result.failure?.kind).toBe('assertion');
    expect(report.message).toMatch(/^different failure: assertion: AssertionFailure: session s1 is gone in task "main" \(step 10\); the trace recorded exception: KeyError: .* \(step 7\); past the trace's 7 decisions/);
  });

  it('a task that announces an operation where the trace shows it finishing: diverged at that step, naming that task', async () => {
    const report = await replayTrace(scenario('closer-set'), await buggyTrace());
    expect(report.outcome).toBe('diverged');
    expect(report.message).toBe('diverged at step 6: closer announced set sessions["y"] where the trace recorded finish');
    expect(report.divergence).toEqual({ step: 6, expected: 'closer: finish', actual: 'closer: set sessions["y"]' });
    // The set never ran (the reader's get failed first): only the announcement shows the change.
    expect(report.result.events?.some((e) => e.task === 'closer' && e.op === 'set')).toBe(false);
  });

  it('a task that announces another operation within the trace: diverged at its step, recorded and now', async () => {
    const report = await replayTrace(scenario('closer-s2'), await buggyTrace());
    expect(report.outcome).toBe('diverged');
    expect(report.message).toBe('diverged at step 5: closer announced delete sessions["s2"] where the trace recorded delete sessions["s1"]');
    expect(report.divergence).toEqual({ step: 5, expected: 'closer: delete sessions["s1"]', actual: 'closer: delete sessions["s2"]' });
  });

  it('a recorded task that is not enabled: diverged at that step, even with a continuation', async () => {
    const trace = await buggyTrace();
    const report = await replayTrace(scenario('catch'), { ...trace, decisions: [0, 0, 1, 1, 7, 2, 1] });
    expect(report.outcome).toBe('diverged');
    expect(report.message).toBe('diverged at step 4: expected task #7 to be enabled; enabled were [reader, closer]');
  });

  it('a recorded pass still passes: reproduced', async () => {
    const target = makeTarget(scenario('none'), { variant: 'fixed' });
    const trace = traceOf(target, { name: 'first-enabled' }, await replayDecisions(target, [0, 0, 1, 1, 1, 1, 1, 0, 2, 2, 2, 2, 0]));
    expect(trace.failure).toBeNull();
    expect((await replayTrace(scenario('none'), trace)).outcome).toBe('reproduced');
    // The catch edit does the same operations on this schedule.
    expect((await replayTrace(scenario('catch'), trace)).outcome).toBe('reproduced');
  });
});

describe('ReplayStrategy with a continuation', () => {
  it('replays the recorded decisions, then lets the continuation choose, and says from which step', async () => {
    const target = makeTarget(scenario('catch'), { variant: 'buggy' });
    const strict = await replayDecisions(target, [0, 0, 1]);
    expect(strict.divergence?.message).toBe('diverged at step 3: the trace ended but the scenario continues; enabled were [reader, closer]');
    const replay = new ReplayStrategy([0, 0, 1], { then: new FirstEnabledStrategy() });
    const { runExecution } = await import('../../src/run.js');
    const r = await runExecution(target, replay, 0, false);
    expect(r.divergence).toBeNull();
    expect(r.failure).toBeNull();
    expect(r.decisions.slice(0, 3)).toEqual([0, 0, 1]);
    expect(replay.continuedAt).toBe(3);
  });
});
