/**
 * Worker-thread entry of the watchdog (src/robust/watchdog.ts): serves what it is sent, one
 * request at a time: an exploration (a module path and explore options), a shrink (a module
 * path, a trace and shrink options) or one run of an interactive session, with the heartbeat wrapped around every execution's
 * strategy. Posts `name` (each task name once per thread), `loaded`, `progress`, then `done`
 * with the result or `error`. The loader keeps each module it loaded, so a thread kept for many
 * variants loads each scenario once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { explore } from '../explore.js';
import { loadScenario } from '../loader.js';
import { shrinkTrace } from '../shrink/shrinkTrace.js';
import { probeExecution } from '../snapshot.js';
import { makeTarget } from '../run.js';
import { replayTrace } from '../replay.js';
import { CELL, CELLS, Heartbeat } from '../heartbeat/heartbeat.js';
import type { WatchedRequest, WorkerMessage } from './watchdog.js';

const port = parentPort!;
const buffer = (workerData as { readonly buffer: SharedArrayBuffer }).buffer;
const post = (m: WorkerMessage): void => port.postMessage(m);
const cells = new Int32Array(buffer, 0, CELLS);
const hb = new Heartbeat(buffer, (index, name) => post({ type: 'name', index, name }));

async function run(request: WatchedRequest): Promise<void> {
  try {
    const { file } = request;
    const { scenario } = await loadScenario(file);
    // Each request counts its own steps (a runaway's result reports them).
    hb.restartCount();
    hb.attempt = null;
    post({ type: 'loaded' });
    if (request.kind === 'explore') {
      const result = await explore(scenario, {
        ...request.options,
        file,
        monitor: (s) => hb.wrap(s),
        shouldStop: () => Atomics.load(cells, CELL.STOP) === 1,
        onProgress: (p) => post({ type: 'progress', progress: p }),
      });
      post({ type: 'done', result });
    } else if (request.kind === 'replay') {
      post({ type: 'done', result: await replayTrace(scenario, request.trace, file, (s) => hb.wrap(s)) });
    } else if (request.kind === 'probe') {
      const target = makeTarget(scenario, { ...request.target, file, monitor: (s) => hb.wrap(s) });
      post({ type: 'done', result: await probeExecution(target, request.decisions, request.finishSeed) });
    } else {
      const result = await shrinkTrace(scenario, request.trace, {
        ...request.options,
        monitor: (s, attempt) => {
          hb.attempt = attempt;
          return hb.wrap(s);
        },
      });
      post({ type: 'done', result });
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', name: error.name, message: error.message, stack: error.stack ?? '', ...('file' in error ? { file: String((error as { file: unknown }).file) } : {}) });
  }
}

// One request at a time: the watching side sends the next once this one has answered.
port.on('message', (request: WatchedRequest) => void run(request));
