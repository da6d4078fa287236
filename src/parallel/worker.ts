import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../loader.js';
import { runCall, type Call, type CallsSetup } from './calls.js';
import { makeTarget, type Target } from '../run.js';
import { runBlock, type WorkerSetup } from './block.js';
import type { Block } from '../partition.js';
import type { SearchPiece } from './pieces.js';
import { runPiece, type SearchWorkerSetup } from './searchParallel.js';
import { Heartbeat, heartbeatBuffer } from '../heartbeat/heartbeat.js';
import type { Strategy } from '../runtime/strategy.js';
import { errorReply, itemServer, type FromWorker, type ToWorker } from './workPool.js';

/** What a worker thread is set up for: blocks of one sampling run, pieces of one search, or calls (whole variants, shrinks, replays: calls.ts; started by startWorker.ts). */
export type AnyWorkerSetup = WorkerSetup | SearchWorkerSetup | CallsSetup;

type Handler = (msg: ToWorker<unknown>) => void;

/**
 * This thread's heartbeat, made at the first watched setup. It publishes into the buffer of
 * the watcher that sent the last 'watch' message (a thread kept across runs has one per run).
 */
let heartbeat: Heartbeat | null = null;
function heartbeatFor(send: (msg: FromWorker<unknown>) => void): Heartbeat {
  return (heartbeat ??= new Heartbeat(heartbeatBuffer(), (index, name) => send({ type: 'name', index, name })));
}

/** The heartbeat's strategy wrapper; a shrink's `attempt` is published instead of each execution's index. */
type Monitor = (s: Strategy, attempt?: number) => Strategy;

/**
 * Serves a setup's items. Watched (`--watchdog`), `run` gets the heartbeat's strategy wrapper,
 * and each item counts its steps from zero: a runaway's result counts its own item's steps.
 */
function serve<I>(setup: { readonly watched?: boolean }, send: (msg: FromWorker<unknown>) => void, run: (item: I, cancelled: () => boolean, monitor?: Monitor) => Promise<unknown>): Handler {
  if (setup.watched !== true) return itemServer<I>((item, cancelled) => run(item, cancelled), send) as Handler;
  const hb = heartbeatFor(send);
  const monitor: Monitor = (s, attempt) => {
    hb.attempt = attempt ?? null;
    return hb.wrap(s);
  };
  return itemServer<I>((item, cancelled) => {
    hb.restartCount();
    return run(item, cancelled, monitor);
  }, send) as Handler;
}

/** How a thread runs the items of one setup. Loads its scenario (the loader keeps each module). */
async function serverFor(setup: AnyWorkerSetup, send: (msg: FromWorker<unknown>) => void): Promise<Handler> {
  // Many scenarios: each module is loaded when a call of it first comes.
  if (setup.kind === 'calls') return serve<Call>(setup, send, (call, cancelled, monitor) => runCall(call, cancelled, monitor, (progress) => send({ type: 'progress', progress })));
  const { file, scenario } = await loadScenario(setup.file);
  if (setup.kind === 'search') {
    return serve<SearchPiece>(setup, send, (piece, cancelled, monitor) => runPiece(scenario, { ...setup, target: { ...setup.target, file, ...(monitor !== undefined ? { monitor } : {}) } }, piece, cancelled));
  }
  let target: Target<object> | null = null;
  return serve<Block>(setup, send, (block, cancelled, monitor) => {
    // One target for the setup's blocks (the monitor, when watched, is the same function each time).
    target ??= makeTarget(scenario, { ...setup.target, file, ...(monitor !== undefined ? { monitor } : {}) });
    return runBlock(target, setup.spec, block, cancelled);
  });
}

/**
 * A worker thread: loads the scenario module by path (as the CLI does), then runs the items
 * the pool (workPool.ts) sends: blocks of executions, search pieces, or calls (calls.ts).
 * Between pool runs it may be set up for another run (workerGroup.ts); it says 'ready' each
 * time its scenario is loaded. Messages that come while it loads wait their turn.
 */
function main(): void {
  const port = parentPort!;
  const send = (msg: FromWorker<unknown>): void => port.postMessage(msg);
  let server: Promise<Handler> | null = null;
  const setUp = (setup: AnyWorkerSetup): void => {
    server = serverFor(setup, send);
    server.then(
      () => send({ type: 'ready' }),
      (e: unknown) => send(errorReply(e)),
    );
  };
  port.on('message', (msg: ToWorker<unknown>) => {
    if (msg.type === 'setup') setUp(msg.setup as AnyWorkerSetup);
    else if (msg.type === 'watch') heartbeatFor(send).listen(msg.buffer);
    else void server!.then((handle) => handle(msg));
  });
  setUp(workerData as AnyWorkerSetup);
}

main();
