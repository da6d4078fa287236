import { loadFreshScenario, type LoadedScenario } from '../loader.js';
import { replayTrace, type ReplayReport } from '../replay.js';
import type { Failure } from '../runtime/failure.js';
import type { Trace } from '../trace/schema.js';
import { projectImports } from './projectImports.js';
import { WatchdogThread } from './watchdog.js';

/**
 * A failure found is replayed from a freshly loaded instance of its scenario module before it is
 * saved. The two replays that record it (src/verdict/determinism.ts) run in the module instance
 * that ran every execution before: a scenario whose module-level state warms up (a cache, a
 * counter) fails there and nowhere else, and its trace would say `passes now` or `diverged` in
 * the next process. Here, the trace is replayed as `interleave replay` will replay it, from
 * modules whose state is as their files say:
 *
 * - `module`: a new instance of the scenario module in this thread (cheap: the compiled code is
 *   cached, and interleave itself is shared), when it imports no module of the project
 *   (src/robust/projectImports.ts: only interleave and packages from node_modules, which are
 *   not reloaded);
 * - `thread`: a new watched worker thread (~1 s), which loads the scenario and every module it
 *   imports afresh, when it imports a module of the project (a new instance of the scenario
 *   module alone would share that module, and its state, with the one that explored), for a
 *   CommonJS module (one instance per thread), and when a watchdog is asked or the trace is a
 *   runaway's (the replay may spin).
 *
 * Called by `run`, `ci` (finishVariant) and `merge` before a failure's trace is saved, by the
 * library's `explore` (src/robust/checkedExplore.ts) and by `replayTraces`. A failure that is
 * itself `nondeterminism` is not confirmed (its trace already says so).
 */
export async function replayFresh(loaded: LoadedScenario, trace: Trace, watchdog?: number): Promise<FreshReplay> {
  const inThread = watchdog === undefined && trace.runaway === undefined && projectImports(loaded.file).length === 0;
  const fresh = inThread ? await loadFreshScenario(loaded.file, `${process.pid}-${process.hrtime.bigint()}`) : null;
  if (fresh !== null) return { ...(await replayTrace(fresh.scenario, trace, loaded.file)), reloaded: 'module' };
  const thread = new WatchdogThread();
  try {
    return { ...(await thread.replay(loaded.file, loaded.scenario, trace, { seconds: watchdog ?? trace.runaway?.seconds ?? FRESH_SECONDS })), reloaded: 'thread' };
  } finally {
    await thread.close();
  }
}

/** A replay from fresh modules: replay's report, and how the modules were loaded afresh (see `replayFresh`). */
export interface FreshReplay extends ReplayReport {
  readonly reloaded: 'module' | 'thread';
}

/** The watchdog of a fresh thread's replay when none was asked: a replay past its decisions may spin. */
const FRESH_SECONDS = 10;

/** A failure whose trace did not replay from fresh modules (`freshVerdict`). */
export interface NotReproducedFresh {
  /** The `nondeterminism` failure that replaces the failure found. */
  readonly failure: Failure;
  /** The failure the exploring run found, and its trace, which replays only where it was found. */
  readonly found: Failure;
  readonly trace: Trace;
  /** How the fresh replay ended (replay's message: `passes now: ...`, `diverged at step ...`). */
  readonly replay: string;
  /** `module`: the scenario module alone was loaded afresh; `thread`: it and every module it imports (see `replayFresh`). */
  readonly reloaded: 'module' | 'thread';
}

/**
 * Null when `trace` replays its failure from fresh modules (or records no failure, or
 * `nondeterminism`); else what was found, how the fresh replay ended, and the
 * `nondeterminism` failure that replaces the failure found, naming how the fresh replay ended
 * (the step where it diverged, or its other ending) and the failure found.
 */
export async function freshVerdict(loaded: LoadedScenario, trace: Trace, watchdog?: number): Promise<NotReproducedFresh | null> {
  const failure = trace.failure;
  if (failure === undefined || failure === null || failure.kind === 'nondeterminism') return null;
  const report = await replayFresh(loaded, trace, watchdog);
  if (report.outcome === 'reproduced') return null;
  const step = report.divergence?.step ?? report.result.failure?.step ?? report.result.steps;
  const from = report.reloaded === 'module' ? 'a freshly loaded module' : 'freshly loaded modules (the scenario and the modules it imports, in a new thread)';
  const where = report.reloaded === 'module' ? 'a module-level variable or cache?' : 'a module-level variable or cache, in the scenario or a module it imports?';
  return {
    failure: {
      kind: 'nondeterminism',
      message: `nondeterminism: the failure found does not replay from ${from} (${report.message}); state survived between executions (${where}); found: ${failure.message}`,
      step,
      tasks: [...failure.tasks],
    },
    found: failure as Failure,
    trace,
    replay: report.message,
    reloaded: report.reloaded,
  };
}

/** Null when `trace` replays its failure from fresh modules; else the `nondeterminism` failure of `freshVerdict`. */
export async function confirmFresh(loaded: LoadedScenario, trace: Trace, watchdog?: number): Promise<Failure | null> {
  return (await freshVerdict(loaded, trace, watchdog))?.failure ?? null;
}

/**
 * `r` as it is when its trace replays from fresh modules; else with the `nondeterminism`
 * failure of `confirmFresh` and no trace (none that replays can be saved).
 */
export async function confirmed<R extends { readonly failure: Failure | null; readonly trace: Trace | null }>(loaded: LoadedScenario, r: R, watchdog?: number): Promise<R> {
  const unconfirmed = r.trace !== null ? await confirmFresh(loaded, r.trace, watchdog) : null;
  return unconfirmed === null ? r : { ...r, failure: unconfirmed, trace: null };
}
