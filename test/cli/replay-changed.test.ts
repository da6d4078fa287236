import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTarget, replayDecisions, traceOf, writeTrace, type ScenarioDefinition } from 'interleave';
import { sessionRace } from '../fixtures/changed/_sessionRace.js';
import { cli, cliHere, ROOT, workDir } from './cliHarness.js';

const CHANGED = join(ROOT, 'test/fixtures/changed');

/**
 * A user saves the buggy trace of session-race, then edits the scenario (test/fixtures/changed/
 * edits/) and replays the trace: what `replay` says and exits with, and what `ci` reports.
 */
describe('replay and ci after the scenario changed (built binary)', () => {
  const cwd = workDir('cli-replay-changed');
  const traces = join(cwd, 'traces');

  beforeAll(async () => {
    const target = makeTarget(sessionRace('none') as ScenarioDefinition<object>, { variant: 'buggy', file: join(CHANGED, 'session-race.ts') });
    const trace = traceOf(target, { name: 'random', seed: 1 }, await replayDecisions(target, [0, 0, 1, 1, 2, 2, 1]));
    mkdirSync(traces, { recursive: true });
    writeTrace(join(traces, 'original.json'), trace);
    for (const edit of ['catch', 'retry', 'recheck', 'closer-set']) {
      writeTrace(join(traces, `${edit}.json`), { ...trace, scenario: { name: 'session-race', file: relative(ROOT, join(CHANGED, 'edits', `${edit}.ts`)) } });
    }
  });

  it('replay: passes now (exit 0, the timeline marks where the trace ended), still failing or a different failure (exit 1), diverged naming the task (exit 3)', async () => {
    const [fixed, json, retry, recheck, closer] = await Promise.all([
      cli(['replay', 'traces/catch.json'], { cwd }),
      cliHere(['replay', 'traces/catch.json', '--json'], { cwd }),
      cliHere(['replay', 'traces/retry.json'], { cwd }),
      cliHere(['replay', 'traces/recheck.json'], { cwd }),
      cliHere(['replay', 'traces/closer-set.json'], { cwd }),
    ]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout.trimEnd().split('\n').at(-1)).toBe("passes now: the recorded exception no longer happens; past the trace's 7 decisions the run went on first-enabled from step 7 to a clean end at step 9");
    expect(fixed.stdout).toMatch(/\n {7}-- end of the recorded decisions: first-enabled from step 7 --\n {4}7 {2}join reader -> true \(woke\)\n/);
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'passes-now', continuedFrom: 7, divergence: null, failure: null });
    expect(retry.code).toBe(1);
    expect(retry.stdout.trimEnd().split('\n').at(-1)).toMatch(/^still failing, elsewhere: exception: KeyError: "s1" not in sessions in task "reader" \(step 8\); the trace recorded .* \(step 7\); past the trace's 7 decisions/);
    expect(recheck.code).toBe(1);
    expect(recheck.stdout.trimEnd().split('\n').at(-1)).toMatch(/^different failure: assertion: AssertionFailure: session s1 is gone in task "main" \(step 10\); the trace recorded exception: /);
    expect(closer.code).toBe(3);
    expect(closer.stdout.trimEnd().split('\n').slice(-3)).toEqual([
      'diverged at step 6: closer announced set sessions["y"] where the trace recorded finish',
      '  recorded: closer: finish',
      '  now:      closer: set sessions["y"]',
    ]);
  });

  it('ci: only a reproduced trace matches; the others are named by what they do now', async () => {
    const r = await cliHere(['ci', '--dir', CHANGED, '--traces', 'traces', '--json'], { cwd });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { matched: number; mismatched: number; rows: { kind: string; name: string; expected: string; found: string; match: boolean; detail: string }[] };
    expect(out.rows.filter((x) => x.kind === 'trace').map((x) => [x.name, x.expected, x.found, x.match])).toEqual([
      ['traces/catch.json', 'exception', 'pass', false],
      ['traces/closer-set.json', 'exception', 'diverged', false],
      ['traces/original.json', 'exception', 'exception', true],
      ['traces/recheck.json', 'exception', 'assertion', false],
      ['traces/retry.json', 'exception', 'exception (elsewhere)', false],
    ]);
    expect(out.rows.find((x) => x.name === 'traces/catch.json')?.detail).toMatch(/^passes now: /);
    expect([out.matched, out.mismatched]).toEqual([3, 4]);
  });
});
