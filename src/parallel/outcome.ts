import type { Failure, Warning } from '../runtime/failure.js';
import type { Shard } from '../partition.js';
import type { Trace } from '../trace/schema.js';

/**
 * The two result shapes of the supervisor layer, whatever ran the work (this thread, a worker
 * thread, watched or not) and however it was cut.
 *
 * An **outcome** is what every unit of work reports: a sampling block (`BlockResult`, block.ts),
 * a search unit or piece of one (`UnitResult`, searchUnits.ts; `PieceResult`, pieces.ts), a call
 * (a whole variant's `ExploreResult`, calls.ts). The supervisor reads only this part of a unit's
 * result: the progress line counts its executions, and a unit that ran away gets its trace
 * rebuilt into it (runaway.ts). What the kind of unit adds is where the unit lies in the job.
 *
 * A **job run** is what a job reports over the units that count (prefix.ts): a split sampling
 * run (`ShardRun`, result.ts) or a split search (`SearchShardRun`, searchResult.ts). It is plain
 * JSON: what `run --shard` writes into a shard file and `merge` reads back (shardFile.ts), and
 * a merge of shards is a job run again, made by the same rules as one machine's.
 */
export interface Outcome {
  readonly executions: number;
  readonly steps: number;
  readonly failure: Failure | null;
  /** The failure's trace (a runaway's: rebuilt once the pool has ended). */
  readonly trace: Trace | null;
  readonly warnings: readonly Warning[];
}

export interface JobRun extends Outcome {
  readonly format: 'interleave-shard' | 'interleave-search-shard';
  readonly scenario: string;
  readonly variant: string;
  /** The part of the job this run explored (1/1: all of it, or shards merged). */
  readonly shard: Shard;
  readonly stoppedBy: 'failure' | 'iterations' | 'exhausted' | 'executions' | 'bound' | 'time' | 'interrupted';
  /** Wall time and worker count: how the run went, not what it found (ignored by merge's comparison). */
  readonly elapsedMs: number;
  readonly workers: number;
}
