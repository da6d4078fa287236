import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, readTrace, replayTrace, writeTrace, type ScenarioDefinition } from 'interleave';
import { expectDeclared, expectNoFailure, InterleaveFailure, replayTraceFile } from 'interleave/vitest';
import { explore as exploreDriver } from '../../src/explore.js';
import { loadFreshScenario } from '../../src/loader.js';
import warmCache from './fixtures/honesty/warm-cache.js';
import warmHelper from './fixtures/honesty/warm-helper.js';
import runaway from '../fixtures/bad/runaway.js';
import { CROSS_CHECK_CAUSE } from '../../src/search/crossCheck.js';
import { searchParallel } from '../../src/parallel/searchParallel.js';
import { cli, ROOT, tempDir } from './cli.js';

const HONESTY = join(ROOT, 'test/robust/fixtures/honesty');
const WARM_CACHE = join(HONESTY, 'warm-cache.ts');
const WARM_HELPER = join(HONESTY, 'warm-helper.ts');
const RUNAWAY = join(ROOT, 'test/fixtures/bad/runaway.ts');
const HIDDEN_SPIN = join(HONESTY, 'hidden-spin.ts');

/** The failure the warm path gives, at whichever execution the cache is warm by. */
const FOUND = /found: assertion: AssertionFailure: the warm path wrote 2 in task "main" \(step 5\)$/;
const PASSES_NOW = 'passes now: the recorded assertion no longer happens on this schedule';
const IN_MODULE = `nondeterminism: the failure found does not replay from a freshly loaded module (${PASSES_NOW}); state survived between executions (a module-level variable or cache?); found: `;
const IN_THREAD = `nondeterminism: the failure found does not replay from freshly loaded modules (the scenario and the modules it imports, in a new thread) (${PASSES_NOW}); state survived between executions (a module-level variable or cache, in the scenario or a module it imports?); found: `;

describe("library explore() confirms a failure from freshly loaded modules when given the scenario's file", () => {
  it('a cache in the scenario module: nondeterminism, no trace, and the result says what was found and how the fresh module replayed it', async () => {
    const r = await explore(warmCache as ScenarioDefinition<object>, { file: WARM_CACHE });
    expect(r.failure?.kind).toBe('nondeterminism');
    expect(r.failure?.message.startsWith(IN_MODULE)).toBe(true);
    expect(r.failure?.message).toMatch(FOUND);
    expect(r.trace).toBeNull();
    expect(r.notReproducedFresh).toMatchObject({ reloaded: 'module', replay: PASSES_NOW, found: { kind: 'assertion' } });
    // The trace found replays where it was found (the warm instance), not afresh.
    expect((await replayTrace(warmCache as ScenarioDefinition<object>, r.notReproducedFresh!.trace, WARM_CACHE)).outcome).toBe('reproduced');
    // Without the file nothing can be loaded again: the driver's result, as before.
    const unconfirmed = await explore(warmCache as ScenarioDefinition<object>, {});
    expect([unconfirmed.failure?.kind, unconfirmed.trace !== null, unconfirmed.notReproducedFresh]).toEqual(['assertion', true, undefined]);
  });

  it('a cache in a helper module the scenario imports: a fresh scenario module alone would confirm it; the new thread loads the helper afresh too', async () => {
    const r = await explore(warmHelper as ScenarioDefinition<object>, { file: WARM_HELPER });
    expect(r.failure?.kind).toBe('nondeterminism');
    expect(r.failure?.message.startsWith(IN_THREAD)).toBe(true);
    expect(r.failure?.message).toMatch(FOUND);
    expect([r.trace, r.notReproducedFresh?.reloaded]).toEqual([null, 'thread']);
    // What this guards against: a new instance of the scenario module shares the warm helper and "reproduces" the failure.
    const fresh = await loadFreshScenario(WARM_HELPER, 'library-honesty');
    expect((await replayTrace(fresh!.scenario, r.notReproducedFresh!.trace, WARM_HELPER)).outcome).toBe('reproduced');
  });

  it('a failure that replays afresh is returned as the driver found it', async () => {
    const file = join(ROOT, 'test/fixtures/scenarios/lost-update.ts');
    const { default: lostUpdate } = (await import('../fixtures/scenarios/lost-update.js')) as { default: ScenarioDefinition<object> };
    const [checked, driver] = [await explore(lostUpdate, { variant: 'buggy', seed: 7, file }), await exploreDriver(lostUpdate, { variant: 'buggy', seed: 7, file })];
    expect({ ...checked, elapsedMs: 0 }).toEqual({ ...driver, elapsedMs: 0 });
    expect(checked.failure?.kind).toBe('assertion');
  });

  it('run saves no trace of the helper-module case either (it used to replay in this thread, sharing the helper)', async () => {
    const out = tempDir();
    const r = await cli(['run', WARM_HELPER, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^warm-helper \[only\] random seed 1: 4 executions, \d+\/s: nondeterminism$/);
    expect(r.stdout).toContain(`\n${IN_THREAD}assertion: AssertionFailure: the warm path wrote 2 in task "main" (step 5)\n`);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('the vitest helpers say when a failure does not replay fresh, or was not confirmed', () => {
  it('expectNoFailure: the nondeterminism, a line saying why no trace was saved, nothing saved', async () => {
    const out = tempDir();
    const err = await expectNoFailure(warmHelper, { file: WARM_HELPER, out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterleaveFailure);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toMatch(/^warm-helper \[only\] failed after \d+ executions?$/);
    expect(lines[1]!.startsWith(IN_THREAD)).toBe(true);
    expect(lines[2]).toBe(
      `no trace saved: the assertion found replays only in the module instance that explored (from the scenario and the modules it imports loaded afresh in a new thread: ${PASSES_NOW}), so its trace would not reproduce in a new process`,
    );
    expect(lines).toHaveLength(3);
    expect((err as InterleaveFailure).file).toBeNull();
    expect((err as InterleaveFailure).result.notReproducedFresh?.found.kind).toBe('assertion');
    expect(readdirSync(out)).toEqual([]);
  });

  it('expectDeclared: a variant expected to pass, found nondeterminism, with the same line', async () => {
    const err = await expectDeclared(warmCache, 'only', { file: WARM_CACHE }).catch((e: unknown) => e);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('warm-cache [only]: expected pass, found nondeterminism');
    expect(lines[1]!.startsWith(IN_MODULE)).toBe(true);
    expect(lines[2]).toBe(`no trace saved: the assertion found replays only in the module instance that explored (from the scenario module loaded afresh: ${PASSES_NOW}), so its trace would not reproduce in a new process`);
  });

  it('replayTraceFile replays from fresh modules: a trace that reproduces only once the cache is warm never passes, however many replays warmed it', async () => {
    const dir = join(ROOT, 'test-output/library-honesty');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // The driver (no fresh confirmation) returns the warm trace, as a build before this check saved it.
    const warm = await exploreDriver(warmCache as ScenarioDefinition<object>, { file: WARM_CACHE });
    expect(warm.failure?.kind).toBe('assertion');
    writeTrace(join(dir, 'warm.json'), warm.trace!);
    // Replayed in one module instance, the 4th replay would find the cache warm and say reproduced.
    for (let i = 0; i < 5; i++) await expect(replayTraceFile(join(dir, 'warm.json'))).rejects.toThrow(`${join(dir, 'warm.json')}: ${PASSES_NOW}`);
  });
});

describe('explore({ watchdog }): a task that spins without a scheduling point ends the exploration as a livelock', () => {
  it('a runaway with its trace, confirmed by a watched replay in a new thread; without file: a usage error', async () => {
    const r = await explore(runaway as ScenarioDefinition<object>, { file: RUNAWAY, watchdog: 0.25 });
    expect(r.failure?.kind).toBe('livelock');
    expect(r.failure?.message).toMatch(/^livelock: task "spinner" ran for more than 0\.25 s without reaching a scheduling point \(a runaway loop that never awaits an interleave operation\?\) after step 2 of execution \d+$/);
    expect(r.trace?.runaway).toEqual({ seconds: 0.25 });
    // Confirmed: replayed in a new watched thread, the same task spun after the same step.
    expect(r.notReproducedFresh).toBeUndefined();
    await expect(explore(runaway as ScenarioDefinition<object>, { watchdog: 0.25 })).rejects.toThrow("explore(runaway): the watchdog needs `file`, the scenario module's path (its thread imports the module)");
  });
});

describe('the cross-check of a split dfs search runs watched: a spin that only the schedules the reduction skips reach is a livelock, not a hang', () => {
  const SPIN = 'livelock: task "waiter" ran for more than 0.25 s without reaching a scheduling point (a runaway loop that never awaits an interleave operation?) after step 2 of execution 1';
  const SAID_COMPLETE = `hidden-spin [buggy] dfs: livelock: exhaustive search said complete, but random schedule 2 of 300 (seed 1) fails: ${CROSS_CHECK_CAUSE}`;

  it('run --workers 2 --strategy dfs --watchdog 0.25 (it hung in the cross-check), and shards merged with --watchdog 0.25: the runaway and its trace, confirmed before it is saved', async () => {
    const out = tempDir();
    // Subprocesses with a time limit: a cross-check that spins unwatched fails this test instead of
    // freezing the suite. Shards cannot tell the search is complete: merge cross-checks the merged run.
    const shard = (i: number) => cli(['run', HIDDEN_SPIN, '--strategy', 'dfs', '--watchdog', '0.25', '--shard', `${i}/2`, '--shard-file', join(out, `s${i}.json`), '--out', out]);
    const [split, ...shards] = await Promise.all([cli(['run', HIDDEN_SPIN, '--strategy', 'dfs', '--workers', '2', '--watchdog', '0.25', '--no-shrink', '--out', out]), shard(1), shard(2)]);
    expect([split!.code, split!.signal]).toEqual([1, null]);
    expect(split!.stdout.split('\n')[0]).toBe(SAID_COMPLETE);
    expect(split!.stdout).toContain(`\n${SPIN}\n`);
    // Saved once confirmed: replayed from a new watched thread, where the same task spun after the same step.
    expect(readTrace(join(out, 'hidden-spin.buggy.livelock.json')).runaway).toEqual({ seconds: 0.25 });
    expect(shards.map((r) => r.code)).toEqual([0, 0]);
    const merged = await cli(['merge', '--dir', HONESTY, '--watchdog', '0.25', '--no-shrink', '--out', join(out, 'merged'), join(out, 's1.json'), join(out, 's2.json')]);
    expect([merged.code, merged.signal]).toEqual([1, null]);
    expect(merged.stdout.split('\n')[0]).toBe(`${SAID_COMPLETE} (merged from 2 workers over 2 shards)`);
    expect(merged.stdout).toContain(`\n${SPIN}\n`);
    expect(readTrace(join(out, 'merged', 'hidden-spin.buggy.livelock.json')).runaway).toEqual({ seconds: 0.25 });
  }, 180_000);

  it('watched, the cross-check finds the schedule and the trace the unwatched one finds (a closure variable lost update)', async () => {
    const file = join(HONESTY, 'closure-counter.ts');
    const [plain, watched] = await Promise.all([searchParallel({ file, strategy: 'dfs' }), searchParallel({ file, strategy: 'dfs', watchdog: 10 })]);
    expect(watched.crossCheck).toEqual({ schedules: 300, seed: 1, failedAt: 3 });
    expect([watched.crossCheck, watched.complete, watched.failure?.message]).toEqual([plain.crossCheck, plain.complete, plain.failure?.message]);
    // The same schedule, recorded alike (the stack differs only in how this thread named the module).
    const same = (t: typeof plain.trace) => ({ strategy: t!.strategy, decisions: t!.decisions, events: t!.events.length, counts: t!.counts });
    expect(same(watched.trace)).toEqual(same(plain.trace));
  });
});
