import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeTrace, explore, type ScenarioDefinition } from 'interleave';
import { blocksOf, exploreParallel, mergeShardRuns, parseShard, shardBlocks, type ShardRun } from '../../../src/parallel/index.js';
import lostUpdate from '../../fixtures/scenarios/lost-update.js';
import lockOrder from '../../fixtures/scenarios/lock-order.js';
import lateFailuresScenario from './fixtures/late-failures.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/scenarios/${name}.ts`, import.meta.url));
const lateFailuresFile = fileURLToPath(new URL('./fixtures/late-failures.ts', import.meta.url));
const lateFailures = lateFailuresScenario as unknown as ScenarioDefinition<object>;

/** What a run found, without how it went (wall time, workers). */
function found(r: ShardRun): unknown {
  const { elapsedMs, workers, shard, trace, ...rest } = r;
  void elapsedMs, workers, shard;
  return { ...rest, trace: trace === null ? null : encodeTrace(trace) };
}

describe('partition', () => {
  it('blocks and shards cover every execution index exactly once', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(3000), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 9 }), (first, iterations, blockSize, of) => {
        const seen = new Uint8Array(iterations);
        for (let i = 1; i <= of; i++) {
          for (const b of shardBlocks(blocksOf(first, iterations, blockSize), { index: i, of })) {
            for (let x = b.start; x < b.start + b.count; x++) seen[x - first]!++;
          }
        }
        expect(seen.every((n) => n === 1)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('parses --shard i/n and rejects the rest', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, of: 4 });
    for (const bad of ['0/4', '5/4', '1', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });
});

describe('parallel exploration', () => {
  it('one worker, in blocks, finds exactly what explore finds (random)', async () => {
    for (const [s, variant, seed] of [
      [lostUpdate, 'buggy', 11],
      [lockOrder, 'buggy', 5],
      [lostUpdate, 'fixed', 3],
    ] as [ScenarioDefinition<object>, string, number][]) {
      const plain = await explore(s, { variant, seed, iterations: 120, file: fixture(s.name) });
      const blocked = await exploreParallel({ file: fixture(s.name), variant, seed, iterations: 120, blockSize: 7 }, s);
      expect(blocked.executions).toBe(plain.executions);
      expect(blocked.steps).toBe(plain.steps);
      expect(blocked.failure?.message ?? null).toBe(plain.failure?.message ?? null);
      expect(blocked.trace === null ? null : encodeTrace(blocked.trace)).toBe(plain.trace === null ? null : encodeTrace(plain.trace));
    }
  });

  it('--workers 1, 2 and 3 give the same result for the same seed, failing or passing (first failure by index, same trace bytes)', async () => {
    // Workers load the module by path; in this process the fixture comes from vitest's import
    // (loading it through tsx inside vitest would tag error locations with a tsx namespace).
    // The small runs end before a worker has loaded (this thread explores too); rare-draw runs
    // long enough (seed 3 fails after 240,000 executions) for the workers to take blocks.
    for (const [s, file, variant, seed, iterations, pct, fails] of [
      [lockOrder, fixture('lock-order'), 'buggy', 2, 300, true, true],
      [lostUpdate, fixture('lost-update'), 'buggy', 9, 300, false, true],
      [lostUpdate, fixture('lost-update'), 'fixed', 4, 300, false, false],
      [lateFailures, lateFailuresFile, 'rare-draw', 3, 300_000, false, true],
      [lateFailures, lateFailuresFile, 'rare-draw-passes', 3, 300_000, false, false],
    ] as [ScenarioDefinition<object>, string, string, number, number, boolean, boolean][]) {
      const options = { file, variant, seed, iterations, blockSize: iterations > 1000 ? 250 : 3, ...(pct ? { strategy: 'pct' } : {}) };
      const one = await exploreParallel({ ...options, workers: 1 }, s);
      expect(one.failure !== null).toBe(fails);
      if (iterations > 1000 && fails) expect(one.failureAt).toBeGreaterThan(240_000);
      for (const workers of [2, 3]) {
        const many = await exploreParallel({ ...options, workers }, s);
        expect(many.workers).toBe(workers);
        expect(found(many)).toEqual(found(one));
      }
    }
  });

  it('a block cut short by an interrupt does not count, with one worker as with two: every block kept ran to its end', async () => {
    for (const workers of [1, 2]) {
      // Answers true from its 4th call: with one worker, in the middle of block 1 (asked before
      // each block and every 64 executions).
      let calls = 0;
      const r = await exploreParallel({ file: fixture('lost-update'), variant: 'fixed', seed: 1, iterations: 1000, blockSize: 100, workers, shouldStop: () => ++calls >= 4 }, lostUpdate as ScenarioDefinition<object>);
      expect(r.stoppedBy).toBe('interrupted');
      expect(r.blocks.every((b) => b.executions === b.count)).toBe(true);
      expect(r.executions).toBe(100 * r.blocks.length);
      if (workers === 1) expect(r.executions).toBe(100);
    }
  });

  it('shard results merged equal the unsharded result', async () => {
    for (const [s, variant, seed] of [
      [lostUpdate, 'buggy', 8],
      [lostUpdate, 'fixed', 8],
      [lockOrder, 'buggy', 13],
    ] as [ScenarioDefinition<object>, string, number][]) {
      const options = { file: fixture(s.name), variant, seed, iterations: 200, blockSize: 4 };
      const whole = await exploreParallel(options, s);
      const shards = [];
      for (let i = 1; i <= 3; i++) shards.push(await exploreParallel({ ...options, shard: { index: i, of: 3 } }, s));
      // JSON round trip: merge reads shard files.
      const merged = mergeShardRuns(shards.reverse().map((r) => JSON.parse(JSON.stringify(r)) as ShardRun));
      expect(found(merged)).toEqual(found(JSON.parse(JSON.stringify(whole)) as ShardRun));
    }
  });

  it('merge refuses missing or mismatched shards', async () => {
    const options = { file: fixture('lost-update'), variant: 'fixed', seed: 1, iterations: 20, blockSize: 5 };
    const a = await exploreParallel({ ...options, shard: { index: 1, of: 2 } }, lostUpdate as ScenarioDefinition<object>);
    const b = await exploreParallel({ ...options, seed: 2, shard: { index: 2, of: 2 } }, lostUpdate as ScenarioDefinition<object>);
    expect(() => mergeShardRuns([a])).toThrow(/missing shard 2\/2/);
    expect(() => mergeShardRuns([a, b])).toThrow(/different run/);
  });
});
