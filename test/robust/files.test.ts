import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, lutimesSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, readTrace, writeFileAtomic, writeTrace } from 'interleave';
import { shellQuote } from '../../src/report/shellQuote.js';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import { BIN, inProcess, noStack, ROOT, tempDir } from './cli.js';

/** Files are never lost: interleave's own leftovers are cleaned, two writers of one path both keep their file, names are quoted. */
const LOST_UPDATE = 'test/fixtures/scenarios/lost-update.ts';

/** The id of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('temporary files of killed writers', () => {
  it('are removed on the next write to their folder: a dead writer\'s, and any older than a minute; nothing else', () => {
    const dir = tempDir();
    const dead = `.x.json.${deadPid()}.0123abcd.tmp`;
    const old = `.y.json.${process.pid}.tmp`;
    const live = `.z.json.${process.pid}.89abcdef.tmp`;
    const others = ['notes.tmp', '.hidden.tmp', `.w.json.${process.pid}.nothex!.tmp`, 'x.json'];
    for (const f of [dead, old, live, ...others]) writeFileSync(join(dir, f), 'partial');
    const minutesAgo = new Date(Date.now() - 120_000);
    utimesSync(join(dir, old), minutesAgo, minutesAgo);
    writeFileAtomic(join(dir, 'next.json'), '{}\n');
    expect(readdirSync(dir).sort()).toEqual([live, 'next.json', ...others].sort());
  });
});

describe('two writers of one path', () => {
  it('keep both files: one written since this process started stays, the other goes to x.2.json; the same bytes, or an earlier run\'s file, are one file', () => {
    const dir = tempDir();
    const file = join(dir, 't.json');
    expect(writeFileAtomic(file, 'first\n')).toBe(file);
    expect(writeFileAtomic(file, 'first\n')).toBe(file);
    expect(writeFileAtomic(file, 'second\n')).toBe(join(dir, 't.2.json'));
    expect(writeFileAtomic(file, 'third\n')).toBe(join(dir, 't.3.json'));
    expect([readFileSync(file, 'utf8'), readFileSync(join(dir, 't.2.json'), 'utf8'), readFileSync(join(dir, 't.3.json'), 'utf8')]).toEqual(['first\n', 'second\n', 'third\n']);
    // An earlier run's file (written before this process started) is replaced, as a re-run replaces its traces.
    const yesterday = new Date(Date.now() - 86_400_000);
    utimesSync(file, yesterday, yesterday);
    expect(writeFileAtomic(file, 'fourth\n')).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('fourth\n');
    // `replace` (a shrunk trace over the raw one this run wrote) replaces whoever wrote it.
    expect(writeFileAtomic(file, 'fifth\n', { replace: true })).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('fifth\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // An earlier link under the name, even a dangling one, is replaced by the file (as rename did), not followed.
    const link = join(dir, 'l.json');
    symlinkSync(join(dir, 'nowhere'), link);
    lutimesSync(link, yesterday, yesterday);
    expect(writeFileAtomic(link, 'sixth\n')).toBe(link);
    expect(lstatSync(link).isFile()).toBe(true);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('run: a second failure of the same name found while the first is on disk is saved as .2.json, and its replay line says so', async () => {
    const out = tempDir();
    const first = await inProcess(['run', LOST_UPDATE, '--variant', 'buggy', '--seed', '1', '--no-shrink', '--out', out]);
    const second = await inProcess(['run', LOST_UPDATE, '--variant', 'buggy', '--seed', '5', '--no-shrink', '--out', out]);
    expect([first.code, second.code]).toEqual([1, 1]);
    const a = join(out, 'lost-update.buggy.assertion.json');
    const b = join(out, 'lost-update.buggy.assertion.2.json');
    expect(first.stdout).toContain(`replay: npx interleave replay ${a}\n`);
    expect(second.stdout).toContain(`replay: npx interleave replay ${b}\n`);
    expect(readTrace(a).decisions).not.toEqual(readTrace(b).decisions);
  });
});

describe('output names', () => {
  it('--out "" (and an empty file name) is refused before anything runs', async () => {
    const cases: [string[], string][] = [
      [['run', LOST_UPDATE, '--out', ''], `error: option '-o, --out <dir>' argument '' is invalid. --out must name a folder, got ""`],
      [['merge', 'x.json', '--out', ' '], `error: option '-o, --out <dir>' argument ' ' is invalid. --out must name a folder, got " "`],
      [['ci', '--junit', ''], `error: option '--junit <file>' argument '' is invalid. --junit must name a file, got ""`],
      [['shrink', 'x.json', '-o', ''], `error: option '-o, --out <file>' argument '' is invalid. --out must name a file, got ""`],
    ];
    for (const [args, line] of cases) {
      const r = await inProcess(args);
      expect(r.stderr.split('\n')[0]).toBe(line);
      expect(noStack(r.stderr)).toBe(true);
      expect(r.code).toBe(2);
    }
    expect(existsSync(join(ROOT, 'lost-update.buggy.assertion.json'))).toBe(false);
  });

  it('the replay: command is shell-quoted: a folder with spaces, a quote and a newline replays when pasted into a shell', async () => {
    expect(shellQuote('traces/a.json')).toBe('traces/a.json');
    expect(shellQuote('my traces/a.json')).toBe(`'my traces/a.json'`);
    expect(shellQuote("it's.json")).toBe(`'it'\\''s.json'`);
    expect(shellQuote('a\nb\\c\'d')).toBe(`$'a\\nb\\\\c\\'d'`);
    const out = join(tempDir(), "it's a\nfolder");
    const r = await inProcess(['run', LOST_UPDATE, '--variant', 'buggy', '--seed', '1', '--no-shrink', '--out', out]);
    const line = r.stdout.split('\n').find((l) => l.startsWith('replay: '))!;
    expect(line).toBe(`replay: npx interleave replay $'${out.replace("'", "\\'").replace('\n', '\\n')}/lost-update.buggy.assertion.json'`);
    const command = line.slice('replay: npx interleave '.length);
    const replayed = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${command}`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(replayed.stdout).toMatch(/^reproduced: assertion/m);
    expect(replayed.status).toBe(1);
  });
});

describe('the recorded scenario file', () => {
  it('that no longer loads is an error naming it, not a silent switch to another file of that scenario name in --dir', async () => {
    const dir = tempDir();
    const r = await explore(lostUpdate, { variant: 'buggy', seed: 7, file: join(ROOT, LOST_UPDATE) });
    const trace = join(dir, 'broken.json');
    writeTrace(trace, { ...r.trace!, scenario: { ...r.trace!.scenario, file: 'test/fixtures/bad/no-default.ts' } });
    const replay = await inProcess(['replay', trace, '--dir', 'test/fixtures/scenarios']);
    expect(replay.stderr).toBe(`interleave: ${trace}: the recorded scenario file does not load: test/fixtures/bad/no-default.ts: no default export: end the module with \`export default defineScenario({...})\`\n`);
    expect(replay.stdout).toBe('');
    expect(replay.code).toBe(2);
    // A recorded file that is gone is still looked up by name in --dir.
    const gone = join(dir, 'gone.json');
    writeTrace(gone, { ...r.trace!, scenario: { ...r.trace!.scenario, file: 'test/fixtures/scenarios/moved-away.ts' } });
    expect((await inProcess(['replay', gone, '--dir', 'test/fixtures/scenarios'])).code).toBe(1);
  });
});
