import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// The watched thread runs the built worker (dist), as the CLI does.
import { explore } from '../../dist/explore.js';
import { loadScenario } from '../../dist/loader.js';
import { replayTrace } from '../../dist/replay.js';
import { shrinkWatched } from '../../dist/robust/watchedShrink.js';
import { exploreWithWatchdog } from '../../dist/robust/watchdog.js';
import { replaySaved } from '../../dist/robust/replaySaved.js';
import { shrinkTrace } from '../../dist/shrink/shrinkTrace.js';
import { encodeTrace } from '../../dist/trace/codec.js';
import { readFileSync } from 'node:fs';
import { cli, HANG_MS, ROOT, tempDir } from './cli.js';

/**
 * Variant fails-first fails on a draw of 8 (seed 3: execution 377) and spins on a draw of 7:
 * the shrinker, making the draw smaller, tries 7 (the unwatched shrinker hung there).
 */
const RARE = join(ROOT, 'test/fixtures/split/rare-runaway.ts');

async function failing() {
  const { scenario } = await loadScenario(RARE);
  const r = await explore(scenario, { variant: 'fails-first', seed: 3, iterations: 500, file: RARE });
  expect(r.failure?.kind).toBe('assertion');
  return { loaded: { file: RARE, scenario }, trace: r.trace! };
}

describe('shrinking under the watchdog', () => {
  // The failing trace and its watched shrink, shared by the tests that assert on them.
  let first: Awaited<ReturnType<typeof failing>>;
  let watched: Awaited<ReturnType<typeof shrinkWatched>>;
  beforeAll(async () => {
    first = await failing();
    watched = await shrinkWatched(0.25, first.loaded, first.trace, { file: RARE });
  }, HANG_MS);

  it('an attempt that spins is rebuilt from its logged decisions, taken as not the bug, and the shrink goes on: a minimal trace that replays, the same every time', async () => {
    const { loaded, trace } = first;
    expect(watched.unshrunk).toBeNull();
    // The attempt that spun, with the decisions its heartbeat logged: main, spinner, spinner, then the draw of 7.
    expect(watched.runaways).toEqual([{ attempt: 12, step: 2, task: 'spinner', log: [0, 1, 1, -8] }]);
    expect([watched.stoppedBy, watched.trace.failure?.kind, watched.trace.failure?.message]).toEqual(['minimal', 'assertion', 'assertion: AssertionFailure: drew 8 in task "spinner" (step 3)']);
    expect(watched.trace.counts).toEqual({ steps: 3, preemptions: 0, tasks: 4 });
    expect((await replayTrace(loaded.scenario, watched.trace, RARE)).outcome).toBe('reproduced');
    const again = await shrinkWatched(0.25, loaded, trace, { file: RARE });
    expect(encodeTrace(again.trace)).toBe(encodeTrace(watched.trace));
    // In this thread, told which attempt spins, the shrinker takes the same path to the same trace.
    const told = await shrinkTrace(loaded.scenario, trace, { file: RARE, runaways: watched.runaways });
    expect([encodeTrace(told.trace), told.attempts]).toEqual([encodeTrace(watched.trace), watched.attempts]);
  }, HANG_MS);

  it('after the last spin it tolerates, the shrink stops just before it, with the best trace found so far', async () => {
    const { loaded, trace } = await failing();
    const r = await shrinkWatched(0.25, loaded, trace, { file: RARE, maxRunaways: 1 });
    expect(r.runaways.map((s) => s.attempt)).toEqual([12]);
    expect([r.stoppedBy, r.attempts, r.unshrunk]).toEqual(['attempts', 11, null]);
    const cut = await shrinkTrace(loaded.scenario, trace, { file: RARE, maxAttempts: 11 });
    expect(encodeTrace(r.trace)).toBe(encodeTrace(cut.trace));
    expect((await replayTrace(loaded.scenario, r.trace, RARE)).outcome).toBe('reproduced');
  }, HANG_MS);

  it('a trace whose own schedule now spins does not reproduce: a usage error naming the runaway task, not a hang', async () => {
    const { loaded } = first;
    const shrunk = watched.trace;
    // The draw of 8 made 7: the recorded assertion's schedule now spins.
    const at = shrunk.decisions.lastIndexOf(8);
    const spins = { ...shrunk, decisions: shrunk.decisions.map((d, i) => (i === at ? 7 : d)) };
    await expect(shrinkWatched(0.25, loaded, spins, { file: RARE })).rejects.toThrow(
      /^the trace does not reproduce, so it cannot be shrunk: recorded assertion: AssertionFailure: drew 8 in task "spinner" \(step 3\); the scenario now spins \(task "spinner" ran for more than 0\.25 s without reaching a scheduling point\)$/,
    );
  }, HANG_MS);
});

describe('shrinking a runaway', () => {
  // The runaway found watched (one spin), and its watched shrink (three more), shared by both tests.
  let scenario: Awaited<ReturnType<typeof loadScenario>>['scenario'];
  let input: Awaited<ReturnType<typeof exploreWithWatchdog>>['trace'] & object;
  let a: Awaited<ReturnType<typeof shrinkWatched>>;
  beforeAll(async () => {
    scenario = (await loadScenario(RARE)).scenario;
    input = (await exploreWithWatchdog(RARE, scenario, { seed: 3, iterations: 2000 }, { seconds: 0.25 })).trace!;
    a = await shrinkWatched(0.25, { file: RARE, scenario }, input, { file: RARE });
  }, HANG_MS);

  it('every attempt that spins with the same task is the bug: 5 steps and 2 preemptions to 3 and 0, a trace that replays', async () => {
    expect([input.runaway, input.counts.steps, input.counts.preemptions]).toEqual([{ seconds: 0.25 }, 5, 2]);
    expect([a.unshrunk, a.trace.runaway, a.trace.counts, a.trace.decisions, a.trace.failure?.task]).toEqual([null, { seconds: 0.25 }, { steps: 3, preemptions: 0, tasks: 4 }, [0, 1, 1, 7], 'spinner']);
    expect((await replaySaved({ file: RARE, scenario }, a.trace)).outcome).toBe('reproduced');
    // Unwatched, a runaway is not shrunk: its schedule would spin in this thread.
    await expect(shrinkTrace(scenario, input, { file: RARE })).rejects.toThrow('cannot shrink a runaway unwatched: its schedule spins (shrink it under the watchdog)');
  }, HANG_MS);

  it("its time limit counts the shrinker's own work, not the threads restarted at each spin, their module loads, the verdicts awaited or the machine's load: within 1.5 s it still shrinks, to the same bytes as without a limit", async () => {
    // Three spins, four threads, each loading the module (over half a second each): seconds of wall time, even on a quiet machine.
    const r = await shrinkWatched(0.25, { file: RARE, scenario }, input, { file: RARE, timeLimitMs: 1500 });
    expect([r.stoppedBy, r.unshrunk, r.runaways.length, r.trace.counts, r.trace.decisions]).toEqual(['minimal', null, 3, { steps: 3, preemptions: 0, tasks: 4 }, [0, 1, 1, 7]]);
    // The second watched shrink of the same runaway: the same bytes.
    expect(encodeTrace(r.trace)).toBe(encodeTrace(a.trace));
  }, HANG_MS);
});

describe('interleave shrink --watchdog', () => {
  it('shrinks a saved trace next to a spinning schedule, says which attempt spun, and saves what run saves', async () => {
    const out = tempDir();
    const raw = await cli(['run', RARE, '--variant', 'fails-first', '--seed', '3', '--no-shrink', '--out', join(out, 'raw')]);
    expect(raw.code).toBe(1);
    const file = join(out, 'raw', 'rare-runaway.fails-first.assertion.json');
    const r = await cli(['shrink', '--watchdog', '0.25', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^shrunk .*rare-runaway\.fails-first\.assertion\.json: 6 steps, 2 preemptions, 4 tasks -> 3 steps, 0 preemptions, 4 tasks \(12 attempts, minimal\)$/m);
    expect(r.stderr).toBe('interleave: shrinking rare-runaway [fails-first]: attempt 12 spun (task "spinner" ran for more than 0.25 s without a scheduling point after step 2); taken as not the bug\n');
    const run = await cli(['run', RARE, '--variant', 'fails-first', '--seed', '3', '--watchdog', '0.25', '--out', join(out, 'run')]);
    expect(run.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(out, 'run', 'rare-runaway.fails-first.assertion.json'), 'utf8'));
  }, HANG_MS);
});
