import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, readTrace, writeTrace } from 'interleave';
import { expectNoFailure, InterleaveFailure, replayTraces } from 'interleave/vitest';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import lockOrder from '../fixtures/scenarios/lock-order.js';
import runaway from '../fixtures/bad/runaway.js';

const OUT = resolve(import.meta.dirname, '../../test-output/vitest-helper');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'traces'), { recursive: true });
// Traces for replayTraces, written before it registers its tests (one per file).
const found = await explore(lockOrder, { variant: 'buggy', file: resolve(import.meta.dirname, '../fixtures/scenarios/lock-order.ts') });
writeTrace(join(OUT, 'traces', 'lock-order.json'), found.trace!);
// And a runaway's, saved by expectNoFailure under the watchdog: replayTraces replays it watched.
const RUNAWAY_FILE = resolve(import.meta.dirname, '../fixtures/bad/runaway.ts');
const runawayFailure = (await expectNoFailure(runaway, { watchdog: 0.25, file: RUNAWAY_FILE, out: join(OUT, 'traces') }).catch((e: unknown) => e)) as InterleaveFailure;

describe('interleave/vitest', () => {
  it('expectNoFailure with a watchdog: a spinning task fails the test as a runaway instead of freezing the suite; other outcomes as without', async () => {
    const file = (name: string) => resolve(import.meta.dirname, `../fixtures/${name}`);
    // The runaway found above (one exploration, its watched shrink and its confirmation: each
    // spin restarts a thread that loads the sources through tsx, seconds of CPU under vitest).
    const err = runawayFailure;
    expect(err).toBeInstanceOf(InterleaveFailure);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toMatch(/^runaway \[only\] failed after \d+ executions?$/);
    // Its report: the runaway shrunk under the watchdog, as a failure is.
    expect(lines[1]).toMatch(/^livelock: task "spinner" ran for more than 0\.25 s without reaching a scheduling point .* after step 2$/);
    expect((err as InterleaveFailure).result.failure?.kind).toBe('livelock');
    // Saved where asked, its trace marked as a runaway's (replayed below, watched, by replayTraces).
    expect(runawayFailure.file).toBe(join(OUT, 'traces', 'runaway.only.livelock.json'));
    expect(readTrace(runawayFailure.file!).runaway).toEqual({ seconds: 0.25 });
    // Passing and failing variants report what they report unwatched.
    const passing = await expectNoFailure(lostUpdate, { variant: 'fixed', iterations: 50, out: false, watchdog: 5, file: file('scenarios/lost-update.ts') });
    expect([passing.failure, passing.executions]).toEqual([null, 50]);
    const [watched, plain] = await Promise.all(
      // Watched, the shrink runs in the watched thread too: the same shrunk report.
      [{ watchdog: 5 }, {}].map((w) => expectNoFailure(lostUpdate, { variant: 'buggy', seed: 3, out: false, file: file('scenarios/lost-update.ts'), ...w }).catch((e: unknown) => (e as Error).message)),
    );
    expect(watched).toBe(plain);
    await expect(expectNoFailure(runaway, { watchdog: 0.25 })).rejects.toThrow("expectNoFailure(runaway): the watchdog needs `file`, the scenario module's path (its thread imports the module)");
  }, 180_000);

  it('expectNoFailure resolves when no execution fails', async () => {
    const r = await expectNoFailure(lostUpdate, { variant: 'fixed', iterations: 50, out: false });
    expect([r.failure, r.executions]).toEqual([null, 50]);
  });

  it('expectNoFailure throws with the failure, the shrunk timeline and the replay command', async () => {
    const err = await expectNoFailure(lostUpdate, { variant: 'buggy', seed: 3, out: join(OUT, 'found') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterleaveFailure);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('lost-update [buggy] failed after 1 execution');
    expect(lines[1]).toMatch(/^assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main"/);
    expect((err as Error).message).toContain('9 steps, 1 preemption, 3 tasks (shrunk from 9 steps, 3 preemptions)');
    expect((err as Error).message).toContain(' step  main ');
    expect(lines.at(-2)).toBe('replay: npx interleave replay test-output/vitest-helper/found/lost-update.buggy.assertion.json');
    // Without `file` the scenario cannot be loaded afresh to confirm the trace replays in a new process: said, not hidden.
    expect(lines.at(-1)).toBe(
      "(not confirmed from freshly loaded modules: give `file`, the scenario module's path, so that a failure that needs state warmed up by earlier executions is not reported as one that replays)",
    );
    // With `file`, as a path or as a file URL (what a test has without node:url): confirmed, and the report ends with its replay command.
    const urlFile = new URL('../fixtures/scenarios/lost-update.ts', import.meta.url);
    const [byPath, byUrl] = await Promise.all(
      [urlFile.pathname, urlFile].map((file) => expectNoFailure(lostUpdate, { variant: 'buggy', seed: 3, out: join(OUT, 'confirmed'), file }).then(() => 'no failure', (e: unknown) => (e as Error).message)),
    );
    expect(byUrl).toBe(byPath);
    expect(byUrl.split('\n').at(-1)).toBe('replay: npx interleave replay test-output/vitest-helper/confirmed/lost-update.buggy.assertion.json');
  });

  it('expectNoFailure still reports the failure when its trace cannot be written where asked (saved in the temp dir)', async () => {
    // A folder in the way of the trace's file name: the write fails, whoever runs the test.
    const out = join(OUT, 'blocked');
    mkdirSync(join(out, 'lost-update.buggy.assertion.json', 'inside'), { recursive: true });
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = join(OUT, 'tmp');
    mkdirSync(process.env.TMPDIR, { recursive: true });
    const err = await expectNoFailure(lostUpdate, { variant: 'buggy', seed: 3, out })
      .catch((e: unknown) => e)
      .finally(() => {
        if (tmp === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = tmp;
      });
    expect(err).toBeInstanceOf(InterleaveFailure);
    const message = (err as Error).message;
    expect(message).toMatch(/^assertion: AssertionFailure: lost update/m);
    const saved = /saved to (\S+\/tmp\/interleave-\w+\/lost-update\.buggy\.assertion\.json) instead\)$/m.exec(message);
    expect(saved, message).not.toBeNull();
    expect((err as InterleaveFailure).file).toBe(saved![1]);
    expect(readTrace(saved![1]!).failure?.kind).toBe('assertion');
  });
});

replayTraces(join(OUT, 'traces'), { scenarioDir: resolve(import.meta.dirname, '../fixtures/scenarios') });
