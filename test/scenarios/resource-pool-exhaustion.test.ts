import { explore } from 'interleave';
import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/resource-pool-exhaustion.js';
import { expectClean, expectCommittedTraceReplays, expectDeclaredFailure, expectExhaustivelyClean } from './_scenarios-b.js';

const s = scenario as never;
const POOL = 'semaphore "resource_pool" (no permits)';

describe('resource-pool-exhaustion (seed 004, Deadlock Scenario 2)', () => {
  it('buggy: every worker holds one unit and waits for another (cycle through resource_pool)', async () => {
    const { failure } = await expectDeclaredFailure(s, 'buggy');
    expect(failure.message).toBe(`deadlock: worker-1 -[${POOL}]-> worker-2 -[${POOL}]-> worker-1`);
    expect(new Set(failure.tasks)).toEqual(new Set(['worker-1', 'worker-2']));
    expect(failure.cycle!.every((e) => e.resource === POOL)).toBe(true);
  });

  it('buggy with 3 workers: deadlock; the reported cycle runs between workers through resource_pool', async () => {
    const r = await explore(s, { variant: 'buggy', params: { workers: 3 }, iterations: 300 });
    expect(r.failure?.kind).toBe('deadlock');
    // Every worker holds a unit, so any two of them already form a cycle: the detector reports one.
    expect(r.failure!.tasks.every((t) => /^worker-[123]$/.test(t))).toBe(true);
    expect(r.failure!.cycle!.length).toBeGreaterThanOrEqual(2);
    expect(r.failure!.cycle!.every((e) => e.resource === POOL && e.task !== e.holder)).toBe(true);
  });

  it('fixed: timeout-based allocation never deadlocks or leaks a unit, every schedule (dfs, 2 and 3 workers)', async () => {
    await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' });
    await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' }, { workers: 3 });
    expect(await expectClean(s, 'fixed', 300, [4], { workers: 4 })).toBe(300);
  });

  it('every-task-completes: with the timeout fix a task fails allocation instead of running', async () => {
    const { failure } = await expectDeclaredFailure(s, 'every-task-completes');
    expect(failure.message).toMatch(/^assertion: AssertionFailure: allocation failed instead of deadlocking: worker-\d \(ResourceAllocationTimeout after 1000 ms\)/);
  });

  it('every-task-completes: on some schedules every task fails (both time out together and release)', async () => {
    let allFailed = false;
    for (let seed = 1; seed <= 40 && !allFailed; seed++) {
      const r = await explore(s, { variant: 'every-task-completes', seed, iterations: 1 });
      allFailed = r.failure?.message.includes('completed: none') ?? false;
    }
    expect(allFailed).toBe(true);
  });

  it('atomic-allocation: all units under the resource manager lock, every task completes, every schedule (dfs, 2 and 3 workers)', async () => {
    await expectExhaustivelyClean(s, 'atomic-allocation', { strategy: 'dfs' });
    await expectExhaustivelyClean(s, 'atomic-allocation', { strategy: 'dfs' }, { workers: 3 });
  });

  it.each(['buggy', 'every-task-completes'])('the committed %s trace replays to its failure', async (variant) => {
    await expectCommittedTraceReplays(s, variant);
  });
});
