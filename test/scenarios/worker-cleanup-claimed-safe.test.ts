import { explore } from 'interleave';
import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/worker-cleanup-claimed-safe.js';
import { expectCommittedTraceReplays, expectDeclaredFailure, expectExhaustivelyClean } from './_scenarios-b.js';

const s = scenario as never;

describe('worker-cleanup-claimed-safe (seed 002, Worker Thread Lifecycle)', () => {
  it('buggy: the idle preview worker never sees cancel/interrupt/quit; wait(5000) times out and the thread leaks', async () => {
    const { failure, result } = await expectDeclaredFailure(s, 'buggy');
    expect(failure.message).toBe('leak: main finished but tasks never did: preview-worker waits on queue "request_queue" (empty)');
    expect(failure.blocked).toEqual([{ task: 'preview-worker', waitsOn: 'queue "request_queue" (empty)' }]);
    // No deadlock, as claimed: cleanup returned after its 5000 ms timeout (wait() -> false).
    const wait = result.trace!.events.find((e) => e.task === 'main' && e.op === 'join' && e.obj === 'preview-worker' && e.note !== 'blocked');
    expect(wait?.result).toBe('timeout');
    expect(wait?.time).toBe(5030); // the preview was shown at t=30, cleanup_worker started then
  });

  it('slow-items: checking cancellation every 100 items of 70 ms outlives wait(5000); cleanup returns with the thread running', async () => {
    const { failure } = await expectDeclaredFailure(s, 'slow-items');
    expect(failure.message).toMatch(
      /^assertion: AssertionFailure: thread leak: extraction-worker still running after cleanup_worker returned \(wait\(5000\) -> false; not terminated, no longer tracked\)/,
    );
  });

  it('slow-items with 40 ms items: the next check (t=4000) comes before the deadline (t=6000), cleanup succeeds', async () => {
    const r = await explore(s, { variant: 'slow-items', params: { itemMs: 40 }, iterations: 50 });
    expect(r.failure).toBeNull();
  });

  it('fixed: sentinel wake-up and per-item checks: every schedule stops both workers within the timeout (dfs)', async () => {
    // With 70 ms items the extraction worker's checks (t=30+70k) never fall on main's cleanup tick
    // (t=1030): time alone orders every conflicting pair, one trace (plain dfs: 180 schedules).
    const r = await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' });
    expect(r.completeExecutions).toBe(1);
    // With 50 ms items a check falls on t=1030, in the same instant as the cleanup's flag writes:
    // the check reads each flag before or after its write (3 traces; plain dfs: 59940 schedules).
    const aligned = await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' }, { itemMs: 50 });
    expect(aligned.completeExecutions).toBe(3);
  });

  it.each(['buggy', 'slow-items'])('the committed %s trace replays to its failure', async (variant) => {
    await expectCommittedTraceReplays(s, variant);
  });
});
