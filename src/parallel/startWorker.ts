import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Flags a worker thread accepts and a scenario module may need to load. */
const WORKER_FLAGS = ['--conditions', '-C', '--import', '--require', '-r', '--loader', '--experimental-loader', '--enable-source-maps', '--no-warnings', '--experimental-vm-modules'];

function workerFlags(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (WORKER_FLAGS.some((f) => a.startsWith(`${f}=`))) kept.push(a);
    else if (WORKER_FLAGS.includes(a)) {
      kept.push(a);
      // A flag given as two words carries its value in the next one (`--require x`), if any.
      if (!FLAGS_WITHOUT_VALUE.includes(a) && i + 1 < argv.length) kept.push(argv[++i]!);
    }
  }
  return kept;
}

const FLAGS_WITHOUT_VALUE = ['--enable-source-maps', '--no-warnings', '--experimental-vm-modules'];

/**
 * Starts a worker thread on worker.js (worker.ts under a TypeScript runner) for `setup`, one of
 * worker.ts's AnyWorkerSetup (typed there, by the callers, so this module imports none of them).
 */
export function startWorker(setup: object): Worker {
  // Workers take the parent's module-loading flags only: V8 and process-wide flags (--expose-gc
  // from the bench, --single-threaded-gc, ...) and --input-type (from `node --eval`) are refused
  // in a worker and would make it fail to start.
  return workerOn(new URL('./worker.js', import.meta.url), { workerData: setup, execArgv: workerFlags(process.execArgv) });
}

/**
 * A worker thread on `entry`, a compiled module next to the caller. Under a TypeScript runner
 * (the tests run the sources) there is no such file but its `.ts` twin: a tiny bootstrap
 * registers tsx in the worker first.
 */
export function workerOn(entry: URL, options: WorkerOptions): Worker {
  if (existsSync(entry)) return new Worker(entry, options);
  const source = new URL(entry.href.replace(/\.js$/, '.ts'));
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
