import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeTrace, replayTrace, search, type ScenarioDefinition, type Trace } from 'interleave';
import { mergeSearchShardRuns, searchParallel, type SearchParallelOptions, type SearchShardRun } from '../../../src/parallel/index.js';
import { combinePieces, type PieceResult } from '../../../src/parallel/pieces.js';
import { WorkerGroup } from '../../../src/parallel/workerGroup.js';
import type { UnitResult } from '../../../src/parallel/searchUnits.js';
import programs from '../../fixtures/search/search-programs.js';
import lateFailuresScenario from './fixtures/late-failures.js';
import circuitBreaker from '../../../scenarios/circuit-breaker.js';

const searchPrograms = fileURLToPath(new URL('../../fixtures/search/search-programs.ts', import.meta.url));
const lateFailures = fileURLToPath(new URL('./fixtures/late-failures.ts', import.meta.url));
const audit = (name: string): string => fileURLToPath(new URL(`../../../scenarios/${name}.ts`, import.meta.url));
const s = programs as unknown as ScenarioDefinition<object>;
const breaker = circuitBreaker as unknown as ScenarioDefinition<object>;
const late = lateFailuresScenario as unknown as ScenarioDefinition<object>;

/** The 2-worker searches' threads, kept across them as `run` keeps them across variants (a start costs ~1.5 s of CPU). */
const threads = new WorkerGroup();
afterAll(() => threads.close());

/** What a run found, without how it went (wall time, workers, shard). */
function found(r: SearchShardRun): unknown {
  // The random cross-check of a complete search runs once the run is whole (searchParallel, or merge's command): not in merged shards.
  const { elapsedMs, workers, shard, trace, crossCheck, ...rest } = r;
  void elapsedMs, workers, shard, crossCheck;
  return { ...rest, trace: trace === null ? null : encodeTrace(trace) };
}

/** 1 and 2 workers and 3 merged shards (through JSON, as merge reads files): one result. */
async function everyWay(scenario: ScenarioDefinition<object>, options: SearchParallelOptions<object>): Promise<SearchShardRun> {
  const one = await searchParallel(options, scenario);
  expect(found(await searchParallel({ ...options, workers: 2, threads }, scenario))).toEqual(found(one));
  const runs: SearchShardRun[] = [];
  for (let i = 3; i >= 1; i--) runs.push(JSON.parse(JSON.stringify(await searchParallel({ ...options, shard: { index: i, of: 3 } }, scenario))) as SearchShardRun);
  expect(found(mergeSearchShardRuns(runs))).toEqual(found(one));
  return one;
}

describe('search units cut into pieces as they run', () => {
  it('dfs with DPOR: the complete executions of the unsplit search (lastzero(5): 64), the same result for 1 and 2 workers and 3 merged shards', async () => {
    const options = { file: searchPrograms, variant: 'lastzero', params: { n: 5 } };
    const uncut = await searchParallel({ ...options, resplit: null }, s);
    const cut = await everyWay(s, { ...options, resplit: { after: 3, into: 2 } });
    expect([cut.completeExecutions, cut.complete, cut.stoppedBy, cut.failure]).toEqual([64, true, 'exhausted', null]);
    expect(cut.resplit).toEqual({ after: 3, into: 2 });
    // Units were cut: each split saturates nodes, which adds sleep-set-blocked executions only.
    expect(uncut.completeExecutions).toBe(64);
    expect(cut.executions).toBeGreaterThan(uncut.executions);
    expect(cut.executions - cut.completeExecutions).toBe(cut.sleepBlocked);
  });

  it('pb: exactly the executions, pruned branches and bound information of the unsplit search (no reduction, nothing to saturate)', async () => {
    const options = { file: searchPrograms, variant: 'readers', params: { n: 3 }, strategy: 'pb' as const, por: false };
    const plain = await search(s, options);
    const cut = await everyWay(s, { ...options, resplit: { after: 1, into: 2 } });
    expect([cut.executions, cut.completeExecutions, cut.pruned, cut.steps, cut.maxDepth, cut.stoppedBy, cut.complete, cut.bound]).toEqual([
      plain.executions,
      plain.completeExecutions,
      plain.pruned,
      plain.steps,
      plain.maxDepth,
      plain.stoppedBy,
      plain.complete,
      plain.bound,
    ]);
  });

  it('a failure after cut units, and one deep in a cut unit: the unsplit search\'s failure, in the same unit, and its trace replays', async () => {
    // reader-first(4) fails at the first execution of unit 11, after units that are cut;
    // circuit-breaker premature-trip fails in unit 1, after 6 of its executions: a later piece.
    for (const [scenario, file, variant, params] of [
      [late, lateFailures, 'reader-first', { readers: 4 }],
      [breaker, audit('circuit-breaker'), 'premature-trip', {}],
    ] as const) {
      const options = { file, variant, params, strategy: 'dfs' as const };
      const plain = await searchParallel({ ...options, resplit: null }, scenario);
      const cut = await everyWay(scenario, { ...options, resplit: { after: 1, into: 2 } });
      expect([cut.stoppedBy, cut.failureUnit, cut.failure?.kind, cut.failure?.message]).toEqual(['failure', plain.failureUnit, plain.failure?.kind, plain.failure?.message]);
      expect(cut.executions).toBeGreaterThan(plain.executions);
      const report = await replayTrace(scenario, cut.trace as Trace);
      expect(report.outcome).toBe('reproduced');
      // The trace numbers its execution within the whole search: executions before it, then it.
      expect(cut.trace!.strategy.execution).toBe(cut.executions - 1);
    }
  });

  it('a per-unit execution budget (-n) keeps units whole: pieces would each get the budget', async () => {
    const r = await searchParallel({ file: searchPrograms, variant: 'lastzero', params: { n: 5 }, maxExecutions: 2, resplit: { after: 1, into: 2 } }, s);
    expect([r.executions, r.resplit, r.stoppedBy]).toEqual([48, null, 'executions']);
  });
});

/** A piece's result: `executions` executions, all complete unless `stoppedBy` says otherwise. */
function piece(key: number[], executions: number, stoppedBy: UnitResult['stoppedBy'], rest = 0, more: Partial<UnitResult> = {}): PieceResult {
  const result: UnitResult = {
    unit: 3,
    bound: 0,
    executions,
    completeExecutions: executions,
    sleepBlocked: 0,
    depthLimited: 0,
    races: 1,
    pruned: 0,
    cut: false,
    steps: 10 * executions,
    maxDepth: key.length,
    complete: false,
    stoppedBy,
    failure: null,
    trace: null,
    warnings: [],
    ...more,
  };
  return { ...result, key, rest: Array.from({ length: rest }, () => ({}) as never) };
}

describe('combinePieces: a unit from its pieces', () => {
  it('every piece ran: the sums, the deepest execution, and the unit explored to its end', () => {
    const u = combinePieces(3, [piece([0], 4, 'executions', 2), piece([0, 0], 2, 'exhausted'), piece([0, 1], 4, 'executions', 1), piece([0, 1, 0], 1, 'exhausted')], 'time');
    expect([u.unit, u.executions, u.completeExecutions, u.steps, u.races, u.maxDepth, u.stoppedBy, u.complete]).toEqual([3, 11, 11, 110, 4, 3, 'exhausted', true]);
  });

  it('a piece missing (the pool stopped before it ran): the pieces before it count, and the unit was stopped by the reason given', () => {
    const u = combinePieces(3, [piece([0], 4, 'executions', 3), piece([0, 0], 2, 'exhausted'), piece([0, 2], 5, 'exhausted')], 'interrupted');
    expect([u.executions, u.stoppedBy, u.complete]).toEqual([6, 'interrupted', false]);
  });

  it('a piece cut short by the time limit ends the count there, although a later piece ran', () => {
    const u = combinePieces(3, [piece([0], 4, 'executions', 2), piece([0, 0], 1, 'time'), piece([0, 1], 5, 'exhausted')], 'interrupted');
    expect([u.executions, u.stoppedBy, u.complete]).toEqual([5, 'time', false]);
  });

  it('a failure in a piece: counted up to it, and its trace numbers the execution within the unit', () => {
    const trace = { strategy: { name: 'dfs', execution: 1 } } as unknown as Trace;
    const failure = { kind: 'assertion', message: 'boom' } as UnitResult['failure'];
    const u = combinePieces(3, [piece([0], 4, 'executions', 2), piece([0, 0], 2, 'failure', 0, { failure, trace })], 'time');
    expect([u.executions, u.stoppedBy, u.failure?.message, u.trace?.strategy.execution, u.complete]).toEqual([6, 'failure', 'boom', 5, false]);
  });

  it('pb: a branch cut by the bound in any piece makes the unit say "bound"', () => {
    const u = combinePieces(3, [piece([0], 4, 'executions', 1), piece([0, 0], 2, 'bound', 0, { cut: true, pruned: 1 })], 'time');
    expect([u.stoppedBy, u.cut, u.pruned, u.complete]).toEqual(['bound', true, 1, true]);
  });
});
