import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { DEFAULT_ITERATIONS } from '../explore.js';
import { loadScenario } from '../loader.js';
import { UsageError } from '../runtime/errors.js';
import { makeTarget, type TargetOptions } from '../run.js';
import type { ScenarioDefinition } from '../scenario.js';
import { runBlock, type BlockResult, type SamplingSpec } from './block.js';
import { blocksOf, DEFAULT_BLOCK_SIZE, shardBlocks, type Block, type Shard } from './partition.js';
import { combineBlocks, type ShardRun } from './result.js';
import { startWorker } from './startWorker.js';
import type { ToWorker, WorkerSetup } from './worker.js';

export interface ParallelOptions<P extends object = Record<string, unknown>> extends TargetOptions<P> {
  /** The scenario module: workers load it by path. */
  readonly file: string;
  /** 'random' (default) or 'pct'. */
  readonly strategy?: string;
  readonly seed?: number;
  readonly depth?: number;
  readonly iterations?: number;
  readonly firstExecution?: number;
  /** Worker threads (default 1: runs in this thread, no worker). */
  readonly workers?: number;
  /** Explore only this shard's blocks (`--shard i/n`). */
  readonly shard?: Shard;
  readonly blockSize?: number;
  readonly timeLimitMs?: number;
  readonly shouldStop?: () => boolean;
}

/**
 * Explores one scenario variant split in blocks of executions (partition.ts), run by a pool
 * of worker threads or, for one worker, in this thread. Deterministic: the result is the
 * first failure by execution index (not by arrival), and the executions, steps and warnings
 * counted up to it, so the same seed gives the same result for any number of workers, and n
 * shards merged give the result of one unsharded run. For the random strategy that is also
 * exactly what `explore` gives.
 *
 * Blocks are handed out in index order; once a failure at index f is known, blocks starting
 * after f are not started and running ones are cancelled, but every block before f is
 * finished, since it may hold an earlier failure.
 */
export async function exploreParallel(options: ParallelOptions<object>, preloaded?: ScenarioDefinition<object>): Promise<ShardRun> {
  const scenario = preloaded ?? (await loadScenario(options.file)).scenario;
  const target = makeTarget(scenario, options);
  const budget = { ...scenario.budget, ...scenario.variants[target.variant]!.budget };
  const strategyName = options.strategy ?? (budget.strategy === 'pct' ? 'pct' : 'random');
  if (strategyName !== 'random' && strategyName !== 'pct') {
    throw new UsageError(`--workers and --shard split random or pct sampling; strategy "${strategyName}" is not split`);
  }
  const depth = options.depth ?? budget.depth;
  const spec: SamplingSpec = { strategy: strategyName, seed: options.seed ?? budget.seed ?? 1, ...(depth !== undefined ? { depth } : {}) };
  const iterations = options.iterations ?? budget.iterations ?? DEFAULT_ITERATIONS;
  const first = options.firstExecution ?? 0;
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  const all = blocksOf(first, iterations, blockSize);
  const mine = options.shard !== undefined ? shardBlocks(all, options.shard) : all;
  const workers = Math.max(1, Math.min(options.workers ?? 1, mine.length));
  const start = performance.now();
  const deadline = options.timeLimitMs !== undefined ? start + options.timeLimitMs : Infinity;
  const stop = (): boolean => performance.now() >= deadline || (options.shouldStop?.() ?? false);

  let results: BlockResult[];
  let stoppedEarly: boolean;
  if (workers === 1) {
    ({ results, stoppedEarly } = await runInThread(target, spec, mine, stop));
  } else {
    const setup: WorkerSetup = {
      file: options.file,
      target: {
        variant: target.variant,
        params: target.params,
        maxSteps: target.settings.maxSteps,
        allowLeaks: target.settings.allowLeaks,
        failOnLockOrder: target.settings.failOnLockOrder,
      },
      spec,
    };
    ({ results, stoppedEarly } = await runInWorkers(setup, target, spec, mine, workers, stop));
  }
  const interrupted = options.shouldStop?.() ?? false;
  return combineBlocks({
    scenario: scenario.name,
    variant: target.variant,
    spec,
    first,
    iterations,
    blockSize,
    shard: options.shard ?? { index: 1, of: 1 },
    results,
    stoppedBy: stoppedEarly ? (interrupted ? 'interrupted' : 'time') : null,
    elapsedMs: performance.now() - start,
    workers,
  });
}

interface Outcome {
  readonly results: BlockResult[];
  readonly stoppedEarly: boolean;
}

async function runInThread(target: ReturnType<typeof makeTarget<object>>, spec: SamplingSpec, blocks: readonly Block[], stop: () => boolean): Promise<Outcome> {
  const results: BlockResult[] = [];
  for (const block of blocks) {
    if (stop()) return { results, stoppedEarly: true };
    const r = await runBlock(target, spec, block, stop);
    results.push(r);
    if (!r.complete) return { results, stoppedEarly: true };
    if (r.failureAt !== null) break;
  }
  return { results, stoppedEarly: false };
}

type FromWorker = { type: 'ready' } | { type: 'result'; result: BlockResult } | { type: 'error'; name: string; message: string };

/**
 * `n` explorers share the blocks: this thread and n − 1 worker threads. This thread starts on
 * the first blocks at once, so the workers' start-up (loading the scenario module) overlaps
 * with useful work instead of delaying it.
 */
function runInWorkers(setup: WorkerSetup, target: ReturnType<typeof makeTarget<object>>, spec: SamplingSpec, blocks: readonly Block[], n: number, stop: () => boolean): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    const results: BlockResult[] = [];
    const pool: Worker[] = [];
    const running = new Map<Worker, Block>();
    /** The block this thread runs, and whether it was cancelled. */
    let local: Block | null = null;
    let localCancelled = false;
    let next = 0;
    let best = Infinity;
    let stoppedEarly = false;
    let settled = false;

    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      if (error !== undefined) reject(error);
      else resolve({ results, stoppedEarly });
    };
    /** The next block to run, or null when there is none (then finishes once nothing runs). */
    const take = (): Block | null => {
      if (!stoppedEarly && stop()) stoppedEarly = true;
      const block = blocks[next];
      if (!stoppedEarly && block !== undefined && block.start < best) {
        next++;
        return block;
      }
      if (running.size === 0 && local === null) finish();
      return null;
    };
    const accept = (r: BlockResult): void => {
      if (r.complete || r.failureAt !== null) results.push(r);
      else stoppedEarly = true;
      if (r.failureAt !== null && r.failureAt < best) {
        best = r.failureAt;
        // Blocks after the failure cannot change the result: stop them.
        for (const [other, b] of running) if (b.start > best) other.postMessage({ type: 'cancel', index: b.index } satisfies ToWorker);
        if (local !== null && local.start > best) localCancelled = true;
      }
    };
    const feed = (w: Worker): void => {
      const block = take();
      if (block === null) return;
      running.set(w, block);
      w.postMessage({ type: 'block', block } satisfies ToWorker);
    };
    const runHere = async (): Promise<void> => {
      for (;;) {
        if (settled) return;
        const block = take();
        if (block === null) return;
        local = block;
        localCancelled = false;
        const r = await runBlock(target, spec, block, () => localCancelled || stop());
        local = null;
        if (settled) return;
        accept(r);
        // Let worker messages in between blocks.
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    for (let i = 0; i < n - 1; i++) {
      const w = startWorker(setup);
      pool.push(w);
      w.on('message', (msg: FromWorker) => {
        if (msg.type === 'error') {
          const e = msg.name === 'ScenarioLoadError' || msg.name === 'UsageError' ? new UsageError(msg.message) : new Error(`worker: ${msg.name}: ${msg.message}`);
          finish(e);
          return;
        }
        if (msg.type === 'result') {
          running.delete(w);
          accept(msg.result);
        }
        feed(w);
      });
      w.on('error', (e) => finish(e));
      w.on('exit', (code) => {
        if (!settled && code !== 0) finish(new Error(`worker exited with code ${code}`));
      });
    }
    runHere().then(
      () => {
        if (running.size === 0) take();
      },
      (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
    );
  });
}
