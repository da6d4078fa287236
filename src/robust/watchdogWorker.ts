/**
 * Worker-thread entry of the watchdog (src/robust/watchdog.ts): loads the scenario module and
 * explores one variant with the heartbeat wrapped around every execution's strategy. Posts
 * `name` (each task name once), `loaded`, `progress`, then `done` with the result or `error`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { explore, type ExploreOptions } from '../explore.js';
import { loadScenario } from '../loader.js';
import { CELL, CELLS, Heartbeat } from './heartbeat.js';
import type { WorkerMessage } from './watchdog.js';

interface WorkerInput {
  readonly file: string;
  readonly options: ExploreOptions<object>;
  readonly buffer: SharedArrayBuffer;
}

const port = parentPort!;
const input = workerData as WorkerInput;
const post = (m: WorkerMessage): void => port.postMessage(m);
const cells = new Int32Array(input.buffer, 0, CELLS);
const hb = new Heartbeat(input.buffer, (index, name) => post({ type: 'name', index, name }));

try {
  const { scenario } = await loadScenario(input.file);
  post({ type: 'loaded' });
  const result = await explore(scenario, {
    ...input.options,
    file: input.file,
    monitor: (s) => hb.wrap(s),
    shouldStop: () => Atomics.load(cells, CELL.STOP) === 1,
    onProgress: (p) => post({ type: 'progress', progress: p }),
  });
  post({ type: 'done', result });
} catch (e) {
  const error = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', name: error.name, message: error.message, stack: error.stack ?? '', ...('file' in error ? { file: String((error as { file: unknown }).file) } : {}) });
}
