import { explore, type ExploreResult } from '../explore.js';
import { loadScenario, type LoadedScenario } from '../loader.js';
import { InternalError } from '../runtime/errors.js';
import { Runaways, runawayResult } from './runaway.js';
import { makeTarget } from '../run.js';
import type { Strategy } from '../runtime/strategy.js';
import { WatchedWorker } from './watchedWorker.js';
import { WorkerGroup } from './workerGroup.js';
import { runWorkPool, type PoolWorker, type ResultRules } from './workPool.js';

/** One variant to explore whole, with its budget: what `interleave ci` checks. */
export interface VariantJob {
  readonly loaded: LoadedScenario;
  readonly variant: string;
}

/** What a worker thread is sent for a job: the module's path, not its (unclonable) definition. */
export interface VariantItem {
  /** The job's position in the list. */
  readonly index: number;
  readonly file: string;
  readonly variant: string;
  readonly checkDeterminism?: boolean;
}

export interface VariantsWorkerSetup {
  readonly kind: 'variants';
  /** Watched (`ci --watchdog`): the heartbeat wraps every execution's strategy (watchedWorker.ts). */
  readonly watched?: boolean;
}

export interface ExploreVariantsOptions {
  /** Explorers: this thread and `workers - 1` worker threads (default 1: this thread alone). */
  readonly workers?: number;
  /** Seconds: every variant explored in a watched worker thread (watchedWorker.ts), `workers` at once. */
  readonly watchdog?: number;
  /** Every execution recorded and replayed once more (`ci --check-determinism`). */
  readonly checkDeterminism?: boolean;
  /** Told each time a variant's exploration ends, in the order they end (for a progress line). */
  readonly onDone?: (job: VariantJob, result: ExploreResult) => void;
  /** Told which job this thread explores as it starts it, and null as it ends (`ci` describes it to its main-thread guard). */
  readonly here?: (job: VariantJob | null) => void;
}

/** Every job runs to its end: a variant that fails (as a buggy one should) stops nothing. */
const everyJob: ResultRules<ExploreResult> = { failed: () => false, keep: () => true, stopped: () => false };

/**
 * Explores each job's variant with its own budget, several at once, and returns the results in
 * job order. Each variant is one whole exploration wherever it runs, so the results are the
 * ones a lone thread gives, for any number of workers. The worker threads stay up for all the
 * jobs and load each scenario module when a variant of it first comes (a thread takes 0.25 s to
 * 0.7 s to start and load a .ts scenario, the longer while the other CPU is busy). With a
 * watchdog every explorer is a watched worker thread (watchedWorker.ts), `workers` of them,
 * kept for all the jobs: a variant whose task spins ends its thread, and is reported as the
 * livelock the unsplit watched run reports (src/robust/watchdog.ts); a new thread takes the
 * next variant.
 */
export async function exploreVariants(jobs: readonly VariantJob[], o: ExploreVariantsOptions = {}): Promise<ExploreResult[]> {
  const workers = Math.max(1, Math.min(o.workers ?? 1, jobs.length));
  const check = o.checkDeterminism === true ? { checkDeterminism: true } : {};
  const seconds = o.watchdog;
  const exploreHere = (job: VariantJob): Promise<ExploreResult> => {
    o.here?.(job);
    return explore(job.loaded.scenario, { variant: job.variant, file: job.loaded.file, ...check }).finally(() => o.here?.(null));
  };
  if (seconds === undefined && workers === 1) {
    const results: ExploreResult[] = [];
    for (const job of jobs) {
      const r = await exploreHere(job);
      o.onDone?.(job, r);
      results.push(r);
    }
    return results;
  }
  const setup: VariantsWorkerSetup = { kind: 'variants', ...(seconds !== undefined ? { watched: true } : {}) };
  const threads = new WorkerGroup();
  const items = jobs.map((j, index) => ({ index, file: j.loaded.file, variant: j.variant, ...check }));
  /** The variants (by job) whose task spun: their traces are rebuilt below. */
  const runaways = new Runaways<number>(seconds ?? 0);
  // Watched, every explorer is a worker thread (a runaway task would freeze this one for good):
  // kept for all the variants, and only a thread whose task spun is ended and replaced.
  const watched = (s: number): PoolWorker<VariantItem, ExploreResult> =>
    new WatchedWorker<VariantItem, ExploreResult>(() => threads.attach<VariantItem, ExploreResult>(setup), {
      seconds: s,
      file: (item) => item?.file ?? 'a worker thread',
      runaway: (item, pulse, names, elapsedMs) => runawayResult(jobs[item.index]!.loaded.scenario, { variant: item.variant }, runaways.caught(item.index, pulse, names), elapsedMs, pulse),
      cancelled: () => {
        throw new InternalError('exploreVariants: a variant is never cancelled');
      },
    });
  const { results } = await runWorkPool<VariantItem, ExploreResult>({
    items,
    workers: seconds === undefined ? workers - 1 : workers,
    startWorker: () => (seconds === undefined ? threads.attach<VariantItem, ExploreResult>(setup) : watched(seconds)),
    ...(seconds === undefined ? { runHere: (item: VariantItem) => exploreHere(jobs[item.index]!) } : {}),
    rules: everyJob,
    stop: () => false,
    ...(o.onDone !== undefined ? { onResult: (item: VariantItem, r: ExploreResult) => o.onDone!(jobs[item.index]!, r) } : {}),
  }).finally(() => threads.close());
  return Promise.all(
    results.map((r, index) => {
      const { scenario, file } = jobs[index]!.loaded;
      return runaways.traced(index, r, () => makeTarget(scenario, { variant: r.variant, file }), (pulse) => ({ ...r.strategy, execution: pulse.execution }));
    }),
  );
}

/** A worker's side: explores the variants it is sent (the loader keeps each module it loaded); `monitor`: the watchdog's heartbeat. */
export async function exploreVariantItem(item: VariantItem, monitor?: (strategy: Strategy) => Strategy): Promise<ExploreResult> {
  const { scenario, file } = await loadScenario(item.file);
  return explore(scenario, { variant: item.variant, file, ...(item.checkDeterminism === true ? { checkDeterminism: true } : {}), ...(monitor !== undefined ? { monitor } : {}) });
}
