import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, workDir } from './cliHarness.js';

const SEARCH = join(ROOT, 'test/fixtures/search');

describe('interleave run --strategy db (built binary)', () => {
  it('finds the writers-checker bug at delay bound 1, says so in text and --json, saves a trace that replays; the fixed variant is clean up to the bound, also split over 2 workers', async () => {
    const cwd = workDir('cli-db');
    const run = (...more: string[]) => cli(['run', 'writers-checker', '--dir', SEARCH, '--strategy', 'db', ...more], { cwd });
    const [both, json, zero, split] = await Promise.all([
      run('--param', 'writers=3', '--out', 't'),
      run('-v', 'buggy', '--out', 'j', '--json'),
      run('-v', 'fixed', '--preemption-bound', '0'),
      run('-v', 'fixed', '--param', 'writers=3', '--workers', '2'),
    ]);
    const clean = 'writers-checker [fixed] (params: writers=3) db: no failure with at most 2 delays (complete up to that bound; 103 executions)';
    const lines = both.stdout.split('\n');
    expect([both.code, lines[0], lines.find((l) => l.startsWith('writers-checker [fixed]'))]).toEqual([1, 'writers-checker [buggy] (params: writers=3) db: assertion found at delay bound 1 (the smallest) after 3 executions', clean]);
    expect(both.stdout).toContain('\nassertion: AssertionFailure: checker saw a writer between its two writes in task "checker" (step 5)\n');
    // The trace db found shrinks like any other (to a schedule with the preemption moved to writer-1).
    expect(both.stdout).toContain('\n  5 steps, 1 preemption, 3 tasks (shrunk from 11 steps, 1 preemption)\n');
    expect(both.stdout).toContain('\nreplay: npx interleave replay t/writers-checker.buggy.assertion.json\n');
    const row = JSON.parse(json.stdout)[0];
    expect([json.code, row]).toMatchObject([1, { params: { writers: 10 }, executions: 3, complete: false, completeExecutions: 3, stoppedBy: 'failure', bound: { limit: 2, reached: 1, completeUpTo: 0, minimalFailing: 1 } }]);
    expect(JSON.parse(readFileSync(join(cwd, row.trace), 'utf8')).strategy.name).toBe('db');
    const replay = await cli(['replay', 't/writers-checker.buggy.assertion.json', '--dir', SEARCH], { cwd });
    expect([replay.code, replay.stdout.trimEnd().split('\n').at(-1)]).toEqual([1, 'reproduced: assertion: AssertionFailure: checker saw a writer between its two writes in task "checker" (step 5)']);
    // Bound 0 is one schedule: the round-robin one.
    expect([zero.code, zero.stdout.split('\n')[0]]).toEqual([0, 'writers-checker [fixed] (params: writers=10) db: no failure with at most 0 delays (complete up to that bound; 1 execution)']);
    // Split in units over 2 worker threads: the same result.
    expect([split.code, split.stdout.split('\n')[0]]).toEqual([0, clean]);
  });
});
