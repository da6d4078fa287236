import { performance } from 'node:perf_hooks';
import { DEFAULT_ITERATIONS, type Progress } from '../explore.js';
import { loadScenario } from '../loader.js';
import { UsageError } from '../runtime/errors.js';
import type { Failure } from '../runtime/failure.js';
import type { Pulse } from '../heartbeat/heartbeat.js';
import { supervise } from './supervisor.js';
import { makeTarget, type TargetOptions } from '../run.js';
import type { ScenarioDefinition } from '../scenario.js';
import { runBlock, type BlockResult, type SamplingSpec, type WorkerSetup } from './block.js';
import { blocksOf, DEFAULT_BLOCK_SIZE, learningBlock, shardBlocks, type Block, type Shard } from '../partition.js';
import { combineBlocks, type ShardRun } from './result.js';
import { runSettings } from './sameRun.js';
import { failureStrategy } from '../samplingReport.js';
import type { WorkerGroup } from './workerGroup.js';
import { budgetSampling, usesShape } from '../strategies/index.js';
import { scenarioShape } from '../shape.js';
import { progressOf, type ResultRules } from './workPool.js';

export interface ParallelOptions<P extends object = Record<string, unknown>> extends TargetOptions<P> {
  /** The scenario module: workers load it by path. */
  readonly file: string;
  /** 'random' (default), 'pct' or 'portfolio'. */
  readonly strategy?: string;
  readonly seed?: number;
  readonly depth?: number;
  readonly iterations?: number;
  readonly firstExecution?: number;
  /** Explorers: this thread and `workers - 1` worker threads (default 1: this thread alone). */
  readonly workers?: number;
  /** Explore only this shard's blocks (`--shard i/n`). */
  readonly shard?: Shard;
  readonly blockSize?: number;
  readonly timeLimitMs?: number;
  readonly shouldStop?: () => boolean;
  /** Worker threads the caller keeps across runs (`run` over many variants); default: started for this run, ended after it. */
  readonly threads?: WorkerGroup;
  /**
   * Seconds without a scheduling decision before the running task is reported as a runaway
   * `livelock` (`--watchdog`). Every explorer is then a watched worker thread (watchedWorker.ts):
   * this thread only hands out blocks and watches.
   */
  readonly watchdog?: number;
  /** Every execution recorded and replayed once more (`--check-determinism`; src/verdict/determinism.ts). */
  readonly checkDeterminism?: boolean;
  /** Told as blocks end, wherever they ran: the executions so far (for a progress line). */
  readonly onProgress?: (p: Progress) => void;
}

/**
 * Explores one scenario variant split in blocks of executions (partition.ts), run by this
 * thread and n - 1 worker threads (for one worker, this thread alone, through the same pool
 * and `blockRules`). Deterministic: the result is the first failure by execution index (not
 * by arrival), and the executions, steps and warnings counted up to it, so the same seed gives
 * the same result for any number of workers, and n shards merged give the result of one
 * unsharded run. For the random strategy that is also exactly what `explore` gives.
 *
 * Blocks are handed out in index order (workPool.ts); once a failure at index f is known,
 * blocks starting after f are not started and running ones are cancelled, but every block
 * before f is finished, since it may hold an earlier failure. The time limit and an interrupt
 * cancel every running block, in this thread and in the workers; then only the whole blocks
 * before the first one cut short count (prefix.ts), and a failure found past them is reported
 * as such (`stoppedBy` 'time' or 'interrupted', not 'failure').
 */
export async function exploreParallel(options: ParallelOptions<object>, preloaded?: ScenarioDefinition<object>): Promise<ShardRun> {
  const scenario = preloaded ?? (await loadScenario(options.file)).scenario;
  const target = makeTarget(scenario, options);
  const budget = { ...scenario.budget, ...scenario.variants[target.variant]!.budget };
  const strategyName = options.strategy ?? budgetSampling(budget.strategy);
  if (strategyName !== 'random' && strategyName !== 'pct' && strategyName !== 'portfolio' && strategyName !== 'fuzz') {
    throw new UsageError(`--workers and --shard split random, pct, portfolio, fuzz, dfs, pb and db; strategy "${strategyName}" is not split`);
  }
  // fuzz learns within its own block, as explore's fuzz does (src/partition.ts, learningBlock).
  const ownBlock = strategyName === 'fuzz' ? learningBlock(strategyName) : undefined;
  if (ownBlock !== undefined && options.blockSize !== undefined && options.blockSize !== ownBlock) throw new UsageError(`fuzz learns per block of ${ownBlock} executions: it cannot be split in blocks of ${options.blockSize}`);
  const depth = options.depth ?? budget.depth;
  // Measured once here and handed to every block (src/shape.ts); each shard measures the same.
  // Watched, the blocks measure it in their watched threads: a scenario that spins in the
  // measuring run would hang this one.
  const shape = usesShape(strategyName) && options.watchdog === undefined ? await scenarioShape(target) : undefined;
  const spec: SamplingSpec = {
    strategy: strategyName,
    seed: options.seed ?? budget.seed ?? 1,
    ...(depth !== undefined ? { depth } : {}),
    ...(shape !== undefined ? { shape } : {}),
    ...(options.checkDeterminism === true ? { checkDeterminism: true } : {}),
  };
  const iterations = options.iterations ?? budget.iterations ?? DEFAULT_ITERATIONS;
  const first = options.firstExecution ?? 0;
  const blockSize = ownBlock ?? options.blockSize ?? DEFAULT_BLOCK_SIZE;
  const all = blocksOf(first, iterations, blockSize);
  const mine = options.shard !== undefined ? shardBlocks(all, options.shard) : all;
  const workers = Math.max(1, Math.min(options.workers ?? 1, mine.length));
  const start = performance.now();
  const deadline = options.timeLimitMs !== undefined ? start + options.timeLimitMs : Infinity;
  // The time limit stops the run only once its first block has answered: a run whose threads
  // were still loading (or starved by the machine's load) when the budget ended would otherwise
  // count no execution and pass, a runaway among them. The first block runs to its end (or to
  // the watchdog's verdict), as `explore` always runs its first executions.
  const firstBlock = mine[0];
  let firstAnswered = firstBlock === undefined;
  const stop = (): boolean => (firstAnswered && performance.now() >= deadline) || (options.shouldStop?.() ?? false);
  const onProgress = options.onProgress !== undefined ? progressOf<Block>(options.onProgress, start) : undefined;
  const onResult = (block: Block, r: BlockResult): void => {
    if (block.index === firstBlock?.index) firstAnswered = true;
    onProgress?.(block, r);
  };

  const setup: WorkerSetup = {
    kind: 'blocks',
    file: options.file,
    target: {
      variant: target.variant,
      params: target.params,
      maxSteps: target.settings.maxSteps,
      allowLeaks: target.settings.allowLeaks,
      failOnLockOrder: target.settings.failOnLockOrder,
    },
    spec,
    ...(options.watchdog !== undefined ? { watched: true } : {}),
  };
  const seconds = options.watchdog;
  const { results, stoppedEarly } = await supervise<Block, BlockResult>({
    items: mine,
    explorers: workers,
    setup,
    threads: options.threads,
    // `cancelled` answers true at the time limit too (the pool asks `stop`, for the workers as well).
    runHere: (block, cancelled) => runBlock(target, spec, block, cancelled),
    watch:
      seconds === undefined
        ? undefined
        : {
            seconds,
            file: () => options.file,
            runaway: runawayBlock,
            cancelled: (block) => ({ ...block, executions: 0, steps: 0, failureAt: null, failure: null, trace: null, warnings: [], complete: false }),
            // Past the time limit (and not interrupted), a frozen block gets the watchdog's verdict.
            hurry: () => (options.shouldStop?.() ?? false) || performance.now() < deadline,
            retrace: { target: () => target, strategy: (_block, r) => failureStrategy(spec.strategy, spec.seed, r.failureAt!) },
          },
    rules: blockRules,
    stop,
    onResult,
    // Blocks are short and even: a worker holds its next one, never waiting for this thread.
    ahead: 2,
  });
  const interrupted = options.shouldStop?.() ?? false;
  const measured = spec.shape ?? results.find((r) => r.shape !== undefined)?.shape;
  return combineBlocks({
    scenario: scenario.name,
    variant: target.variant,
    spec: measured !== undefined ? { ...spec, shape: measured } : spec,
    first,
    iterations,
    blockSize,
    shard: options.shard ?? { index: 1, of: 1 },
    settings: runSettings(target),
    results,
    stoppedBy: stoppedEarly ? (interrupted ? 'interrupted' : 'time') : null,
    elapsedMs: performance.now() - start,
    workers,
  });
}


/** A block whose task spun at execution `pulse.execution`: it failed there, as explore counts (its trace is rebuilt once the pool ends). */
function runawayBlock(block: Block, failure: Failure, pulse: Pulse): BlockResult {
  // Within the block: a replay recording a failure beats as execution 0 (a scenario that spins
  // only when replayed is nondeterministic; its block still fails, not with negative counts).
  const failureAt = Math.min(Math.max(pulse.execution, block.start), block.start + block.count - 1);
  return { ...block, executions: failureAt - block.start + 1, steps: pulse.steps, failureAt, failure, trace: null, warnings: [], complete: true };
}

/** A block cut short (time limit, interrupt) is not kept: only some of its executions ran. */
const blockRules: ResultRules<BlockResult> = {
  failed: (r) => r.failureAt !== null,
  keep: (r) => r.complete || r.failureAt !== null,
  stopped: (r) => !r.complete && r.failureAt === null,
};
