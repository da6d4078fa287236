import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../helpers/project.js';
import { cli } from '../robust/cli.js';
import { cliHere } from './cliHarness.js';

describe('t.track from the command line', () => {
  it('an unsupported value is one usage line naming the scenario line, exit 2', async () => {
    const project = tempProject(['track/bad-track.ts']);
    const r = await cli(['run', 'bad-track', '--dir', 'scen'], { cwd: project });
    expect([r.code, r.stderr]).toEqual([2, 'interleave: scen/bad-track.ts:10: t.track: "when" (a Date) is not a Map, Set, array or plain object\n']);
  });

  it('tracked state without the declaration: dfs claims no reduction, finds the duplicate load, and its trace replays in a fresh process', async () => {
    const project = tempProject(['track/cache.ts']);
    const fixed = await cliHere(['run', 'cache', '--dir', 'scen', '--variant', 'fixed', '--strategy', 'dfs'], { cwd: project });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('cache [fixed] dfs: exhaustive: 6 complete executions, no failure (complete, without partial-order reduction: untracked state)\n');
    expect(fixed.stdout).not.toContain('with partial-order reduction');
    const buggy = await cliHere(['run', 'cache', '--dir', 'scen', '--variant', 'buggy', '--strategy', 'dfs', '--out', 'traces'], { cwd: project });
    expect(buggy.code).toBe(1);
    expect(buggy.stdout).toContain('cache [buggy] dfs: assertion found after 3 executions');
    const [trace] = readdirSync(join(project, 'traces'));
    const replay = await cliHere(['replay', join('traces', trace!)], { cwd: project });
    expect(replay.code).toBe(1);
    expect(replay.stdout.trimEnd().split('\n').at(-1)).toBe('reproduced: assertion: AssertionFailure: duplicate load: "k" loaded 2 times in task "main" (step 7)');
  });
});
