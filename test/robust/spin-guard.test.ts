import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrace } from 'interleave';
import { BAD, cli, FIXTURES, scenarioDir, start, tempDir, waitFor } from './cli.js';

const FIXTURE = join(BAD, 'spin-interrupted.ts');
const STOPPING = (signal: string): string => `\ninterleave: ${signal}: stopping now (a task never returns to the event loop, so its execution cannot end); the failures found so far are saved\n`;
const SPINNING = /^spin-interrupted \[spins\] random seed 1: 0 executions, 0\/s: no failure \(stopped: interrupted\)\ninterrupted while task "spinner" was running without reaching a scheduling point after step 2 of execution 0$/m;

describe('a signal while a task spins in the main thread, unwatched', () => {
  it('sent as the spin starts (synchronous or through promise reactions), after a failure was found: the interrupted summary, the failure on disk, exit 1', async () => {
    const cases = [
      { spin: 'sync', signal: 'SIGINT' },
      { spin: 'microtasks', signal: 'SIGTERM' },
    ] as const;
    // The spinner signals its own process just before it spins: this thread's listener can never
    // see it, so only the guard's worker can (before, such a signal was swallowed for good).
    const runs = await Promise.all(
      cases.map(async ({ spin, signal }) => {
        const out = tempDir();
        const r = await cli(['run', FIXTURE, '--no-shrink', '--out', out], { env: { INTERLEAVE_TEST_SPIN: spin, INTERLEAVE_TEST_SIGNAL: signal } });
        return { ...r, out, sent: signal };
      }),
    );
    for (const r of runs) {
      expect([r.code, r.signal]).toEqual([1, null]);
      expect(r.stdout).toMatch(/^spin-interrupted \[buggy\] random seed 1: \d+ executions?, \d+\/s: assertion$/m);
      expect(r.stdout).toMatch(SPINNING);
      expect(r.stdout).toMatch(/^spin-interrupted +buggy +assertion +assertion +\d+ +ok +\S+spin-interrupted\.buggy\.assertion\.json$/m);
      expect(r.stdout).toMatch(/^spin-interrupted +spins +pass +pass +0 +ok$/m);
      // Only interleave's lines: no "Waiting for the debugger to disconnect...".
      expect(r.stderr).toBe(`${STOPPING(r.sent)}interleave: interrupted: 2 variants explored, 1 trace saved\n`);
      expect(readdirSync(r.out)).toEqual(['spin-interrupted.buggy.assertion.json']);
      expect(readTrace(join(r.out, 'spin-interrupted.buggy.assertion.json')).failure?.message).toMatch(/lost update: counter is 1/);
    }
  });

  it('SIGINT or SIGTERM sent while a task spins synchronously, nothing found before: the summary, exit 130', async () => {
    await Promise.all(
      (['SIGINT', 'SIGTERM'] as const).map(async (sent) => {
        const out = tempDir();
        const mark = join(tempDir(), 'spinning');
        const run = start(['run', FIXTURE, '--variant', 'spins', '--out', out], { INTERLEAVE_TEST_MARK: mark });
        try {
          await waitFor(() => existsSync(mark), 50_000, 'the spinner to spin');
          // One signal, in the spin's first second or later, whenever this test gets to send it.
          run.child.kill(sent);
          const ended = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
          expect(ended).toEqual({ code: 130, signal: null });
        } finally {
          run.child.kill('SIGKILL');
        }
        const { stdout, stderr } = run.output();
        expect(stdout).toMatch(SPINNING);
        expect(stderr).toBe(`${STOPPING(sent)}interleave: interrupted: 1 variant explored, 0 traces saved\n`);
        expect(readdirSync(out)).toEqual([]);
      }),
    );
  });

  it('a command that does not listen for signals still ends by them (the guard hears them too, and passes them on)', async () => {
    const session = start(['explore', join(FIXTURES, 'long-run.ts'), '--variant', 'buggy']);
    try {
      await waitFor(() => session.output().stdout.includes('type help'), 50_000, 'the session prompt');
      session.child.kill('SIGINT');
      expect(await session.exited).toEqual({ code: null, signal: 'SIGINT' });
    } finally {
      session.child.kill('SIGKILL');
    }
  });
});

describe('ci, unwatched, when a variant explored in its thread spins through promise reactions', () => {
  it('reports the spin as a livelock mismatch for its item, with a trace that replays (with --out), or the command that saves one', async () => {
    const verdict = 'livelock: task "spinner" kept running through promise reactions alone, more than 1,000,000 without reaching a scheduling point (a loop such as `while (...) await Promise.resolve()`?) after step 2';
    const dir = scenarioDir('ci-spin', { 'spin-interrupted.ts': FIXTURE });
    const env = { INTERLEAVE_TEST_SPIN: 'microtasks' };
    const [saved, json] = await Promise.all([cli(['ci', '--out', 'found'], { cwd: dir, env }), cli(['ci', '--json'], { cwd: dir, env })]);
    const trace = join('found', 'spin-interrupted.spins.livelock.json');
    for (const r of [saved, json]) {
      expect([r.code, r.signal]).toEqual([1, null]);
      expect(r.stderr).toBe(`${verdict}\ninterleave: the run cannot go on past a task that never returns to the event loop: it stops here\n`);
    }
    expect(saved.stdout).toMatch(/^variant +spin-interrupted \[spins\] +pass +livelock +MISMATCH$/m);
    expect(saved.stdout).toContain(`\nMISMATCH spin-interrupted [spins]: expected pass, found livelock\n  ${verdict}\n  trace: ${trace}\n  replay: npx interleave replay ${trace}\n`);
    expect(saved.stdout).toMatch(/\n0 matched, 1 mismatched; ci stopped at this item \(a task never returns to the event loop\): the other item was not checked\n$/);
    expect(readdirSync(join(dir, 'found'))).toEqual(['spin-interrupted.spins.livelock.json']);
    const replayed = await cli(['replay', trace], { cwd: dir });
    expect(replayed.stdout).toContain(`\nreproduced: ${verdict}\n`);
    expect(replayed.code).toBe(1);
    const report = JSON.parse(json.stdout) as { matched: number; mismatched: number; stopped: string; rows: { name: string; found: string; match: boolean; detail: string }[] };
    expect([report.matched, report.mismatched, report.rows.length]).toEqual([0, 1, 1]);
    expect(report.rows[0]).toMatchObject({ name: 'spin-interrupted [spins]', found: 'livelock', match: false, detail: `${verdict}\nreproduce: npx interleave run scenarios/spin-interrupted.ts --variant spins (saves its trace)` });
  });
});
