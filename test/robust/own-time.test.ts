import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, FIXTURES, ROOT, tempDir, type CliResult } from './cli.js';
import { loadScenario } from '../../dist/loader.js';
import { exploreParallel } from '../../dist/parallel/exploreParallel.js';
import { exploreWithWatchdog } from '../../dist/robust/watchdog.js';

/**
 * The watchdog's verdicts under load (docs/robustness.md, "Watchdog verdicts under load"). Load
 * is forced, not hoped for: the process under test and busy competitors are pinned to one CPU
 * (taskset), so the watched thread gets a fraction of it, and whatever else the machine runs
 * only takes more. Linux only: own time reads /proc (elsewhere it is wall time, as before).
 */
const linux = existsSync('/proc/thread-self/schedstat') && hasTaskset();
const SLOW = join(FIXTURES, 'slow-step.ts');

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The first CPU this process may run on. */
function firstCpu(): string {
  const list = /Cpus_allowed_list:\s*([\d]+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return list?.[1] ?? '0';
}

/** `n` busy processes pinned to `cpu` until the returned function is called (each ends by itself after two minutes). */
function compete(cpu: string, n: number): () => void {
  const busy: ChildProcess[] = [];
  for (let i = 0; i < n; i++) busy.push(spawn('taskset', ['-c', cpu, process.execPath, '-e', 'const end = Date.now() + 120000; while (Date.now() < end) {}'], { stdio: 'ignore' }));
  return () => {
    for (const child of busy) child.kill('SIGKILL');
  };
}

/** `node args` pinned to `cpu`, to its end. */
function pinned(cpu: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('taskset', ['-c', cpu, process.execPath, ...args], { cwd: ROOT, timeout: 120_000, env: { ...process.env, NO_COLOR: '1', ...env } }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

// Concurrent: each test only gets slower on the wall clock from the others' load, which is its point.
describe.runIf(linux).concurrent('watchdog verdicts under load', () => {
  it("own time is the thread's CPU time when it competes for its CPU: wall time stretches, own time does not", async () => {
    const cpu = firstCpu();
    const release = compete(cpu, 2);
    try {
      // 300 ms of this thread's CPU time, measured by the kernel and by OwnTime.
      const script = `import { readFileSync } from 'node:fs';
        import { ownTimeHere } from ${JSON.stringify(join(ROOT, 'dist/runtime/ownTime.js'))};
        const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
        const clock = ownTimeHere(); const from = cpu(); let x = 0;
        while (cpu() - from < 300) for (let i = 0; i < 10000; i++) x += i;
        console.log(JSON.stringify({ cpu: cpu() - from, own: clock.elapsedMs(), wall: clock.wallMs(), x: x > 0 }));`;
      const r = await pinned(cpu, ['--input-type=module', '-e', script]);
      expect(r.code).toBe(0);
      const m = JSON.parse(r.stdout) as { cpu: number; own: number; wall: number };
      // Two competitors on its CPU: about a third of it, so over twice as long on the wall clock.
      expect(m.wall).toBeGreaterThan(1.6 * m.cpu);
      expect(m.own).toBeGreaterThanOrEqual(m.cpu - 20);
      expect(m.own).toBeLessThan(1.3 * m.cpu + 50);
    } finally {
      release();
    }
  });

  it('a step of 0.5 s of CPU time is no runaway under a 1 s watchdog, though sharing its CPU makes it last well over a second: unsplit and in a pool worker, exit 0', async () => {
    const cpu = firstCpu();
    const release = compete(cpu, 3);
    try {
      const out = tempDir();
      const runs = await Promise.all(
        [[], ['--workers', '1']].map((flags, i) =>
          pinned(cpu, [BIN, 'run', SLOW, '--variant', 'slow', '-n', '1', '--watchdog', '1', ...flags, '--out', out], { INTERLEAVE_TEST_MARK: join(out, `wall-${i}`) }),
        ),
      );
      for (const [i, r] of runs.entries()) {
        expect(r.stdout).toMatch(/^slow-step \[slow\] random seed 1: 1 execution, \d+\/s: no failure \(budget used\)\n$/);
        expect(r.code).toBe(0);
        // The step lasted longer than the watchdog's second on the wall clock: judged by wall
        // time, as before, it was a runaway (livelock, exit 1).
        expect(Number(readFileSync(join(out, `wall-${i}`), 'utf8'))).toBeGreaterThan(1000);
      }
    } finally {
      release();
    }
  });

  it('the contract: a finite step of 1.5 s of CPU time outlasts a 1 s watchdog, so it is a runaway on any machine, with a trace that replays', async () => {
    const out = tempDir();
    const r = await cli(['run', SLOW, '--variant', 'over', '-n', '1', '--watchdog', '1', '--no-shrink', '--out', out]);
    expect(r.stdout).toContain('\nlivelock: task "cruncher" ran for more than 1 s without reaching a scheduling point (a runaway loop that never awaits an interleave operation?) after step 2 of execution 0\n');
    expect(r.code).toBe(1);
    const replay = await cli(['replay', join(out, 'slow-step.over.livelock.json')]);
    expect(replay.stdout).toMatch(/^reproduced: livelock: task "cruncher" ran for more than 1 s /m);
    expect(replay.code).toBe(1);
  });

  it('a thread asleep is no runaway: a step asleep 1.5 s in a synchronous call passes a 0.25 s watchdog (unsplit and in a pool worker); asleep for ever, it is one at the load limit', async () => {
    // What load did to the watchdog before it counted CPU time: a watched thread asleep while
    // the threads it waits for (tsx's loader thread, a GC helper) were starved gained own time,
    // and `ci --watchdog 0.2 --workers 2` under ten busy processes judged "main" runaway "at the
    // start of execution 0" in 2 runs of 3. A sleep of its own makes the same thread state on any machine.
    const { scenario } = await loadScenario(SLOW);
    const [unsplit, pooled] = await Promise.all([
      exploreWithWatchdog(SLOW, scenario, { variant: 'asleep', iterations: 1 }, { seconds: 0.25 }),
      exploreParallel({ file: SLOW, variant: 'asleep', iterations: 1, workers: 1, watchdog: 0.25 }),
    ]);
    expect([unsplit.failure, unsplit.executions, pooled.failure, pooled.executions]).toEqual([null, 1, null, 1]);
    const blocked = await exploreWithWatchdog(SLOW, scenario, { variant: 'blocked', iterations: 1 }, { seconds: 0.25, loadSeconds: 10 });
    expect(blocked.failure?.message).toMatch(/^livelock: task "cruncher" ran for more than 0\.25 s without reaching a scheduling point .* after step 2 of execution 0$/);
  });
});
