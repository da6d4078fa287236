import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrace } from 'interleave';
import { interruptHandler } from '../../src/cli/interrupt.js';
import { FIXTURES, start, tempDir, waitFor } from './cli.js';

describe('interruption', () => {
  it('first signal asks to stop; the second exits at once with 130', () => {
    const out: string[] = [];
    const exits: number[] = [];
    const h = interruptHandler({ write: (s) => out.push(s), exit: (c) => exits.push(c) });
    expect(h.requested).toBe(false);
    h.handle('SIGINT');
    expect(h.requested).toBe(true);
    expect(exits).toEqual([]);
    expect(out.join('')).toBe('\ninterleave: SIGINT: stopping after the current execution and saving the failures found so far (press Ctrl-C again to quit at once)\n');
    h.handle('SIGINT');
    expect(exits).toEqual([130]);
    expect(out[1]).toBe('interleave: SIGINT again: quitting now\n');
  });

  it('SIGINT during a long run: the failure found before is on disk and valid, the summary is printed, exit within bounded time', async () => {
    const out = tempDir();
    const run = start(['run', join(FIXTURES, 'long-run.ts'), '--iterations', '1000000000', '--out', out]);
    const saved = join(out, 'long-run.buggy.assertion.json');
    // Minutes, not seconds: a loaded machine stretches the start (these catch a hang, not slowness).
    await waitFor(() => existsSync(saved), 300_000, 'the buggy variant trace');
    // Let the endless variant get going, then interrupt it.
    await waitFor(() => run.output().stdout.includes('replay: '), 300_000, 'the failure report');
    await new Promise((r) => setTimeout(r, 300));
    const sentAt = Date.now();
    run.child.kill('SIGINT');
    const { code, signal } = await run.exited;
    // Unstopped, the run goes on for hours: two minutes is bounded on any load.
    expect(Date.now() - sentAt).toBeLessThan(120_000);
    expect(signal).toBeNull();
    expect(code).toBe(1);
    const { stdout, stderr } = run.output();
    expect(stdout).toMatch(/^long-run \[buggy\] random seed 1: \d+ executions?, \d+\/s: assertion$/m);
    expect(stdout).toMatch(/^long-run \[endless\] random seed 1: \d+ executions?, \d+\/s: no failure \(stopped: interrupted\)$/m);
    expect(stdout).toMatch(/long-run\s+endless\s+pass\s+pass\s+\d+\s+ok/);
    expect(stderr).toContain('interleave: SIGINT: stopping after the current execution');
    expect(stderr).toMatch(/interleave: interrupted: 2 variants explored, 1 trace saved\n$/);
    const trace = readTrace(saved);
    expect(trace.failure?.kind).toBe('assertion');
    expect(trace.failure?.message).toMatch(/lost update: counter is 1/);
    expect(readdirSync(out)).toEqual(['long-run.buggy.assertion.json']);
  });

  it('SIGINT before any failure: the summary says interrupted, nothing is saved, exit 130', async () => {
    const out = tempDir();
    const run = start(['run', join(FIXTURES, 'endless.ts'), '--out', out]);
    await waitFor(() => run.output().stdout.includes('endless-run [warm-up]'), 300_000, 'the warm-up variant');
    await new Promise((r) => setTimeout(r, 200));
    const sentAt = Date.now();
    run.child.kill('SIGINT');
    const { code, signal } = await run.exited;
    // Unstopped, the run goes on for hours: two minutes is bounded on any load.
    expect(Date.now() - sentAt).toBeLessThan(120_000);
    expect(signal).toBeNull();
    expect(code).toBe(130);
    const { stdout, stderr } = run.output();
    expect(stdout).toMatch(/^endless-run \[endless\] random seed 1: \d+ executions?, \d+\/s: no failure \(stopped: interrupted\)$/m);
    expect(stderr).toMatch(/interleave: interrupted: 2 variants explored, 0 traces saved\n$/);
    expect(readdirSync(out)).toEqual([]);
  });
});
