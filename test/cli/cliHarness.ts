import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
