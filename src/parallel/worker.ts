import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../loader.js';
import { makeTarget, type TargetOptions } from '../run.js';
import { runBlock, type SamplingSpec } from './block.js';
import { runUnit, type SearchWorkerSetup, type ToSearchWorker } from './searchParallel.js';
import type { Block } from './partition.js';

/** What the coordinator (pool.ts) gives every worker at start. */
export interface WorkerSetup {
  readonly file: string;
  readonly target: TargetOptions<object>;
  readonly spec: SamplingSpec;
}

/** Messages to a worker: run a block, or stop the block running now. */
export type ToWorker = { readonly type: 'block'; readonly block: Block } | { readonly type: 'cancel'; readonly index: number };

/**
 * A worker thread: loads the scenario module by path (as the CLI does), then runs the blocks
 * the coordinator sends, one at a time, and posts each result back.
 */
async function main(): Promise<void> {
  if ((workerData as { kind?: string }).kind === 'search') return searchWorker(workerData as SearchWorkerSetup);
  const port = parentPort!;
  const setup = workerData as WorkerSetup;
  const { file, scenario } = await loadScenario(setup.file);
  const target = makeTarget(scenario, { ...setup.target, file });
  let cancelled = -1;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'cancel') {
      cancelled = msg.index;
      return;
    }
    runBlock(target, setup.spec, msg.block, () => cancelled === msg.block.index).then(
      (result) => port.postMessage({ type: 'result', result }),
      (e: unknown) => port.postMessage({ type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) }),
    );
  });
  port.postMessage({ type: 'ready' });
}

/** A worker of a split exhaustive search (searchParallel.ts): runs the units it is sent, one at a time. */
async function searchWorker(setup: SearchWorkerSetup): Promise<void> {
  const port = parentPort!;
  const { file, scenario } = await loadScenario(setup.file);
  const target = { ...setup, target: { ...setup.target, file } };
  let cancelled = -1;
  port.on('message', (msg: ToSearchWorker) => {
    if (msg.type === 'cancel') {
      cancelled = msg.unit;
      return;
    }
    runUnit(scenario, target, msg.unit, msg.state, () => cancelled === msg.unit).then(
      (result) => port.postMessage({ type: 'unit-result', result }),
      (e: unknown) => port.postMessage({ type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) }),
    );
  });
  port.postMessage({ type: 'ready' });
}

main().catch((e: unknown) => {
  parentPort!.postMessage({ type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) });
});
