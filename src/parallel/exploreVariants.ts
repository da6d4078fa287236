import { explore, type ExploreResult } from '../explore.js';
import { loadScenario, type LoadedScenario } from '../loader.js';
import { exploreWatched } from '../robust/watchdog.js';
import { WorkerGroup } from './workerGroup.js';
import { runWorkPool, type ResultRules } from './workPool.js';

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
}

export interface ExploreVariantsOptions {
  /** Explorers: this thread and `workers - 1` worker threads (default 1: this thread alone). */
  readonly workers?: number;
  /** Each variant in a watchdog thread of its own (src/robust/watchdog.ts), `workers` at once. */
  readonly watchdog?: number;
  /** Every execution recorded and replayed once more (`ci --check-determinism`). */
  readonly checkDeterminism?: boolean;
  /** Told each time a variant's exploration ends, in the order they end (for a progress line). */
  readonly onDone?: (job: VariantJob, result: ExploreResult) => void;
}

/** Every job runs to its end: a variant that fails (as a buggy one should) stops nothing. */
const everyJob: ResultRules<ExploreResult> = { failed: () => false, keep: () => true, stopped: () => false };

/**
 * Explores each job's variant with its own budget, several at once, and returns the results in
 * job order. Each variant is one whole exploration wherever it runs, so the results are the
 * ones a lone thread gives, for any number of workers. The worker threads stay up for all the
 * jobs and load each scenario module when a variant of it first comes (a thread takes 0.25 s to
 * 0.7 s to start and load a .ts scenario, the longer while the other CPU is busy). With a
 * watchdog, a runaway task can only be stopped by ending its thread, so each variant gets a
 * thread of its own, `workers` at a time.
 */
export async function exploreVariants(jobs: readonly VariantJob[], o: ExploreVariantsOptions = {}): Promise<ExploreResult[]> {
  const workers = Math.max(1, Math.min(o.workers ?? 1, jobs.length));
  const check = o.checkDeterminism === true ? { checkDeterminism: true } : {};
  const exploreHere = (job: VariantJob): Promise<ExploreResult> => exploreWatched(o.watchdog, job.loaded, { variant: job.variant, file: job.loaded.file, ...check });
  if (o.watchdog !== undefined || workers === 1) {
    return atMost(workers, jobs, async (job) => {
      const r = await exploreHere(job);
      o.onDone?.(job, r);
      return r;
    });
  }
  const setup: VariantsWorkerSetup = { kind: 'variants' };
  const threads = new WorkerGroup();
  const { results } = await runWorkPool<VariantItem, ExploreResult>({
    items: jobs.map((j, index) => ({ index, file: j.loaded.file, variant: j.variant, ...check })),
    workers: workers - 1,
    startWorker: () => threads.attach<VariantItem, ExploreResult>(setup),
    runHere: (item) => exploreHere(jobs[item.index]!),
    rules: everyJob,
    stop: () => false,
    ...(o.onDone !== undefined ? { onResult: (item: VariantItem, r: ExploreResult) => o.onDone!(jobs[item.index]!, r) } : {}),
  }).finally(() => threads.close());
  return results;
}

/** Runs `run` over `items` with at most `n` running at once; results in item order. */
async function atMost<I, R>(n: number, items: readonly I[], run: (item: I) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
  return results;
}

/** A worker's side: explores the variants it is sent (the loader keeps each module it loaded). */
export async function exploreVariantItem(item: VariantItem): Promise<ExploreResult> {
  const { scenario, file } = await loadScenario(item.file);
  return explore(scenario, { variant: item.variant, file, ...(item.checkDeterminism === true ? { checkDeterminism: true } : {}) });
}
