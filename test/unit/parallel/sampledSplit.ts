import { expect } from 'vitest';
import { encodeTrace, type ExploreResult, type ScenarioDefinition } from 'interleave';
import { exploreParallel, mergeShardRuns, toExploreResult, type ParallelOptions, type ShardRun } from '../../../src/parallel/index.js';

/** What a split sampling run found, without how it went (wall time, workers, shard). */
export function found(r: ShardRun): unknown {
  const { elapsedMs, workers, shard, trace, ...rest } = r;
  void elapsedMs, workers, shard;
  return { ...rest, trace: trace === null ? null : encodeTrace(trace) };
}

/**
 * A sampling run split in blocks gives what `whole` (explore, unsplit) gave: 1 worker the same
 * executions, steps, trace bytes and sampling report; 2 workers and `of` shards merged (each
 * read back from JSON, as merge reads files) the same as 1 worker. For pctBlocks.test.ts and
 * test/unit/strategies/fuzzSplit.test.ts. Returns the merged run.
 */
export async function expectSplitSame(scenario: ScenarioDefinition<object>, whole: ExploreResult, options: ParallelOptions<object>, of: number): Promise<ShardRun> {
  const one = await exploreParallel({ ...options, workers: 1 }, scenario);
  expect({ executions: one.executions, steps: one.steps }).toEqual({ executions: whole.executions, steps: whole.steps });
  expect(one.trace === null ? null : encodeTrace(one.trace)).toBe(whole.trace === null ? null : encodeTrace(whole.trace));
  expect(toExploreResult(one).sampling).toEqual(whole.sampling);
  expect(found(await exploreParallel({ ...options, workers: 2 }, scenario))).toEqual(found(one));
  const shards: ShardRun[] = [];
  for (let index = of; index >= 1; index--) shards.push(JSON.parse(JSON.stringify(await exploreParallel({ ...options, shard: { index, of } }, scenario))) as ShardRun);
  const merged = mergeShardRuns(shards);
  expect(found(merged)).toEqual(found(one));
  return merged;
}
