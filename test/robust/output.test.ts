import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { traceFileName, TraceFileError, writeFileAtomic } from 'interleave';
import { inProcess, ROOT, tempDir } from './cli.js';

describe('output paths', () => {
  it('any scenario, variant or kind text gives a plain file name inside the output folder', () => {
    const dir = tempDir();
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom('pass', 'deadlock', '../x', '/'), (name, variant, kind) => {
        const file = traceFileName(dir, { scenario: { name }, variant, failure: kind === 'pass' ? null : ({ kind } as never) });
        expect(dirname(file)).toBe(resolve(dir));
        expect(basename(file)).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+\.[a-z0-9-]+\.json$/);
      }),
      { numRuns: 500 },
    );
  });

  it('through the CLI: variants named ../../escape, /etc/passwd and .. are refused when the module loads, before anything is written', async () => {
    const root = tempDir();
    const out = join(root, 'out');
    const r = await inProcess(['run', 'test/fixtures/bad/odd-names.ts', '--no-shrink', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toEqual([expect.stringMatching(/^interleave: test\/fixtures\/bad\/odd-names\.ts: invalid scenario: variants: "\.\.\/\.\.\/escape" is not a plain name .*; variants: "\/etc\/passwd" is not a plain name .*; variants: "\.\." is not a plain name/), '']);
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(resolve(out, '../../escape'))).toBe(false);
  });

  it('--out that is a file is a user error (exit 2), not an internal one', async () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    const r = await inProcess(['run', 'test/fixtures/scenarios/lock-order.ts', '--variant', 'buggy', '--no-shrink', '--out', file]);
    expect(r.stderr.split('\n')[0]).toBe(`error: option '-o, --out <dir>' argument '${file}' is invalid. --out must be a folder, but ${file} is a file`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('a trace written into a file, or under one, says which file is in the way', () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    expect(() => writeFileAtomic(join(file, 't.json'), '{}\n')).toThrow(`${file}/t.json: cannot create the output folder ${file}: it is a file`);
    expect(() => writeFileAtomic(join(file, 'sub', 't.json'), '{}\n')).toThrow(`${file}/sub/t.json: cannot create the output folder ${file}/sub: ${file} is a file`);
  });
});

describe('output folders the system refuses', () => {
  // Node 20's recursive mkdirSync spins forever under /proc; the folder is made one level at a time.
  it.skipIf(!existsSync('/proc/self'))('a folder under /proc fails at once with one line, instead of hanging', () => {
    const started = Date.now();
    expect(() => writeFileAtomic('/proc/nope/deeper/t.json', '{}\n')).toThrow('/proc/nope/deeper/t.json: cannot create the output folder /proc/nope/deeper (ENOENT)');
    // The hang was endless: a minute is bounded on any load.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('missing levels are all made, and a folder that exists already is fine', () => {
    const dir = tempDir('levels');
    writeFileAtomic(join(dir, 'a', 'b', 'c', 't.json'), '{}\n');
    writeFileAtomic(join(dir, 'a', 'b', 'c', 'u.json'), '{}\n');
    expect(readdirSync(join(dir, 'a', 'b', 'c')).sort()).toEqual(['t.json', 'u.json']);
  });
});

describe('atomic trace writes', () => {
  it('a failed write leaves no file and no temporary file behind', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'taken.json'));
    writeFileSync(join(dir, 'taken.json', 'inside'), 'x');
    expect(() => writeFileAtomic(join(dir, 'taken.json'), '{"a": 1}\n')).toThrow(TraceFileError);
    expect(() => writeFileAtomic(join(dir, 'taken.json'), '{"a": 1}\n')).toThrow(/taken\.json: cannot write \((EISDIR|ENOTEMPTY|EEXIST)\); nothing was written$/);
    expect(readdirSync(dir)).toEqual(['taken.json']);
    expect(readdirSync(join(dir, 'taken.json'))).toEqual(['inside']);
  });

  it('a process killed while writing leaves the old file or the new one, never a partial one', async () => {
    const dir = tempDir();
    const target = join(dir, 'trace.json');
    writeFileSync(target, 'OLD\n');
    const size = 64 * 1024 * 1024;
    const script = `
      const { writeFileAtomic } = await import(${JSON.stringify(new URL('../../dist/trace/codec.js', import.meta.url).href)});
      process.stdout.write('ready\\n');
      for (;;) writeFileAtomic(${JSON.stringify(target)}, 'NEW' + ${JSON.stringify('x')}.repeat(${size}) + '\\n');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    await new Promise<void>((res) => child.stdout.once('data', () => res()));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const text = readFileSync(target, 'utf8');
    expect(text === 'OLD\n' || (text.startsWith('NEW') && text.length === size + 4)).toBe(true);
    // Only a hidden temporary file may remain after SIGKILL, never under the trace's name.
    for (const f of readdirSync(dir)) expect(f === 'trace.json' || /^\.trace\.json\.\d+\.[0-9a-f]{8}\.tmp$/.test(f)).toBe(true);
  });
});

describe('warnings in run output', () => {
  it("a variant's warning is printed under its own line, before its replay: line; one that is the failure is not repeated", async () => {
    const r = await inProcess(['run', 'test/robust/fixtures/warned.ts', '--no-shrink', '--out', tempDir()]);
    const lines = r.stdout.split('\n').filter((l) => /^(warned \[|warning:|replay:)/.test(l));
    expect(lines.map((l) => l.replace(/ .*/, ''))).toEqual(['warned', 'warning:', 'replay:', 'warned', 'replay:']);
    expect(lines[1]).toBe('warning: potential-deadlock: first took lock "a" then lock "b", second took lock "b" then lock "a"');
    expect(r.code).toBe(1);
  });
});
