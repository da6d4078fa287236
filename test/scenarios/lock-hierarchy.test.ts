import { explore, search } from 'interleave';
import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/lock-hierarchy.js';
import { expectClean, expectCommittedTraceReplays, expectDeclaredFailure, expectExhaustivelyClean } from './_scenarios-b.js';

const s = scenario as never;

describe('lock-hierarchy (seed 004, Appendix: Lock Hierarchy)', () => {
  it('buggy: worker (2 -> 3) and progress-reporter (3 -> 2) deadlock', async () => {
    const { failure } = await expectDeclaredFailure(s, 'buggy');
    expect(failure.message).toBe('deadlock: worker-1 -[lock "_worker_stats_lock"]-> progress-reporter -[lock "_task_state_lock"]-> worker-1');
    expect(new Set(failure.tasks)).toEqual(new Set(['worker-1', 'progress-reporter']));
    expect(failure.cycle!.map((e) => e.resource).sort()).toEqual(['lock "_task_state_lock"', 'lock "_worker_stats_lock"']);
  });

  it('lock-order-warning: no schedule deadlocks, yet every schedule flags the inversion', async () => {
    const { failure } = await expectDeclaredFailure(s, 'lock-order-warning');
    expect(failure.message).toBe(
      'potential-deadlock: worker-1 took lock "_task_state_lock" then lock "_worker_stats_lock", progress-reporter took lock "_worker_stats_lock" then lock "_task_state_lock"',
    );
    expect(failure.locks).toEqual(['_task_state_lock', '_worker_stats_lock']);
    // Without failOnLockOrder the same variant passes every schedule (exhaustive) with the warning.
    const all = await search(s, { variant: 'lock-order-warning', strategy: 'dfs', failOnLockOrder: false });
    expect(all.complete).toBe(true);
    expect(all.failure).toBeNull();
    expect(all.warnings.map((w) => w.kind)).toEqual(['potential-deadlock']);
  });

  it('fixed: the documented order (2 -> 3 -> 4) everywhere: no deadlock and no inversion, every schedule (dfs, 1 and 2 workers)', async () => {
    const r = await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' });
    expect(r.warnings).toEqual([]);
    await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' }, { workers: 2 });
    expect(await expectClean(s, 'fixed', 500, [1], { workers: 3 })).toBe(500);
  });

  it('buggy with 3 workers still deadlocks through the same two locks', async () => {
    const r = await explore(s, { variant: 'buggy', params: { workers: 3 } });
    expect(r.failure?.kind).toBe('deadlock');
    expect(r.failure!.tasks).toContain('progress-reporter');
  });

  it.each(['buggy', 'lock-order-warning'])('the committed %s trace replays to its failure', async (variant) => {
    await expectCommittedTraceReplays(s, variant);
  });
});
