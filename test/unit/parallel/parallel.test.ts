import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeTrace, explore, type ScenarioDefinition } from 'interleave';
import { blocksOf, combineBlocks, exploreParallel, mergeShardRuns, parseShard, shardBlocks, toExploreResult, type BlockResult, type ShardRun } from '../../../src/parallel/index.js';
import { formatExploreLine } from '../../../src/report/text.js';
import type { CombineInput } from '../../../src/parallel/result.js';
import type { Failure } from '../../../src/runtime/failure.js';
import { startWorker } from '../../../src/parallel/startWorker.js';
import { WorkerGroup } from '../../../src/parallel/workerGroup.js';
import lostUpdate from '../../fixtures/scenarios/lost-update.js';
import lockOrder from '../../fixtures/scenarios/lock-order.js';
import lateFailuresScenario from './fixtures/late-failures.js';
import workerSignalScenario, { onceAWorkerStarts } from './fixtures/worker-signal.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/scenarios/${name}.ts`, import.meta.url));
const lateFailuresFile = fileURLToPath(new URL('./fixtures/late-failures.ts', import.meta.url));
const lateFailures = lateFailuresScenario as unknown as ScenarioDefinition<object>;
const workerSignalFile = fileURLToPath(new URL('./fixtures/worker-signal.ts', import.meta.url));
const workerSignal = workerSignalScenario as unknown as ScenarioDefinition<object>;

/**
 * Worker threads kept across this file's split explorations, as `run` keeps them across variants:
 * an exploration after the first sets them up with a message instead of starting them (~1.5 s of
 * CPU a thread). The interrupt tests, and the kept-threads test's own group, start theirs.
 */
const threads = new WorkerGroup();
afterAll(() => threads.close());

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
    // The file's threads are kept, so after the first run the workers take blocks of the small
    // runs too; rare-draw fails late (one in 10,000; seed 3, execution 22,353, about 0.5 s in one
    // thread), after blocks of every worker.
    for (const [s, file, variant, seed, iterations, pct, fails] of [
      [lockOrder, fixture('lock-order'), 'buggy', 2, 300, true, true],
      [lostUpdate, fixture('lost-update'), 'buggy', 9, 300, false, true],
      [lostUpdate, fixture('lost-update'), 'fixed', 4, 300, false, false],
      [lateFailures, lateFailuresFile, 'rare-draw', 3, 30_000, false, true],
      [lateFailures, lateFailuresFile, 'rare-draw-passes', 3, 30_000, false, false],
    ] as [ScenarioDefinition<object>, string, string, number, number, boolean, boolean][]) {
      const options = { file, variant, seed, iterations, params: file === lateFailuresFile ? { odds: 10_000 } : {}, blockSize: iterations > 1000 ? 250 : 3, ...(pct ? { strategy: 'pct' } : {}) };
      const one = await exploreParallel({ ...options, workers: 1 }, s);
      expect(one.failure !== null).toBe(fails);
      if (iterations > 1000 && fails) expect(one.failureAt).toBe(22_353);
      for (const workers of [2, 3]) {
        const many = await exploreParallel({ ...options, workers, threads }, s);
        expect(many.workers).toBe(workers);
        expect(found(many)).toEqual(found(one));
      }
    }
  });

  it('worker threads kept across runs (run over many variants) give each run its own result, and start once', async () => {
    let starts = 0;
    const counted = new WorkerGroup((setup) => (starts++, startWorker(setup)));
    try {
      // Long enough that the kept thread takes blocks of each run, after being set up for it.
      for (const [s, file, variant, seed, iterations] of [
        [lostUpdate, fixture('lost-update'), 'fixed', 4, 40_000],
        [lateFailures, lateFailuresFile, 'rare-draw', 3, 30_000],
        [lostUpdate, fixture('lost-update'), 'buggy', 9, 40_000],
        [lostUpdate, fixture('lost-update'), 'fixed', 5, 40_000],
      ] as [ScenarioDefinition<object>, string, string, number, number][]) {
        const options = { file, variant, seed, iterations, params: file === lateFailuresFile ? { odds: 10_000 } : {} };
        // This thread alone, no worker: what the kept thread's runs must find.
        const alone = await exploreParallel({ ...options, workers: 1 }, s);
        const kept = await exploreParallel({ ...options, workers: 2, threads: counted }, s);
        expect(found(kept)).toEqual(found(alone));
      }
      expect(starts).toBe(1);
    } finally {
      await counted.close();
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

  it('an interrupt while a worker thread holds a later block than this thread: the worker stops too, and only the whole blocks before the first one cut short count', async () => {
    // Blocks of 20,000 executions (about 0.2 s here). This thread starts on block 0 at once; the
    // worker takes a later block once it has loaded, and its first execution is the "deadline".
    // Before, the worker ran its block to the end and it counted, past this thread's cut block.
    const signal = onceAWorkerStarts();
    try {
      const blockSize = 20_000;
      const r = await exploreParallel({ file: workerSignalFile, variant: 'writes', seed: 1, iterations: 40 * blockSize, blockSize, workers: 2, shouldStop: signal.stop }, workerSignal);
      expect(r.stoppedBy).toBe('interrupted');
      expect(r.blocks.map((b) => b.index)).toEqual(r.blocks.map((_, i) => i));
      expect(r.blocks.every((b) => b.executions === b.count)).toBe(true);
      expect(r.executions).toBe(blockSize * r.blocks.length);
    } finally {
      signal.close();
    }
  });

  it('after a stop, blocks past a gap do not count; a failure past it is reported as found there (stopped by time), one within the prefix as the first', () => {
    // Block b holds executions 10b..10b+9; block 1 was cut short (not kept).
    const failing = (index: number, at: number): BlockResult => block(index, { executions: at - 10 * index + 1, failureAt: at, failure: failure(`found at ${at}`) });
    const past = combineBlocks(combine([block(0), block(2), failing(3, 35)], 'time'));
    expect([past.blocks.map((b) => b.index), past.executions, past.failureAt, past.failure?.message, past.stoppedBy]).toEqual([[0], 10, 35, 'found at 35', 'time']);
    // The summary line must not put that failure within the 10 executions counted.
    expect(formatExploreLine(toExploreResult(past))).toMatch(/: 10 executions, \d+\/s: assertion \(found past the executions counted; stopped by the time limit\)$/);
    const within = combineBlocks(combine([block(0), failing(1, 15), failing(3, 31)], 'time'));
    expect([within.blocks.map((b) => b.index), within.executions, within.failureAt, within.stoppedBy]).toEqual([[0, 1], 16, 15, 'failure']);
    // A shard's gap is the merge's: shard 1 of 2 kept 0 and 2 (4 cut), shard 2 ran 1, 3 and 5 (failing).
    const one = combineBlocks(combine([block(0), block(2)], 'time', { index: 1, of: 2 }));
    const two = combineBlocks(combine([block(1), block(3), failing(5, 52)], null, { index: 2, of: 2 }));
    const merged = mergeShardRuns([one, two].map((r) => JSON.parse(JSON.stringify(r)) as ShardRun));
    expect([merged.blocks.map((b) => b.index), merged.executions, merged.failureAt, merged.stoppedBy]).toEqual([[0, 1, 2, 3], 40, 52, 'time']);
    // A shard's own failure past its gap stays past the merged blocks: shard 1 kept 0 and 4 (failing), 2 cut.
    const oneFailing = combineBlocks(combine([block(0), failing(4, 41)], 'time', { index: 1, of: 2 }));
    expect([oneFailing.blocks.map((b) => b.index), oneFailing.failureAt, oneFailing.stoppedBy]).toEqual([[0], 41, 'time']);
    const mergedPast = mergeShardRuns([two, oneFailing]);
    expect([mergedPast.blocks.map((b) => b.index), mergedPast.executions, mergedPast.failureAt, mergedPast.stoppedBy]).toEqual([[0, 1], 20, 41, 'time']);
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
    expect(() => mergeShardRuns([a, b], ['r/1.json', 'r/2.json'])).toThrow('merge: lost-update/fixed: r/2.json was run with --seed 2, r/1.json with 1');
  });

  it('merge refuses shards run with other parameters, budget or step limit, naming both files and the setting; older files without settings still merge', async () => {
    const options = { file: fixture('lost-update'), variant: 'fixed', seed: 1, iterations: 20, blockSize: 5 };
    const run = (index: number, more: object = {}) => exploreParallel({ ...options, ...more, shard: { index, of: 2 } }, lostUpdate as ScenarioDefinition<object>);
    const a = await run(1);
    const files = ['r/1.json', 'r/2.json'];
    const refused = (runs: Parameters<typeof mergeShardRuns>[0]): string => {
      try {
        mergeShardRuns(runs, files);
        return 'merged';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(a.settings).toEqual({ params: { workers: 2 }, maxSteps: expect.any(Number), allowLeaks: false, failOnLockOrder: false });
    expect(refused([a, await run(2, { params: { workers: 3 } })])).toBe('merge: lost-update/fixed: r/2.json was run with --param workers=3, r/1.json with workers=2');
    expect(refused([a, await run(2, { iterations: 30 })])).toBe('merge: lost-update/fixed: r/2.json was run with -n 30, r/1.json with 20');
    expect(refused([a, await run(2, { maxSteps: 77 })])).toMatch(/: r\/2\.json was run with --max-steps 77, r\/1\.json with \d+$/);
    expect(refused([a, await run(2, { allowLeaks: true })])).toBe('merge: lost-update/fixed: r/2.json was run with allowLeaks true, r/1.json with false');
    expect(refused([a, { ...(await run(2)), shard: { index: 2, of: 3 } }])).toBe('merge: lost-update/fixed: r/2.json was run with --shard 2/3, r/1.json with 1/2');
    // A shard file from before settings were recorded: unknown, not compared.
    const { settings: _, ...old } = await run(2, { params: { workers: 3 } });
    expect(mergeShardRuns([a, old], files).executions).toBe(20);
  });
});

function failure(message: string): Failure {
  return { kind: 'assertion', message, step: 1, tasks: ['main'] };
}

/** A whole block of 10 executions, index b holding executions 10b..10b+9. */
function block(index: number, more: Partial<BlockResult> = {}): BlockResult {
  return { index, start: 10 * index, count: 10, executions: 10, steps: 100, failureAt: null, failure: null, trace: null, warnings: [], complete: true, ...more };
}

function combine(results: readonly BlockResult[], stoppedBy: CombineInput['stoppedBy'], shard = { index: 1, of: 1 }): CombineInput {
  return { scenario: 's', variant: 'v', spec: { strategy: 'random', seed: 1 }, first: 0, iterations: 60, blockSize: 10, shard, settings: { params: {}, maxSteps: 10000, allowLeaks: false, failOnLockOrder: false }, results, stoppedBy, elapsedMs: 0, workers: 2 };
}
