import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/blocking-queued-signal.js';
import { exhaust, exploreVariant, replayCommitted } from './_scenarios-a.js';

/** seed 000 §2.2: nodeOutputChanged over a BlockingQueuedConnection while the GUI thread waits for the pool. */
describe('blocking-queued-signal', () => {
  it('buggy: deadlock between a pool worker (waiting for the GUI thread) and main (waiting in waitForDone)', async () => {
    const r = await exploreVariant(scenario, 'buggy');
    expect(r.failure?.kind).toBe(scenario.variants.buggy!.expect);
    const cycle = r.failure!.cycle!;
    expect(cycle).toHaveLength(2);
    const worker = cycle.find((e) => e.task !== 'main')!;
    expect(worker.task).toMatch(/^QThreadPool-worker-\d$/);
    expect(worker).toMatchObject({ resource: 'lock "GUI thread"', holder: 'main' });
    expect(cycle.find((e) => e.task === 'main')).toEqual({ task: 'main', resource: `join ${worker.task}`, holder: worker.task });
    expect(r.executions).toBeLessThanOrEqual(scenario.budget!.iterations!);
  });

  it('fixed: QueuedConnection never blocks a worker on the GUI thread; every output is shown; exhaustive (dfs) with 2 workers', async () => {
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

  it('the committed buggy trace replays to its deadlock', async () => {
    const { trace, report } = await replayCommitted(scenario, 'buggy', 'deadlock');
    expect(report.outcome).toBe('reproduced');
    expect(report.result.failure?.cycle).toEqual(trace.failure!.cycle);
  });
});
