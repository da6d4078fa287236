import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatExploreLine } from '../../src/report/text.js';
import { isInconclusive } from '../../src/verdict/inconclusive.js';
import type { ExploreResult } from '../../src/explore.js';
import { finishVariant } from '../../src/cli/commands/run.js';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import { readTrace } from '../../src/trace/codec.js';
import { spinRequest } from '../../src/cli/spinTrace.js';
import { decodeLog } from '../../src/heartbeat/heartbeat.js';
import { cli, FIXTURES, ROOT, tempDir } from './cli.js';

// The same under saturated CPU (four busy processes) is a stress check: test/long/watchdog-under-load.test.ts.
describe('a runaway is never a pass', () => {
  it('a run the time limit ended before one execution counted is inconclusive, not a pass', () => {
    const base = { scenario: 'runaway', variant: 'only', strategy: { name: 'random', seed: 1 }, steps: 0, failure: null, trace: null, elapsedMs: 1000, warnings: [] };
    const none = { ...base, executions: 0, stoppedBy: 'time' } as ExploreResult;
    expect(isInconclusive(none)).toBe(true);
    expect(formatExploreLine(none)).toBe('runaway [only] random seed 1: 0 executions, 0/s: no execution completed: inconclusive (stopped: time)');
    // One execution counted, or a run interrupted (exit 130 already): not inconclusive.
    expect(isInconclusive({ ...none, executions: 1 })).toBe(false);
    expect(isInconclusive({ ...none, stoppedBy: 'interrupted' })).toBe(false);
  });

  it('an inconclusive variant is found `inconclusive`, a mismatch for ci and --check, whatever it expects', async () => {
    const file = join(ROOT, 'test/fixtures/scenarios/lost-update.ts');
    const none = { scenario: 'lost-update', variant: 'fixed', strategy: { name: 'random', seed: 1 }, executions: 0, steps: 0, failure: null, trace: null, stoppedBy: 'time', elapsedMs: 1000, warnings: [] } as ExploreResult;
    const v = await finishVariant({ file, scenario: lostUpdate as never }, 'fixed', none, { shrink: false, out: null });
    expect([v.expected, v.found]).toEqual(['pass', 'inconclusive']);
  });
});

describe('a task that spins in the main thread, unwatched', () => {
  it('spinning through promise reactions alone is a livelock naming the task and its step, exit 1, instead of a hang, and its trace replays watched', async () => {
    const variants = ['microtasks', 'chain'];
    const out = tempDir();
    const runs = await Promise.all(variants.map((variant) => cli(['run', join(FIXTURES, 'spin-marked.ts'), '--variant', variant, '--out', out])));
    const verdict = 'livelock: task "spinner" kept running through promise reactions alone, more than 1,000,000 without reaching a scheduling point (a loop such as `while (...) await Promise.resolve()`?) after step 2';
    for (const [i, r] of runs.entries()) {
      expect(r.signal).toBeNull();
      // Only interleave's lines: no "Waiting for the debugger to disconnect..." after them.
      expect(r.stderr).toBe(`${verdict}\ninterleave: the run cannot go on past a task that never returns to the event loop: it stops here\n`);
      expect(r.code).toBe(1);
      // The trace, saved by the guard's worker before the exit: the schedule up to the runaway pick.
      const file = join(out, `spin-marked.${variants[i]}.livelock.json`);
      expect(r.stdout).toContain(`\nreplay: npx interleave replay ${file}\n`);
      expect(r.stdout).toMatch(/^ {4}2 {2}: +read flag +<- last step$/m);
      const trace = readTrace(file);
      expect([trace.runaway, trace.decisions, trace.failure?.message, trace.failure?.task, trace.failure?.step, trace.strategy]).toEqual([{ seconds: 1 }, [0, 1, 1], verdict, 'spinner', 3, { name: 'random', seed: 1, execution: 0 }]);
      expect(trace.failure?.blocked).toEqual([{ task: 'main', waitsOn: 'join spinner' }]);
    }
    const replays = await Promise.all(variants.map((variant) => cli(['replay', '--watchdog', '0.25', join(out, `spin-marked.${variant}.livelock.json`)])));
    for (const r of replays) {
      expect(r.stdout).toContain(`\nreproduced: ${verdict}\n`);
      expect(r.code).toBe(1);
    }
  });

  it("the guard hands its worker the execution's decisions as the heartbeat logs them: a `t.choose` value v as -(v + 1), the last decision the runaway pick", () => {
    const target = { file: 'f.ts', variant: 'v', out: 'traces' };
    const run = { step: 3, current: { name: 'spinner' }, index: 7, decisions: [0, 5, 1, 0, 2], chosenAt: [1, 4] };
    expect(spinRequest(run, target, 'spinner', 'livelock: ...')).toEqual({ target, execution: 7, log: [0, -6, 1, 0, -3], step: 2, task: 'spinner', message: 'livelock: ...' });
    expect(decodeLog(spinRequest(run, target, 'spinner', '').log)).toEqual({ decisions: run.decisions, pick: 3 });
  });
});
