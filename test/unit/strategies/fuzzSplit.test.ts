import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, type ScenarioDefinition } from 'interleave';
import { loadScenario } from '../../../src/loader.js';
import { exploreParallel, toExploreResult } from '../../../src/parallel/index.js';
import { expectSplitSame } from '../parallel/sampledSplit.js';
import { checkSamplingRun } from '../../../src/parallel/shardCheck.js';
import { inProcess, ROOT } from '../../robust/cli.js';

/**
 * fuzz learns from its earlier executions, but only within its block of 1,000 (src/partition.ts,
 * `learningBlock`): `explore` starts it afresh there and a split run cuts its blocks there. So a
 * fuzz run gives the same schedules whole, on two worker threads and as two merged shards: the same
 * counts, first failure, trace bytes and coverage.
 */
const path = (file: string): string => join(ROOT, 'test/fixtures/deep', file);
const load = async (file: string): Promise<ScenarioDefinition<object>> => (await loadScenario(path(file))).scenario;

describe('fuzz split in blocks', () => {
  // torn-snapshot, seed 3, fails at execution 1158: in the second block, after what it learnt there.
  for (const [file, variant, seed, iterations] of [
    ['torn-snapshot.ts', 'buggy', 3, 2000],
    ['hit-counter.ts', 'fixed', 1, 2000],
  ] as const) {
    it(`${file} ${variant}: explore, 1 and 2 workers and 2 merged shards give the same executions, steps, failure, trace bytes and coverage`, async () => {
      const scenario = await load(file);
      const whole = await explore(scenario, { variant, strategy: 'fuzz', seed, iterations, file: path(file) });
      const merged = await expectSplitSame(scenario, whole, { file: path(file), variant, strategy: 'fuzz', seed, iterations }, 2);
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

  it("keeps each block's coverage in the shard file, and merge refuses a file whose coverage is not pairs and a count", async () => {
    const scenario = await load('hit-counter.ts');
    const run = JSON.parse(JSON.stringify(await exploreParallel({ file: path('hit-counter.ts'), variant: 'fixed', strategy: 'fuzz', iterations: 1000 }, scenario))) as Record<string, unknown>;
    const block = (run.blocks as { fuzz: { pairs: unknown[]; corpus: number } }[])[0]!;
    expect({ pairs: block.fuzz.pairs.length, corpus: block.fuzz.corpus }).toEqual({ pairs: 26, corpus: 12 });
    expect(checkSamplingRun(run, { index: 1, of: 1 }, 'a.json')).toBe(run);
    block.fuzz.pairs = [1];
    expect(() => checkSamplingRun(run, { index: 1, of: 1 }, 'a.json')).toThrow('a.json: not a shard run: block 0: fuzz must give its reads-from pairs (strings) and a whole number corpus');
  });
});
