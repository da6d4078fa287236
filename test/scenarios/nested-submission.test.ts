import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/nested-submission.js';
import { exhaust, exploreVariant, replayCommitted } from './_scenarios-a.js';

const QUEUED = /^result of task-B\d#\d+ \(queued: every worker of pool "parallel_executor" is busy\)$/;

/** seed 004, Deadlock Scenario 1: nested submission to a bounded pool. */
describe('nested-submission', () => {
  it('buggy: deadlock whose cycle runs through every worker of the pool, each waiting for a queued child', async () => {
    const r = await exploreVariant(scenario, 'buggy');
    expect(r.failure?.kind).toBe(scenario.variants.buggy!.expect);
    const cycle = r.failure!.cycle!;
    expect(new Set(cycle.map((e) => e.task))).toEqual(new Set(['parallel_executor-worker-1', 'parallel_executor-worker-2']));
    expect(new Set(cycle.map((e) => e.holder))).toEqual(new Set(['parallel_executor-worker-1', 'parallel_executor-worker-2']));
    for (const e of cycle) expect(e.resource).toMatch(QUEUED);
    expect(r.executions).toBeLessThanOrEqual(scenario.budget!.iterations!);
  });

  it('buggy with three workers: the cycle goes through all three', async () => {
    const r = await exploreVariant(scenario, 'buggy', { params: { workers: 3 } });
    expect(r.failure?.kind).toBe('deadlock');
    expect(new Set(r.failure!.cycle!.map((e) => e.task)).size).toBeGreaterThanOrEqual(2);
    for (const e of r.failure!.cycle!) expect(e.resource).toMatch(QUEUED);
  });

  it("timeout (the audit's prevention): the deadlock becomes a TimeoutError the submitter re-raises", async () => {
    const r = await exploreVariant(scenario, 'timeout');
    expect(r.failure?.kind).toBe(scenario.variants.timeout!.expect);
    expect(r.failure?.task).toBe('main');
    expect(r.failure?.error?.name).toBe('TimeoutError');
    expect(r.failure?.error?.message).toMatch(/^result of task-B\d#\d+ not ready after 30000ms$/);
  });

  it('fixed: no worker blocks on a child; exhaustive (dfs) with 2 workers', async () => {
    const r = await exhaust(scenario, 'fixed', { workers: 2 });
    expect(r.failure).toBeNull();
    expect(r.complete).toBe(true);
  });

  it('fixed: clean under random exploration with 3 workers (500 schedules)', async () => {
    const r = await exploreVariant(scenario, 'fixed', { iterations: 500, params: { workers: 3 } });
    expect(r.failure).toBeNull();
  });

  it('the same dfs search finds the buggy deadlock', async () => {
    const r = await exhaust(scenario, 'buggy', { workers: 2 });
    expect(r.failure?.kind).toBe('deadlock');
  });

  it('the committed traces replay to their failures', async () => {
    for (const [variant, kind] of [['buggy', 'deadlock'], ['timeout', 'exception']] as const) {
      const { trace, report } = await replayCommitted(scenario, variant, kind);
      expect(report.outcome).toBe('reproduced');
      expect(report.result.failure?.message).toBe(trace.failure!.message);
    }
  });
});
