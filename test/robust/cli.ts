import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers for tests that run the built binary (`npm test` builds first), as a user would. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin/interleave.js');
export const BAD = join(ROOT, 'test/fixtures/bad');
export const FIXTURES = join(ROOT, 'test/robust/fixtures');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How long a test or a subprocess may run before it counts as hung: minutes, not the seconds it
 * takes on a quiet machine, since a machine shared with other suites (load 15 on 2 cores) stretches
 * every run several times over. A timeout here catches a hang, never slowness.
 */
export const HANG_MS = 600_000;

/** Runs `interleave ...args` to its end (killed after `timeoutMs`, default HANG_MS; `env` added to this process's; `input` written to its stdin). */
export function cli(args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? HANG_MS, env: { ...process.env, NO_COLOR: '1', ...options.env } }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: e?.signal ?? null, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Runs the CLI's `main` in this process, capturing what it writes: the same code path as the
 * binary (minus Node start-up, ~1 s per call on a loaded machine), for the many bad-input cases.
 */
export async function inProcess(args: readonly string[]): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    const code = await main([...args]);
    return { code, signal: null, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** Starts `interleave ...args` in the background (`env` added to this process's), collecting its output. */
export function start(args: readonly string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => ({ stdout, stderr }), exited };
}

/**
 * A folder `test-output/<name>` with a `scenarios/` folder holding copies of `files` (inside the
 * repository, so a scenario's `import 'interleave'` resolves to this package).
 */
export function scenarioDir(name: string, files: Record<string, string>): string {
  const dir = join(ROOT, 'test-output', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'scenarios'), { recursive: true });
  for (const [as, from] of Object.entries(files)) copyFileSync(from, join(dir, 'scenarios', as));
  return dir;
}

export function tempDir(prefix = 'interleave-robust-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Polls `condition` every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Messages for user errors are one line: no stack trace. */
export function noStack(text: string): boolean {
  return !/\n\s+at /.test(text) && !text.includes('node:internal');
}
