import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, writeTrace, type ScenarioDefinition } from 'interleave';
import { expectNoFailure, InterleaveFailure, replayTraces } from 'interleave/vitest';
import getOrLoad from '../fixtures/real/get-or-load.js';
import { cli, inProcess, noStack, ROOT, scenarioDir, type CliResult } from '../robust/cli.js';

/**
 * Every command on real-code scenarios (issue 21 item 6), on copies of the real-code fixtures in
 * test-output/real-commands-*: the CLI's main in this process (`at`, the code path of the
 * binary without a Node start per command, run one at a time), the built binary where a command
 * reads stdin or a scenario is edited keeping its size (in process, src/loader.ts loads a module
 * again when its modification time or size changed).
 */
const FIX = join(ROOT, 'test/fixtures/real');
const FILES = { 'get-or-load.ts': join(FIX, 'get-or-load.ts'), 'chain-lock.ts': join(FIX, 'chain-lock.ts'), 'timeout.ts': join(FIX, 'timeout.ts') };
const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;

const LOADED_TWICE = 'assertion: AssertionFailure: loaded 2 times in task "main" (step 5)';
const LOST_UPDATE = 'assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main" (step 5)';

/** `interleave ...args` in this process, with `{}` in an argument standing for `dir`. */
function at(dir: string, args: readonly string[]): Promise<CliResult> {
  return inProcess(args.map((a) => a.replace('{}', dir)));
}

/** The header lines of `run` (`<scenario> [<variant>] ...`), rates (`123/s`) blanked. */
function heads(r: CliResult): string[] {
  return r.stdout
    .split('\n')
    .filter((l) => /^[a-z-]+ \[[a-z-]+\] /.test(l))
    .map((l) => l.replace(/\d+\/s/, 'N/s'));
}

/** A run's verdict per variant from `--json` (run's or merge's), without where its trace was written. */
function verdicts(r: CliResult): unknown[] {
  return (JSON.parse(r.stdout) as { scenario: string; variant: string; executions: number; stoppedBy: string; failure: { message: string } | null }[]).map((v) => [v.scenario, v.variant, v.executions, v.stoppedBy, v.failure?.message ?? 'pass']);
}

// Traces written before replayTraces registers its tests (one per file).
const HELPER_DIR = scenarioDir('real-commands-vitest', FILES);
const found = await explore(s(getOrLoad), { variant: 'buggy', seed: 1, file: join(HELPER_DIR, 'scenarios/get-or-load.ts') });
writeTrace(join(HELPER_DIR, 'traces/get-or-load.json'), found.trace!);

describe('every command on real code', () => {
  it('run: random, pct, dfs and pb find the buggy variants and pass the fixed ones, saying how complete each search is', async () => {
    const dir = scenarioDir('real-commands-run', FILES);
    const runs: CliResult[] = [];
    for (const strategy of ['random', 'pct', 'dfs', 'pb']) runs.push(await at(dir, ['run', 'get-or-load', 'chain-lock', '--dir', '{}/scenarios', '--strategy', strategy, '-n', '200', '--check', '-o', `{}/${strategy}`]));
    for (const [i, r] of runs.entries()) {
      expect([r.code, noStack(r.stderr)], r.stdout + r.stderr).toEqual([0, true]);
      expect(r.stdout).toContain(`\n${LOADED_TWICE}\n  at test-output/real-commands-run/scenarios/get-or-load.ts:47\n`);
      expect(r.stdout).toContain(`\n${LOST_UPDATE}\n  at test-output/real-commands-run/scenarios/chain-lock.ts:56\n`);
      expect(r.stdout).toContain(`replay: npx interleave replay test-output/real-commands-run/${['random', 'pct', 'dfs', 'pb'][i]}/get-or-load.buggy.assertion.json\n`);
    }
    // A call's row keeps its whole text and ends with the caller's line (five tasks with calls this long: the list layout).
    expect(runs[0]!.stdout).toMatch(/^ {4}1 {2}auth +call auth\("ann"\) -> true at get-or-load\.ts:42$/m);
    expect(runs[0]!.stdout).toMatch(/^ {4}2 {2}\S+ +call db\.read\(\) -> 0 at chain-lock\.ts:24$/m);
    const [random, pct, dfs, pb] = runs.map(heads);
    expect(random).toEqual([
      'get-or-load [buggy] random seed 1: 1 execution, N/s: assertion',
      'get-or-load [fixed] random seed 1: 200 executions, N/s: no failure (budget used)',
      'chain-lock [buggy] random seed 1: 1 execution, N/s: assertion',
      'chain-lock [fixed] random seed 1: 200 executions, N/s: no failure (budget used)',
      'chain-lock [never-released] random seed 1: 1 execution, N/s: stuck',
    ]);
    expect(pct).toEqual(random.map((l) => l.replace(' random ', ' pct ')));
    // dfs explores every order of the calls (real code may share plain state: no reduction claimed).
    expect(dfs).toEqual([
      'get-or-load [buggy] dfs: assertion found after 1 execution',
      'get-or-load [fixed] dfs: exhaustive: 4 complete executions, no failure (complete, without partial-order reduction: untracked state)',
      'chain-lock [buggy] dfs: assertion found after 1 execution',
      'chain-lock [fixed] dfs: exhaustive: 1 complete execution, no failure (complete, without partial-order reduction: untracked state)',
      'chain-lock [never-released] dfs: stuck found after 1 execution',
    ]);
    // pb reduces as dfs does, so on real code it says the same: no reduction claimed.
    expect(pb).toEqual([
      'get-or-load [buggy] pb: assertion found at preemption bound 0 (the smallest) after 1 execution',
      'get-or-load [fixed] pb: exhaustive: 4 complete executions, no failure (complete, without partial-order reduction: untracked state)',
      'chain-lock [buggy] pb: assertion found at preemption bound 0 (the smallest) after 1 execution',
      'chain-lock [fixed] pb: exhaustive: 1 complete execution, no failure (complete, without partial-order reduction: untracked state)',
      'chain-lock [never-released] pb: stuck found at preemption bound 0 (the smallest) after 1 execution',
    ]);
  });

  it('--workers 2 and --shard 1/2 + 2/2 merged give the verdicts and trace bytes of the unsplit run (random and dfs; a dfs failure in the shared prefix merges)', async () => {
    const dir = scenarioDir('real-commands-split', FILES);
    for (const strategy of ['random', 'dfs']) {
      const common = ['run', 'get-or-load', '--dir', '{}/scenarios', '--strategy', strategy, '-n', '300', '--json'];
      const plain = await at(dir, [...common, '-o', `{}/${strategy}-plain`]);
      const workers = await at(dir, [...common, '-o', `{}/${strategy}-workers`, '--workers', '2']);
      for (const shard of ['1/2', '2/2']) expect((await at(dir, [...common, '-o', `{}/${strategy}-shards`, '--shard', shard])).code).toBe(1);
      for (const r of [plain, workers]) expect(r.code, r.stderr).toBe(1);
      const merged = await at(dir, ['merge', `{}/${strategy}-shards/shard-1-of-2.json`, `{}/${strategy}-shards/shard-2-of-2.json`, '-o', `{}/${strategy}-merged`, '--json']);
      expect(merged.code, merged.stderr).toBe(1);
      const want = verdicts(plain);
      expect(want.map((v) => (v as string[])[4])).toEqual([LOADED_TWICE, 'pass']);
      expect(verdicts(workers)).toEqual(want);
      expect(verdicts(merged)).toEqual(want);
      const bytes = (folder: string): string => readFileSync(join(dir, folder, 'get-or-load.buggy.assertion.json'), 'utf8');
      expect(bytes(`${strategy}-workers`)).toBe(bytes(`${strategy}-plain`));
      expect(bytes(`${strategy}-merged`)).toBe(bytes(`${strategy}-plain`));
    }
  });

  it('--check-determinism: the fixtures replay identically; real code that flips a coin is nondeterminism', async () => {
    const dir = scenarioDir('real-commands-determinism', FILES);
    writeFileSync(
      join(dir, 'scenarios/coin.ts'),
      `import { defineScenario } from 'interleave';
export default defineScenario({
  name: 'coin',
  description: 'real code calls a or b on a coin flip the strategy does not see',
  variants: { only: { expect: 'pass' } },
  async run(t) {
    const a = t.io('a', async () => 1);
    const b = t.io('b', async () => 2);
    await Promise.all([a(), Math.random() < 0.5 ? a() : b()]);
  },
});
`,
    );
    const fixtures = await at(dir, ['run', 'get-or-load', 'chain-lock', 'timeout', '--dir', '{}/scenarios', '-o', '{}/traces', '--check-determinism', '-n', '50', '--check']);
    const coin = await at(dir, ['run', 'coin', '--dir', '{}/scenarios', '-o', '{}/traces', '--check-determinism', '-n', '50']);
    expect(fixtures.code, fixtures.stdout).toBe(0);
    expect(fixtures.stdout).not.toContain('nondeterminism');
    // Each execution's two runs differ with probability 1/2: all 50 agreeing is a 2^-50 chance.
    expect(coin.code).toBe(1);
    expect(coin.stdout).toMatch(/^coin \[only\] random seed 1: \d+ executions?, \d+\/s: nondeterminism$/m);
    expect(coin.stdout).toMatch(/^nondeterminism: two runs of the same schedule differ at step 1( \(replayed again after execution \d+: [^)]*\))?: first main: spawn (b|a#2); then main: spawn (a#2|b); does the scenario use Math.random/m);
  });

  it('replay reproduces a saved trace; after an edit that makes the calls in another order it says diverged at step N', async () => {
    const dir = scenarioDir('real-commands-replay', FILES);
    const run = await at(dir, ['run', 'get-or-load', '-v', 'buggy', '--dir', '{}/scenarios', '-o', '{}/traces']);
    expect(run.code).toBe(1);
    const replay = (): Promise<CliResult> => inProcess(['replay', 'traces/get-or-load.buggy.assertion.json'], { cwd: dir });
    const same = await replay();
    expect([same.code, same.stdout.trimEnd().split('\n').at(-1)]).toEqual([1, `reproduced: ${LOADED_TWICE}`]);
    // The trace says where each call was made, relative to the project root.
    const trace = JSON.parse(readFileSync(join(dir, 'traces/get-or-load.buggy.assertion.json'), 'utf8')) as { events: { op: string; site?: string }[] };
    expect(trace.events.filter((e) => e.op === 'call').map((e) => e.site)).toEqual([42, 42, 9, 9].map((line) => `test-output/real-commands-replay/scenarios/get-or-load.ts:${line}`));
    // Lines that moved are no divergence: the schedule and the calls are what replay compares.
    const file = join(dir, 'scenarios/get-or-load.ts');
    writeFileSync(file, `// moved down a line\n${readFileSync(file, 'utf8')}`);
    const moved = await replay();
    expect([moved.code, moved.stdout.trimEnd().split('\n').at(-1)]).toEqual([1, `reproduced: ${LOADED_TWICE}`]);
    expect(moved.stdout).toContain(' at get-or-load.ts:10');
    writeFileSync(file, readFileSync(file, 'utf8').replace("request('ann'), request('bob')", "request('bob'), request('ann')"));
    // The binary: this edit keeps the file's size, so only its modification time would tell a
    // module loaded in this process that it changed.
    const edited = await cli(['replay', 'traces/get-or-load.buggy.assertion.json'], { cwd: dir });
    expect(edited.code).toBe(3);
    expect(edited.stdout).toContain('\ndiverged at step 1: auth did call auth("bob") where the trace recorded call auth("ann")\n');
  });

  it('shrink a saved trace of timers racing a call: fewer steps and no preemption, and the shrunk trace replays', async () => {
    const dir = scenarioDir('real-commands-shrink', FILES);
    const run = await at(dir, ['run', 'timeout', '--seed', '2', '--no-shrink', '--dir', '{}/scenarios', '-o', '{}/traces']);
    expect(run.stdout).toContain('\n  9 steps, 2 preemptions, 5 tasks\n');
    const shrunk = await at(dir, ['shrink', '{}/traces/timeout.buggy.assertion.json', '-o', '{}/shrunk.json']);
    expect(shrunk.code, shrunk.stderr).toBe(0);
    expect(shrunk.stdout.split('\n')[0]).toBe('shrunk test-output/real-commands-shrink/traces/timeout.buggy.assertion.json: 9 steps, 2 preemptions, 5 tasks -> 7 steps, 0 preemptions, 5 tasks (6 attempts, minimal)');
    const replayed = await at(dir, ['replay', '{}/shrunk.json']);
    expect(replayed.stdout.trimEnd().split('\n').at(-1)).toBe('reproduced: assertion: AssertionFailure: gave up after 450 ms in task "main" (step 7)');
  });

  it('report: the HTML shows each call with its result and caller, each timer fire with where it was set', async () => {
    const dir = scenarioDir('real-commands-report', FILES);
    await at(dir, ['run', 'get-or-load', 'timeout', '-v', 'buggy', '--dir', '{}/scenarios', '-o', '{}/traces']);
    const calls = await at(dir, ['report', '{}/traces/get-or-load.buggy.assertion.json', '-o', '{}/get-or-load.html']);
    const timers = await at(dir, ['report', '{}/traces/timeout.buggy.assertion.json', '-o', '{}/timeout.html']);
    expect(calls.stdout.trim()).toBe('wrote test-output/real-commands-report/get-or-load.html (5 lanes, 5 steps, assertion)');
    expect(timers.stdout.trim()).toBe('wrote test-output/real-commands-report/timeout.html (5 lanes, 7 steps, assertion)');
    const text = (name: string): string =>
      readFileSync(join(dir, `${name}.html`), 'utf8')
        .replace(/<style[\s\S]*?<\/style>/g, '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/&quot;/g, '"')
        .replace(/&gt;/g, '>')
        .replace(/&lt;/g, '<')
        .replace(/&amp;/g, '&')
        .replace(/\s+/g, ' ');
    const page = text('get-or-load');
    // Each call with where the code under test made it (request's auth, Cache.get's load).
    expect(page).toContain(
      '0 start 1 call auth("ann") → true at get-or-load.ts:42 2 call auth("bob") → true at get-or-load.ts:42 3 call load("k") → "value of k" at get-or-load.ts:9 4 call load("k") → "value of k" at get-or-load.ts:9 5 ✖ assertion',
    );
    expect(page).toContain(LOADED_TWICE);
    // Each fire with where the timer was set: withTimeout's timeout, the retry's sleep.
    expect(text('timeout')).toContain('1 fire setTimeout(callback, 100ms) at timeout.ts:7 2 fire setTimeout(callback, 50ms) (woke) at timeout.ts:21 3 fire setTimeout(callback, 100ms) at timeout.ts:7');
  });

  it('explore, scripted on stdin: picks a call by task name or by the call itself, finishes with run, and the saved trace replays', async () => {
    const dir = scenarioDir('real-commands-explore', FILES);
    const script = ['1', 'auth("bob")', 'load("k")', 'auth', 'save t.json', 'back', 'back', 'auth', 'load("k")', 'run', 'quit'];
    const r = await cli(['explore', 'get-or-load', '-v', 'buggy'], { cwd: dir, input: `${script.join('\n')}\n` });
    expect(r.code, r.stderr).toBe(0);
    // bob's request ran first, so its load is "load": the call, not the name, says what is picked.
    expect(r.stdout).toContain('\n> auth("bob")\nstep 2\n  enabled:\n    1) auth  call auth("ann")\n    2) load  call load("k")\n  finished: auth#2\n');
    // The value bob loaded is cached before ann asks: one load, no failure.
    expect(r.stdout).toContain('\n> load("k")\nstep 3\n  enabled:\n    1) auth  call auth("ann")\n  finished: auth#2, load\n> auth\nended after step 4: pass\n');
    expect(r.stdout).toContain('\nsaved t.json (4 decisions, pass)\n');
    // Two calls that are the same call: the name or number decides.
    expect(r.stdout).toContain('\n> load("k")\n"load("k")" is the next operation of 2 tasks: load, load#2; pick one by name or number\n> run\n');
    expect(r.stdout).toMatch(/\nended after step 5: assertion: AssertionFailure: loaded 2 times in task "main" \(step 5\)\n/);
    const replayed = await at(dir, ['replay', '{}/t.json']);
    expect([replayed.code, replayed.stdout.trimEnd().split('\n').at(-1)]).toEqual([0, 'passes, as recorded']);
  });

  // Real code splits a check-then-act across tasks: main checks in step 0 (both `has` calls),
  // and each `set` runs in the step that delivers a load (src/shrink/races.ts, chainRaces).
  it('run names the root cause on real code: the write that ran between a chain\'s check and its act, over a tracked Map', async () => {
    const dir = scenarioDir('real-commands-race', { 'tracked-cache.ts': join(FIX, 'tracked-cache.ts') });
    const r = await at(dir, ['run', 'tracked-cache', '--dir', '{}/scenarios', '-o', '{}/traces']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('\nassertion: AssertionFailure: loaded 2 times in task "main" (step 3)\n');
    expect(r.stdout).toContain('\n  root cause: load: set entries["k"] ran between main: has entries["k"] and load#2: set entries["k"]\n');
  }, 60_000);

  it('ci: every variant as declared and every saved trace of real code replayed to its outcome', async () => {
    const dir = scenarioDir('real-commands-ci', FILES);
    await at(dir, ['run', '--all', '--dir', '{}/scenarios', '-o', '{}/traces', '-n', '100']);
    const r = await at(dir, ['ci', '--dir', '{}/scenarios', '--traces', '{}/traces']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const t of ['chain-lock.buggy.assertion.json', 'chain-lock.never-released.stuck.json', 'get-or-load.buggy.assertion.json', 'timeout.buggy.assertion.json']) expect(r.stdout).toMatch(new RegExp(`^trace +test-output/real-commands-ci/traces/${t.replace(/\./g, '\\.')} .* ok$`, 'm'));
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('10 matched, 0 mismatched');
  });
});

describe('interleave/vitest on real code', () => {
  const file = join(HELPER_DIR, 'scenarios/get-or-load.ts');
  it('expectNoFailure passes the fixed cache and fails the buggy one with the shrunk report', async () => {
    const r = await expectNoFailure(s(getOrLoad), { variant: 'fixed', iterations: 100, out: false, file });
    expect([r.failure, r.executions]).toEqual([null, 100]);
    const err = await expectNoFailure(s(getOrLoad), { variant: 'buggy', seed: 1, out: join(HELPER_DIR, 'found'), file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterleaveFailure);
    const lines = (err as Error).message.split('\n');
    expect(lines.slice(0, 2)).toEqual(['get-or-load [buggy] failed after 1 execution', LOADED_TWICE]);
    expect(lines).toContain('  5 steps, 0 preemptions, 5 tasks (shrunk from 5 steps, 0 preemptions)');
    expect(lines.filter((l) => / call load\("k"\) -> "value of k" at get-or-load\.ts:9/.test(l))).toHaveLength(2);
    expect(lines.at(-1)).toBe('replay: npx interleave replay test-output/real-commands-vitest/found/get-or-load.buggy.assertion.json');
  });

  // One test per saved trace: this one reproduces its assertion.
  replayTraces(join(HELPER_DIR, 'traces'));
});
