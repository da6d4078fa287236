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

/**
 * A command's stderr without the plain progress lines it prints every 5 s off a terminal
 * (src/report/progress.ts, formatProgress): a loaded machine reaches one; the rest must be as asserted.
 */
export function withoutProgress(stderr: string): string[] {
  if (stderr === '') return [];
  return stderr.replace(/\n$/, '').split('\n').filter((l) => !/: [\d,]+ executions?, \d+\/s, [\d.]+s, \d+ failures?$/.test(l));
}

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
 * binary (minus Node start-up and the scenario's load, ~1 s per call on a loaded machine), for
 * tests that need only a command's output and exit code. `cwd` is this process's folder for the
 * call, `env` is added to its environment for the call. Calls made at
 * once (in a `Promise.all`) run one after another: the capture, the folder and the environment
 * belong to the whole process. Needs vitest's `forks` pool (`process.chdir` is refused in a worker
 * thread).
 */
export function inProcess(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const call = inProcessQueue.then(() => runInProcess(args, options));
  inProcessQueue = call.then(
    () => undefined,
    () => undefined,
  );
  return call;
}

/** The in-process calls under way, one after another (see `inProcess`). */
let inProcessQueue: Promise<void> = Promise.resolve();

async function runInProcess(args: readonly string[], options: { cwd?: string; env?: Record<string, string> }): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const cwd = process.cwd();
  const env = options.env ?? {};
  const envBefore = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  setEnv(env);
  if (options.cwd !== undefined) process.chdir(options.cwd);
  try {
    const code = await main([...args]);
    return { code, signal: null, stdout, stderr };
  } finally {
    process.chdir(cwd);
    setEnv(envBefore);
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
