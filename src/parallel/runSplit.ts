import type { Progress } from '../explore.js';
import type { LoadedScenario } from '../loader.js';
import { exploreParallel } from './exploreParallel.js';
import type { Shard } from '../partition.js';
import type { ShardRun } from './result.js';
import { searchParallel } from './searchParallel.js';
import type { SearchShardRun } from './searchResult.js';
import type { WorkerGroup } from './workerGroup.js';

/** A split run's result: random/pct sampling in blocks, or the exhaustive search in units. */
export type AnyShardRun = ShardRun | SearchShardRun;

/** The `run` options that a split (parallel or sharded) exploration uses. */
export interface SplitOptions {
  readonly strategy?: string;
  readonly seed?: number;
  readonly iterations?: number;
  readonly timeLimit?: number;
  readonly depth?: number;
  readonly preemptionBound?: number;
  readonly maxSteps?: number;
  readonly workers?: number;
  readonly shard?: Shard;
  readonly shouldStop?: () => boolean;
  /** Parameter overrides (`--param name=value`). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Worker threads kept for every variant of one `run` (workerGroup.ts). */
  readonly threads?: WorkerGroup;
  /** `--watchdog` seconds: blocks and search pieces run in watched worker threads (watchedWorker.ts). */
  readonly watchdog?: number;
  /** `--check-determinism`: blocks check every execution (block.ts), search units every one that ends (search.ts). */
  readonly checkDeterminism?: boolean;
  /** Told as blocks or search pieces end (a progress line). */
  readonly onProgress?: (p: Progress) => void;
}

/**
 * True when `run` should explore through the block runner or the search units (src/parallel)
 * instead of `explore` / `search`. For dfs, pb and db an explicit `--workers 1` splits too: with
 * partial-order reduction the units may pick other representatives than the unsplit search (and
 * `-n` bounds each unit), so every explicit worker count must take the same path to give the
 * same result. Random and PCT give the same result either way; one worker stays unsplit.
 */
export function isSplit(o: SplitOptions, loaded: LoadedScenario, variant: string): boolean {
  if (o.shard !== undefined) return true;
  if (o.workers === undefined) return false;
  const strategy = strategyOf(loaded, variant, o);
  return o.workers > 1 || strategy === 'dfs' || strategy === 'pb' || strategy === 'db';
}

/** The strategy a run uses: the option, else the variant's budget, else the scenario's. */
function strategyOf(loaded: LoadedScenario, variant: string, o: SplitOptions): string | undefined {
  const budget = { ...loaded.scenario.budget, ...loaded.scenario.variants[variant]?.budget };
  return o.strategy ?? budget.strategy;
}

/**
 * Called by the `run` command for `--workers n` / `--shard i/n`: one variant, split in blocks
 * (random, pct) or, for `--strategy dfs`, `pb` and `db`, in search units (searchParallel.ts).
 */
export function runSplit(loaded: LoadedScenario, variant: string, o: SplitOptions): Promise<AnyShardRun> {
  const strategy = strategyOf(loaded, variant, o);
  const common = given({
    params: o.params,
    seed: o.seed,
    timeLimitMs: o.timeLimit !== undefined ? o.timeLimit * 1000 : undefined,
    maxSteps: o.maxSteps,
    workers: o.workers,
    shard: o.shard,
    shouldStop: o.shouldStop,
    threads: o.threads,
    watchdog: o.watchdog,
    onProgress: o.onProgress,
    checkDeterminism: o.checkDeterminism === true ? true : undefined,
  });
  if (strategy === 'dfs' || strategy === 'pb' || strategy === 'db') {
    return searchParallel({ file: loaded.file, variant, strategy, ...common, ...given({ preemptionBound: o.preemptionBound, maxExecutions: o.iterations }) }, loaded.scenario);
  }
  return exploreParallel({ file: loaded.file, variant, ...common, ...given({ strategy: o.strategy, iterations: o.iterations, depth: o.depth }) }, loaded.scenario);
}

/** `o` without its undefined fields: the split runs' options are set or absent, never undefined. */
function given<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
