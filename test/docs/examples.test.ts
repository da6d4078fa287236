import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../robust/cli.js';
import { asShell, type Example, helpExamples, helpTexts, markdownExamples, ROOT, stable } from './docText.js';

/**
 * Every example command of every `--help` and of the README's code blocks runs as printed, in a
 * copy of the project (its scenarios, examples and committed traces; dist, bin and node_modules
 * linked), and ends with the exit code it states: `(exit N)` in a help's example comment, a
 * `# exit N` line under a README command (none: 0). A README command's first output line, when
 * shown, must match the real one (the execution rate aside); a line shown after a leading `...`
 * must match the real last line. Each source runs its examples in
 * order in its own copy (the README's replay uses the trace its run just saved); the two copies
 * run side by side. `npm` lines are not run: they are what CI runs anyway.
 *
 * A plain `interleave ...` command (no pipe, glob or quote for a shell to read) runs the CLI's
 * `main` in this process (inProcess, test/robust/cli.ts): the same command, exit code and
 * output, without a Node start-up and a scenario load each (~1 s of CPU); the rest run in a shell
 * with the built binary, as does every command elsewhere in the suite.
 */
const BIN = join(ROOT, 'bin/interleave.js');
const copies: string[] = [];

function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'interleave-examples-'));
  copies.push(dir);
  // Timestamps kept: a committed trace is then older than this process, so a run in process
  // replaces it as a run in a fresh process does (placeFile.ts keeps a file written since).
  for (const d of ['scenarios', 'examples', 'traces', 'package.json']) cpSync(join(ROOT, d), join(dir, d), { recursive: true, preserveTimestamps: true });
  for (const d of ['dist', 'bin', 'node_modules', 'schema']) symlinkSync(join(ROOT, d), join(dir, d));
  return dir;
}

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command a shell would pass on as it is: `interleave` and words without shell syntax (not `explore`: it reads stdin). */
const PLAIN = /^(?:npx )?interleave((?: (?!explore\b)[\w./=:@-]+)(?: [\w./=:@-]+)*)$/;

async function ran(command: string, cwd: string): Promise<Ran> {
  const plain = PLAIN.exec(command);
  if (plain === null) return sh(command, cwd);
  const r = await inProcess(plain[1]!.trim().split(' '), { cwd, env: { NO_COLOR: '1', FORCE_COLOR: '', CI: '' } });
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function sh(command: string, cwd: string): Promise<Ran> {
  return new Promise((done) => {
    execFile('/bin/sh', ['-c', asShell(command, BIN)], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', CI: '' }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs the examples one after another; returns one line per example that did not do as printed. */
async function runAll(examples: readonly Example[]): Promise<string[]> {
  const cwd = projectCopy();
  const wrong: string[] = [];
  for (const e of examples) {
    const r = await ran(e.command, cwd);
    const lines = r.stdout.trimEnd().split('\n');
    const first = lines[0] ?? '';
    const last = lines.at(-1) ?? '';
    if (r.code !== e.exit) wrong.push(`${e.where}: \`${e.command}\` exited ${r.code}, not ${e.exit}: ${(r.stderr.trim() || first).split('\n')[0]}`);
    else if (e.firstLine !== undefined && stable(first) !== stable(e.firstLine)) wrong.push(`${e.where}: \`${e.command}\` printed first\n  ${first}\nnot\n  ${e.firstLine}`);
    else if (e.lastLine !== undefined && stable(last) !== stable(e.lastLine)) wrong.push(`${e.where}: \`${e.command}\` printed last\n  ${last}\nnot\n  ${e.lastLine}`);
  }
  return wrong;
}

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('examples run as printed', () => {
  it('every example of every --help', async () => {
    const examples = [...helpTexts()].flatMap(([command, help]) => helpExamples(command, help));
    expect(examples.length).toBeGreaterThanOrEqual(10);
    expect(await runAll(examples)).toEqual([]);
  }, 300_000);

  it("every interleave command of the README's code blocks", async () => {
    const examples = markdownExamples('README.md');
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(await runAll(examples)).toEqual([]);
  }, 300_000);
});
