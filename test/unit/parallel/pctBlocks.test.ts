import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeTrace, explore, type ScenarioDefinition } from 'interleave';
import { exploreParallel, mergeShardRuns, toExploreResult, type ShardRun } from '../../../src/parallel/index.js';
import branchingScenario from './fixtures/branching.js';

/**
 * PCT draws its change points over the scenario's measured shape (src/shape.ts), never over
 * what earlier executions showed, and the portfolio deals executions to its members by index:
 * so a pct or portfolio run gives the same executions whole, in blocks, on two worker threads
 * and as three shards merged. The readers' step counts depend on the schedule, so any
 * difference in decisions shows in the total steps.
 */
const branching = branchingScenario as unknown as ScenarioDefinition<object>;
const file = fileURLToPath(new URL('./fixtures/branching.ts', import.meta.url));

/** What a split run found, without how it went (wall time, workers, shard). */
function found(r: ShardRun): unknown {
  const { elapsedMs, workers, shard, trace, ...rest } = r;
  void elapsedMs, workers, shard;
  return { ...rest, trace: trace === null ? null : encodeTrace(trace) };
}

describe('pct and portfolio split in blocks', () => {
  // [strategy, variant, seed]: seed 16 fails at execution 78 under pct alone, and so under the
  // portfolio, whose execution 78 (78 mod 5 = 3) is pct (depth 3)'s.
  for (const [strategy, variant, seed] of [
    ['pct', 'fails', 16],
    ['portfolio', 'fails', 16],
    ['portfolio', 'passes', 4],
  ] as const) {
    it(`${strategy} ${variant}: explore, blocks of 7, 2 workers and 3 merged shards give the same executions, steps, failure and trace bytes`, async () => {
      const iterations = 120;
      const whole = await explore(branching, { variant, strategy, seed, iterations, file });
      const options = { file, variant, strategy, seed, iterations, blockSize: 7 };
      const one = await exploreParallel({ ...options, workers: 1 }, branching);
      expect({ executions: one.executions, steps: one.steps }).toEqual({ executions: whole.executions, steps: whole.steps });
      expect(one.trace === null ? null : encodeTrace(one.trace)).toBe(whole.trace === null ? null : encodeTrace(whole.trace));
      expect(toExploreResult(one).sampling).toEqual(whole.sampling);
      expect(found(await exploreParallel({ ...options, workers: 2 }, branching))).toEqual(found(one));
      const shards: ShardRun[] = [];
      for (const index of [3, 2, 1]) shards.push(JSON.parse(JSON.stringify(await exploreParallel({ ...options, shard: { index, of: 3 } }, branching))) as ShardRun);
      expect(found(mergeShardRuns(shards))).toEqual(found(one));
      if (variant === 'fails') {
        expect(whole.trace!.strategy.execution).toBe(78);
        expect(whole.trace!.strategy.member).toBe(strategy === 'portfolio' ? 'pct (depth 3)' : undefined);
      } else expect(whole.failure).toBeNull();
    });
  }
});
