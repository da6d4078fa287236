import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD, cli, HANG_MS, tempDir } from '../robust/cli.js';

// A stress check of the watchdog's verdicts (docs/robustness.md, "Watchdog verdicts under load"):
// it saturates the CPU for its duration, so it runs with `npm run test:long`, not in `npm test`,
// where the time limit's verdict is tested unloaded (test/robust/watchdog.test.ts).

/**
 * Saturates the CPU with `n` busy processes until the returned function is called; each also
 * ends by itself after two minutes, so none outlives a test runner that died.
 */
function saturate(n: number): () => void {
  const busy: ChildProcess[] = [];
  for (let i = 0; i < n; i++) busy.push(spawn(process.execPath, ['-e', 'const end = Date.now() + 120000; while (Date.now() < end) {}'], { stdio: 'ignore' }));
  return () => {
    for (const child of busy) child.kill('SIGKILL');
  };
}

describe('a runaway is never a pass, under load', () => {
  it('under CPU load, the time limit never turns a spinning task into a pass: unsplit, in blocks and in a split search, the watchdog gives its verdict', async () => {
    // Four busy processes for the test's duration, on top of whatever else the machine runs:
    // the watched threads may not even have loaded the scenario when the 1 s budget ends.
    const release = saturate(4);
    try {
      const runs = await Promise.all(
        [[], ['--workers', '2'], ['--workers', '2', '--strategy', 'dfs']].map((flags) =>
          cli(['run', join(BAD, 'runaway.ts'), '--watchdog', '2', '--time-limit', '1', '--no-shrink', ...flags, '--out', tempDir()], { timeoutMs: HANG_MS }),
        ),
      );
      const [unsplit, blocks, search] = runs;
      for (const r of [unsplit!, blocks!]) expect(r.stdout).toMatch(/^runaway \[only\] random seed 1: 1 execution, \d+\/s: livelock$/m);
      expect(search!.stdout).toMatch(/^runaway \[only\] dfs: livelock found after 1 execution$/m);
      for (const r of runs) {
        expect(r.stdout).toMatch(/^livelock: task "spinner" ran for more than 2 s without reaching a scheduling point .* after step 2 of execution 0\b/m);
        expect(r.stdout).not.toContain('no failure');
        expect(r.code).toBe(1);
      }
    } finally {
      release();
    }
  }, HANG_MS);

});
