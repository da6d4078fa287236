import type { LoadedScenario } from '../loader.js';
import { exploreParallel } from './exploreParallel.js';
import type { Shard } from './partition.js';
import type { ShardRun } from './result.js';

/** The `run` options that a split (parallel or sharded) exploration uses. */
export interface SplitOptions {
  readonly strategy?: string;
  readonly seed?: number;
  readonly iterations?: number;
  readonly timeLimit?: number;
  readonly depth?: number;
  readonly maxSteps?: number;
  readonly workers?: number;
  readonly shard?: Shard;
  readonly shouldStop?: () => boolean;
}

/** True when `run` should explore through the block runner (src/parallel) instead of `explore`. */
export function isSplit(o: SplitOptions): boolean {
  return (o.workers ?? 1) > 1 || o.shard !== undefined;
}

/** Called by the `run` command for `--workers n` / `--shard i/n`: one variant, split in blocks. */
export function runSplit(loaded: LoadedScenario, variant: string, o: SplitOptions): Promise<ShardRun> {
  return exploreParallel(
    {
      file: loaded.file,
      variant,
      ...(o.strategy !== undefined ? { strategy: o.strategy } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.iterations !== undefined ? { iterations: o.iterations } : {}),
      ...(o.timeLimit !== undefined ? { timeLimitMs: o.timeLimit * 1000 } : {}),
      ...(o.depth !== undefined ? { depth: o.depth } : {}),
      ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(o.shard !== undefined ? { shard: o.shard } : {}),
      ...(o.shouldStop !== undefined ? { shouldStop: o.shouldStop } : {}),
    },
    loaded.scenario,
  );
}
