import { UsageError } from './runtime/errors.js';
import { FUZZ_BLOCK } from './strategies/fuzz.js';

/**
 * Fixed-size blocks of consecutive execution indices: the unit of work of parallel and sharded
 * exploration. The blocks depend only on the first index, the iteration count and the block
 * size (never on the number of workers or shards), so every split explores the same blocks
 * and the results do not depend on how the work was spread.
 */
export interface Block {
  /** Position of the block in the exploration (0, 1, 2, ...). */
  readonly index: number;
  /** First execution index of the block. */
  readonly start: number;
  /** Executions in the block (the last block may be shorter). */
  readonly count: number;
}

/** Executions per block unless told otherwise: large enough that messaging costs nothing, small enough to balance. */
export const DEFAULT_BLOCK_SIZE = 250;

/**
 * The block of a named sampling strategy: the executions it learns over before it starts
 * afresh, and so the block a split run must use for it. fuzz keeps a corpus for FUZZ_BLOCK
 * executions; the others' execution i depends only on (seed, i), and PCT's estimate is made per
 * DEFAULT_BLOCK_SIZE. Called by explore, runBlock and exploreParallel.
 */
export function learningBlock(strategy: string): number {
  return strategy === 'fuzz' ? FUZZ_BLOCK : DEFAULT_BLOCK_SIZE;
}

/** A CI shard: `index` in 1..of. */
export interface Shard {
  readonly index: number;
  readonly of: number;
}

/** Splits executions first..first+iterations-1 into blocks of `blockSize`. */
export function blocksOf(first: number, iterations: number, blockSize: number = DEFAULT_BLOCK_SIZE): Block[] {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new UsageError(`block size must be a whole number >= 1, got ${blockSize}`);
  const blocks: Block[] = [];
  for (let start = first, index = 0; start < first + iterations; start += blockSize, index++) {
    blocks.push({ index, start, count: Math.min(blockSize, first + iterations - start) });
  }
  return blocks;
}

/**
 * The blocks shard `i` of `n` explores: every n-th block, starting with block i-1. Dealing
 * blocks round-robin (rather than cutting the range in n pieces) gives every shard some of the
 * early executions, so a bug found early by one machine is found early by the matrix.
 * Together the n shards hold every block exactly once.
 */
export function shardBlocks(blocks: readonly Block[], shard: Shard): Block[] {
  return blocks.filter((b) => inShard(b.index, shard));
}

/** Whether the item at `position` (0, 1, 2, ...) is shard i of n's: positions i-1, i-1+n, ... (blocks, search units, `ci`'s items). */
export function inShard(position: number, shard: Shard): boolean {
  return position % shard.of === shard.index - 1;
}

/** How a shard run is named in merge's messages when its file is not known. */
export function shardName(run: { readonly shard: Shard }): string {
  return `shard ${run.shard.index}/${run.shard.of}`;
}

/**
 * Merge: every shard 1..n of `name` is given exactly once (all of one n: checked before); a
 * UsageError names the files (`files[i]` holds `shards[i]`) of one given twice, or the missing ones.
 */
export function checkEveryShardOnce(shards: readonly Shard[], name: string, files: readonly string[] = shards.map((shard) => shardName({ shard }))): void {
  const seen = new Map<number, string>();
  shards.forEach((s, i) => {
    const other = seen.get(s.index);
    if (other !== undefined) throw new UsageError(`merge: ${name}: shard ${s.index}/${s.of} is in both ${other} and ${files[i]}`);
    seen.set(s.index, files[i]!);
  });
  const of = shards[0]!.of;
  const missing: number[] = [];
  for (let i = 1; i <= of; i++) if (!seen.has(i)) missing.push(i);
  if (missing.length > 0) throw new UsageError(`merge: ${name}: missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${of}`).join(', ')}`);
}

/** Parses `--shard i/n` (1 <= i <= n). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m === null ? NaN : Number(m[1]);
  const of = m === null ? NaN : Number(m[2]);
  const shard = { index, of };
  if (!isShard(shard)) throw new UsageError(`--shard must be i/n with 1 <= i <= n (e.g. 2/4), got "${text}"`);
  return shard;
}

/** A shard `i/n` with whole numbers 1 <= i <= n (from `--shard`, or read from a shard file). */
export function isShard(v: unknown): v is Shard {
  const s = v as Shard | null;
  return typeof s === 'object' && s !== null && Number.isSafeInteger(s.of) && Number.isSafeInteger(s.index) && s.index >= 1 && s.index <= s.of;
}
