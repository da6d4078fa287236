import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempProject } from '../helpers/project.js';
import { cli, tempDir } from '../robust/cli.js';
import { cliHere } from './cliHarness.js';

/**
 * Paths in a trace file are relative to the trace's project root (the nearest folder with a
 * package.json or node_modules), whichever folder interleave ran in, so a committed trace
 * replays from anywhere and holds no absolute path.
 */
describe('scenario paths in trace files', () => {
  let project: string;
  let elsewhere: string;

  beforeAll(() => {
    project = tempProject(['scenarios/lost-update.ts']);
    elsewhere = tempDir('interleave-elsewhere-');
  });

  const recorded = (file: string): { scenario: string; location: string } => {
    const t = JSON.parse(readFileSync(file, 'utf8'));
    return { scenario: t.scenario.file, location: t.failure.error.location };
  };

  it('a trace saved in the project replays from another folder', async () => {
    const run = await cli(['run', 'lost-update', '--dir', 'scen', '--variant', 'buggy', '--out', 'traces', '--no-shrink'], { cwd: project });
    expect(run.code).toBe(1);
    const trace = join(project, 'traces/lost-update.buggy.assertion.json');
    expect(recorded(trace).scenario).toBe('scen/lost-update.ts');
    // From outside the project, its scenario is outside the working directory's project: named
    // by --dir (or allowed by --trust-trace-paths), else refused before it is imported.
    const [replay, trusted, refused] = await Promise.all([
      cliHere(['replay', trace, '--dir', join(project, 'scen')], { cwd: elsewhere }),
      cliHere(['replay', trace, '--trust-trace-paths'], { cwd: elsewhere }),
      cliHere(['replay', trace], { cwd: elsewhere }),
    ]);
    expect(replay.stderr).toBe('');
    expect(replay.stdout).toMatch(/^reproduced: assertion: AssertionFailure: lost update/m);
    expect(replay.code).toBe(1);
    expect(trusted.stdout).toMatch(/^reproduced: assertion: AssertionFailure: lost update/m);
    expect(refused.stderr).toMatch(/^interleave: .*: invalid field scenario\.file: ".*scen\/lost-update\.ts" is outside: a trace may only name a scenario module inside the project \(.*\) or --dir \(scenarios\); --trust-trace-paths allows it\n$/);
    expect(refused.code).toBe(2);
  });

  it('run from outside the project, the trace saved in it still holds paths relative to it, none absolute', async () => {
    const run = await cliHere(['run', join(project, 'scen/lost-update.ts'), '--variant', 'buggy', '--out', join(project, 'out'), '--no-shrink'], { cwd: elsewhere });
    expect(run.code).toBe(1);
    const trace = join(project, 'out/lost-update.buggy.assertion.json');
    expect(recorded(trace)).toEqual({ scenario: 'scen/lost-update.ts', location: expect.stringMatching(/^scen\/lost-update\.ts:\d+$/) });
    expect(readFileSync(trace, 'utf8')).not.toContain(project);
    const replay = await cliHere(['replay', trace], { cwd: project });
    expect(replay.stdout).toMatch(/^reproduced:/m);
  });

  it('older traces still replay: a file stored absolute (with --trust-trace-paths), or relative to the folder they were recorded in', async () => {
    const trace = join(project, 'traces/lost-update.buggy.assertion.json');
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    t.scenario.file = join(project, 'scen/lost-update.ts');
    writeFileSync(join(project, 'traces/absolute.json'), JSON.stringify(t));
    t.scenario.file = 'lost-update.ts';
    writeFileSync(join(project, 'traces/recorded-in-scen.json'), JSON.stringify(t));
    const [absolute, relative] = await Promise.all([cliHere(['replay', join(project, 'traces/absolute.json'), '--trust-trace-paths'], { cwd: elsewhere }), cliHere(['replay', '../traces/recorded-in-scen.json'], { cwd: join(project, 'scen') })]);
    expect(absolute.stdout).toMatch(/^reproduced:/m);
    expect(relative.stdout).toMatch(/^reproduced:/m);
  });
});
