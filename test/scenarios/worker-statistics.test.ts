import { explore, search } from 'interleave';
import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/worker-statistics.js';
import { expectClean, expectCommittedTraceReplays, expectDeclaredFailure, expectExhaustivelyClean } from './_scenarios-b.js';

const s = scenario as never;

describe('worker-statistics (seed 004, worker_stats and Agent Statistics)', () => {
  it('buggy: unlocked += loses updates', async () => {
    const { failure } = await expectDeclaredFailure(s, 'buggy');
    expect(failure.message).toMatch(/^assertion: AssertionFailure: lost update: /);
  });

  it('buggy: every audited counter loses updates on some schedule, and the defaultdict factory races', async () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const r = await explore(s, { variant: 'buggy', seed, iterations: 1 });
      const m = r.failure?.message ?? '';
      for (const what of ['analysis_count is', 'agent total_time is', "['tasks_completed'] is", "['total_time'] is", 'defaultdict factory ran 2 times']) if (m.includes(what)) seen.add(what);
    }
    expect([...seen].sort()).toEqual(["['tasks_completed'] is", "['total_time'] is", 'agent total_time is', 'analysis_count is', 'defaultdict factory ran 2 times'].sort());
  });

  it('fixed: the stats locks make every update count, every schedule (dfs, 2 workers)', async () => {
    // The workers' sleeps end at the same instant; after that tick only the two locks order them
    // (docs/search.md, "Virtual time"): 2 orders of agent._lock x 2 of _stats_lock.
    const r = await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' });
    expect([r.completeExecutions, r.sleepBlocked]).toEqual([4, 3]);
  });

  it('the same dfs search finds the buggy lost update', async () => {
    const r = await search(s, { variant: 'buggy', maxExecutions: 1000 });
    expect(r.failure?.message).toMatch(/^assertion: AssertionFailure: lost update: /);
  });

  it('fixed with 3 workers: clean (random, 1000 executions)', async () => {
    expect(await expectClean(s, 'fixed', 1000, [1], { workers: 3 })).toBe(1000);
  });

  it('the committed buggy trace replays to its failure', async () => {
    await expectCommittedTraceReplays(s, 'buggy');
  });
});
