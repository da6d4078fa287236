import { describe, expect, it } from 'vitest';
import { makeTarget, replayDecisions, replayTrace, traceOf, type ScenarioDefinition, type Trace } from 'interleave';
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
});
