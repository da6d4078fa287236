import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeTrace, search, type ScenarioDefinition } from 'interleave';
import { mergeAnyShardRuns, mergeSearchShardRuns, PARTS, readShardFile, searchParallel, unitsOf, UNITS_PER_ROUND, type SearchParallelOptions, type SearchShardRun } from '../../../src/parallel/index.js';
import programs from '../../fixtures/search/search-programs.js';
import lostUpdate from '../../fixtures/scenarios/lost-update.js';
import { WorkerGroup } from '../../../src/parallel/workerGroup.js';
import { expectUnsplit, found, shardRuns, shards } from './splitSame.js';
import lateFailuresScenario from './fixtures/late-failures.js';
import workerSignalScenario, { onceAWorkerStarts } from './fixtures/worker-signal.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/scenarios/${name}.ts`, import.meta.url));
/** Kept apart from fixtures/scenarios, which the CLI tests list as a scenarios folder. */
const searchPrograms = fileURLToPath(new URL('../../fixtures/search/search-programs.ts', import.meta.url));
const lateFailures = fileURLToPath(new URL('./fixtures/late-failures.ts', import.meta.url));
const s = programs as unknown as ScenarioDefinition<object>;
const late = lateFailuresScenario as unknown as ScenarioDefinition<object>;
const lu = lostUpdate as unknown as ScenarioDefinition<object>;
const workerSignalFile = fileURLToPath(new URL('./fixtures/worker-signal.ts', import.meta.url));
const workerSignal = workerSignalScenario as unknown as ScenarioDefinition<object>;

/**
 * Worker threads kept across this file's split searches, as `run` keeps them across variants: a
 * search after the first sets them up with a message instead of starting them (~1.5 s of CPU a
 * thread, most of what these tests spent). The interrupt tests start their own.
 */
const threads = new WorkerGroup();
afterAll(() => threads.close());

describe('exhaustive search split in units', () => {
  it('shards own every unit exactly once', () => {
    for (const of of [1, 2, 3, 5, PARTS + 1, PARTS + 4]) {
      const owned = Array.from({ length: of }, (_, i) => unitsOf({ index: i + 1, of })).flat().sort((a, b) => a - b);
      expect(owned).toEqual(unitsOf(undefined));
    }
  });

  it('lastzero(4), readers(4): 1 worker, 2 workers and 3 merged shards give the same counts; complete executions equal the unsplit search', async () => {
    for (const [variant, n, traces] of [['lastzero', 4, 28], ['readers', 4, 16]] as const) {
      const params = { n };
      const plain = await search(s, { variant, params });
      expect([plain.completeExecutions, plain.complete]).toEqual([traces, true]);
      const one = await searchParallel({ file: searchPrograms, variant, params }, s);
      const two = await searchParallel({ file: searchPrograms, variant, params, workers: 2, threads }, s);
      const three = await shards(s, searchPrograms, variant, params, 3);
      expect([one.completeExecutions, one.complete, one.failure]).toEqual([traces, true, null]);
      expect(found(two)).toEqual(found(one));
      expect(found(three)).toEqual(found(one));
    }
  });

  it('lastzero(5): 64 complete executions over 3 shards, as unsplit', async () => {
    const merged = await shards(s, searchPrograms, 'lastzero', { n: 5 }, 3);
    expect([merged.completeExecutions, merged.complete, merged.stoppedBy]).toEqual([64, true, 'exhausted']);
  });

  it('a fixture scenario (lost-update fixed, 3 workers): the same counts split or not', async () => {
    const params = { workers: 3 };
    const plain = await search(lu, { variant: 'fixed', params });
    const one = await searchParallel({ file: fixture('lost-update'), variant: 'fixed', params }, lu);
    const two = await searchParallel({ file: fixture('lost-update'), variant: 'fixed', params, workers: 2, threads }, lu);
    const three = await shards(lu, fixture('lost-update'), 'fixed', params, 3);
    expect([one.completeExecutions, one.complete]).toEqual([plain.completeExecutions, true]);
    expect(plain.completeExecutions).toBe(6);
    expect(found(two)).toEqual(found(one));
    expect(found(three)).toEqual(found(one));
  });

  it('a failure found by shards and by 2 workers is the single run\'s, whichever unit finishes first', async () => {
    const params = { workers: 3 };
    const plain = await search(lu, { variant: 'buggy', params, file: fixture('lost-update') });
    const one = await searchParallel({ file: fixture('lost-update'), variant: 'buggy', params }, lu);
    const two = await searchParallel({ file: fixture('lost-update'), variant: 'buggy', params, workers: 2, threads }, lu);
    const three = await shards(lu, fixture('lost-update'), 'buggy', params, 3);
    expect(one.failure?.message).toBe(plain.failure?.message);
    expect(encodeTrace(one.trace!)).toBe(encodeTrace(plain.trace!));
    expect([one.complete, one.stoppedBy]).toEqual([false, 'failure']);
    expect(found(two)).toEqual(found(one));
    expect(found(three)).toEqual(found(one));
  });

  it('a per-unit execution budget: 1, 2 and 3 workers and 3 merged shards give the same result (a unit stopped by its budget does not stop the later ones)', async () => {
    // Before, one worker stopped at the first unit its budget cut: 6, 5 and 5 executions, and
    // no failure for reader-first (unit 11).
    for (const [scenario, file, variant, params, budget, executions, failureUnit] of [
      [s, searchPrograms, 'lastzero', { n: 5 }, 2, 48, null],
      [lu, fixture('lost-update'), 'fixed', { workers: 3 }, 1, 8, null],
      [late, lateFailures, 'reader-first', { readers: 4 }, 2, 22, 11],
    ] as const) {
      const options = { file, variant, params, maxExecutions: budget };
      const one = await searchParallel({ ...options, workers: 1 }, scenario);
      expect([one.executions, one.complete, one.failureUnit, one.stoppedBy]).toEqual([executions, false, failureUnit, failureUnit === null ? 'executions' : 'failure']);
      for (const workers of [2, 3]) expect(found(await searchParallel({ ...options, workers, threads }, scenario))).toEqual(found(one));
      expect(found(await shards(scenario, file, variant, params, 3, { maxExecutions: budget }))).toEqual(found(one));
    }
  });

  it('a depth limit: 1 and 2 workers and 3 merged shards give the same result, labelled as the unsplit search labels it; a depth-limited prefix does not end the search', async () => {
    // lastzero(4): at depth 19 every prefix execution is cut; at 20 some units are. Before, the
    // split search said stoppedBy 'executions' (a budget) though no budget was given.
    for (const maxDepth of [19, 20]) {
      const params = { n: 4 };
      const options = { file: searchPrograms, variant: 'lastzero', params, maxDepth };
      const plain = await search(s, { variant: 'lastzero', params, maxDepth });
      const one = await searchParallel({ ...options, workers: 1 }, s);
      expect(one.executions).toBeGreaterThan(PARTS);
      expect(one.depthLimited).toBeGreaterThan(0);
      expect([plain.depthLimited > 0, plain.complete, plain.stoppedBy]).toEqual([true, false, 'exhausted']);
      expect([one.complete, one.stoppedBy]).toEqual([plain.complete, plain.stoppedBy]);
      expect(found(await searchParallel({ ...options, workers: 2, threads }, s))).toEqual(found(one));
      expect(found(await shards(s, searchPrograms, 'lastzero', params, 3, { maxDepth }))).toEqual(found(one));
    }
    // With a per-unit budget that cuts some units as well, both say 'executions'.
    const cut = await searchParallel({ file: searchPrograms, variant: 'lastzero', params: { n: 4 }, maxDepth: 20, maxExecutions: 2 }, s);
    const plainCut = await search(s, { variant: 'lastzero', params: { n: 4 }, maxDepth: 20, maxExecutions: 2 });
    expect([cut.stoppedBy, plainCut.stoppedBy]).toEqual(['executions', 'executions']);
  });

  it('an interrupt stops the units running in worker threads too; the units count up to the first one cut short', async () => {
    // 1,680 interleavings; in a worker every execution sleeps 40 ms, so units 1 and 2 (6 and 10
    // executions) outlast the cancel. A worker's first execution is the "deadline". Before, the
    // workers ran their units to the end whatever the time limit or interrupt.
    const signal = onceAWorkerStarts();
    try {
      const r = await searchParallel({ file: workerSignalFile, variant: 'writes', params: { tasks: 3, writes: 3, sleepMs: 40 }, workers: 2, shouldStop: signal.stop }, workerSignal);
      expect([r.stoppedBy, r.complete]).toEqual(['interrupted', false]);
      expect(r.units.map((u) => u.unit)).toEqual(r.units.map((_, i) => i));
      const last = r.units.at(-1)!;
      expect([last.unit > 0, last.complete, last.stoppedBy]).toEqual([true, false, 'interrupted']);
      expect(r.units.slice(0, -1).every((u) => u.complete)).toBe(true);
      expect(r.executions).toBe(r.units.reduce((n, u) => n + u.executions, 0));
    } finally {
      signal.close();
    }
  });

  it('merging shards one of which stopped early: units past its gap do not count, and a failure past it is reported as found there (stopped by time)', async () => {
    // lastzero(4) in 3 shards; shard 2 (units 1, 4, 7, ...) stopped by time after unit 1.
    const params = { n: 4 };
    const runs: SearchShardRun[] = [];
    for (let i = 1; i <= 3; i++) runs.push(await searchParallel({ file: searchPrograms, variant: 'lastzero', params, shard: { index: i, of: 3 } }, s));
    const early = { ...runs[1]!, complete: false, stoppedBy: 'time' as const, units: runs[1]!.units.filter((u) => u.unit < 4) };
    const merged = mergeSearchShardRuns([runs[0]!, early, runs[2]!]);
    expect([merged.units.map((u) => u.unit), merged.complete, merged.stoppedBy]).toEqual([[0, 1, 2, 3], false, 'time']);
    expect(merged.executions).toBe(merged.units.reduce((n, u) => n + u.executions, 0));
    // reader-first fails in unit 11 (shard 3's); shard 1 stopped by time after unit 6, so 9 was never run.
    const readers: SearchShardRun[] = [];
    for (let i = 1; i <= 3; i++) readers.push(await searchParallel({ file: lateFailures, variant: 'reader-first', params: { readers: 4 }, shard: { index: i, of: 3 } }, late));
    expect(readers[2]!.failureUnit).toBe(11);
    const cutShard = { ...readers[0]!, complete: false, stoppedBy: 'time' as const, units: readers[0]!.units.filter((u) => u.unit <= 6) };
    const past = mergeSearchShardRuns([cutShard, readers[1]!, readers[2]!]);
    expect([past.units.map((u) => u.unit), past.failureUnit, past.failure?.message, past.stoppedBy]).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8], 11, readers[2]!.failure!.message, 'time']);
  });

  it('shard files: a version 1 search run (dfs, before pb was split) is read as dfs and merges as before; a bad one is named', async () => {
    const runs = await shardRuns(s, searchPrograms, 'lastzero', { n: 4 }, 2);
    const dir = mkdtempSync(join(tmpdir(), 'interleave-shard-v1-'));
    const files = runs.map((r) => {
      const { mode, pruned, bound, units, ...rest } = r;
      void mode, pruned, bound;
      const v1 = { ...rest, version: 1, units: units.map(({ bound: _b, cut: _c, pruned: _p, ...u }) => u) };
      const file = join(dir, `v1-${r.shard.index}.json`);
      writeFileSync(file, JSON.stringify({ format: 'interleave-shard-results', version: 1, shard: r.shard, runs: [v1] }));
      return file;
    });
    const read = files.map((f) => readShardFile(f).runs[0]!);
    expect(found(mergeAnyShardRuns(read) as SearchShardRun)).toEqual(found(mergeSearchShardRuns(runs)));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'interleave-shard-results', version: 1, shard: runs[0]!.shard, runs: [{ ...runs[0]!, mode: 'bfs' }] }));
    expect(() => readShardFile(bad)).toThrow(`${bad}: run 1 (search-programs/lastzero): not a search shard run: mode must be dfs (bound null), or pb or db (bound with a whole number limit)`);
  });

  it('merge refuses a missing shard, and is incomplete when a shard was', async () => {
    const a = await searchParallel({ file: searchPrograms, variant: 'readers', params: { n: 3 }, shard: { index: 1, of: 2 } }, s);
    expect(() => mergeSearchShardRuns([a])).toThrow(/missing shard 2\/2/);
    const b = await searchParallel({ file: searchPrograms, variant: 'readers', params: { n: 3 }, shard: { index: 2, of: 2 } }, s);
    expect(mergeSearchShardRuns([a, b]).complete).toBe(true);
    expect(mergeSearchShardRuns([a, { ...b, complete: false, stoppedBy: 'time', units: b.units.slice(1) }]).complete).toBe(false);
  });

  it('merge refuses shards of a search run with other parameters, per-unit budget or bound, naming both files and the setting', async () => {
    const run = (index: number, more: Partial<SearchParallelOptions<object>> = {}) => searchParallel({ file: searchPrograms, variant: 'readers', params: { n: 3 }, strategy: 'pb', ...more, shard: { index, of: 2 } }, s);
    const a = await run(1);
    const files = ['r/1.json', 'r/2.json'];
    const refused = (runs: Parameters<typeof mergeSearchShardRuns>[0]): string => {
      try {
        mergeSearchShardRuns(runs, files);
        return 'merged';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(a.settings).toEqual({ params: { n: 3 }, maxSteps: expect.any(Number), allowLeaks: false, failOnLockOrder: false, maxExecutions: null, maxDepth: null, checkDeterminism: false });
    expect(refused([a, await run(2, { params: { n: 2 } })])).toBe('merge: search-programs/readers: r/2.json was run with --param n=2, r/1.json with n=3');
    expect(refused([a, await run(2, { maxExecutions: 10 })])).toBe('merge: search-programs/readers: r/2.json was run with -n 10, r/1.json with none');
    expect(refused([a, await run(2, { checkDeterminism: true })])).toBe('merge: search-programs/readers: r/2.json was run with --check-determinism true, r/1.json with false');
    expect(refused([a, await run(2, { resplit: { after: 5, into: 2 } })])).toBe(
      'merge: search-programs/readers: r/2.json was run with units 4 prefix executions and 24 parts, cut again every 5 executions into 2, r/1.json with 4 prefix executions and 24 parts, cut again every 10000 executions into 4',
    );
    expect(refused([a, await run(2, { preemptionBound: 1 })])).toBe('merge: search-programs/readers: r/2.json was run with --preemption-bound 1, r/1.json with 2');
    expect(refused([a, await searchParallel({ file: searchPrograms, variant: 'readers', params: { n: 3 }, strategy: 'pb', shard: { index: 2, of: 3 } }, s)])).toBe('merge: search-programs/readers: r/2.json was run with --shard 2/3, r/1.json with 1/2');
  });
});

describe('preemption-bounded search (pb) split in units, bound by bound', () => {
  it('fixtures: lost-update buggy (fails at bound 1): 1, 2 and 3 workers and 3 merged shards give the unsplit pb search, trace included', async () => {
    const luBuggy = await expectUnsplit(lu, fixture('lost-update'), 'buggy', { workers: 4 }, {}, threads);
    expect([luBuggy.one.stoppedBy, luBuggy.one.failure?.kind, luBuggy.one.bound]).toEqual(['failure', 'assertion', { limit: 2, reached: 1, completeUpTo: 0, minimalFailing: 1 }]);
    // The failing unit is in bound 1's round; the trace numbers its execution within the whole search.
    expect([luBuggy.one.failureUnit! >= UNITS_PER_ROUND, luBuggy.one.trace!.strategy.execution]).toEqual([true, luBuggy.plain.executions - 1]);
    // lock-order and lost-update fixed, and the audit scenarios, split the same way in test/long/search-split.test.ts.
  });

  it('a per-unit execution budget: every bound still runs (a cut-short unit may have cut), the same for 1 and 2 workers and 3 merged shards', async () => {
    const options = { file: fixture('lost-update'), variant: 'fixed', params: { workers: 3 }, strategy: 'pb' as const, por: false, maxExecutions: 2 };
    const one = await searchParallel(options, lu);
    expect([one.stoppedBy, one.complete, one.bound, one.units.length]).toEqual(['executions', false, { limit: 2, reached: 2, completeUpTo: null, minimalFailing: null }, 3 * UNITS_PER_ROUND]);
    expect(found(await searchParallel({ ...options, workers: 2, threads }, lu))).toEqual(found(one));
    expect(found(await shards(lu, options.file, options.variant, options.params, 3, { strategy: 'pb', por: false, maxExecutions: 2 }))).toEqual(found(one));
  });

  it('an interrupt stops the units running in worker threads; the units count up to the first one cut short', async () => {
    const signal = onceAWorkerStarts();
    try {
      const r = await searchParallel({ file: workerSignalFile, variant: 'writes', params: { tasks: 3, writes: 3, sleepMs: 40 }, strategy: 'pb', workers: 2, shouldStop: signal.stop }, workerSignal);
      expect([r.stoppedBy, r.complete]).toEqual(['interrupted', false]);
      expect(r.units.map((u) => u.unit)).toEqual(r.units.map((_, i) => i));
      const last = r.units.at(-1)!;
      expect([last.unit > 0, last.complete, last.stoppedBy]).toEqual([true, false, 'interrupted']);
      expect(r.bound).toEqual({ limit: 2, reached: 0, completeUpTo: null, minimalFailing: null });
      expect(r.executions).toBe(r.units.reduce((n, u) => n + u.executions, 0));
    } finally {
      signal.close();
    }
  });

  it('a stop before any part is handed out: the prefix counts, nothing after it', async () => {
    const r = await searchParallel({ file: fixture('lost-update'), variant: 'fixed', params: { workers: 3 }, strategy: 'pb', shouldStop: () => true }, lu);
    expect([r.units.map((u) => u.unit), r.stoppedBy, r.complete, r.bound?.completeUpTo]).toEqual([[0], 'interrupted', false, null]);
  });

  it('merging shards one of which stopped by time in bound 1: units count up to its gap, and the bound information says so', async () => {
    const runs = await shardRuns(lu, fixture('lost-update'), 'fixed', { workers: 3 }, 3, { strategy: 'pb' });
    // Shard 2 of 3 (runs are last first) owns units 1, 4, ..., 28, 31, ...: cut after unit 28 (bound 1).
    const early = { ...runs[1]!, complete: false, stoppedBy: 'time' as const, units: runs[1]!.units.filter((u) => u.unit <= 28) };
    const merged = mergeSearchShardRuns([runs[0]!, early, runs[2]!]);
    expect([merged.units.at(-1)!.unit, merged.stoppedBy, merged.complete, merged.bound]).toEqual([30, 'time', false, { limit: 2, reached: 1, completeUpTo: 0, minimalFailing: null }]);
    expect(merged.units.map((u) => u.unit)).toEqual(Array.from({ length: 31 }, (_, u) => u));
    // Shards of another preemption bound are another search.
    expect(() => mergeSearchShardRuns([runs[0]!, runs[1]!, { ...runs[2]!, bound: { ...runs[2]!.bound!, limit: 3 } }])).toThrow('merge: lost-update/fixed: shard 1/3 was run with --preemption-bound 3, shard 3/3 with 2');
  });
});
