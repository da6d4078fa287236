import { describe, expect, it } from 'vitest';
import { search, type ScenarioDefinition } from 'interleave';
import writersChecker from '../../fixtures/search/writers-checker.js';
import philosophers from '../../fixtures/shapes/dining-philosophers.js';

/**
 * Issue 26's acceptance for the fixed shapes with about 10 tasks: db proves each clean on every
 * schedule with at most 2 delays (complete up to that bound). Reduced pb does it only where the
 * tasks are mostly independent (3 philosophers here; docs/search.md says why the others' bound 0
 * alone is every order of whole tasks), and dfs proves the philosophers outright.
 */
type Any = ScenarioDefinition<Record<string, unknown>>;

async function proof(scenario: Any, strategy: 'db' | 'pb', params: Record<string, unknown>): Promise<[unknown, unknown, number]> {
  const r = await search(scenario, { variant: 'fixed', strategy, params, preemptionBound: 2 });
  return [r.failure, r.bound, r.executions];
}
const upTo2 = { limit: 2, reached: 2, completeUpTo: 2, minimalFailing: null };

describe('the fixed shapes, up to bound 2', () => {
  it('db: writers-checker (10 writers and a checker), 7 philosophers (lock-per-writer and two-stage with 10 tasks: test/long/shapes.test.ts)', async () => {
    expect(await proof(writersChecker as Any, 'db', { writers: 10 })).toEqual([null, upTo2, 908]);
    expect(await proof(philosophers as Any, 'db', { philosophers: 7 })).toEqual([null, upTo2, 971]);
  });

  it('pb: 3 philosophers; dfs: 7 philosophers, every schedule', async () => {
    expect(await proof(philosophers as Any, 'pb', { philosophers: 3 })).toEqual([null, upTo2, 320]);
    const all = await search(philosophers as Any, { variant: 'fixed', params: { philosophers: 7 } });
    expect([all.failure, all.complete, all.executions]).toEqual([null, true, 825]);
  });
});
