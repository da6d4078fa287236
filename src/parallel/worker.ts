import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../loader.js';
import { exploreVariantItem, type VariantItem, type VariantsWorkerSetup } from './exploreVariants.js';
import { makeTarget, type TargetOptions } from '../run.js';
import { runBlock, type SamplingSpec } from './block.js';
import type { Block } from './partition.js';
import type { SearchPiece } from './pieces.js';
import { runPiece, type SearchWorkerSetup } from './searchParallel.js';
import { errorReply, itemServer, type FromWorker } from './workPool.js';

/** What exploreParallel.ts gives every worker at start. */
export interface WorkerSetup {
  readonly kind: 'blocks';
  readonly file: string;
  readonly target: TargetOptions<object>;
  readonly spec: SamplingSpec;
}

/**
 * A worker thread: loads the scenario module by path (as the CLI does), then runs the items
 * the pool (workPool.ts) sends: blocks of executions, search pieces, or whole variants (`ci`).
 */
async function main(): Promise<void> {
  const setup = workerData as WorkerSetup | SearchWorkerSetup | VariantsWorkerSetup;
  if (setup.kind === 'variants') {
    // Many scenarios: each module is loaded when a variant of it first comes (then kept by the loader).
    serve<VariantItem>((item) => exploreVariantItem(item, loadScenario));
    return;
  }
  const { file, scenario } = await loadScenario(setup.file);
  if (setup.kind === 'search') {
    const unitSetup = { ...setup, target: { ...setup.target, file } };
    serve<SearchPiece>((piece, cancelled) => runPiece(scenario, unitSetup, piece, cancelled));
  } else {
    const target = makeTarget(scenario, { ...setup.target, file });
    serve<Block>((block, cancelled) => runBlock(target, setup.spec, block, cancelled));
  }
}

/** Runs the items it is sent, one at a time, and posts each result back. */
function serve<I>(run: (item: I, cancelled: () => boolean) => Promise<unknown>): void {
  const port = parentPort!;
  port.on('message', itemServer<I>(run, (msg) => port.postMessage(msg)));
  port.postMessage({ type: 'ready' } satisfies FromWorker<unknown>);
}

main().catch((e: unknown) => parentPort!.postMessage(errorReply(e)));
