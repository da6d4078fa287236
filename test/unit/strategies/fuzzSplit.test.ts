import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTrace, explore, type ScenarioDefinition } from 'interleave';
import { loadScenario } from '../../../src/loader.js';
import { exploreParallel, mergeShardRuns, toExploreResult, type ShardRun } from '../../../src/parallel/index.js';
import { inProcess, ROOT } from '../../robust/cli.js';

/**
 * fuzz learns from its earlier executions, but only within its block of 1,000 (src/partition.ts,
 * `learningBlock`): `explore` starts it afresh there and a split run cuts its blocks there. So a
 * fuzz run gives the same schedules whole, on two worker threads and as two merged shards: the same
 * counts, first failure, trace bytes and coverage.
 */
const path = (file: string): string => join(ROOT, 'test/fixtures/deep', file);
const load = async (file: string): Promise<ScenarioDefinition<object>> => (await loadScenario(path(file))).scenario;

/** What a split run found, without how it went (wall time, workers, shard). */
function found(r: ShardRun): unknown {
  const { elapsedMs, workers, shard, trace, ...rest } = r;
  void elapsedMs, workers, shard;
  return { ...rest, trace: trace === null ? null : encodeTrace(trace) };
}

describe('fuzz split in blocks', () => {
  // torn-snapshot, seed 3, fails at execution 1158: in the second block, after what it learnt there.
  for (const [file, variant, seed, iterations] of [
    ['torn-snapshot.ts', 'buggy', 3, 2000],
    ['hit-counter.ts', 'fixed', 1, 2000],
  ] as const) {
    it(`${file} ${variant}: explore, 1 and 2 workers and 2 merged shards give the same executions, steps, failure, trace bytes and coverage`, async () => {
      const scenario = await load(file);
      const whole = await explore(scenario, { variant, strategy: 'fuzz', seed, iterations, file: path(file) });
      const options = { file: path(file), variant, strategy: 'fuzz', seed, iterations };
      const one = await exploreParallel({ ...options, workers: 1 }, scenario);
      expect({ executions: one.executions, steps: one.steps }).toEqual({ executions: whole.executions, steps: whole.steps });
      expect(one.trace === null ? null : encodeTrace(one.trace)).toBe(whole.trace === null ? null : encodeTrace(whole.trace));
      expect(toExploreResult(one).sampling).toEqual(whole.sampling);
      expect(found(await exploreParallel({ ...options, workers: 2 }, scenario))).toEqual(found(one));
      const shards: ShardRun[] = [];
      for (const index of [2, 1]) shards.push(JSON.parse(JSON.stringify(await exploreParallel({ ...options, shard: { index, of: 2 } }, scenario))) as ShardRun);
      const merged = mergeShardRuns(shards);
      expect(found(merged)).toEqual(found(one));
      expect(toExploreResult(merged).sampling).toEqual(whole.sampling);
      if (variant === 'buggy') expect([whole.failure?.kind, whole.trace!.strategy.execution]).toEqual(['assertion', 1158]);
      else expect(whole.sampling?.fuzz).toEqual({ pairs: 26, corpus: 20 });
    });
  }

  it('cannot be split in blocks other than its own; the CLI splits it', async () => {
    const scenario = await load('hit-counter.ts');
    await expect(exploreParallel({ file: path('hit-counter.ts'), variant: 'fixed', strategy: 'fuzz', iterations: 20, blockSize: 7 }, scenario)).rejects.toThrow('fuzz learns per block of 1000 executions: it cannot be split in blocks of 7');
    const r = await inProcess(['run', path('hit-counter.ts'), '--variant', 'fixed', '--strategy', 'fuzz', '-n', '2000', '--workers', '2', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { sampling: unknown }[])[0]!.sampling).toEqual({ fuzz: { pairs: 26, corpus: 20 } });
  });
});
