import { explore, type ExploreResult } from '../explore.js';
import { loadScenario, type LoadedScenario } from '../loader.js';
import { InternalError } from '../runtime/errors.js';
import { runawayResult } from './runaway.js';
import { supervise } from './supervisor.js';
import { makeTarget } from '../run.js';
import type { Strategy } from '../runtime/strategy.js';
import type { ResultRules } from './workPool.js';

/** One variant to explore whole, with its budget: what `interleave ci` checks. */
export interface VariantJob {
  readonly loaded: LoadedScenario;
  readonly variant: string;
  /** Another budget and target than the variant's own (a split search's cross-check: random schedules). */
  readonly budget?: VariantBudget;
}

/** What a whole variant's exploration may be told beyond its variant: plain data, as it crosses to a worker thread. */
export interface VariantBudget {
  readonly strategy?: string;
  readonly seed?: number;
  readonly iterations?: number;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly maxSteps?: number;
  readonly allowLeaks?: boolean;
  readonly failOnLockOrder?: boolean;
}

/** What a worker thread is sent for a job: the module's path, not its (unclonable) definition. */
export interface VariantItem {
  /** The job's position in the list. */
  readonly index: number;
  readonly file: string;
  readonly variant: string;
  readonly checkDeterminism?: boolean;
  readonly budget?: VariantBudget;
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
  const exploreHere = (item: VariantItem): Promise<ExploreResult> => {
    const job = jobs[item.index]!;
    o.here?.(job);
    return explore(job.loaded.scenario, { variant: job.variant, file: job.loaded.file, ...check, ...job.budget }).finally(() => o.here?.(null));
  };
  // Watched, a variant whose task spins ends its thread (kept for all the variants otherwise).
  const { results } = await supervise<VariantItem, ExploreResult>({
    items: jobs.map((j, index) => ({ index, file: j.loaded.file, variant: j.variant, ...check, ...(j.budget !== undefined ? { budget: j.budget } : {}) })),
    explorers: workers,
    setup: { kind: 'variants', ...(seconds !== undefined ? { watched: true } : {}) } satisfies VariantsWorkerSetup,
    runHere: exploreHere,
    watch:
      seconds === undefined
        ? undefined
        : {
            seconds,
            file: (item) => item?.file ?? 'a worker thread',
            key: (item) => item.index,
            runaway: (item, failure, pulse, elapsedMs) => runawayResult(jobs[item.index]!.loaded.scenario, { variant: item.variant, ...item.budget }, failure, elapsedMs, pulse),
            cancelled: () => {
              throw new InternalError('exploreVariants: a variant is never cancelled');
            },
            // Every variant's result is kept, in job order.
            traced: (r, runaways, index) => runaways.traced(index, r, () => makeTarget(jobs[index]!.loaded.scenario, { variant: r.variant, file: jobs[index]!.loaded.file }), (pulse) => ({ ...r.strategy, execution: pulse.execution })),
          },
    rules: everyJob,
    stop: () => false,
    ...(o.onDone !== undefined ? { onResult: (item: VariantItem, r: ExploreResult) => o.onDone!(jobs[item.index]!, r) } : {}),
  });
  return results;
}

/** A worker's side: explores the variants it is sent (the loader keeps each module it loaded); `monitor`: the watchdog's heartbeat. */
export async function exploreVariantItem(item: VariantItem, monitor?: (strategy: Strategy) => Strategy): Promise<ExploreResult> {
  const { scenario, file } = await loadScenario(item.file);
  return explore(scenario, { variant: item.variant, file, ...(item.checkDeterminism === true ? { checkDeterminism: true } : {}), ...item.budget, ...(monitor !== undefined ? { monitor } : {}) });
}
