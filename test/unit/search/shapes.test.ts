import { describe, expect, it } from 'vitest';
import { explore, replayTrace, search, type ScenarioDefinition } from 'interleave';
import writersChecker from '../../fixtures/search/writers-checker.js';
import twoStage from '../../fixtures/shapes/two-stage.js';
import lockPerWriter from '../../fixtures/shapes/lock-per-writer.js';
import philosophers from '../../fixtures/shapes/dining-philosophers.js';

/**
 * Issue 26's program shapes (test/fixtures/shapes/, writers-checker): the bugs each bounded
 * search finds, at which minimal bound and after how many executions, and the portfolio's
 * executions to the first failure for seeds 1-5. The counts are deterministic; bench/shapes.mjs
 * measures the same programs at their full sizes (docs/bench.md, "Program shapes"), and
 * test/unit/search/shapesProofs.test.ts proves the fixed variants up to bound 2.
 */
type Any = ScenarioDefinition<Record<string, unknown>>;

/** A bounded search of the buggy variant: its failure, minimal bound, executions, and that its trace replays with that many preemptions. */
async function bug(scenario: Any, strategy: 'db' | 'pb', params: Record<string, unknown>, bound = 8): Promise<[string | undefined, number | null | undefined, number]> {
  const r = await search(scenario, { variant: 'buggy', strategy, params, preemptionBound: bound });
  expect(r.trace?.counts.preemptions).toBe(r.bound?.minimalFailing);
  expect((await replayTrace(scenario, r.trace!)).outcome).toBe('reproduced');
  return [r.failure?.kind, r.bound?.minimalFailing, r.executions];
}

describe('db on the shapes', () => {
  it('finds the one-preemption bugs at delay bound 1 within 10 executions: writers-checker and lock-per-writer, 10 and 20 writers', async () => {
    expect(await bug(writersChecker as Any, 'db', { writers: 20 })).toEqual(['assertion', 1, 3]);
    expect(await bug(lockPerWriter as Any, 'db', { writers: 10 })).toEqual(['assertion', 1, 9]);
    expect(await bug(lockPerWriter as Any, 'db', { writers: 20 })).toEqual(['assertion', 1, 9]);
  });

  it('needs one delay per stager on two-stage (the reader, spawned last, runs only after every stager is skipped) and n - 1 on the philosophers', async () => {
    expect(await bug(twoStage as Any, 'db', { stagers: 1 })).toEqual(['assertion', 1, 13]);
    expect(await bug(twoStage as Any, 'db', { stagers: 2 })).toEqual(['assertion', 2, 178]);
    expect(await bug(philosophers as Any, 'db', { philosophers: 2 })).toEqual(['deadlock', 1, 12]);
    expect(await bug(philosophers as Any, 'db', { philosophers: 3 })).toEqual(['deadlock', 2, 129]);
  });
});

describe('pb (with its reduction) on the shapes', () => {
  it('finds the philosophers\' deadlock with 1 preemption for any n, after bound 0\'s orders of whole philosophers (3 and 4 here; 5 and 6 in test/long/shapes.test.ts)', async () => {
    expect(await bug(philosophers as Any, 'pb', { philosophers: 3 })).toEqual(['deadlock', 1, 23]);
    expect(await bug(philosophers as Any, 'pb', { philosophers: 4 })).toEqual(['deadlock', 1, 94]);
  });

  it('finds two-stage with 1 preemption, after bound 0 holds every order of whole stagers (growing about (stagers + 1)!; 3 stagers in test/long/shapes.test.ts)', async () => {
    expect(await bug(twoStage as Any, 'pb', { stagers: 1 })).toEqual(['assertion', 1, 5]);
    expect(await bug(twoStage as Any, 'pb', { stagers: 2 })).toEqual(['assertion', 1, 41]);
  });
});

describe('the portfolio on the shapes', () => {
  /**
   * The failure kind found with each of seeds 1-5 within 1,000 executions (undefined: none), each
   * failure's member named in its trace. Not the counts: which member runs which execution is the
   * portfolio's to change (docs/bench.md has the counts of a run).
   */
  async function portfolio(scenario: Any, params: Record<string, unknown>): Promise<(string | undefined)[]> {
    const found: (string | undefined)[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = await explore(scenario, { variant: 'buggy', params, strategy: 'portfolio', seed, iterations: 1000 });
      if (r.failure !== null) expect(r.trace?.strategy.member).toEqual(expect.any(String));
      found.push(r.failure?.kind);
    }
    return found;
  }

  it('finds every bug of writers-checker, lock-per-writer and the philosophers (3, 5, 7) within 1,000 executions for seeds 1-5', async () => {
    const assertion = ['assertion', 'assertion', 'assertion', 'assertion', 'assertion'];
    const deadlock = ['deadlock', 'deadlock', 'deadlock', 'deadlock', 'deadlock'];
    expect(await portfolio(writersChecker as Any, { writers: 10 })).toEqual(assertion);
    expect(await portfolio(writersChecker as Any, { writers: 20 })).toEqual(assertion);
    expect(await portfolio(lockPerWriter as Any, { writers: 10 })).toEqual(assertion);
    expect(await portfolio(lockPerWriter as Any, { writers: 20 })).toEqual(assertion);
    for (const n of [3, 5, 7]) expect(await portfolio(philosophers as Any, { philosophers: n })).toEqual(deadlock);
  });
});
