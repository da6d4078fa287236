import { explore, type ExploreResult } from '../explore.js';
import type { LoadedScenario } from '../loader.js';
import type { Progress } from '../explore.js';
import type { Call, CallsSetup, PortableExploreOptions } from './calls.js';
import { interruptedResult, runawayResult } from './runaway.js';
import type { WorkerGroup } from './workerGroup.js';
import { supervise } from './supervisor.js';
import { makeTarget } from '../run.js';
import type { ResultRules } from './workPool.js';

/** One variant to explore whole, with its budget: what `interleave ci` checks. */
export interface VariantJob {
  readonly loaded: LoadedScenario;
  readonly variant: string;
  /** Another budget and target than the variant's own (a split search's cross-check: random schedules). */
  readonly budget?: VariantBudget;
}

/** What a whole variant's exploration may be told beyond its variant: plain data, as it crosses to a worker thread. */
export type VariantBudget = Omit<PortableExploreOptions, 'variant' | 'file'>;

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
  /** Worker threads the caller keeps across calls (`run --all --watchdog`'s one thread: src/robust/watchdog.ts); default: started for these jobs, ended after. */
  readonly threads?: WorkerGroup;
  /** Watched: seconds a thread may take to load a scenario module (default max(30, 5 × watchdog)). */
  readonly loadSeconds?: number;
  /** Ctrl-C: explorations stop between executions; one whose task spins ends within a second, saying what spun. */
  readonly shouldStop?: () => boolean;
  /** Told of the running explorations' progress (a progress line). */
  readonly onProgress?: (p: Progress) => void;
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
  const calls = jobs.map((j): Call & { readonly kind: 'explore' } => ({ kind: 'explore', file: j.loaded.file, options: { variant: j.variant, ...check, ...j.budget } }));
  const index = new Map(calls.map((c, i) => [c, i]));
  const exploreHere = (call: Call & { readonly kind: 'explore' }): Promise<ExploreResult> => {
    const job = jobs[index.get(call)!]!;
    o.here?.(job);
    return explore(job.loaded.scenario, { ...call.options, file: job.loaded.file }).finally(() => o.here?.(null));
  };
  // Watched, a variant whose task spins ends its thread (kept for all the variants otherwise).
  const { results } = await supervise<Call & { readonly kind: 'explore' }, ExploreResult>({
    items: calls,
    explorers: workers,
    setup: { kind: 'calls', ...(seconds !== undefined ? { watched: true } : {}) } satisfies CallsSetup,
    runHere: exploreHere,
    watch:
      seconds === undefined
        ? undefined
        : {
            seconds,
            file: (call) => call?.file ?? 'a worker thread',
            runaway: (call, failure, pulse, elapsedMs) => runawayResult(jobs[index.get(call)!]!.loaded.scenario, call.options, failure, elapsedMs, pulse),
            loadSeconds: o.loadSeconds,
            // Only Ctrl-C cancels a variant (nothing fails the job).
            cancelled: (call, frozen) => interruptedResult(jobs[index.get(call)!]!.loaded.scenario, call.options, frozen?.elapsedMs ?? 0, frozen),
            retrace: { target: (call) => makeTarget(jobs[index.get(call)!]!.loaded.scenario, { ...call.options, file: call.file }), strategy: (_call, r, pulse) => ({ ...r.strategy, execution: pulse.execution }) },
          },
    rules: everyJob,
    stop: o.shouldStop ?? (() => false),
    threads: o.threads,
    ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
    ...(o.onDone !== undefined ? { onResult: (call: Call, r: ExploreResult) => o.onDone!(jobs[index.get(call as Call & { readonly kind: 'explore' })!]!, r) } : {}),
  });
  return results;
}
