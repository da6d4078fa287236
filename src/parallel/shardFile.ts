import type { ExploreResult } from '../explore.js';
import type { JobRun } from './outcome.js';
import { UsageError } from '../runtime/errors.js';
import { readInputFile, writeFileAtomic } from '../trace/codec.js';
import { SHARD_FILE_LIMIT, tooDeepAt, tooDeepText } from '../trace/limits.js';
import { isShard, shardName, type Shard } from '../partition.js';
import { checkSamplingRun, checkSearchRun } from './shardCheck.js';
import { mergeShardRuns, type ShardRun } from './result.js';
import type { AnyShardRun } from './runSplit.js';
import { mergeSearchShardRuns, readSearchShardRun, type SearchShardRun } from './searchResult.js';
import { initialState } from '../search/state.js';
import { samplingReport } from '../samplingReport.js';
import { RunCoverage } from '../strategies/fuzz.js';

/** A shard results file: what `interleave run --shard i/n` writes and `interleave merge` reads. */
export interface ShardFile {
  readonly format: 'interleave-shard-results';
  readonly version: 1;
  readonly shard: Shard;
  readonly runs: readonly AnyShardRun[];
}

/** Default name of shard i's results file. */
export function shardFileName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.of}.json`;
}

/** Writes the results; returns the file written (another name when a concurrent run holds `path`: writeFileAtomic). */
export function writeShardFile(path: string, shard: Shard, runs: readonly AnyShardRun[]): string {
  const file: ShardFile = { format: 'interleave-shard-results', version: 1, shard, runs };
  return writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

export function readShardFile(path: string): ShardFile {
  const text = readInputFile(path, 'a shard results file', SHARD_FILE_LIMIT, (why) => new UsageError(`${path}: ${why}`));
  const deep = tooDeepAt(text);
  if (deep !== null) throw new UsageError(`${path}: ${tooDeepText(deep)}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not a shard results file: ${(e as Error).message.split('\n')[0]}`);
  }
  const f = value as Partial<ShardFile> | null;
  if (typeof f !== 'object' || f === null || f.format !== 'interleave-shard-results' || f.version !== 1 || !Array.isArray(f.runs)) {
    throw new UsageError(`${path}: not a shard results file (written by interleave run --shard i/n)`);
  }
  const shard = f.shard;
  if (!isShard(shard)) throw new UsageError(`${path}: not a shard results file: shard must be i/n with 1 <= i <= n, got ${JSON.stringify(shard)}`);
  // Every run is checked (and an old search run read) here, naming the file: merge relies on what it holds.
  const runs = f.runs.map((r: unknown, i): AnyShardRun => {
    const run = r as Record<string, unknown> | null;
    const where = `${path}: run ${i + 1}${run !== null && typeof run === 'object' ? ` (${String(run.scenario)}/${String(run.variant)})` : ''}`;
    if (run === null || typeof run !== 'object' || Array.isArray(run)) throw new UsageError(`${where}: not a shard run: expected an object, got ${JSON.stringify(run)}`);
    if (run.format === 'interleave-search-shard') return checkSearchRun(readSearchShardRun(run, where), shard, where);
    if (run.format === 'interleave-shard') return checkSamplingRun(run, shard, where);
    throw new UsageError(`${where}: not a shard run: unknown format ${JSON.stringify(run.format)}`);
  });
  return { format: 'interleave-shard-results', version: 1, shard, runs };
}

/** Merges the shards of one variant's run, sampling or search (they must all be of one kind); `files[i]` holds `runs[i]`, for the messages. */
export function mergeAnyShardRuns(runs: readonly AnyShardRun[], files: readonly string[] = runs.map(shardName)): AnyShardRun {
  const isSearch = (r: AnyShardRun): r is SearchShardRun => r.format === 'interleave-search-shard';
  if (runs.every(isSearch)) return mergeSearchShardRuns(runs, files);
  const search = runs.findIndex(isSearch);
  if (search >= 0) {
    const sampling = runs.findIndex((r) => !isSearch(r));
    throw new UsageError(`merge: ${runs[0]!.scenario}/${runs[0]!.variant}: ${files[search]} was run with --strategy ${(runs[search] as SearchShardRun).mode}, ${files[sampling]} with ${(runs[sampling] as ShardRun).strategy.strategy}`);
  }
  return mergeShardRuns(runs as ShardRun[], files);
}

/** The run as `explore` reports it, for the CLI's printing and saving. */
export function toExploreResult(run: AnyShardRun): ExploreResult {
  if (run.format === 'interleave-search-shard') return searchExploreResult(run);
  return { ...reported(run, { name: run.strategy.strategy, seed: run.strategy.seed }, run.stoppedBy), ...sampled(run) };
}

/** What every job run says as `explore` says it: the variant, the counts, the failure and its trace. */
function reported(run: JobRun, strategy: ExploreResult['strategy'], stoppedBy: ExploreResult['stoppedBy']): ExploreResult {
  return { scenario: run.scenario, variant: run.variant, strategy, executions: run.executions, steps: run.steps, failure: run.failure, trace: run.trace, stoppedBy, elapsedMs: run.elapsedMs, warnings: run.warnings };
}

/** A split sampling run's report of PCT's bound, the portfolio's members and fuzz's coverage, counted over its blocks as explore counts its executions. */
function sampled(run: ShardRun): Pick<ExploreResult, 'sampling'> {
  const coverage = new RunCoverage();
  for (const b of run.blocks) if (b.fuzz !== undefined) coverage.addBlock(b.fuzz);
  const report = samplingReport(run.strategy.strategy, run.strategy.depth, run.strategy.shape, run.blocks.map((b) => ({ start: b.start, executions: b.executions })), coverage.total);
  return report === undefined ? {} : { sampling: report };
}

/** A split search as `explore` reports a search: `search` carries the counts and completeness the summary line prints. */
function searchExploreResult(run: SearchShardRun): ExploreResult {
  const stoppedBy = run.stoppedBy;
  const state = { ...initialState(run.scenario, run.variant, run.mode, run.por, run.bound?.reached ?? 0), fresh: false, finished: run.complete };
  return {
    ...reported(run, { name: run.mode }, stoppedBy === 'failure' || stoppedBy === 'time' || stoppedBy === 'interrupted' ? stoppedBy : 'iterations'),
    search: {
      scenario: run.scenario,
      variant: run.variant,
      strategy: run.mode,
      por: run.por,
      executions: run.executions,
      completeExecutions: run.completeExecutions,
      sleepBlocked: run.sleepBlocked,
      depthLimited: run.depthLimited,
      pruned: run.pruned,
      races: run.units.reduce((n, u) => n + u.races, 0),
      maxDepth: run.maxDepth,
      steps: run.steps,
      elapsedMs: run.elapsedMs,
      failure: run.failure,
      trace: run.trace,
      complete: run.complete,
      stoppedBy,
      crossCheck: run.crossCheck ?? null,
      untracked: run.untracked === true,
      bound: run.bound,
      state,
      warnings: run.warnings,
    },
  };
}
