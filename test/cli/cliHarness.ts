import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inProcess } from '../robust/cli.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/interleave.js');
export const FIXTURES = join(ROOT, 'test/fixtures/scenarios');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the BUILT binary (`npm test` builds first) in `cwd`, with colour off and optional stdin. */
export function cli(args: readonly string[], options: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', CI: '', ...options.env } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1;
      done({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/**
 * `cli`'s twin that runs the CLI's `main` in this process (test/robust/cli.ts, `inProcess`): the
 * same command, its output and exit code, without a Node start-up and a scenario load per call.
 * For the tests that need only those; each command keeps a subprocess test for real exit codes.
 */
export async function cliHere(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const r = await inProcess(args, { cwd: options.cwd, env: { NO_COLOR: '1', FORCE_COLOR: '', CI: '', ...options.env } });
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh working folder under test-output/ (gitignored). */
export function workDir(name: string): string {
  const dir = join(ROOT, 'test-output', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Drops the lines whose content depends on machine speed (execution rate). */
export function stable(text: string): string {
  return text.replace(/, \d+\/s:/g, ', N/s:');
}
