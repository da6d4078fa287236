import { readFileSync } from 'node:fs';
import type { ExploreResult } from '../explore.js';
import { UsageError } from '../runtime/errors.js';
import { writeFileAtomic } from '../trace/codec.js';
import type { Shard } from './partition.js';
import type { ShardRun } from './result.js';

/** A shard results file: what `interleave run --shard i/n` writes and `interleave merge` reads. */
export interface ShardFile {
  readonly format: 'interleave-shard-results';
  readonly version: 1;
  readonly shard: Shard;
  readonly runs: readonly ShardRun[];
}

/** Default name of shard i's results file. */
export function shardFileName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.of}.json`;
}

export function writeShardFile(path: string, shard: Shard, runs: readonly ShardRun[]): void {
  const file: ShardFile = { format: 'interleave-shard-results', version: 1, shard, runs };
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

export function readShardFile(path: string): ShardFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path}: not a shard results file: ${(e as Error).message.split('\n')[0]}`);
  }
  const f = value as Partial<ShardFile>;
  if (f.format !== 'interleave-shard-results' || f.version !== 1 || !Array.isArray(f.runs)) {
    throw new UsageError(`${path}: not a shard results file (written by interleave run --shard i/n)`);
  }
  return f as ShardFile;
}

/** The run as `explore` reports it, for the CLI's printing and saving. */
export function toExploreResult(run: ShardRun): ExploreResult {
  return {
    scenario: run.scenario,
    variant: run.variant,
    strategy: { name: run.strategy.strategy, seed: run.strategy.seed },
    executions: run.executions,
    steps: run.steps,
    failure: run.failure,
    trace: run.trace,
    stoppedBy: run.stoppedBy,
    elapsedMs: run.elapsedMs,
    warnings: run.warnings,
  };
}
