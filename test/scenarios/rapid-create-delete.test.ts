import { describe, expect, it } from 'vitest';
import { search } from 'interleave';
import scenario from '../../scenarios/rapid-create-delete.js';
import { boundedSearch, exploreVariant, replayCommitted } from './_scenarios-a.js';

/** seed 001, Scenario 1 and issues 1-3: check-then-act on progress_streams / running_processes. */
describe('rapid-create-delete', () => {
  it('buggy: a KeyError on the shared dicts within the declared budget', async () => {
    const r = await exploreVariant(scenario, 'buggy');
    expect(r.failure?.kind).toBe(scenario.variants.buggy!.expect);
    expect(r.failure?.error?.name).toBe('KeyError');
    expect(r.failure?.error?.message).toMatch(/^"plan-[A-C]" not in (progress_streams|running_processes)$/);
    expect(r.executions).toBeLessThanOrEqual(scenario.budget!.iterations!);
  });

  it('finding: the KeyError is always on the failing thread\'s own plan, and one plan is enough', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = await exploreVariant(scenario, 'buggy', { seed });
      expect(r.failure?.kind).toBe('exception');
      const key = /"(plan-[A-C])"/.exec(r.failure!.error!.message)![1]!;
      // pipeline-plan-B, sse-plan-B and http-delete-plan-A only ever fail on their own plan's key:
      // another plan's `del progress_streams[other]` never removes this plan's entry.
      expect(r.failure!.task!.endsWith(key)).toBe(true);
    }
    const single = await exploreVariant(scenario, 'buggy', { params: { plans: 1 } });
    expect(single.failure?.error?.message).toMatch(/^"plan-A" not in /);
  });

  it('fixed: clean on every schedule for one plan (dfs, exhaustive), the size the bug needs', async () => {
    const r = await search(scenario, { variant: 'fixed', params: { plans: 1, messages: 1 }, maxExecutions: 5000 });
    expect(r.failure).toBeNull();
    expect([r.complete, r.completeExecutions]).toEqual([true, 350]);
  });

  it('fixed: clean under random exploration with 3 plans (500 schedules)', async () => {
    const r = await exploreVariant(scenario, 'fixed', { iterations: 500, params: { plans: 3, messages: 1 } });
    expect(r.failure).toBeNull();
    expect(r.executions).toBe(500);
  });

  it('the same pb search finds the buggy KeyError, with one preemption', async () => {
    const r = await boundedSearch(scenario, 'buggy', { plans: 1, messages: 1 }, 2);
    expect(r.failure?.kind).toBe('exception');
  });

  it('the committed buggy trace replays to its KeyError', async () => {
    const { trace, report } = await replayCommitted(scenario, 'buggy', 'exception');
    expect(trace.failure?.error?.name).toBe('KeyError');
    expect(report.outcome).toBe('reproduced');
    expect(report.result.failure?.message).toBe(trace.failure!.message);
  });
});
