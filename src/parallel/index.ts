/** Parallel and sharded exploration: blocks of executions, worker threads, CI shards and merging. */
export { blocksOf, shardBlocks, parseShard, DEFAULT_BLOCK_SIZE } from '../partition.js';
export type { Block, Shard } from '../partition.js';
export { runBlock } from './block.js';
export type { BlockResult, SamplingSpec } from './block.js';
export { exploreParallel } from './exploreParallel.js';
export type { ParallelOptions } from './exploreParallel.js';
export { combineBlocks, mergeShardRuns } from './result.js';
export type { ShardRun, BlockSummary } from './result.js';
export { shardFileName, writeShardFile, readShardFile, toExploreResult, mergeAnyShardRuns } from './shardFile.js';
export type { ShardFile } from './shardFile.js';
export { isSplit, runSplit } from './runSplit.js';
export type { SplitOptions, AnyShardRun } from './runSplit.js';
export { searchParallel } from './searchParallel.js';
export type { SearchParallelOptions } from './searchParallel.js';
export { mergeSearchShardRuns } from './searchResult.js';
export type { SearchShardRun } from './searchResult.js';
export { unitsOf, PARTS, PREFIX_EXECUTIONS, UNITS_PER_ROUND } from './searchUnits.js';
export type { UnitResult } from './searchUnits.js';
