import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoFailure, InterleaveFailure, replayTraceFile } from 'interleave/vitest';
import cache from '../../examples/real-code/cache.scenario.js';

/**
 * The README tour's vitest call, as printed there (only `out` differs, so that the test does not
 * write into the repository's traces/): the buggy cache fails the test with the shrunk report and
 * a replay command whose trace reproduces; the fixed one passes.
 */
const out = mkdtempSync(join(tmpdir(), 'interleave-tour-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the README tour in vitest', () => {
  it('the buggy cache fails with the shrunk report, and its trace reproduces', async () => {
    const failure = await expectNoFailure(cache, { variant: 'buggy', file: 'examples/real-code/cache.scenario.ts', out }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(InterleaveFailure);
    const lines = (failure as InterleaveFailure).message.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'profile-cache [buggy] failed after 1 execution',
      'assertion: AssertionFailure: profile u1 fetched 2 times for 2 requests in task "main" (step 5)',
      '  at examples/real-code/cache.scenario.ts:31',
      '  5 steps, 0 preemptions, 5 tasks (shrunk from 5 steps, 0 preemptions)',
    ]);
    expect(lines.at(-1)).toMatch(/^replay: npx interleave replay .*profile-cache\.buggy\.assertion\.json$/);
    await replayTraceFile((failure as InterleaveFailure).file!); // throws unless `reproduced`
  });

  it('the fixed cache passes', async () => {
    const r = await expectNoFailure(cache, { variant: 'fixed', file: 'examples/real-code/cache.scenario.ts', out });
    expect(r.failure).toBeNull();
    expect(r.executions).toBeGreaterThan(0);
  });
});
