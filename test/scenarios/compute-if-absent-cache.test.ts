import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/compute-if-absent-cache.js';
import { expectClean, expectCommittedTraceReplays, expectDeclaredFailure, expectExhaustivelyClean } from './_scenarios-b.js';

const s = scenario as never;

describe('compute-if-absent-cache (seed 003, Computation Cache)', () => {
  it('buggy: unsynchronized get -> compute -> put computes a shared key twice', async () => {
    const { failure } = await expectDeclaredFailure(s, 'buggy');
    expect(failure.message).toMatch(/^assertion: AssertionFailure: duplicate computation: compute_fn\((sum_numbers|mean)\) ran 2 times/);
  });

  it('lru-corruption: racing evictions and MRU updates break the LRU bookkeeping or the stats', async () => {
    const { failure } = await expectDeclaredFailure(s, 'lru-corruption');
    expect(failure.message).toMatch(/max_size is 2|_access_order|access_count is \d+ after 4 lookups|hits \+ misses/);
    expect(failure.message).not.toMatch(/duplicate computation/);
  });

  it("locked-get-put: the audit's wrapper without compute_if_absent still computes twice (its own atomicity note)", async () => {
    const { failure } = await expectDeclaredFailure(s, 'locked-get-put');
    expect(failure.message).toMatch(/^assertion: AssertionFailure: duplicate computation: compute_fn\(\w+\) ran 2 times in task "main"/);
  });

  it('nested-compute: a compute_fn that uses the cache deadlocks on the non-reentrant _lock', async () => {
    const { failure } = await expectDeclaredFailure(s, 'nested-compute');
    expect(failure.message).toBe('deadlock: worker1 -[lock "_lock"]-> worker1');
    expect(failure.cycle).toEqual([{ task: 'worker1', resource: 'lock "_lock"', holder: 'worker1' }]);
  });

  it('fixed: compute_if_absent is clean on both workloads, every schedule (dfs, 2 workers)', async () => {
    const r = await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' });
    expect(r.completeExecutions).toBeGreaterThan(10);
  });

  it('fixed with 3 workers and max_size 3: clean (random, 1000 executions)', async () => {
    expect(await expectClean(s, 'fixed', 1000, [1], { workers: 3, maxSize: 3 })).toBe(1000);
  });

  it.each(['buggy', 'lru-corruption', 'locked-get-put', 'nested-compute'])('the committed %s trace replays to its failure', async (variant) => {
    await expectCommittedTraceReplays(s, variant);
  });
});
