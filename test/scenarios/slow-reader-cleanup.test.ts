import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/slow-reader-cleanup.js';
import { exhaust, exploreVariant, replayCommitted } from './_scenarios-a.js';

/** seed 001, Scenario 3 and issue 4: join(timeout=5.0), then the queue is deleted under a slow reader. */
describe('slow-reader-cleanup', () => {
  it('buggy: the slow stdout reader writes to the queue after cleanup deleted it', async () => {
    const r = await exploreVariant(scenario, 'buggy');
    expect(r.failure?.kind).toBe(scenario.variants.buggy!.expect);
    expect(r.failure?.task).toBe('stdout-reader');
    // Luigi exits at 1 s, join times out at 6 s, line 6 is read at 7 s (8 lines at 1 s each).
    expect(r.failure?.error?.message).toBe('stdout-reader wrote "stdout line 6" at 7000ms to progress_queue after cleanup deleted it from progress_streams: the line is lost');
    expect(r.executions).toBe(1);
  });

  it('buggy: no bug when the reader finishes inside the 5 s join (5 lines at 1 s each)', async () => {
    const r = await exploreVariant(scenario, 'buggy', { params: { stdoutLines: 5 }, iterations: 200 });
    expect(r.failure).toBeNull();
  });

  it("fixed: the audit's stop event + join(timeout=10.0) leaves no write after cleanup (exhaustive dfs, 10 lines)", async () => {
    const r = await exhaust(scenario, 'fixed', { stdoutLines: 10 });
    expect(r.failure).toBeNull();
    expect(r.complete).toBe(true);
  });

  it('finding: the same shutdown drops the output still in the pipe', async () => {
    const r = await exploreVariant(scenario, 'stop-drops-output');
    expect(r.failure?.kind).toBe(scenario.variants['stop-drops-output']!.expect);
    expect(r.failure?.error?.message).toMatch(/^stdout-reader stopped with [67] of 8 lines of Luigi output unread$/);
  });

  it('finding: a reader blocked in readline() outlives join(timeout=10.0), and thread._stop() cannot stop it', async () => {
    const r = await exploreVariant(scenario, 'blocked-reader');
    expect(r.failure?.kind).toBe(scenario.variants['blocked-reader']!.expect);
    expect(r.failure?.task).toBe('pipeline');
    expect(r.failure?.error).toMatchObject({ name: 'AssertionError', message: 'thread._stop() on live stdout-reader: assert not lock.locked() (a Python thread cannot be killed)' });
    // The join gave up at 1 s + 10 s, before the reader's first line (12 s).
    expect(r.trace!.events.some((e) => e.task === 'pipeline' && e.op === 'join' && e.result === 'timeout' && e.time === 11_000)).toBe(true);
  });

  it('the same dfs search finds the buggy lost line', async () => {
    const r = await exhaust(scenario, 'buggy', { stdoutLines: 10 });
    expect(r.failure?.kind).toBe('assertion');
  });

  it('the committed traces replay to their failures', async () => {
    for (const [variant, kind] of [['buggy', 'assertion'], ['stop-drops-output', 'assertion'], ['blocked-reader', 'exception']] as const) {
      const { trace, report } = await replayCommitted(scenario, variant, kind);
      expect(report.outcome).toBe('reproduced');
      expect(report.result.failure?.message).toBe(trace.failure!.message);
    }
  });
});
