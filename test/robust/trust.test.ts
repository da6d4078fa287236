import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explore, TraceFileError, writeTrace, type Trace } from 'interleave';
import { replayTraceFile } from 'interleave/vitest';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import { cli, inProcess, noStack, ROOT, tempDir, type CliResult } from './cli.js';

/**
 * A trace is data, never code (issue #23): the scenario module a trace names is checked before
 * anything is imported. Each hostile module here writes a marker file when imported; the marker
 * must never appear. Cases that could hang (a FIFO, a device) run the binary, so a regression
 * is a killed subprocess, not a frozen test worker.
 */
const LOST_UPDATE = join(ROOT, 'test/fixtures/scenarios/lost-update.ts');
const RULE = `: a trace may only name a scenario module inside the project (${ROOT.replace(/\/$/, '')}) or --dir (scenarios); --trust-trace-paths allows it`;

let good: Trace;
let dir: string;
/** A module that leaves `marker` behind when imported (a valid scenario of another name). */
function hostile(file: string, marker: string): void {
  writeFileSync(file, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { name: 'evil', description: 'runs when imported', variants: { v: { expect: 'pass' } }, run() {} };\n`);
}
/** The good trace with `scenario.file` set to `file` as is (no rebasing), written to `path`. */
function traceNaming(path: string, file: string): string {
  const t = JSON.parse(JSON.stringify(good)) as Trace;
  writeFileSync(path, JSON.stringify({ ...t, scenario: { ...t.scenario, file } }, null, 2));
  return path;
}
function expectRefused(r: CliResult, line: string): void {
  expect(r.stderr).toBe(`${line}\n`);
  expect(noStack(r.stderr)).toBe(true);
  expect(r.code).toBe(2);
  expect(r.signal).toBeNull();
}

beforeAll(async () => {
  dir = tempDir();
  const r = await explore(lostUpdate, { variant: 'buggy', seed: 7, file: LOST_UPDATE });
  writeTrace(join(dir, 'good.json'), r.trace!);
  good = JSON.parse(readFileSync(join(dir, 'good.json'), 'utf8')) as Trace;
});

describe('a trace naming a module outside the project is refused before anything is imported', () => {
  it('replay, shrink, ci, merge (a trace in a shard file) and replayTraceFile: exit 2, one line, no marker', async () => {
    const evil = join(tempDir(), 'evil.mjs');
    const marker = `${evil}.ran`;
    hostile(evil, marker);
    const traces = join(dir, 'abs');
    mkdirSync(traces);
    const trace = traceNaming(join(traces, 'abs.json'), evil);
    // The trace lives outside the project: its absolute path, read from here, is outside too.
    const line = `interleave: ${trace}: invalid field scenario.file: ${JSON.stringify(`${relUp()}${evil}`)} is outside${RULE}`;
    expectRefused(await inProcess(['replay', trace]), line);
    expectRefused(await inProcess(['shrink', trace, '--out', join(dir, 'shrunk.json')]), line);
    expectRefused(await inProcess(['ci', '--dir', join(ROOT, 'test/fixtures/scenarios'), '--traces', traces]), line.replace('--dir (scenarios)', `--dir (${join(ROOT, 'test/fixtures/scenarios')})`));
    expect(existsSync(join(dir, 'shrunk.json'))).toBe(false);

    // merge: the same trace inside a shard file (paths there are as the run wrote them: absolute is refused as such).
    const shardFile = join(dir, 'shard.json');
    const made = await inProcess(['run', LOST_UPDATE, '--variant', 'buggy', '--seed', '7', '-n', '100', '--no-shrink', '--shard', '1/1', '--shard-file', shardFile, '--out', join(dir, 'run-out')]);
    expect(made.code).toBe(1);
    const shard = JSON.parse(readFileSync(shardFile, 'utf8')) as { runs: { trace: Trace }[] };
    expect(shard.runs[0]!.trace).not.toBeNull();
    shard.runs[0]!.trace = { ...shard.runs[0]!.trace, scenario: { ...shard.runs[0]!.trace.scenario, file: evil } };
    writeFileSync(shardFile, JSON.stringify(shard));
    expectRefused(await inProcess(['merge', shardFile, '--out', join(dir, 'merged')]), `interleave: ${shardFile}: invalid field scenario.file: ${JSON.stringify(evil)} is an absolute path${RULE}`);
    expect(existsSync(join(dir, 'merged'))).toBe(false);

    // The vitest helper's test body rejects with the same refusal.
    const refused = await replayTraceFile(trace).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TraceFileError);
    expect(`interleave: ${(refused as Error).message}`).toBe(line);
    expect(existsSync(marker)).toBe(false);

    // --trust-trace-paths lifts the rule: the module is imported (the marker appears), then found to define another scenario.
    const trusted = await inProcess(['replay', trace, '--trust-trace-paths']);
    expect(trusted.code).toBe(2);
    expect(trusted.stderr).toBe(`interleave: ${trace}: the trace is for scenario "lost-update" but ${evil} defines "evil"\n`);
    expect(existsSync(marker)).toBe(true);
  });

  it('`../x.mjs`, a symlink out of the project, another extension: refused; inside the project it replays', async () => {
    const outside = tempDir();
    const project = join(outside, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"type":"module"}\n');
    const marker = join(outside, 'ran');
    hostile(join(outside, 'x.mjs'), marker);
    symlinkSync(join(outside, 'x.mjs'), join(project, 'link.mjs'));
    writeFileSync(join(project, 'notes.txt'), `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran')\n`);
    const up = traceNaming(join(project, 'up.json'), '../x.mjs');
    const link = traceNaming(join(project, 'link.json'), 'link.mjs');
    const txt = traceNaming(join(project, 'txt.json'), 'notes.txt');
    const cwd = process.cwd();
    process.chdir(project);
    try {
      const rule = RULE.replace(ROOT.replace(/\/$/, ''), project);
      expectRefused(await inProcess(['replay', up]), `interleave: ${up}: invalid field scenario.file: "../x.mjs" is outside${rule}`);
      expectRefused(await inProcess(['replay', link]), `interleave: ${link}: invalid field scenario.file: "link.mjs" is a link to ${join(outside, 'x.mjs')}, outside${rule}`);
      expectRefused(await inProcess(['replay', txt, '--trust-trace-paths']), `interleave: ${txt}: invalid field scenario.file: "notes.txt" is not a scenario module (.ts, .mts, .js, .mjs)`);
      // Inside --dir, the same link is fine (and is imported).
      const viaDir = await inProcess(['replay', link, '--dir', outside]);
      expect(viaDir.stderr).toBe(`interleave: ${link}: the trace is for scenario "lost-update" but link.mjs defines "evil"\n`);
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(marker)).toBe(true);
  });
});

describe('a FIFO or a device is refused by its type, never read', () => {
  it('as the scenario file of a trace, as the trace itself, and as `run <file>`: exit 2 in one line, no hang', async () => {
    const outside = tempDir();
    const project = join(outside, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"type":"module"}\n');
    execFileSync('mkfifo', [join(project, 'fifo.mjs')]);
    execFileSync('mkfifo', [join(project, 'fifo.json')]);
    symlinkSync('/dev/zero', join(project, 'zero.json'));
    const named = traceNaming(join(project, 'named.json'), 'fifo.mjs');
    const zero = traceNaming(join(project, 'zero-scenario.json'), '/dev/zero');
    symlinkSync('/dev/zero', join(project, 'dev-zero.mjs'));
    const linkedZero = traceNaming(join(project, 'linked-zero.json'), 'dev-zero.mjs');
    const run = (args: string[]): Promise<CliResult> => cli(args, { cwd: project, timeoutMs: 20_000 });
    const [fifoScenario, fifoTrace, zeroTrace, zeroScenario, zeroLinked, fifoRun, fifoCi] = await Promise.all([
      run(['replay', named]),
      run(['replay', join(project, 'fifo.json')]),
      run(['replay', join(project, 'zero.json')]),
      run(['replay', zero, '--trust-trace-paths']),
      run(['replay', linkedZero, '--trust-trace-paths']),
      run(['run', join(project, 'fifo.mjs')]),
      run(['ci', '--dir', join(outside, 'none'), '--traces', project]),
    ]);
    expectRefused(fifoScenario, `interleave: ${named}: invalid field scenario.file: "fifo.mjs" is a FIFO (named pipe), not a scenario module`);
    expectRefused(fifoTrace, `interleave: ${join(project, 'fifo.json')}: is a FIFO (named pipe), not a trace file`);
    expectRefused(zeroTrace, `interleave: ${join(project, 'zero.json')}: is a character device, not a trace file`);
    expectRefused(zeroScenario, `interleave: ${zero}: invalid field scenario.file: "/dev/zero" is not a scenario module (.ts, .mts, .js, .mjs)`);
    expectRefused(zeroLinked, `interleave: ${linkedZero}: invalid field scenario.file: "dev-zero.mjs" is a character device, not a scenario module`);
    expectRefused(fifoRun, `interleave: ${join(project, 'fifo.mjs')}: is a FIFO (named pipe), not a scenario module`);
    // ci reads every trace first: the FIFO and the device are unreadable rows, the link to /dev/zero a refusal.
    const rule = RULE.replace(ROOT.replace(/\/$/, ''), project).replace('--dir (scenarios)', `--dir (${join(outside, 'none')})`);
    expectRefused(fifoCi, `interleave: ${linkedZero}: invalid field scenario.file: "dev-zero.mjs" is a link to /dev/zero, outside${rule}`);
  });
});

/** `..` steps from this project's root up to the filesystem root. */
function relUp(): string {
  return ROOT.replace(/\/$/, '').split('/').slice(1).map(() => '..').join('/');
}
