import { expect } from 'vitest';
import { encodeTrace, search, type ScenarioDefinition, type SearchResult } from 'interleave';
import type { WorkerGroup } from '../../../src/parallel/workerGroup.js';
import { fileURLToPath } from 'node:url';
import { mergeSearchShardRuns, searchParallel, UNITS_PER_ROUND, type SearchParallelOptions, type SearchShardRun } from '../../../src/parallel/index.js';
import writersChecker from '../../fixtures/search/writers-checker.js';
import lostUpdate from '../../fixtures/scenarios/lost-update.js';

/**
 * Comparisons of a split search with the unsplit one, for test/unit/parallel/searchParallel.test.ts,
 * bporSplit.test.ts, delaySplit.test.ts and the longer ones of test/long/search-split.test.ts.
 */

/** The two fixtures the split pb and db tests compare on (bporSplit.test.ts, delaySplit.test.ts): the module and its file, which worker threads load. */
export const wc = writersChecker as unknown as ScenarioDefinition<object>;
export const wcFile = fileURLToPath(new URL('../../fixtures/search/writers-checker.ts', import.meta.url));
export const lu = lostUpdate as unknown as ScenarioDefinition<object>;
export const luFile = fileURLToPath(new URL('../../fixtures/scenarios/lost-update.ts', import.meta.url));

/** What a run found, without how it went (wall time, workers, shard). */
export function found(r: SearchShardRun): unknown {
  // The random cross-check of a complete search runs once the run is whole (searchParallel, or merge's command): not in merged shards.
  const { elapsedMs, workers, shard, trace, crossCheck, ...rest } = r;
  void elapsedMs, workers, shard, crossCheck;
  return { ...rest, trace: trace === null ? null : encodeTrace(trace) };
}

export async function shards(scenario: ScenarioDefinition<object>, file: string, variant: string, params: object, of: number, more: Partial<SearchParallelOptions<object>> = {}): Promise<SearchShardRun> {
  return mergeSearchShardRuns(await shardRuns(scenario, file, variant, params, of, more));
}

/** The n shards' runs, last first, through JSON as merge reads them from files. */
export async function shardRuns(scenario: ScenarioDefinition<object>, file: string, variant: string, params: object, of: number, more: Partial<SearchParallelOptions<object>> = {}): Promise<SearchShardRun[]> {
  const runs: SearchShardRun[] = [];
  for (let i = of; i >= 1; i--) runs.push(JSON.parse(JSON.stringify(await searchParallel({ file, variant, params, ...more, shard: { index: i, of } }, scenario))) as SearchShardRun);
  return runs;
}

/** What a search reports, in the terms an unsplit search and a split one share. */
export function asSearch(r: SearchResult | SearchShardRun): unknown {
  const { executions, completeExecutions, sleepBlocked, depthLimited, pruned, steps, maxDepth, failure, trace, bound, complete, stoppedBy } = r;
  return { executions, completeExecutions, sleepBlocked, depthLimited, pruned, steps, maxDepth, failure, trace: trace === null ? null : encodeTrace(trace), bound, complete, stoppedBy };
}

/**
 * 1, 2 and 3 workers and 3 merged shards give exactly what one unsplit pb search without
 * reduction gives (same executions, pruned, steps, failure and trace bytes, bound information,
 * stoppedBy; with reduction, split nodes are saturated: test/unit/parallel/bporSplit.test.ts). Returns
 * the one-worker run and the shard runs. `threads`: worker threads the caller keeps across searches.
 */
export async function expectUnsplit(scenario: ScenarioDefinition<object>, file: string, variant: string, params: object, more: Partial<Omit<SearchParallelOptions<object>, 'onProgress' | 'threads'>> = {}, threads?: WorkerGroup): Promise<{ plain: SearchResult; one: SearchShardRun; runs: SearchShardRun[] }> {
  const options = { file, variant, params, strategy: 'pb' as const, por: false, ...more };
  const plain = await search(scenario, options);
  const one = await searchParallel(options, scenario);
  expect(asSearch(one)).toEqual(asSearch(plain));
  // Big enough that the split matters: parts (not only prefixes) ran executions.
  expect(one.units.filter((u) => u.unit % UNITS_PER_ROUND !== 0 && u.executions > 0).length).toBeGreaterThan(1);
  for (const workers of [2, 3]) expect(found(await searchParallel({ ...options, workers, ...(threads !== undefined ? { threads } : {}) }, scenario))).toEqual(found(one));
  const runs = await shardRuns(scenario, file, variant, params, 3, { strategy: 'pb', por: false, ...more });
  expect(found(mergeSearchShardRuns(runs))).toEqual(found(one));
  return { plain, one, runs };
}
