import { describe, expect, it } from 'vitest';
import { search, type ScenarioDefinition } from 'interleave';
import { formatSearchOutcome } from '../../src/report/text.js';
import lostUpdate from '../fixtures/scenarios/lost-update.js';

describe('the summary of an unfinished search says why it stopped', () => {
  it('budget, time limit, interrupt', async () => {
    const s = lostUpdate as ScenarioDefinition<object>;
    const budget = await search(s, { variant: 'fixed', maxExecutions: 1 });
    expect(formatSearchOutcome(budget)).toMatch(/^stopped at budget after 1 execution \(\d+ complete executions?.*\): no failure so far, not complete$/);
    const interrupted = await search(s, { variant: 'fixed', shouldStop: () => true, timeLimitMs: 60_000 });
    const wording = formatSearchOutcome({ ...interrupted, stoppedBy: 'interrupted', complete: false });
    expect(wording).toMatch(/^interrupted after \d+ executions?/);
    expect(formatSearchOutcome({ ...interrupted, stoppedBy: 'time', complete: false })).toMatch(/^stopped at the time limit after \d+ executions?/);
    expect(formatSearchOutcome({ ...budget, stoppedBy: 'exhausted', complete: false })).toMatch(/^every branch explored, but executions were cut at the depth limit/);
  });
});

describe('counts of executions read as English', () => {
  it('one execution, two executions', async () => {
    const s = lostUpdate as ScenarioDefinition<object>;
    const one = await search(s, { variant: 'fixed', maxExecutions: 1 });
    expect(formatSearchOutcome(one)).toContain('after 1 execution (');
    expect(formatSearchOutcome({ ...one, executions: 2 })).toContain('after 2 executions (');
  });
});
