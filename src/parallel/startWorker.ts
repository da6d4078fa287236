import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SearchWorkerSetup } from './searchParallel.js';
import type { WorkerSetup } from './worker.js';

/**
 * Starts a worker on worker.js next to this module. Under a TypeScript runner (the tests run
 * the sources) that module is worker.ts: a tiny bootstrap registers tsx in the worker first.
 */
export function startWorker(setup: WorkerSetup | SearchWorkerSetup): Worker {
  // Workers inherit the parent's Node flags; --input-type (from `node --eval`) is not valid for a file worker.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData: setup, execArgv });
  const entry = new URL('./worker.ts', import.meta.url).href;
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: setup, execArgv });
}

