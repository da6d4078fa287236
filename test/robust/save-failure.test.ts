import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeTrace, readTrace, TraceFileError } from 'interleave';
import { UNSAVED_HEADER } from '../../src/trace/saveOrFallback.js';
import { inProcess, noStack, tempDir, withoutProgress } from './cli.js';

/**
 * A failure found must outlive an output folder that cannot be written (EACCES, disk full):
 * it is still reported in full, the trace goes to the OS temp dir, the save error is one line,
 * the other variants still run, and the exit code is the failure's.
 */
const LOST_UPDATE = 'test/fixtures/scenarios/lost-update.ts';
const TRACE_NAME = 'lost-update.buggy.assertion.json';
const isRoot = process.getuid?.() === 0;

/**
 * A folder the buggy variant's trace cannot be written to. chmod 0555 where it binds; as root
 * (which writes through chmod) a folder already sits under the trace's name, so the rename fails.
 */
function unwritableOut(): string {
  const out = tempDir();
  if (isRoot) mkdirSync(join(out, TRACE_NAME, 'inside'), { recursive: true });
  else chmodSync(out, 0o555);
  return out;
}
const WRITE_ERROR = isRoot ? '(?:EISDIR|ENOTEMPTY|EEXIST)' : 'EACCES';

const savedTmpdir = process.env.TMPDIR;
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
});

describe('run: a trace that cannot be saved is not lost', () => {
  it('reports the failure in full, saves the trace in the temp dir, runs the other variant, exits 1', async () => {
    const out = unwritableOut();
    process.env.TMPDIR = tempDir();
    const r = await inProcess(['run', LOST_UPDATE, '--out', out]);
    expect(r.code).toBe(1);
    const stderr = withoutProgress(r.stderr);
    expect(stderr).toHaveLength(1);
    const m = new RegExp(`^interleave: ${out}/${TRACE_NAME}: cannot write \\(${WRITE_ERROR}\\); nothing was written; saved to (${process.env.TMPDIR}/interleave-\\w+/${TRACE_NAME}) instead$`).exec(stderr[0]!);
    expect(m, r.stderr).not.toBeNull();
    const fallback = m![1]!;
    // The report: kind and message, the shrunk schedule's summary, a replay command for the fallback.
    expect(r.stdout).toContain('assertion: AssertionFailure: lost update: counter is 1 after 2 increments');
    expect(r.stdout).toMatch(/\d+ steps?, 1 preemption, 3 tasks \(shrunk from/);
    expect(r.stdout).toContain(`replay: npx interleave replay ${fallback}`);
    expect(r.stdout).toContain('lost-update [fixed]');
    const trace = readTrace(fallback);
    expect(trace.failure?.kind).toBe('assertion');
    expect(trace.shrink).toBeDefined();
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    if (!isRoot) chmodSync(out, 0o755);
  });

  it('--json names the fallback file and the save error', async () => {
    const out = unwritableOut();
    process.env.TMPDIR = tempDir();
    const r = await inProcess(['run', LOST_UPDATE, '--variant', 'buggy', '--no-shrink', '--json', '--out', out]);
    expect(r.code).toBe(1);
    const [row] = JSON.parse(r.stdout) as { found: string; trace: string; saveError: string }[];
    expect(row!.found).toBe('assertion');
    expect(row!.trace).toMatch(new RegExp(`/interleave-\\w+/${TRACE_NAME}$`));
    expect(row!.saveError).toContain(`saved to ${row!.trace} instead`);
    expect(readTrace(row!.trace).failure?.kind).toBe('assertion');
    if (!isRoot) chmodSync(out, 0o755);
  });

  it('with --check, everything as expected but a trace not where asked exits 2', async () => {
    const out = unwritableOut();
    process.env.TMPDIR = tempDir();
    const r = await inProcess(['run', LOST_UPDATE, '--check', '--no-shrink', '--out', out]);
    expect(r.stdout).toMatch(/lost-update +fixed +pass +pass +\d+ +ok/);
    expect(r.stderr).toContain('; saved to ');
    expect(noStack(r.stderr)).toBe(true);
    expect(r.code).toBe(2);
    if (!isRoot) chmodSync(out, 0o755);
  });

  it('when the temp dir fails too, prints the exact trace text on stdout', async () => {
    const out = unwritableOut();
    const blocked = join(tempDir(), 'a-file');
    writeFileSync(blocked, 'x');
    // Set after the scenario module is loaded: tsx needs a temp dir of its own to compile it.
    const { findScenario } = await import('../../src/loader.js');
    const { runVariant } = await import('../../src/cli/commands/run.js');
    const loaded = await findScenario(LOST_UPDATE, 'scenarios');
    process.env.TMPDIR = join(blocked, 'tmp');
    const v = await runVariant(loaded, 'buggy', { shrink: false, out }, null);
    expect(v.saved).toBeNull();
    expect(v.saveError).toMatch(new RegExp(`^${out}/${TRACE_NAME}: cannot write \\(${WRITE_ERROR}\\); nothing was written; the fallback failed too: ENOTDIR`));
    expect(decodeTrace(v.unsavedTrace!).failure?.kind).toBe('assertion');
    // Through the CLI: the report, then the header and the text, which decodes to the same failure.
    const r = await inProcess(['run', LOST_UPDATE, '--variant', 'buggy', '--no-shrink', '--out', out]);
    expect(r.code).toBe(1);
    const at = r.stdout.indexOf(`${UNSAVED_HEADER}\n`);
    expect(at, r.stderr).toBeGreaterThan(r.stdout.indexOf('assertion: AssertionFailure'));
    expect(decodeTrace(r.stdout.slice(at + UNSAVED_HEADER.length + 1))).toEqual(decodeTrace(v.unsavedTrace!));
    if (!isRoot) chmodSync(out, 0o755);
  });
});

describe('run --shard: results that cannot be written', () => {
  it('go to the temp dir; stderr names both files; exit 2 since nothing failed', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), 'x');
    process.env.TMPDIR = tempDir();
    const r = await inProcess(['run', LOST_UPDATE, '--variant', 'fixed', '-n', '20', '--shard', '1/2', '--shard-file', join(dir, 'a-file', 's1.json'), '--out', dir]);
    const [error, written] = r.stderr.trim().split('\n');
    const m = new RegExp(`^interleave: ${dir}/a-file/s1\\.json: cannot create the output folder ${dir}/a-file: it is a file; saved to (\\S+) instead$`).exec(error!);
    expect(m, r.stderr).not.toBeNull();
    expect(written).toBe(`interleave: shard 1/2 results written to ${m![1]} (combine them with interleave merge)`);
    expect(JSON.parse(readFileSync(m![1]!, 'utf8')).format).toBe('interleave-shard-results');
    expect(r.code).toBe(2);
  });
});

describe('merge: a merged failure that cannot be saved', () => {
  it('is reported in full and saved in the temp dir, with one line on stderr; exit 1', async () => {
    const dir = tempDir();
    const shardFile = join(dir, 's1.json');
    const found = await inProcess(['run', LOST_UPDATE, '--variant', 'buggy', '--shard', '1/1', '--shard-file', shardFile, '--out', dir]);
    expect(found.code).toBe(1);
    const out = unwritableOut();
    process.env.TMPDIR = tempDir();
    const r = await inProcess(['merge', shardFile, '--out', out]);
    expect(r.code).toBe(1);
    const stderr = withoutProgress(r.stderr);
    expect(stderr).toHaveLength(1);
    const m = new RegExp(`^interleave: ${out}/${TRACE_NAME}: cannot write \\(${WRITE_ERROR}\\); nothing was written; saved to (${process.env.TMPDIR}/interleave-\\w+/${TRACE_NAME}) instead$`).exec(stderr[0]!);
    expect(m, r.stderr).not.toBeNull();
    expect(r.stdout).toContain('assertion: AssertionFailure: lost update');
    expect(r.stdout).toContain(`replay: npx interleave replay ${m![1]}`);
    expect(readTrace(m![1]!).failure?.kind).toBe('assertion');
    if (!isRoot) chmodSync(out, 0o755);
  });
});

describe('saveOrFallback', () => {
  it('writes where asked when it can, else the same name in a new temp folder, else nowhere', async () => {
    const { saveOrFallback } = await import('../../src/trace/saveOrFallback.js');
    process.env.TMPDIR = tempDir();
    const written: string[] = [];
    expect(saveOrFallback('/x/a.json', (f) => (written.push(f), f))).toEqual({ file: '/x/a.json', error: null });
    const full = (f: string): string => {
      if (f.startsWith('/x/')) throw new TraceFileError(f, 'cannot write (ENOSPC); nothing was written');
      writeFileSync(f, 'ok');
      return f;
    };
    const s = saveOrFallback('/x/a.json', full);
    expect(s.file).toMatch(new RegExp(`^${process.env.TMPDIR}/interleave-\\w+/a\\.json$`));
    expect(readFileSync(s.file!, 'utf8')).toBe('ok');
    expect(s.error).toBe(`/x/a.json: cannot write (ENOSPC); nothing was written; saved to ${s.file} instead`);
    const never = (f: string): string => {
      throw new TraceFileError(f, 'cannot write (ENOSPC); nothing was written');
    };
    const n = saveOrFallback('/x/a.json', never);
    expect(n.file).toBeNull();
    // The failed fallback leaves no empty interleave-* folder behind.
    expect(readdirSync(process.env.TMPDIR!)).toEqual([s.file!.split('/').at(-2)]);
    expect(n.error).toMatch(/^\/x\/a\.json: cannot write \(ENOSPC\); nothing was written; the fallback failed too: .*a\.json: cannot write \(ENOSPC\)/);
    // Not a failed write but a bug: propagates.
    expect(() => saveOrFallback('/x/a.json', () => {
      throw new TypeError('bug');
    })).toThrow(TypeError);
  });
});

describe('ci --junit: a report that cannot be written', () => {
  it('still prints every row, writes the XML to the temp dir, exits 2 when everything matched', async () => {
    const cwd = tempDir();
    const blocker = join(cwd, 'reports');
    writeFileSync(blocker, 'a file where the reports folder should be');
    process.env.TMPDIR = tempDir();
    const r = await inProcess(['ci', '--dir', 'test/fixtures/scenarios', '--traces', join(cwd, 'none'), '--junit', join(blocker, 'junit.xml')]);
    expect(r.stdout).toMatch(/variant +lost-update \[buggy\] +assertion +assertion +ok/);
    const m = /^interleave: (.*)\/junit\.xml: cannot create the output folder .*: it is a file; saved to (\S+) instead\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(readFileSync(m![2]!, 'utf8')).toContain('<testsuites');
    expect(r.stdout).toContain(`matched, 0 mismatched; JUnit XML in ${m![2]}`);
    expect(existsSync(join(blocker, 'junit.xml'))).toBe(false);
    expect(r.code).toBe(2);
  });
});
