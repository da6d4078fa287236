import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES, stable, workDir } from './cliHarness.js';

/**
 * `run --strategy portfolio` (built binary): the summary says which member found the failure
 * and how many executions each member ran, and PCT's bound; the trace keeps the member through
 * replay and shrink; `--json` says the same. Seed 5 first fails at execution 3, which is
 * pct (depth 3)'s (execution i is member i mod 4's).
 */
describe('interleave run --strategy portfolio', () => {
  const cwd = workDir('cli-portfolio');
  const trace = join(cwd, 't/lost-update.buggy.assertion.json');
  const args = ['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '--strategy', 'portfolio', '--seed', '5', '--no-shrink'];
  let text: Awaited<ReturnType<typeof cli>>;
  let json: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    [text, json] = await Promise.all([cli([...args, '--out', 't'], { cwd }), cli([...args, '--out', 'j', '--json'], { cwd })]);
  });

  it('names the member that found the failure, the executions of every member and PCT bound per depth; exits 1', () => {
    expect(text.code).toBe(1);
    expect(stable(text.stdout).split('\n').slice(0, 3)).toEqual([
      'lost-update [buggy] (params: workers=2) portfolio seed 5: 4 executions, N/s: assertion found by pct (depth 3) at execution 3',
      '  members: random 1, pct (depth 1) 1, pct (depth 2) 1, pct (depth 3) 1, pos 0 (executions each)',
      '  pct: n = 3 tasks, k = 9 steps (the first-enabled schedule): per execution, a bug of depth 1 >= 1/3, depth 2 >= 1/27, depth 3 >= 1/243',
    ]);
    expect(JSON.parse(readFileSync(trace, 'utf8')).strategy).toEqual({ name: 'portfolio', seed: 5, execution: 3, member: 'pct (depth 3)' });
  });

  it('the trace replays (exit 1, reproduced), shrinks, and the shrunk trace keeps the member and replays', async () => {
    const [replayed, shrunk] = await Promise.all([cli(['replay', trace, '--dir', FIXTURES], { cwd }), cli(['shrink', trace, '-o', 'min.json', '--dir', FIXTURES], { cwd })]);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain('\nreproduced: assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main" (step 9)\n');
    expect(shrunk.code).toBe(0);
    const min = JSON.parse(readFileSync(join(cwd, 'min.json'), 'utf8'));
    expect(min.shrink).toBeDefined();
    expect(min.strategy).toEqual({ name: 'portfolio', seed: 5, execution: 3, member: 'pct (depth 3)' });
    const again = await cli(['replay', 'min.json', '--dir', FIXTURES], { cwd });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('\nreproduced: assertion:');
  });

  it('--json gives the member and execution that failed, every member with its executions, and PCT n, k and bound', () => {
    expect(json.code).toBe(1);
    const [entry] = JSON.parse(json.stdout);
    expect(entry.executions).toBe(4);
    expect(entry.sampling).toEqual({
      foundBy: { member: 'pct (depth 3)', execution: 3 },
      members: [
        { name: 'random', executions: 1 },
        { name: 'pct (depth 1)', executions: 1 },
        { name: 'pct (depth 2)', executions: 1 },
        { name: 'pct (depth 3)', executions: 1 },
        { name: 'pos', executions: 0 },
      ],
      pct: [
        { depth: 1, tasks: 3, steps: 9, guarantee: 1 / 3 },
        { depth: 2, tasks: 3, steps: 9, guarantee: 1 / 27 },
        { depth: 3, tasks: 3, steps: 9, guarantee: 1 / 243 },
      ],
    });
  });
});
