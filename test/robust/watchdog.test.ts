import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTrace, explore, readTrace, writeTrace, type ScenarioDefinition } from 'interleave';
import { CELL, CELLS, Heartbeat, heartbeatBuffer, readPulse } from '../../src/heartbeat/heartbeat.js';
import lockOrder from '../fixtures/scenarios/lock-order.js';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import { BAD, cli, FIXTURES, HANG_MS, inProcess, noStack, ROOT, scenarioDir, start, tempDir, waitFor } from './cli.js';

const WITH_RUNAWAY_FIRST = { 'a-runaway.ts': join(BAD, 'runaway.ts'), 'lost-update.ts': join(ROOT, 'test/fixtures/scenarios/lost-update.ts'), 'lock-order.ts': join(ROOT, 'test/fixtures/scenarios/lock-order.ts') };

describe('watchdog', () => {
  it('the heartbeat publishes execution, step and running task, announces each name once, and changes nothing', async () => {
    const buffer = heartbeatBuffer();
    const cells = new Int32Array(buffer, 0, CELLS);
    const names: string[] = [];
    const hb = new Heartbeat(buffer, (i, name) => (names[i] = name));
    const watched = await explore(lostUpdate, { variant: 'buggy', seed: 11, iterations: 50, monitor: (s) => hb.wrap(s as never) as never });
    const plain = await explore(lostUpdate, { variant: 'buggy', seed: 11, iterations: 50 });
    expect(encodeTrace(watched.trace!)).toBe(encodeTrace(plain.trace!));
    expect(names.sort()).toEqual(['main', 'worker-1', 'worker-2']);
    expect(cells[CELL.BEATS]).toBeGreaterThan(0);
    // The replays that record a failure beat too (index 0), so they never look like a runaway.
    expect(cells[CELL.EXECUTION]).toBe(0);
    expect(cells[CELL.STEP]).toBe(watched.trace!.counts.steps - 1);
    // The decisions of the execution under way, logged as made (a runaway's trace comes from them).
    expect(readPulse(buffer).log).toEqual(watched.trace!.decisions);
    hb.restartCount();
    const passing = await explore(lostUpdate, { variant: 'fixed', seed: 11, iterations: 50, monitor: (s) => hb.wrap(s as never) as never });
    expect(passing.failure).toBeNull();
    // Steps counted as explore counts them (a runaway's result reports this count).
    expect(readPulse(buffer).steps).toBe(passing.steps);
    expect(cells[CELL.EXECUTION]).toBe(49);
    expect(names[cells[CELL.TASK]!]).toBe('main');
  }, HANG_MS);

  it('--watchdog: a task spinning without a scheduling point is reported as a runaway livelock instead of hanging', async () => {
    const out = tempDir();
    const r = await cli(['run', 'test/fixtures/bad/runaway.ts', '--watchdog', '0.25', '--out', out]);
    expect(r.signal).toBeNull();
    expect(r.stdout).toMatch(/^runaway \[only\] random seed 1: \d+ executions?, \d+\/s: livelock$/m);
    expect(r.stdout).toMatch(
      /^livelock: task "spinner" ran for more than 0\.25 s without reaching a scheduling point \(a runaway loop that never awaits an interleave operation\?\) after step 2$/m,
    );
    expect(noStack(r.stderr)).toBe(true);
    expect(r.code).toBe(1);
    // Its trace: the schedule up to the runaway pick, saved unshrunk, that replays under the
    // watchdog (the trace says for how long) wherever saved traces are replayed.
    const file = join(out, 'runaway.only.livelock.json');
    expect(r.stdout).toContain(`replay: npx interleave replay ${file}`);
    const trace = readTrace(file);
    expect([trace.runaway, trace.decisions, trace.failure?.task, trace.failure?.step, trace.shrink?.original]).toEqual([{ seconds: 0.25 }, [0, 1, 1], 'spinner', 3, { steps: 3, preemptions: 0 }]);
    // The step that spun shows the operation the task ran before it looped; main waits on it.
    expect(r.stdout).toMatch(/^ {4}2 {2}: +read flag +<- last step$/m);
    expect(trace.failure?.blocked).toEqual([{ task: 'main', waitsOn: 'join spinner' }]);
    const [replayed, unwatched, shrunk] = await Promise.all([cli(['replay', file]), inProcess(['shrink', file]), cli(['shrink', file, '--watchdog', '0.25', '-o', join(out, 'again.json')])]);
    expect(replayed.stdout).toMatch(/^reproduced: livelock: task "spinner" ran for more than 0\.25 s without reaching a scheduling point .* after step 2$/m);
    expect(replayed.code).toBe(1);
    expect(unwatched.stderr).toBe(`interleave: ${file}: a runaway shrinks only under the watchdog: its schedule spins (add --watchdog <seconds>)\n`);
    expect(unwatched.code).toBe(2);
    // Already minimal: shrinking it again changes nothing but the attempt count.
    expect(shrunk.code).toBe(0);
    expect(readTrace(join(out, 'again.json')).decisions).toEqual(trace.decisions);
    const dir = scenarioDir('ci-runaway-trace', { 'runaway.ts': join(BAD, 'runaway.ts') });
    mkdirSync(join(dir, 'traces'));
    // Moved as a trace (its paths rebased from the temporary folder's root to this project's),
    // not copied as bytes: a relative path written outside any project means nothing inside one.
    writeTrace(join(dir, 'traces', 'runaway.only.livelock.json'), trace);
    // --shard 2/2: the trace alone (items are dealt round-robin, the variant first), not the variant's spin as well.
    const ci = await cli(['ci', '--dir', 'scenarios', '--watchdog', '0.25', '--shard', '2/2'], { cwd: dir });
    expect(ci.stdout).toMatch(/^trace +traces\/runaway\.only\.livelock\.json +livelock +livelock +ok$/m);
    expect(ci.stdout).not.toMatch(/^variant /m);
  }, HANG_MS);

  it('--watchdog: a normal exploration gives the same trace as without, and bad modules the same one-line error', async () => {
    const out = tempDir();
    const r = await cli(['run', 'test/fixtures/scenarios/lock-order.ts', '--variant', 'buggy', '--seed', '4', '--no-shrink', '--watchdog', '5', '--out', out]);
    expect(r.code).toBe(1);
    const expected = await explore(lockOrder as ScenarioDefinition<object>, { variant: 'buggy', seed: 4, file: join(ROOT, 'test/fixtures/scenarios/lock-order.ts') });
    // Read back (its paths were saved relative to `out`, outside the repository), then compared byte for byte.
    expect(encodeTrace(readTrace(join(out, 'lock-order.buggy.deadlock.json')))).toBe(encodeTrace(expected.trace!));
    const bad = await cli(['run', join(BAD, 'no-default.ts'), '--watchdog', '5', '--out', out]);
    expect(bad.stderr).toMatch(/^interleave: .*no-default\.ts: no default export: end the module with `export default defineScenario\(\{\.\.\.\}\)`\n$/);
    expect(bad.code).toBe(2);
  }, HANG_MS);
});

describe('a saved trace whose scenario now spins', () => {
  it('replay --watchdog and ci --watchdog report the runaway as a different failure, with the steps replayed, instead of hanging', async () => {
    const dir = scenarioDir('edit-spins', {});
    const file = join(dir, 'scenarios', 'edit-spins.ts');
    const body = (end: string) =>
      `import { defineScenario } from 'interleave';\nexport default defineScenario({ name: 'edit-spins', description: 'fails, then spins once edited', variants: { only: { expect: 'assertion' } },\n  async run(t) {\n    const x = t.variable('x', 0);\n    const a = t.spawn('a', async () => { await x.set(1); });\n    await a.join();\n    ${end}\n  },\n});\n`;
    writeFileSync(file, body(`t.assert(false, 'boom');`));
    const found = await cli(['run', 'edit-spins', '--out', 'traces'], { cwd: dir });
    expect(found.code).toBe(1);
    // The edit: where the assertion was, main now waits for a change that never comes, without awaiting.
    writeFileSync(file, body('while (x.peek() === 1) { /* spins */ }'));
    const trace = join('traces', 'edit-spins.only.assertion.json');
    const replayed = await cli(['replay', trace, '--watchdog', '0.25'], { cwd: dir });
    expect(replayed.stdout).toMatch(/^different failure: livelock: task "main" ran for more than 0\.25 s without reaching a scheduling point .* after step 3 of the replay; the trace recorded assertion: AssertionFailure: boom/m);
    expect(replayed.code).toBe(1);
    const ci = await cli(['ci', '--watchdog', '0.25', '--shard', '2/2'], { cwd: dir });
    expect(ci.stdout).toMatch(/^trace +traces\/edit-spins\.only\.assertion\.json +assertion +livelock +MISMATCH$/m);
    expect(ci.code).toBe(1);
  }, HANG_MS);
});

describe('Ctrl-C while a watched task spins', () => {
  it('the run stops within the stop grace, not after the watchdog\'s verdict: unsplit and split alike, interrupted, exit 130', async () => {
    await Promise.all(
      [[], ['--workers', '2']].map(async (split) => {
        const mark = join(tempDir(), 'spinning');
        const run = start(['run', join(FIXTURES, 'spin-marked.ts'), '--variant', 'sync', '--watchdog', '3600', ...split, '--out', tempDir()], { INTERLEAVE_TEST_MARK: mark });
        // Signalled once the spinner spins (not after a guessed delay: on a loaded machine the
        // module may not even be loaded by then, and a signal before the handler kills the run).
        await waitFor(() => existsSync(mark), HANG_MS / 2, 'the spinner to spin');
        const sentAt = Date.now();
        run.child.kill('SIGINT');
        const { code, signal } = await run.exited;
        // Within the stop grace, not after the watchdog's hour of the thread's own time (minutes bound a loaded machine).
        expect(Date.now() - sentAt).toBeLessThan(180_000);
        expect([code, signal]).toEqual([130, null]);
        expect(run.output().stdout).toMatch(/^spin-marked \[sync\] random seed 1: 0 executions, 0\/s: no failure \(stopped: interrupted\)$/m);
        // Unsplit, the run says what was spinning when it was stopped.
        if (split.length === 0) expect(run.output().stdout).toContain('\ninterrupted while task "spinner" was running without reaching a scheduling point after step 2 of execution 0\n');
      }),
    );
  }, HANG_MS);
});

describe('the time limit while a watched task spins', () => {
  it('the watchdog still gives its verdict: a livelock, unsplit and split alike (the time limit is a budget, not a reason to pass)', async () => {
    // --no-shrink: the verdict is the point; shrinking the runaway would spin again at every attempt.
    const runs = await Promise.all([[], ['--workers', '2']].map((split) => cli(['run', join(BAD, 'runaway.ts'), '--watchdog', '0.5', '--time-limit', '0.25', '--no-shrink', ...split, '--out', tempDir()])));
    for (const r of runs) {
      expect(r.stdout).toMatch(/^runaway \[only\] random seed 1: 1 execution, \d+\/s: livelock$/m);
      expect(r.stdout).toMatch(/ran for more than 0\.5 s without reaching a scheduling point .* after step 2 of execution 0$/m);
      expect(r.code).toBe(1);
    }
  }, HANG_MS);
});

describe('run --all --watchdog', () => {
  it('one watched thread for every variant, replaced after a runaway: the variants after it find what they find unwatched', async () => {
    const dir = scenarioDir('run-watchdog-kept', WITH_RUNAWAY_FIRST);
    const r = await cli(['run', '--all', '--check', '--watchdog', '0.25', '--json', '--out', 'found'], { cwd: dir });
    const rows = (JSON.parse(r.stdout) as { scenario: string; variant: string; found: string }[]).map((v) => `${v.scenario} [${v.variant}] ${v.found}`);
    expect(rows).toEqual(['runaway [only] livelock', 'lock-order [buggy] deadlock', 'lock-order [fixed] pass', 'lost-update [buggy] assertion', 'lost-update [fixed] pass']);
    expect(r.code).toBe(1);
    // The traces of the variants after the runaway are the ones an unwatched run saves.
    rmSync(join(dir, 'scenarios', 'a-runaway.ts'));
    // Shrunk in the watched thread: the same bytes as shrunk unwatched.
    const plain = await inProcess(['run', '--all', '--out', 'plain'], { cwd: dir });
    expect(plain.code).toBe(1);
    for (const f of ['lock-order.buggy.deadlock.json', 'lost-update.buggy.assertion.json']) expect(readFileSync(join(dir, 'found', f), 'utf8')).toBe(readFileSync(join(dir, 'plain', f), 'utf8'));
  }, HANG_MS);
});

describe('ci --watchdog', () => {
  it('a runaway task is a livelock mismatch in the table instead of a job that hangs', async () => {
    const dir = scenarioDir('ci-watchdog', { 'runaway.ts': join(BAD, 'runaway.ts') });
    const r = await cli(['ci', '--dir', 'scenarios', '--watchdog', '0.25'], { cwd: dir });
    expect(r.signal).toBeNull();
    expect(r.stdout).toMatch(/^variant +runaway \[only\] +pass +livelock +MISMATCH$/m);
    expect(r.stdout).toMatch(/task "spinner" ran for more than 0\.25 s without reaching a scheduling point/);
    expect(noStack(r.stderr)).toBe(true);
    expect(r.code).toBe(1);
    // Two variants watched at once: the same finding.
    const two = await cli(['ci', '--dir', 'scenarios', '--watchdog', '0.25', '--workers', '2'], { cwd: dir });
    expect(two.stdout).toMatch(/^variant +runaway \[only\] +pass +livelock +MISMATCH$/m);
    expect(two.code).toBe(1);
  }, HANG_MS);

  it('the variants after a runaway run on the thread that replaces its own, and are checked as without the watchdog, on 1 worker and 2', async () => {
    // The runaway first in the folder, so the variants after it run on the thread that replaces its own.
    const dir = scenarioDir('ci-watchdog-kept', WITH_RUNAWAY_FIRST);
    const rows = async (flags: string[]) => {
      const r = await cli(['ci', '--dir', 'scenarios', '--watchdog', '0.25', ...flags], { cwd: dir });
      expect(r.code).toBe(1);
      return r.stdout.split('\n').filter((l) => l.startsWith('variant'));
    };
    const [one, two] = await Promise.all([rows(['--junit', 'one.xml']), rows(['--workers', '2'])]);
    // The runaway's test case lasted the watchdog's second at least, not 0.
    const runawayCase = /<testcase [^>]*name="runaway \[only\]"[^>]* time="([\d.]+)"/.exec(readFileSync(join(dir, 'one.xml'), 'utf8'));
    expect(Number(runawayCase?.[1])).toBeGreaterThanOrEqual(0.25);
    expect(one).toEqual(two);
    expect(one.map((l) => l.split(/ {2,}/).slice(1))).toEqual([
      ['runaway [only]', 'pass', 'livelock', 'MISMATCH'],
      ['lock-order [buggy]', 'deadlock', 'deadlock', 'ok'],
      ['lock-order [fixed]', 'pass', 'pass', 'ok'],
      ['lost-update [buggy]', 'assertion', 'assertion', 'ok'],
      ['lost-update [fixed]', 'pass', 'pass', 'ok'],
    ]);
  }, HANG_MS);
});
