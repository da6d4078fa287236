import { loadFreshScenario, type LoadedScenario } from '../loader.js';
import { replayTrace, type ReplayReport } from '../replay.js';
import type { Failure } from '../runtime/failure.js';
import type { Trace } from '../trace/schema.js';
import { WatchdogThread } from './watchdog.js';

/**
 * A failure found is replayed from a freshly loaded instance of its scenario module before it is
 * saved. The two replays that record it (src/robust/determinism.ts) run in the module instance
 * that ran every execution before: a scenario whose module-level state warms up (a cache, a
 * counter) fails there and nowhere else, and its trace would say `passes now` or `diverged` in
 * the next process. Here, the trace is replayed as `interleave replay` will replay it, from a
 * module whose state is as the file says: a new instance of an ES module in this thread (cheap:
 * the compiled code is cached, and interleave itself is shared), or, for a CommonJS module
 * (one instance per thread) and when a watchdog is asked (the replay may spin where the fresh
 * module departs), a new watched worker thread (~1 s). The modules the scenario imports are
 * shared in this thread, so state kept in a helper module is seen by the thread only.
 *
 * Called by `run`, `ci` (finishVariant) and `merge` before a failure's trace is saved. A
 * failure that is itself `nondeterminism` is not confirmed (its trace already says so).
 */
export async function replayFresh(loaded: LoadedScenario, trace: Trace, watchdog?: number): Promise<ReplayReport> {
  const fresh = watchdog === undefined && trace.runaway === undefined ? await loadFreshScenario(loaded.file, `${process.pid}-${process.hrtime.bigint()}`) : null;
  if (fresh !== null) return replayTrace(fresh.scenario, trace, loaded.file);
  const thread = new WatchdogThread();
  try {
    return await thread.replay(loaded.file, loaded.scenario, trace, { seconds: watchdog ?? trace.runaway?.seconds ?? FRESH_SECONDS });
  } finally {
    await thread.close();
  }
}

/** The watchdog of a fresh thread's replay when none was asked: a replay past its decisions may spin. */
const FRESH_SECONDS = 10;

/**
 * Null when `trace` replays its failure from a fresh module instance; else the `nondeterminism`
 * failure that replaces it, naming how the fresh replay ended (the step where it diverged, or
 * its other ending) and the failure found.
 */
export async function confirmFresh(loaded: LoadedScenario, trace: Trace, watchdog?: number): Promise<Failure | null> {
  const failure = trace.failure;
  if (failure === undefined || failure === null || failure.kind === 'nondeterminism') return null;
  const report = await replayFresh(loaded, trace, watchdog);
  if (report.outcome === 'reproduced') return null;
  const step = report.divergence?.step ?? report.result.failure?.step ?? report.result.steps;
  return {
    kind: 'nondeterminism',
    message: `nondeterminism: the failure found does not replay from a freshly loaded module (${report.message}); state survived between executions (a module-level variable or cache?); found: ${failure.message}`,
    step,
    tasks: [...failure.tasks],
  };
}

/**
 * `r` as it is when its trace replays from a fresh module instance; else with the
 * `nondeterminism` failure of `confirmFresh` and no trace (none that replays can be saved).
 */
export async function confirmed<R extends { readonly failure: Failure | null; readonly trace: Trace | null }>(loaded: LoadedScenario, r: R, watchdog?: number): Promise<R> {
  const unconfirmed = r.trace !== null ? await confirmFresh(loaded, r.trace, watchdog) : null;
  return unconfirmed === null ? r : { ...r, failure: unconfirmed, trace: null };
}
