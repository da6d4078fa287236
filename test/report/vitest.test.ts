import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, readTrace, writeTrace } from 'interleave';
import { expectNoFailure, InterleaveFailure, replayTraces } from 'interleave/vitest';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import lockOrder from '../fixtures/scenarios/lock-order.js';

const OUT = resolve(import.meta.dirname, '../../test-output/vitest-helper');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'traces'), { recursive: true });
// Traces for replayTraces, written before it registers its tests (one per file).
const found = await explore(lockOrder, { variant: 'buggy', file: resolve(import.meta.dirname, '../fixtures/scenarios/lock-order.ts') });
writeTrace(join(OUT, 'traces', 'lock-order.json'), found.trace!);

describe('interleave/vitest', () => {
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
    expect(lines.at(-1)).toBe('replay: npx interleave replay test-output/vitest-helper/found/lost-update.buggy.assertion.json');
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
