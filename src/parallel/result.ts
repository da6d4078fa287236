import { UsageError } from '../runtime/errors.js';
import { keepFirstWarnings, type Failure, type Warning } from '../runtime/failure.js';
import type { Trace } from '../trace/schema.js';
import type { BlockResult, SamplingSpec } from './block.js';
import type { JobRun } from './outcome.js';
import { checkEveryShardOnce, shardName, type Shard } from '../partition.js';
import { countedPrefix, earliest, type Found } from './prefix.js';
import { checkSameRun, setting, settingsDifferences, splitDifference, type Difference, type RunSettings } from './sameRun.js';

/** One block as kept in a result: its counts, its warnings and, if it failed, where (the failure and trace are kept once, for the run). */
export type BlockSummary = Omit<BlockResult, 'failure' | 'trace' | 'complete'>;

/**
 * The result of exploring one variant over some blocks (all of them, or one shard's).
 * Plain JSON: a CI shard writes it, `interleave merge` reads several and combines them.
 * The totals count executions up to the first failure by index, as `explore` does, over a
 * prefix of whole blocks (prefix.ts): a block the time limit or an interrupt cut short ends
 * what counts, and the blocks after it do not count even when a worker finished them.
 */
export interface ShardRun extends JobRun {
  readonly format: 'interleave-shard';
  readonly version: 1;
  readonly strategy: SamplingSpec;
  readonly first: number;
  readonly iterations: number;
  readonly blockSize: number;
  /** Parameters and target settings as run; undefined in files written before they were recorded (not compared then). */
  readonly settings?: RunSettings;
  /** The blocks that count, in index order: whole blocks from this run's first on, up to the first failure or the first block cut short. */
  readonly blocks: readonly BlockSummary[];
  /**
   * Execution index of the first failure within `blocks`, or null. Only when `stoppedBy` is
   * 'time' or 'interrupted' can the failure lie past `blocks` instead: a whole block after a cut
   * one failed. That failure is real (its trace replays it) but not known to be the first.
   */
  readonly failureAt: number | null;
  /** 'failure': the first failure within `blocks` ended the run. */
  readonly stoppedBy: 'failure' | 'iterations' | 'time' | 'interrupted';
}

interface BlockSet {
  readonly blocks: readonly BlockSummary[];
  readonly failureAt: number | null;
  readonly failure: Failure | null;
  readonly trace: Trace | null;
  readonly warnings: readonly Warning[];
  /** The failure lies past the counted blocks (prefix.ts): real, not known to be the first. */
  readonly pastGap: boolean;
}

type FoundFailure = Found<Failure, Trace>;

/**
 * Keeps the longest prefix of whole blocks of `shard` (prefix.ts) up to the first failure by
 * index, and totals them. `alsoPast`: failures found past the counted blocks by merged shards.
 */
function countBlocks(blocks: readonly BlockSummary[], shard: Shard, failureOf: (b: BlockSummary) => { failure: Failure | null; trace: Trace | null }, alsoPast: readonly FoundFailure[] = []): BlockSet {
  const { counted, pastGap } = countedPrefix(blocks, { first: shard.index - 1, step: shard.of, position: (b) => b.index, failed: (b) => b.failureAt !== null, cut: () => false });
  const kept = counted.map((b): BlockSummary => ({ index: b.index, start: b.start, count: b.count, executions: b.executions, steps: b.steps, failureAt: b.failureAt, warnings: b.warnings, ...(b.fuzz !== undefined ? { fuzz: b.fuzz } : {}) }));
  const warnings = new Map<string, Warning>();
  for (const b of kept) keepFirstWarnings(warnings, b.warnings);
  const last = counted.at(-1);
  const failing = last !== undefined && last.failureAt !== null ? last : null;
  const past = failing !== null ? null : earliest([pastGap !== null ? foundIn(pastGap, failureOf) : null, ...alsoPast]);
  const found = failing !== null ? foundIn(failing, failureOf) : past;
  return { blocks: kept, failureAt: found?.at ?? null, failure: found?.failure ?? null, trace: found?.trace ?? null, warnings: [...warnings.values()], pastGap: past !== null };
}

function foundIn(b: BlockSummary, failureOf: (b: BlockSummary) => { failure: Failure | null; trace: Trace | null }): FoundFailure | null {
  const { failure, trace } = failureOf(b);
  return b.failureAt === null || failure === null ? null : { at: b.failureAt, failure, trace };
}

/** What `stoppedBy` a run of blocks reports: 'failure' only for a failure within the counted blocks. */
function stoppedByOf(set: BlockSet, early: 'time' | 'interrupted' | null): ShardRun['stoppedBy'] {
  if (set.failure !== null && !set.pastGap) return 'failure';
  return early ?? (set.failure !== null ? 'failure' : 'iterations');
}

export interface CombineInput {
  readonly scenario: string;
  readonly variant: string;
  readonly spec: SamplingSpec;
  readonly first: number;
  readonly iterations: number;
  readonly blockSize: number;
  readonly shard: Shard;
  readonly settings: RunSettings;
  readonly results: readonly BlockResult[];
  readonly stoppedBy: 'time' | 'interrupted' | null;
  readonly elapsedMs: number;
  readonly workers: number;
}

/** Builds a ShardRun from block results that arrived in any order. */
export function combineBlocks(input: CombineInput): ShardRun {
  const byIndex = new Map(input.results.map((r) => [r.index, r]));
  const set = countBlocks(input.results, input.shard, (b) => ({ failure: byIndex.get(b.index)!.failure, trace: byIndex.get(b.index)!.trace }));
  return {
    format: 'interleave-shard',
    version: 1,
    scenario: input.scenario,
    variant: input.variant,
    strategy: input.spec,
    first: input.first,
    iterations: input.iterations,
    blockSize: input.blockSize,
    shard: input.shard,
    settings: input.settings,
    ...totals(set),
    stoppedBy: stoppedByOf(set, input.stoppedBy),
    elapsedMs: Math.round(input.elapsedMs),
    workers: input.workers,
  };
}

function totals(set: BlockSet): Pick<ShardRun, 'blocks' | 'executions' | 'steps' | 'failureAt' | 'failure' | 'trace' | 'warnings'> {
  return {
    blocks: set.blocks,
    executions: set.blocks.reduce((n, b) => n + b.executions, 0),
    steps: set.blocks.reduce((n, b) => n + b.steps, 0),
    failureAt: set.failureAt,
    failure: set.failure,
    trace: set.trace,
    warnings: set.warnings,
  };
}

/** What must agree between the shards of one run (the split's `of` included), with the flag that sets it. */
const runDifferences: readonly Difference<ShardRun>[] = [
  setting('scenario', (r) => r.scenario),
  setting('variant', (r) => r.variant),
  setting('--strategy', (r) => r.strategy.strategy),
  setting('--seed', (r) => r.strategy.seed),
  setting('--depth', (r) => r.strategy.depth ?? null),
  setting('--check-determinism', (r) => r.strategy.checkDeterminism ?? false),
  setting('first execution', (r) => r.first),
  setting('-n', (r) => r.iterations),
  setting('block size', (r) => r.blockSize),
  splitDifference((r) => r.shard),
  ...settingsDifferences((r: ShardRun) => r.settings),
];

/**
 * Combines the runs of the n shards of one exploration into the run one machine would have
 * made: the first failure by execution index across shards, and the executions and steps of
 * every block before it. Every shard 1..n must be present exactly once, with the same
 * scenario, variant, strategy, seed, range, block size, parameters and settings; otherwise a
 * UsageError names the files (`files[i]` holds `runs[i]`) and what is missing or mismatched. A shard stopped by time or interrupted makes the merge say so, and
 * then only the blocks before the first one missing count, as in one run (prefix.ts).
 */
export function mergeShardRuns(runs: readonly ShardRun[], files: readonly string[] = runs.map(shardName)): ShardRun {
  if (runs.length === 0) throw new UsageError('merge: no shard results given');
  const head = runs[0]!;
  const name = `${head.scenario}/${head.variant}`;
  checkSameRun(runs, files, runDifferences, name);
  checkEveryShardOnce(runs.map((r) => r.shard), name, files);

  const blocks = runs.flatMap((r) => r.blocks);
  const owner = new Map<number, ShardRun>();
  for (const r of runs) for (const b of r.blocks) owner.set(b.index, r);
  // A shard's own failure past its counted blocks is past the merged ones too (its gap is theirs).
  const pastShards = runs.flatMap((r) => (r.failureAt !== null && r.failure !== null && !r.blocks.some((b) => b.failureAt === r.failureAt) ? [{ at: r.failureAt, failure: r.failure, trace: r.trace }] : []));
  const set = countBlocks(blocks, { index: 1, of: 1 }, (b) => {
    const r = owner.get(b.index)!;
    return { failure: r.failure, trace: r.trace };
  }, pastShards);
  const early = runs.find((r) => r.stoppedBy === 'time' || r.stoppedBy === 'interrupted')?.stoppedBy as 'time' | 'interrupted' | undefined;
  return {
    ...head,
    shard: { index: 1, of: 1 },
    ...totals(set),
    stoppedBy: stoppedByOf(set, early ?? null),
    elapsedMs: Math.max(...runs.map((r) => r.elapsedMs)),
    workers: runs.reduce((n, r) => n + r.workers, 0),
  };
}
