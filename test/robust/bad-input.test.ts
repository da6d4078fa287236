import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTrace, explore, writeTrace, type Trace } from 'interleave';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import { BAD, cli, inProcess, noStack, ROOT, tempDir, type CliResult } from './cli.js';

/**
 * Every bad input a user can hand the CLI: one line on stderr naming the file and the field,
 * the documented exit code, never a stack trace. Most cases call the CLI's `main` in process
 * (same code path, no Node start-up); a few run the real binary (`subprocess`) to prove the
 * exit code and output reach the shell: 1 (reproduced), 2 (a syntax error) and 3 (diverged).
 */
const rel = (p: string): string => relative(ROOT, p);

type Runner = (args: readonly string[]) => Promise<CliResult>;
const subprocess: Runner = (args) => cli(args);

async function expectUserError(args: string[], line: string, via: Runner = inProcess): Promise<void> {
  const r = await via(args);
  expect(r.stderr).toBe(`${line}\n`);
  expect(noStack(r.stderr)).toBe(true);
  expect(r.code).toBe(2);
}

describe('bad trace files', () => {
  let dir: string;
  let good: Trace;
  /** Writes a variant of the good trace (or raw text) and returns its path relative to the repository. */
  const variant = (name: string, edit: (t: Record<string, any>) => void): string => {
    const t = JSON.parse(JSON.stringify(good)) as Record<string, any>;
    edit(t);
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(t, null, 2));
    return file;
  };

  beforeAll(async () => {
    dir = tempDir();
    const r = await explore(lostUpdate, { variant: 'buggy', seed: 7, file: join(ROOT, 'test/fixtures/scenarios/lost-update.ts') });
    // Saved as a user would (writeTrace): outside the repository, its paths are relative to this folder.
    writeTrace(join(dir, 'good.json'), r.trace!);
    good = JSON.parse(readFileSync(join(dir, 'good.json'), 'utf8')) as Trace;
  });

  it('the unmodified trace reproduces (exit 1)', async () => {
    const r = await cli(['replay', join(dir, 'good.json')]);
    expect(r.stdout).toMatch(/reproduced: assertion: AssertionFailure: lost update/);
    expect(r.code).toBe(1);
  });

  it('a missing field', async () => {
    const f = variant('no-decisions.json', (t) => delete t.decisions);
    await expectUserError(['replay', f], `interleave: ${f}: invalid field decisions: Invalid input: expected array, received undefined`, subprocess);
  });

  it('a field of the wrong type or value', async () => {
    const f = variant('bad-kind.json', (t) => (t.failure.kind = 'segfault'));
    await expectUserError(
      ['replay', f],
      `interleave: ${f}: invalid field failure.kind: Invalid option: expected one of "exception"|"assertion"|"deadlock"|"stuck"|"livelock"|"leak"|"potential-deadlock"|"nondeterminism"`,
    );
    const g = variant('neg-step.json', (t) => (t.events[1].step = -1));
    await expectUserError(['replay', g], `interleave: ${g}: invalid field events.1.step: Too small: expected number to be >=0`);
  });

  it('counts that contradict the task list', async () => {
    const f = variant('counts.json', (t) => (t.counts.tasks = 7));
    await expectUserError(['replay', f], `interleave: ${f}: invalid field counts.tasks: 7, but tasks lists 3 names`);
  });

  it('an unknown format', async () => {
    await expectUserError(['replay', join(BAD, 'unknown-format.json')], `interleave: ${join(BAD, 'unknown-format.json')}: unknown format "chrome-trace": expected "interleave-trace"`);
  });

  it('an unknown (newer) version', async () => {
    await expectUserError(
      ['replay', join(BAD, 'version-2.json')],
      `interleave: ${join(BAD, 'version-2.json')}: unsupported trace version 2: this interleave reads version 1 (written by a newer interleave: upgrade to replay it)`,
    );
  });

  it('a truncated file', async () => {
    await expectUserError(['replay', 'test/fixtures/bad/truncated.json'], 'interleave: test/fixtures/bad/truncated.json: not valid JSON (Unterminated string in JSON at position 74); is it truncated?');
    const cut = join(dir, 'cut.json');
    writeFileSync(cut, encodeTrace(good).slice(0, 200).trimEnd());
    const r = await inProcess(['replay', cut]);
    expect(r.stderr).toMatch(new RegExp(`^interleave: ${cut}: not valid JSON \\(.*\\); is it truncated\\?\\n$`));
    expect(r.code).toBe(2);
  });

  it('a file that is not JSON, empty, a directory, or missing', async () => {
    await expectUserError(['replay', 'test/fixtures/bad/not-json.json'], `interleave: test/fixtures/bad/not-json.json: not valid JSON (Unexpected token '<', "<!DOCTYPE "... is not valid JSON); is it a trace file?`);
    writeFileSync(join(dir, 'empty.json'), '');
    await expectUserError(['replay', join(dir, 'empty.json')], `interleave: ${join(dir, 'empty.json')}: the file is empty`);
    mkdirSync(join(dir, 'folder.json'));
    await expectUserError(['replay', join(dir, 'folder.json')], `interleave: ${join(dir, 'folder.json')}: is a directory, not a trace file`);
    await expectUserError(['replay', join(dir, 'missing.json')], `interleave: ${join(dir, 'missing.json')}: no such file`);
  });

  it('a trace whose scenario is missing', async () => {
    const f = variant('missing-scenario.json', (t) => (t.scenario = { name: 'no-such-scenario' }));
    await expectUserError(
      ['replay', f, '--dir', 'test/fixtures/scenarios'],
      `interleave: ${f}: cannot find scenario "no-such-scenario": no-such-scenario: no scenario of that name in test/fixtures/scenarios; known: lock-order, lost-update`,
    );
  });

  it('a trace whose scenario was renamed', async () => {
    const f = variant('renamed.json', (t) => (t.scenario.file = join(ROOT, 'test/fixtures/scenarios/lock-order.ts')));
    await expectUserError(['replay', f], `interleave: ${f}: the trace is for scenario "lost-update" but test/fixtures/scenarios/lock-order.ts defines "lock-order"`);
  });

  it('a trace naming a variant or parameter the scenario does not have', async () => {
    const f = variant('bad-variant.json', (t) => (t.variant = 'nonexistent'));
    await expectUserError(['replay', f], `interleave: ${f}: invalid field variant: scenario "lost-update" has no variant "nonexistent"; variants are: buggy, fixed`);
    const g = variant('bad-param-type.json', (t) => (t.params.workers = 'many'));
    await expectUserError(['replay', g], `interleave: ${g}: invalid field params.workers: expected a number (the default is 2), got "many"`);
    const h = variant('bad-param-name.json', (t) => (t.params.threads = 3));
    await expectUserError(['replay', h], `interleave: ${h}: invalid field params.threads: scenario "lost-update" has no parameter "threads"; parameters are: workers`);
  });

  it('a trace from a scenario that changed: diverged at the step, exit 3', async () => {
    const f = variant('changed.json', (t) => (t.scenario.file = join(ROOT, 'test/fixtures/bad/lost-update-changed.ts')));
    const r = await cli(['replay', f]);
    expect(r.stdout).toMatch(/^diverged at step \d+: worker-\d announced update counter where the trace recorded read counter$/m);
    expect(r.stdout).toMatch(/^ {2}recorded: worker-\d: read counter$/m);
    expect(r.stdout).toMatch(/^ {2}now: {6}worker-\d: update counter$/m);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
  });

  it('a trace whose decisions the scenario does not allow: diverged, exit 3', async () => {
    const f = variant('bad-decision.json', (t) => (t.decisions[3] = 99));
    const r = await inProcess(['replay', f]);
    expect(r.stdout).toMatch(/^diverged at step 3: expected task #99 to be enabled; enabled were \[.*\]$/m);
    expect(r.code).toBe(3);
  });
});

describe('bad scenario modules', () => {
  const run = (name: string, ...extra: string[]): string[] => ['run', rel(join(BAD, name)), '--iterations', '5', '--out', tempDir(), ...extra];

  it('a syntax error names the line and column', async () => {
    await expectUserError(run('syntax-error.ts'), 'interleave: test/fixtures/bad/syntax-error.ts: syntax error at line 10, column 18: Expected ")" but found ";"', subprocess);
  });

  it('a type error is not checked at load (tsx strips types): the scenario runs; tsc --noEmit is the type check', async () => {
    const r = await inProcess(run('type-error.ts'));
    expect(r.stdout).toMatch(/^type-error \[only\] random seed 1: 5 executions, \d+\/s: no failure \(budget used\)$/m);
    expect(r.code).toBe(0);
  });

  it('a module without a default export', async () => {
    await expectUserError(run('no-default.ts'), 'interleave: test/fixtures/bad/no-default.ts: no default export: end the module with `export default defineScenario({...})`');
  });

  it('an invalid definition names every bad field', async () => {
    await expectUserError(
      run('invalid-definition.ts'),
      'interleave: test/fixtures/bad/invalid-definition.ts: invalid scenario: name must be a kebab-case string; description must be a string; variants.buggy.expect must be "pass", "fail" (any failure), one of exception, assertion, deadlock, stuck, livelock, leak, potential-deadlock, nondeterminism, or a list of them',
    );
  });

  it('a scenario that throws while setting up (before spawning) is a user error, not a found bug', async () => {
    await expectUserError(
      run('setup-throws.ts'),
      `interleave: test/fixtures/bad/setup-throws.ts: scenario "setup-throws" [only] threw while setting up, before spawning any task: TypeError: Cannot read properties of undefined (reading 'size') at test/fixtures/bad/setup-throws.ts:11`,
    );
  });

  it('Math.random: unnoticed by plain sampling, reported by --check-determinism at the first differing step', async () => {
    const plain = await inProcess(run('uses-random.ts'));
    expect(plain.code).toBe(0);
    const r = await inProcess(run('uses-random.ts', '--check-determinism'));
    expect(r.stdout).toMatch(/^uses-random \[only\] random seed 1: 1 execution, \d+\/s: nondeterminism$/m);
    expect(r.stdout).toMatch(
      /^nondeterminism: two runs of the same schedule differ at step 3: first worker: read v -> 0\.\d+; then worker: read v -> 0\.\d+; does the scenario use Math\.random, Date\.now, real timers or state outside t\.\*\?$/m,
    );
    expect(r.code).toBe(1);
  });

  it('a real timer is reported as nondeterminism naming the task and step', async () => {
    const r = await inProcess(run('real-timer.ts'));
    expect(r.stdout).toMatch(
      /^nondeterminism: task "worker" awaited something the scheduler does not control \(a real timer, I\/O or a foreign promise\) after step 3; use t\.sleep for time and interleave primitives for shared state$/m,
    );
    expect(r.code).toBe(1);
  });
});

describe('bad option values', () => {
  const lostUpdate = ['run', 'test/fixtures/scenarios/lost-update.ts', '--variant', 'buggy', '--no-shrink'];

  /** Commander prints the error line, then a hint to run --help. */
  async function expectOptionError(args: string[], line: string): Promise<void> {
    const r = await inProcess(args);
    expect(r.stderr.split('\n')[0]).toBe(line);
    expect(noStack(r.stderr)).toBe(true);
    expect(r.code).toBe(2);
  }

  it('an unsafe integer is refused when parsing, not by the trace schema after the failure was found', async () => {
    const out = tempDir();
    await expectOptionError([...lostUpdate, '--out', out, '--seed', '99999999999999999999'], "error: option '--seed <n>' argument '99999999999999999999' is invalid. --seed must be at most 9007199254740991");
    await expectOptionError(['explore', 'lost-update', '--dir', 'test/fixtures/scenarios', '--seed', '1e300'], "error: option '--seed <n>' argument '1e300' is invalid. --seed must be at most 9007199254740991");
    await expectOptionError([...lostUpdate, '--out', out, '--shard', '1/99999999999999999999'], "error: option '--shard <i/n>' argument '1/99999999999999999999' is invalid. --shard must be i/n with 1 <= i <= n (e.g. 2/4), got \"1/99999999999999999999\"");
  });

  it('0 is refused where it means nothing: executions, steps, workers, PCT depth, shrink attempts', async () => {
    const out = tempDir();
    await expectOptionError([...lostUpdate, '--out', out, '--max-steps', '0'], "error: option '--max-steps <n>' argument '0' is invalid. --max-steps must be a whole number >= 1");
    await expectOptionError([...lostUpdate, '--out', out, '-n', '0'], "error: option '-n, --iterations <n>' argument '0' is invalid. --iterations must be a whole number >= 1");
    await expectOptionError([...lostUpdate, '--out', out, '--workers', '0'], "error: option '-w, --workers <n>' argument '0' is invalid. --workers must be a whole number >= 1");
    await expectOptionError([...lostUpdate, '--out', out, '--strategy', 'pct', '--depth', '0'], "error: option '--depth <d>' argument '0' is invalid. --depth must be a whole number >= 1");
    await expectOptionError(['shrink', 'any.json', '--max-attempts', '0'], "error: option '--max-attempts <n>' argument '0' is invalid. --max-attempts must be a whole number >= 1");
    expect(readdirSync(out)).toEqual([]);
  });

  it('0 stays valid where it means something: seed 0, preemption bound 0', async () => {
    const r = await inProcess([...lostUpdate, '--out', tempDir(), '--seed', '0', '--strategy', 'pb', '--preemption-bound', '0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('bad arguments name the file and what is wrong', () => {
  it('shrink: a passing trace and an unfinished explore save, each named', async () => {
    const dir = tempDir();
    const r = await explore(lostUpdate, { variant: 'buggy', seed: 7, file: join(ROOT, 'test/fixtures/scenarios/lost-update.ts') });
    const pass = join(dir, 'pass.json');
    writeFileSync(pass, encodeTrace({ ...r.trace!, failure: null }));
    await expectUserError(['shrink', pass], `interleave: ${pass}: nothing to shrink: the trace records a passing run`);
    const unfinished = join(dir, 'unfinished.json');
    writeFileSync(unfinished, encodeTrace({ ...r.trace!, failure: null, unfinished: true }));
    await expectUserError(['shrink', unfinished], `interleave: ${unfinished}: nothing to shrink: the trace was saved before its run ended (explore: finish the run, then save)`);
  });

  it('merge: a missing file, a file given twice, a shard in two files', async () => {
    const dir = tempDir();
    const shard = (i: number): Promise<CliResult> =>
      inProcess(['run', 'test/fixtures/scenarios/lost-update.ts', '--variant', 'fixed', '-n', '20', '--shard', `${i}/2`, '--shard-file', join(dir, `s${i}.json`), '--out', dir]);
    expect((await shard(1)).code).toBe(0);
    expect((await shard(2)).code).toBe(0);
    const [s1, s2, copy] = [join(dir, 's1.json'), join(dir, 's2.json'), join(dir, 'copy.json')];
    writeFileSync(copy, readFileSync(s1));
    await expectUserError(['merge', join(dir, 'nosuch.json')], `interleave: ${join(dir, 'nosuch.json')}: no such file`);
    await expectUserError(['merge', s1, s1, s2], `interleave: merge: ${s1} is given twice`);
    await expectUserError(['merge', s1, copy, s2], `interleave: merge: lost-update/fixed: shard 1/2 is in both ${s1} and ${copy}`);
  });

  it('run: a scenario path that does not exist is "no such file", not an unknown name', async () => {
    await expectUserError(['run', './nosuch.ts', '--dir', 'test/fixtures/scenarios'], 'interleave: ./nosuch.ts: no such file');
  });
});
