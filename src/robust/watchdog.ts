import type { Failure } from '../runtime/failure.js';
import { explore, type ExploreOptions, type ExploreResult, type Progress } from '../explore.js';
import { UsageError } from '../runtime/errors.js';
import type { ScenarioDefinition } from '../scenario.js';
import type { ShrinkResult } from '../shrink/shrinkTrace.js';
import type { ProbeResult, SpunProbe } from '../snapshot.js';
import { makeTarget, type Target } from '../run.js';
import type { ReplayReport } from '../replay.js';
import { runawayFailureOf, runawayTrace } from '../heartbeat/runawayTrace.js';
import type { Pulse } from '../heartbeat/heartbeat.js';
import type { Call, CallResult, CallsSetup, PortableExploreOptions, PortableShrinkOptions, PortableTarget } from '../parallel/calls.js';
import { exploreVariants } from '../parallel/exploreVariants.js';
import { interruptedResult } from '../parallel/runaway.js';
import { supervise } from '../parallel/supervisor.js';
import { WorkerGroup } from '../parallel/workerGroup.js';
import type { Trace } from '../trace/schema.js';

export type { PortableExploreOptions, PortableShrinkOptions, PortableTarget } from '../parallel/calls.js';

/**
 * The watchdog for one call at a time: a task that loops forever without reaching a scheduling
 * point (a synchronous `while (true) {}`) cannot be interrupted in its own thread, so an
 * exploration, a shrink, a replay or one run of an interactive session runs as one unit (a call:
 * src/parallel/calls.ts) on one watched explorer thread under the supervisor, the pool that runs
 * `--workers n`'s blocks and `ci`'s variants (src/parallel/supervisor.ts). The supervisor
 * watches the thread's heartbeat (src/parallel/watchedWorker.ts): a call whose task made no
 * scheduling decision while the thread ran `seconds` of CPU time ends the thread and answers
 * with its runaway (src/parallel/runaway.ts), here turned into what the call answers: a
 * `livelock` naming the runaway task, its step and its execution, with its trace. This (main)
 * thread stays free for Ctrl-C.
 *
 * Called by `interleave run --watchdog <seconds>` with one worker (through `exploreWatched`, one
 * `WatchdogThread` for all the variants), `shrink`, `merge` and `run`'s watched shrinks
 * (watchedShrink.ts), watched replays (replaySaved.ts, freshReplay.ts), the interactive
 * session and the vitest helpers. Shrinking and saving happen afterwards in this thread, as
 * without the watchdog.
 */

/** A shrink in the watched thread: its result, or the attempt that spun (then the thread was ended), or Ctrl-C. */
export type WatchedShrink = ShrinkResult | { readonly spun: Pulse; readonly task: string } | { readonly interrupted: true };

export interface WatchdogOptions {
  /** Seconds without a scheduling decision after which the running task is declared runaway. */
  readonly seconds: number;
  /** Seconds allowed to load the scenario module in the worker (default max(30, 5 × seconds)). */
  readonly loadSeconds?: number;
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (p: Progress) => void;
}

/** A frozen thread's call: the heartbeat then, the task that spun, and how long the call ran. */
interface Spin {
  readonly pulse: Pulse;
  readonly task: string;
  readonly elapsedMs: number;
}

/** How a call ends when its thread is not the one answering: ran away (its `failure`), or Ctrl-C while it was frozen (null: before it began). */
interface Verdicts<T> {
  readonly runaway: (failure: Failure, spin: Spin) => T | Promise<T>;
  readonly interrupted: (spin: Spin | null) => T | Promise<T>;
}

/** The answer of a call whose thread was ended: made on this side, never by the thread (so told apart by its class). */
class Ended {
  constructor(
    readonly spin: Spin,
    readonly failure: Failure | null,
  ) {}
}

/** One watched exploration, in a thread of its own ended afterwards. */
export async function exploreWithWatchdog(file: string, scenario: ScenarioDefinition<object>, options: PortableExploreOptions, wd: WatchdogOptions): Promise<ExploreResult> {
  const thread = new WatchdogThread();
  try {
    return await thread.explore(file, scenario, options, wd);
  } finally {
    await thread.close();
  }
}

/**
 * One watched explorer thread kept across calls, one at a time (`run --all --watchdog`: each
 * variant's exploration in turn), so a run starts one thread, and loads each module in it once,
 * instead of one per variant; a thread whose task spun is ended, and the next call starts a new
 * one (src/parallel/workerGroup.ts).
 */
export class WatchdogThread {
  private readonly threads = new WorkerGroup();
  private readonly setup: CallsSetup = { kind: 'calls', watched: true };

  /** A whole exploration: a variant explored as `ci --watchdog` explores it (src/parallel/exploreVariants.ts). */
  async explore(file: string, scenario: ScenarioDefinition<object>, options: PortableExploreOptions, wd: WatchdogOptions): Promise<ExploreResult> {
    const { variant = Object.keys(scenario.variants)[0]!, ...budget } = options;
    const [r] = await exploreVariants([{ loaded: { file, scenario }, variant, budget }], { watchdog: wd.seconds, threads: this.threads, ...given(wd) });
    // Ctrl-C before the exploration was handed out: none ran.
    return r ?? interruptedResult(scenario, options, 0);
  }

  /**
   * One shrink of `trace` in the thread; a runaway attempt ends it with `{ spun }` (the frozen
   * heartbeat: its `execution` is the attempt's number) and the thread (src/robust/watchedShrink.ts
   * starts the shrink again, that attempt cut short).
   */
  shrink(file: string, trace: Trace, options: PortableShrinkOptions, wd: WatchdogOptions): Promise<WatchedShrink> {
    return this.call<WatchedShrink>({ kind: 'shrink', file, trace, options }, undefined, wd, {
      runaway: (_failure, { pulse, task }) => ({ spun: pulse, task }),
      interrupted: () => ({ interrupted: true as const }),
    });
  }

  /**
   * One run of an interactive session (src/snapshot.ts) in the thread; a task that
   * runs away answers `spun` (the thread is ended; the next run starts a new one). Ctrl-C while
   * it spins answers the same at once.
   */
  probe(file: string, target: Target<object>, decisions: readonly number[], finishSeed: number | null, wd: WatchdogOptions): Promise<ProbeResult | SpunProbe> {
    const portable: PortableTarget = { variant: target.variant, params: target.params, ...target.settings };
    const spun = (spin: Spin | null, interrupted: boolean): SpunProbe => ({ spun: { task: spin?.task ?? 'main', step: Math.max(0, spin?.pulse.step ?? 0), seconds: wd.seconds, ...(interrupted ? { interrupted } : {}) } });
    // A runaway comes with its trace, for the session to save (`save-runaway`).
    const runaway = async (failure: Failure, spin: Spin): Promise<SpunProbe> => {
      const trace = await runawayTrace({ ...target, file }, { name: 'explore' }, spin.pulse, failure, wd.seconds);
      return { spun: { ...spun(spin, false).spun, trace } };
    };
    return this.call<ProbeResult | SpunProbe>({ kind: 'probe', file, target: portable, decisions, finishSeed }, 'the session', wd, { runaway, interrupted: (spin) => spun(spin, true) });
  }

  /**
   * Replays a saved runaway's trace in the thread: the runaway again (the same task, after the
   * same step) is `reproduced`; the thread answers any other end, as `replayTrace` does here.
   */
  replay(file: string, scenario: ScenarioDefinition<object>, trace: Trace, wd: WatchdogOptions): Promise<ReplayReport> {
    const spun = async (spin: Spin | null, failure?: Failure): Promise<ReplayReport> => {
      const pulse = spin?.pulse ?? { step: -1, log: [] };
      const now = failure ?? runawayFailureOf(spin?.task ?? 'main', wd.seconds, pulse.step, 'the replay');
      const target = makeTarget(scenario, { variant: trace.variant, params: trace.params, file, ...trace.options });
      return runawayReplay(trace, now, await runawayTrace(target, trace.strategy, pulse, now, wd.seconds));
    };
    return this.call<ReplayReport>({ kind: 'replay', file, trace }, 'the replay', wd, { runaway: (failure, spin) => spun(spin, failure), interrupted: spun });
  }

  /**
   * Runs `call` on the thread, under the supervisor; a thread ended on the call answers by
   * `verdicts` (`execution`: how a runaway's failure names where it spun).
   */
  private async call<T>(call: Call, execution: string | undefined, wd: WatchdogOptions, verdicts: Verdicts<T>): Promise<T> {
    const { results } = await supervise<Call, CallResult | Ended>({
      items: [call],
      explorers: 1,
      setup: this.setup,
      threads: this.threads,
      watch: {
        seconds: wd.seconds,
        loadSeconds: wd.loadSeconds,
        file: () => call.file,
        ...(execution !== undefined ? { execution: () => execution } : {}),
        runaway: (_call, failure, pulse, elapsedMs) => new Ended({ pulse, task: failure.task ?? 'main', elapsedMs }, failure),
        // Only Ctrl-C cancels a call; frozen then, it ends within a second.
        cancelled: (_call, frozen) => (frozen !== undefined ? new Ended({ pulse: frozen.pulse, task: frozen.names[frozen.pulse.task] ?? 'main', elapsedMs: frozen.elapsedMs }, null) : null!),
      },
      rules: { failed: () => false, keep: (r) => r !== null, stopped: () => false },
      stop: wd.shouldStop ?? (() => false),
    });
    const r = results[0];
    if (r === undefined) return verdicts.interrupted(null);
    if (!(r instanceof Ended)) return r as T;
    return r.failure !== null ? verdicts.runaway(r.failure, r.spin) : verdicts.interrupted(r.spin);
  }

  /** Ends the thread. */
  async close(): Promise<void> {
    await this.threads.close();
  }
}

/** `wd`'s optional settings, as exploreVariants takes them. */
function given(wd: WatchdogOptions): Pick<WatchdogOptions, 'loadSeconds' | 'shouldStop' | 'onProgress'> {
  return { ...(wd.loadSeconds !== undefined ? { loadSeconds: wd.loadSeconds } : {}), ...(wd.shouldStop !== undefined ? { shouldStop: wd.shouldStop } : {}), ...(wd.onProgress !== undefined ? { onProgress: wd.onProgress } : {}) };
}

/**
 * The report of a replay whose task ran away, with the replay's own trace rebuilt from its
 * heartbeat (`replayed`; null when that failed: then the recorded schedule with the new
 * failure): reproduced when the trace recorded that runaway, the same task after the same step.
 */
function runawayReplay(trace: Trace, now: Failure, replayed: Trace | null): ReplayReport {
  const recorded = trace.failure;
  const same = recorded !== null && trace.runaway !== undefined && recorded.step === now.step && recorded.task === now.task;
  const shown = replayed ?? { ...trace, failure: { ...now, tasks: [...now.tasks] } as Trace['failure'] };
  const result = { failure: now, divergence: null, decisions: shown.decisions, steps: shown.counts.steps, preemptions: shown.counts.preemptions, tasks: shown.tasks, time: 0, events: shown.events, warnings: [] };
  // Past the recorded decisions the replay went on first-enabled (as replayTrace does).
  const continuedFrom = shown.decisions.length > trace.decisions.length ? trace.counts.steps : null;
  const onward = continuedFrom === null ? '' : `; past the trace's ${trace.decisions.length} decisions the run went on first-enabled from step ${continuedFrom}`;
  const message = same
    ? `reproduced: ${recorded.message}`
    : recorded === null
      ? `fails now: ${now.message}; the trace recorded a pass${onward}`
      : `${recorded.kind === now.kind ? 'still failing, elsewhere' : 'different failure'}: ${now.message}; the trace recorded ${recorded.message}${onward}`;
  return { outcome: same ? 'reproduced' : 'different-failure', message, result, trace: shown, ...(continuedFrom !== null ? { continuedFrom } : {}) };
}

/**
 * `explore`, or with `seconds` set, `exploreWithWatchdog` with the same options (functions stay
 * in this thread: progress is relayed, Ctrl-C is passed through the shared buffer), in `thread`
 * when the caller keeps one for several explorations.
 */
export function exploreWatched(
  seconds: number | undefined,
  loaded: { readonly file: string; readonly scenario: ScenarioDefinition<object> },
  options: ExploreOptions<object>,
  thread?: WatchdogThread,
): Promise<ExploreResult> {
  if (seconds === undefined) return explore(loaded.scenario, options);
  const { onProgress, shouldStop, monitor: _monitor, strategy, ...rest } = options;
  if (typeof strategy === 'object') throw new UsageError('the watchdog needs a strategy name, not a Strategy object');
  const portable = { ...rest, ...(strategy !== undefined ? { strategy } : {}) };
  const wd = { seconds, ...(shouldStop !== undefined ? { shouldStop } : {}), ...(onProgress !== undefined ? { onProgress } : {}) };
  return thread !== undefined ? thread.explore(loaded.file, loaded.scenario, portable, wd) : exploreWithWatchdog(loaded.file, loaded.scenario, portable, wd);
}
