import type { Pulse } from '../heartbeat/heartbeat.js';
import type { StrategyInfo } from '../replay.js';
import type { Target } from '../run.js';
import type { Failure } from '../runtime/failure.js';
import type { Outcome } from './outcome.js';
import { Runaways, type Frozen } from './runaway.js';
import { WatchedWorker } from './watchedWorker.js';
import { WorkerGroup } from './workerGroup.js';
import { runWorkPool, type PoolWorker, type WorkOutcome, type WorkPoolOptions } from './workPool.js';

/**
 * The supervisor: runs a job's units (sampling blocks, search pieces, `ci`'s whole variants) on
 * its explorers and hands back the results that count, for every kind of unit by the same path.
 * Unwatched, the explorers are this thread (when the job says how it runs a unit here) and
 * worker threads; watched (`--watchdog`), every explorer is a watched worker thread
 * (watchedWorker.ts), since a runaway task would freeze this thread for good: a unit whose task
 * spins ends its thread, answers with its runaway failure, and gets its trace once the pool has
 * ended (runaway.ts). The pool (workPool.ts) hands out the units in key order and decides which
 * results count. Called by exploreParallel.ts, searchParallel.ts and exploreVariants.ts.
 */
export interface Job<I, R> extends Omit<WorkPoolOptions<I, R>, 'workers' | 'startWorker'> {
  /** Explorers wanted (at least 1): with `runHere` and unwatched, this thread and n - 1 worker threads; else n worker threads. */
  readonly explorers: number;
  /** What every worker thread is set up for (worker.ts); the same object across a job's rounds, so a kept thread is not set up again. */
  readonly setup: object;
  /** Worker threads the caller keeps across jobs; default: started for this job, ended after it. */
  readonly threads?: WorkerGroup | undefined;
  /** Set for `--watchdog`: every explorer is then a watched worker thread. */
  readonly watch?: Watch<I, R> | undefined;
}

/** How a watched job's units answer when their thread is ended. */
export interface Watch<I, R> {
  readonly seconds: number;
  /** Seconds a thread may take to load its scenario (default max(30, 5 × seconds)). */
  readonly loadSeconds?: number | undefined;
  /** The scenario module of a unit (of the threads' set-up: null), named when loading it never ends. */
  readonly file: (item: I | null) => string;
  /** How the failure names the execution that spun (default `execution <n>`). */
  readonly execution?: (item: I, pulse: Pulse) => string;
  /** The result of a unit that ran away with `failure` at its frozen `pulse`, `elapsedMs` after it began. */
  readonly runaway: (item: I, failure: Failure, pulse: Pulse, elapsedMs: number) => R;
  /** The result of a unit cancelled before it ran, or while its thread was `frozen` (watchedWorker.ts). */
  readonly cancelled: (item: I, frozen?: Frozen) => R;
  /** Whether a cancelled unit's frozen thread may be ended within a second (watchedWorker.ts). */
  readonly hurry?: () => boolean;
  /**
   * How a unit that ran away gets its trace once the pool has ended (`Runaways.traced`): the
   * target it ran, and the trace's strategy at the frozen pulse. Absent: its result carries
   * no trace to rebuild (src/robust/watchdog.ts gives its own verdicts).
   */
  readonly retrace?: { readonly target: (item: I) => Target<object>; readonly strategy: (item: I, r: R, pulse: Pulse) => StrategyInfo };
}

export async function supervise<I, R>(job: Job<I, R>): Promise<WorkOutcome<R>> {
  const { explorers, setup, threads: kept, watch, runHere, ...pool } = job;
  const threads = kept ?? new WorkerGroup();
  const attach = (): PoolWorker<I, R> => threads.attach<I, R>(setup);
  const runaways = new Runaways<I>(watch?.seconds ?? 0);
  // Which unit each result is of, for its runaway's trace.
  const itemOf = new Map<R, I>();
  const watched = (w: Watch<I, R>): PoolWorker<I, R> =>
    new WatchedWorker<I, R>(attach, {
      seconds: w.seconds,
      ...(w.loadSeconds !== undefined ? { loadSeconds: w.loadSeconds } : {}),
      file: w.file,
      runaway: (item, pulse, names, elapsedMs) => w.runaway(item, runaways.caught(item, pulse, names, w.execution?.(item, pulse)), pulse, elapsedMs),
      cancelled: w.cancelled,
      ...(w.hurry !== undefined ? { hurry: w.hurry } : {}),
    });
  const here = watch === undefined ? runHere : undefined;
  let out: WorkOutcome<R>;
  try {
    out = await runWorkPool<I, R>({
      ...pool,
      workers: here !== undefined ? explorers - 1 : explorers,
      startWorker: () => (watch === undefined ? attach() : watched(watch)),
      ...(here !== undefined ? { runHere: here } : {}),
      onResult: (item, r) => {
        if (watch !== undefined) itemOf.set(r, item);
        pool.onResult?.(item, r);
      },
    });
  } finally {
    if (kept === undefined) await threads.close();
  }
  const retrace = watch?.retrace;
  if (retrace === undefined) return out;
  const traced = (r: R, item: I): Promise<R> => runaways.traced(item, r as R & Outcome, () => retrace.target(item), (pulse) => retrace.strategy(item, r, pulse));
  return { ...out, results: await Promise.all(out.results.map((r) => traced(r, itemOf.get(r)!))) };
}
