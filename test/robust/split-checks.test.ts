import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore.js';
import { loadScenario as loadSource } from '../../src/loader.js';
import { exploreParallel } from '../../src/parallel/exploreParallel.js';
import { searchParallel } from '../../src/parallel/searchParallel.js';
// The watched thread runs the built worker (dist), as the CLI does.
import { loadScenario } from '../../dist/loader.js';
import { exploreWithWatchdog } from '../../dist/robust/watchdog.js';
import { replaySaved } from '../../dist/robust/replaySaved.js';
import { encodeTrace } from '../../dist/trace/codec.js';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cli, HANG_MS, inProcess, noStack, ROOT, tempDir } from './cli.js';

const RARE = join(ROOT, 'test/fixtures/split/rare-runaway.ts');
/** With seed 3 its task spins at execution 580: in the third block of 250, after two that pass. */
const SPIN_AT = 580;
const MESSAGE = `livelock: task "spinner" ran for more than 0.25 s without reaching a scheduling point (a runaway loop that never awaits an interleave operation?) after step 4 of execution ${SPIN_AT}`;
/** The same runaway, shrunk (under the watchdog): main starts, the spinner starts and reads, then spins. */
const SHRUNK = 'livelock: task "spinner" ran for more than 0.25 s without reaching a scheduling point (a runaway loop that never awaits an interleave operation?) after step 2';

describe('--watchdog with --workers and --shard (split random runs)', () => {
  it('every explorer a watched thread: 1 worker and 2 find the runaway where the unsplit watched run does, with the same counts', async () => {
    const { scenario } = await loadScenario(RARE);
    const plain = await exploreWithWatchdog(RARE, scenario, { seed: 3, iterations: 2000 }, { seconds: 0.25 });
    expect(plain.failure?.message).toBe(MESSAGE);
    expect(plain.executions).toBe(SPIN_AT + 1);
    for (const workers of [1, 2]) {
      const split = await exploreParallel({ file: RARE, seed: 3, iterations: 2000, workers, watchdog: 0.25 });
      expect([split.failureAt, split.executions, split.steps, split.failure?.message, split.failure?.task]).toEqual([SPIN_AT, plain.executions, plain.steps, MESSAGE, 'spinner']);
      // The runaway's trace, rebuilt from the decisions its heartbeat logged: the same as unsplit.
      expect(encodeTrace(split.trace!)).toBe(encodeTrace(plain.trace!));
    }
    // It ends with the runaway pick and the draw of 7 the spinner made before it spun; replayed
    // (watched, as the trace asks), the same task spins after the same step.
    const trace = plain.trace!;
    expect([trace.runaway, trace.failure?.kind, trace.failure?.task, trace.failure?.step, trace.decisions.at(-1), trace.counts.steps]).toEqual([{ seconds: 0.25 }, 'livelock', 'spinner', 5, 7, 5]);
    const replayed = await replaySaved({ file: RARE, scenario }, trace);
    expect([replayed.outcome, replayed.message]).toEqual(['reproduced', `reproduced: ${MESSAGE}`]);
  }, HANG_MS);

  it('a failure before the runaway wins, and the thread frozen in a later block is ended at once, not after the watchdog\'s hour', async () => {
    // Waiting for the verdict would take an hour of the frozen thread's own time: the bound (and
    // the test's timeout) are minutes, so a loaded machine that stretches the run cannot fail it.
    const started = Date.now();
    const r = await exploreParallel({ file: RARE, variant: 'fails-first', seed: 3, iterations: 2000, workers: 2, watchdog: 3600 });
    expect([r.failureAt, r.failure?.kind]).toEqual([377, 'assertion']);
    expect(Date.now() - started).toBeLessThan(300_000);
  }, HANG_MS);

  it('run --workers 2 --watchdog 0.25 reports the runaway (exit 1); two shards merged report it too', async () => {
    const out = tempDir();
    // --no-shrink: the shrinks under the watchdog are merge's, below (a split run shrinks in the
    // same watched thread as an unsplit one: test/robust/watched-shrink.test.ts).
    const two = await cli(['run', RARE, '--seed', '3', '--watchdog', '0.25', '--workers', '2', '--no-shrink', '--out', out]);
    expect(two.signal).toBeNull();
    expect(two.stdout).toMatch(new RegExp(`^rare-runaway \\[only\\] random seed 3: ${SPIN_AT + 1} executions, .*livelock$`, 'm'));
    expect(two.stdout).toContain(`\n${MESSAGE}\n`);
    expect(noStack(two.stderr)).toBe(true);
    expect(two.code).toBe(1);
    // The other variant fails (draw 8) before its spin.
    expect(two.stdout).toMatch(/^rare-runaway \[fails-first\] random seed 3: 378 executions, .*assertion$/m);
    const shards = await Promise.all(
      [1, 2].map((i) => cli(['run', RARE, '--seed', '3', '-n', '2000', '--watchdog', '0.25', '--no-shrink', '--shard', `${i}/2`, '--shard-file', join(out, `s${i}.json`), '--out', out])),
    );
    // Shard 1 owns blocks 0, 2, 4, ...: the runaway at 580; shard 2 (blocks 1, 3, ...) a later one, at 764.
    expect(shards.map((r) => r.code)).toEqual([1, 1]);
    expect((JSON.parse(readFileSync(join(out, 's2.json'), 'utf8')) as { runs: { variant: string; failure: { message: string } | null }[] }).runs.find((r) => r.variant === 'only')!.failure!.message).toMatch(/ of execution 764$/);
    // The merge reports the first runaway by execution, as one machine would, and shrinks both
    // variants watched: no --watchdog needed, the shards hold a runaway of this scenario.
    const merged = await cli(['merge', '--out', out, join(out, 's1.json'), join(out, 's2.json')]);
    expect(merged.stderr).toContain('interleave: rare-runaway [fails-first]: shrinking under the watchdog (0.25 s), since rare-runaway has a runaway in these shards\n');
    expect(merged.stdout.split('\n')[0]).toMatch(new RegExp(`: ${SPIN_AT + 1} executions.*livelock`));
    // The runaway shrunk: 5 steps with 2 preemptions to 3 with none.
    expect(merged.stdout).toContain(`\n${SHRUNK}\n  3 steps, 0 preemptions, 4 tasks (shrunk from 5 steps, 2 preemptions)\n`);
    // The other variant's shrinker tries the draw of 7 (an unwatched one hung there): watched,
    // that attempt is cut short and the shrink goes on.
    expect(merged.stdout).toContain('3 steps, 0 preemptions, 4 tasks (shrunk from 6 steps, 2 preemptions)');
    expect(merged.stderr).toContain('interleave: shrinking rare-runaway [fails-first]: attempt 12 spun (task "spinner" ran for more than 0.25 s without a scheduling point after step 2); taken as not the bug\n');
    expect(merged.code).toBe(1);

  }, HANG_MS);
});

describe('--watchdog with a split dfs or pb search', () => {
  const DFS_MESSAGE = 'livelock: task "spinner" ran for more than 0.25 s without reaching a scheduling point (a runaway loop that never awaits an interleave operation?) after step 2 of execution 46 of search unit 1';

  it('every piece, each round\'s prefix included, in watched threads: 1 worker and 2 find the same runaway with the same counts', async () => {
    const runs = [];
    for (const workers of [1, 2]) runs.push(await searchParallel({ file: RARE, strategy: 'dfs', workers, watchdog: 0.25 }));
    for (const r of runs) {
      expect([r.executions, r.failure?.kind, r.failure?.message, r.failureUnit, r.trace?.runaway]).toEqual([51, 'livelock', DFS_MESSAGE, 1, { seconds: 0.25 }]);
      expect(encodeTrace(r.trace!)).toBe(encodeTrace(runs[0]!.trace!));
      expect(r.steps).toBe(runs[0]!.steps);
    }
    const { scenario } = await loadScenario(RARE);
    expect((await replaySaved({ file: RARE, scenario }, runs[0]!.trace!)).outcome).toBe('reproduced');
    // A task spinning in the prefix (runaway.ts spins at once): the prefix runs in a watched thread too.
    const prefix = await searchParallel({ file: join(ROOT, 'test/fixtures/bad/runaway.ts'), strategy: 'pb', workers: 2, watchdog: 0.25 });
    expect([prefix.executions, prefix.failureUnit, prefix.failure?.message]).toEqual([1, 0, expect.stringMatching(/after step 2 of execution 0 of search unit 0$/)]);
  }, HANG_MS);

  it('watched or not, a split search that does not spin finds the same: counts, failure and trace', async () => {
    const file = join(ROOT, 'test/fixtures/split/philosophers.ts');
    const [plain, watched] = [await searchParallel({ file, strategy: 'dfs', workers: 2 }), await searchParallel({ file, strategy: 'dfs', workers: 2, watchdog: 5 })];
    expect([watched.executions, watched.completeExecutions, watched.steps, watched.failureUnit, watched.failure?.message]).toEqual([plain.executions, plain.completeExecutions, plain.steps, plain.failureUnit, plain.failure?.message]);
    expect(watched.trace?.decisions).toEqual(plain.trace?.decisions);
    expect(plain.failure).not.toBeNull();
  }, HANG_MS);

  it('two dfs shards with the watchdog merge into what the whole search reports', async () => {
    const out = tempDir();
    // Variant only: fails-first spins in the same units (dfs draws 7 before 8), so a second
    // variant would double the spins and the watched shrinks without a new check.
    const shards = await Promise.all([1, 2].map((i) => cli(['run', RARE, '--variant', 'only', '--strategy', 'dfs', '--watchdog', '0.25', '--no-shrink', '--shard', `${i}/2`, '--shard-file', join(out, `s${i}.json`), '--out', out])));
    expect(shards.map((r) => r.code)).toEqual([1, 1]);
    // --no-shrink: merge's watched shrink of a runaway from random shards is the first test's.
    const merged = await inProcess(['merge', '--no-shrink', '--out', out, join(out, 's1.json'), join(out, 's2.json')]);
    expect(merged.stdout.split('\n')[0]).toBe('rare-runaway [only] dfs: livelock found after 51 executions (merged from 2 workers over 2 shards)');
    // The runaway of the whole search: the same execution of the same unit.
    expect(merged.stdout).toContain(`\n${DFS_MESSAGE}\n`);
    expect(merged.code).toBe(1);
  }, HANG_MS);
});

const RANDOM = join(ROOT, 'test/fixtures/split/rare-random.ts');

describe('--check-determinism with --workers and --shard (split random runs)', () => {
  it('every block checks its executions: 1 worker and 2 report the nondeterminism where explore does, with the same counts and trace', async () => {
    const { scenario } = await loadSource(RANDOM);
    const plain = await explore(scenario, { file: RANDOM, seed: 3, iterations: 2000, checkDeterminism: true });
    expect(plain.failure?.kind).toBe('nondeterminism');
    expect(plain.executions).toBe(SPIN_AT + 1);
    for (const workers of [1, 2]) {
      const split = await exploreParallel({ file: RANDOM, seed: 3, iterations: 2000, workers, checkDeterminism: true });
      expect([split.failureAt, split.executions, split.steps, split.failure?.kind, split.failure?.step]).toEqual([SPIN_AT, plain.executions, plain.steps, 'nondeterminism', plain.failure?.step]);
      expect(split.trace?.decisions).toEqual(plain.trace?.decisions);
    }
    // Unchecked, the run passes: the outcome is the same both times.
    const unchecked = await exploreParallel({ file: RANDOM, seed: 3, iterations: 2000, workers: 2 });
    expect([unchecked.failure, unchecked.executions]).toEqual([null, 2000]);
  }, HANG_MS);

  it('two checked shards merge into the first nondeterminism; a checked and an unchecked shard do not merge', async () => {
    const out = tempDir();
    const shard = (i: number, extra: string[]) => cli(['run', RANDOM, '--seed', '3', '-n', '2000', '--no-shrink', ...extra, '--shard', `${i}/2`, '--shard-file', join(out, `s${i}${extra.length}.json`), '--out', out]);
    const [one, two, twoUnchecked] = await Promise.all([shard(1, ['--check-determinism']), shard(2, ['--check-determinism']), shard(2, [])]);
    // Shard 1 (blocks 0, 2, ...) stops at 580: 250 + 81 executions; shard 2 (blocks 1, 3, ...) at 764: 250 + 15.
    expect([one.code, two.code]).toEqual([1, 1]);
    expect(one.stdout).toMatch(/: 331 executions, .*nondeterminism/);
    expect(two.stdout).toMatch(/: 265 executions, .*nondeterminism/);
    expect(twoUnchecked.code).toBe(0);
    const merged = await inProcess(['merge', '--no-shrink', '--out', out, join(out, 's11.json'), join(out, 's21.json')]);
    expect(merged.stdout.split('\n')[0]).toMatch(new RegExp(`: ${SPIN_AT + 1} executions.*nondeterminism`));
    expect(merged.code).toBe(1);
    const mixed = await inProcess(['merge', '--out', out, join(out, 's11.json'), join(out, 's20.json')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--check-determinism/);
    expect(readFileSync(join(out, 's11.json'), 'utf8')).toContain('"checkDeterminism": true');
  }, HANG_MS);

  it('dfs and pb check every execution that runs to its end: unchecked they pass; pb split on 1 and 2 workers finds what unsplit pb finds', async () => {
    const { scenario } = await loadSource(RANDOM);
    const dfs = await explore(scenario, { file: RANDOM, strategy: 'dfs', checkDeterminism: true });
    expect([dfs.failure?.kind, dfs.executions]).toEqual(['nondeterminism', 43]);
    const unchecked = await explore(scenario, { file: RANDOM, strategy: 'dfs' });
    expect([unchecked.failure, unchecked.search?.complete]).toEqual([null, true]);
    // pb without reduction splits into exactly the unsplit search's executions, in order: the same first nondeterminism.
    const pb = await explore(scenario, { file: RANDOM, strategy: 'pb', por: false, checkDeterminism: true });
    expect([pb.failure?.kind, pb.executions]).toEqual(['nondeterminism', 50]);
    for (const workers of [1, 2]) {
      const split = await searchParallel({ file: RANDOM, strategy: 'pb', por: false, workers, checkDeterminism: true });
      expect([split.failure?.kind, split.executions, split.failure?.step, split.trace?.decisions]).toEqual(['nondeterminism', 50, pb.failure?.step, pb.trace?.decisions]);
    }
  }, HANG_MS);
});

describe('ci --check-determinism', () => {
  it('a variant that passes but does not replay alike is a nondeterminism mismatch, alone, on 2 workers and watched; unchecked it passes', async () => {
    // Inside the repository, so the scenario's `import 'interleave'` resolves to this package.
    const dir = join(ROOT, 'test-output', 'ci-check-determinism');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'scenarios'), { recursive: true });
    copyFileSync(RANDOM, join(dir, 'scenarios', 'rare-random.ts'));
    // The unsplit, unwatched two in this process (the same main); the split and the watched ones as the binary.
    const runs = await Promise.all([[], ['--check-determinism'], ['--check-determinism', '--workers', '2'], ['--check-determinism', '--watchdog', '5']].map((flags, i) => (i < 2 ? inProcess : cli)(['ci', ...flags], { cwd: dir })));
    expect(runs[0]!.stdout).toMatch(/^variant +rare-random \[only\] +pass +pass +ok$/m);
    expect(runs[0]!.code).toBe(0);
    for (const r of runs.slice(1)) {
      expect(r.stdout).toMatch(/^variant +rare-random \[only\] +pass +nondeterminism +MISMATCH$/m);
      expect(r.stdout).toMatch(/two runs of the same schedule differ at step \d+: first spinner: read noise -> 0\.\d+; then spinner: read noise -> 0\.\d+/);
      expect(noStack(r.stderr)).toBe(true);
      expect(r.code).toBe(1);
    }
  }, HANG_MS);
});
