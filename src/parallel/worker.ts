import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../loader.js';
import { makeTarget, type TargetOptions } from '../run.js';
import { runBlock, type SamplingSpec } from './block.js';
import type { Block } from './partition.js';
import { runUnit, type SearchUnit, type SearchWorkerSetup } from './searchParallel.js';
import type { FromWorker, ToWorker } from './workPool.js';

/** What exploreParallel.ts gives every worker at start. */
export interface WorkerSetup {
  readonly kind: 'blocks';
  readonly file: string;
  readonly target: TargetOptions<object>;
  readonly spec: SamplingSpec;
}

/**
 * A worker thread: loads the scenario module by path (as the CLI does), then runs the items
 * the pool (workPool.ts) sends, blocks of executions or search units.
 */
async function main(): Promise<void> {
  const setup = workerData as WorkerSetup | SearchWorkerSetup;
  const { file, scenario } = await loadScenario(setup.file);
  if (setup.kind === 'search') {
    const unitSetup = { ...setup, target: { ...setup.target, file } };
    serve<SearchUnit>((u, cancelled) => runUnit(scenario, unitSetup, u.unit, u.state, cancelled));
  } else {
    const target = makeTarget(scenario, { ...setup.target, file });
    serve<Block>((block, cancelled) => runBlock(target, setup.spec, block, cancelled));
  }
}

/** Runs the items it is sent, one at a time, and posts each result back. */
function serve<I>(run: (item: I, cancelled: () => boolean) => Promise<unknown>): void {
  const port = parentPort!;
  let cancelled = -1;
  port.on('message', (msg: ToWorker<I>) => {
    if (msg.type === 'cancel') {
      cancelled = msg.id;
      return;
    }
    run(msg.item, () => cancelled === msg.id).then(
      (result) => port.postMessage({ type: 'result', result } satisfies FromWorker<unknown>),
      (e: unknown) => port.postMessage(errorMessage(e)),
    );
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker<unknown>);
}

function errorMessage(e: unknown): FromWorker<never> {
  return { type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
}

main().catch((e: unknown) => parentPort!.postMessage(errorMessage(e)));
