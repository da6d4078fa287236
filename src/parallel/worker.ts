import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../loader.js';
import { exploreVariantItem, type VariantItem, type VariantsWorkerSetup } from './exploreVariants.js';
import { makeTarget, type TargetOptions } from '../run.js';
import { runBlock, type SamplingSpec } from './block.js';
import type { Block } from './partition.js';
import type { SearchPiece } from './pieces.js';
import { runPiece, type SearchWorkerSetup } from './searchParallel.js';
import { Heartbeat, heartbeatBuffer } from '../robust/heartbeat.js';
import type { Strategy } from '../strategies/strategy.js';
import type { AnyWorkerSetup } from './startWorker.js';
import { errorReply, itemServer, type FromWorker, type ToWorker } from './workPool.js';

/** What exploreParallel.ts gives every worker at start. */
export interface WorkerSetup {
  readonly kind: 'blocks';
  readonly file: string;
  readonly target: TargetOptions<object>;
  readonly spec: SamplingSpec;
  /** Watched (`--watchdog`): the heartbeat wraps every execution's strategy (watchedWorker.ts). */
  readonly watched?: boolean;
}

type Handler = (msg: ToWorker<unknown>) => void;

/**
 * This thread's heartbeat, made at the first watched setup. It publishes into the buffer of
 * the watcher that sent the last 'watch' message (a thread kept across runs has one per run).
 */
let heartbeat: Heartbeat | null = null;
function heartbeatFor(send: (msg: FromWorker<unknown>) => void): Heartbeat {
  return (heartbeat ??= new Heartbeat(heartbeatBuffer(), (index, name) => send({ type: 'name', index, name })));
}

/** How a thread runs the items of one setup. Loads its scenario (the loader keeps each module). */
async function serverFor(setup: AnyWorkerSetup, send: (msg: FromWorker<unknown>) => void): Promise<Handler> {
  if (setup.kind === 'variants') {
    // Many scenarios: each module is loaded when a variant of it first comes.
    if (setup.watched !== true) return itemServer<VariantItem>((item) => exploreVariantItem(item), send) as Handler;
    const hb = heartbeatFor(send);
    return itemServer<VariantItem>((item) => {
      hb.restartCount();
      return exploreVariantItem(item, (s) => hb.wrap(s));
    }, send) as Handler;
  }
  const { file, scenario } = await loadScenario(setup.file);
  if (setup.kind === 'search') {
    if (setup.watched !== true) {
      const unitSetup = { ...setup, target: { ...setup.target, file } };
      return itemServer<SearchPiece>((piece, cancelled) => runPiece(scenario, unitSetup, piece, cancelled), send) as Handler;
    }
    const hb = heartbeatFor(send);
    const unitSetup = { ...setup, target: { ...setup.target, file, monitor: (s: Strategy) => hb.wrap(s) } };
    return itemServer<SearchPiece>((piece, cancelled) => {
      hb.restartCount();
      return runPiece(scenario, unitSetup, piece, cancelled);
    }, send) as Handler;
  }
  if (setup.watched !== true) {
    const target = makeTarget(scenario, { ...setup.target, file });
    return itemServer<Block>((block, cancelled) => runBlock(target, setup.spec, block, cancelled), send) as Handler;
  }
  const hb = heartbeatFor(send);
  const target = makeTarget(scenario, { ...setup.target, file, monitor: (s) => hb.wrap(s) });
  return itemServer<Block>((block, cancelled) => {
    // A runaway's result counts the steps of its block only, as the block's result would.
    hb.restartCount();
    return runBlock(target, setup.spec, block, cancelled);
  }, send) as Handler;
}

/**
 * A worker thread: loads the scenario module by path (as the CLI does), then runs the items
 * the pool (workPool.ts) sends: blocks of executions, search pieces, or whole variants (`ci`).
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
