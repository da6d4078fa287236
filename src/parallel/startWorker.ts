import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SearchWorkerSetup } from './searchParallel.js';
import type { WorkerSetup } from './worker.js';
import type { VariantsWorkerSetup } from './exploreVariants.js';

/**
 * Starts a worker on worker.js next to this module. Under a TypeScript runner (the tests run
 * the sources) that module is worker.ts: a tiny bootstrap registers tsx in the worker first.
 */
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

/** What a worker thread is set up for: blocks of one sampling run, pieces of one search, or `ci`'s variants. */
export type AnyWorkerSetup = WorkerSetup | SearchWorkerSetup | VariantsWorkerSetup;

export function startWorker(setup: AnyWorkerSetup): Worker {
  // Workers take the parent's module-loading flags only: V8 and process-wide flags (--expose-gc
  // from the bench, --single-threaded-gc, ...) and --input-type (from `node --eval`) are refused
  // in a worker and would make it fail to start.
  const execArgv = workerFlags(process.execArgv);
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData: setup, execArgv });
  const entry = new URL('./worker.ts', import.meta.url).href;
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: setup, execArgv });
}

