import { clearInterval, setInterval } from 'node:timers';
import type { Worker } from 'node:worker_threads';
import { workerOn } from '../parallel/startWorker.js';
import { explore, type ExploreOptions, type ExploreResult, type Progress } from '../explore.js';
import { ScenarioLoadError } from '../loader.js';
import { InternalError, UsageError } from '../runtime/errors.js';
import type { Failure } from '../runtime/failure.js';
import type { ScenarioDefinition } from '../scenario.js';
import type { ShrinkOptions, ShrinkResult } from '../shrink/shrinkTrace.js';
import type { ProbeResult, SpunProbe } from '../snapshot.js';
import { makeTarget, type Target, type TargetOptions } from '../run.js';
import type { ReplayReport } from '../replay.js';
import { runawayTrace } from '../heartbeat/runawayTrace.js';
import { FrozenThread, Runaways, runawayFailure, runawayResult } from '../parallel/runaway.js';
import type { Trace } from '../trace/schema.js';
import { CELL, CELLS, heartbeatBuffer, readPulse, type Pulse } from '../heartbeat/heartbeat.js';

/**
 * The watchdog: a task that loops forever without reaching a scheduling point (a synchronous
 * `while (true) {}`) cannot be interrupted in its own thread, so the exploration runs in a
 * worker thread while this (main) thread watches the heartbeat it publishes into a
 * SharedArrayBuffer (src/heartbeat/heartbeat.ts). When the beat counter has not moved while
 * the worker ran `seconds` of CPU time (src/runtime/ownTime.ts: load neither makes a slow step a
 * runaway nor lends CPU time to a thread asleep; one blocked without running is judged by its
 * own time against the load limit), the worker is terminated and the run is
 * reported as a `livelock` naming the runaway task, its step and its execution. The main thread
 * also stays free for Ctrl-C.
 *
 * Called by `interleave run --watchdog <seconds>` instead of `explore` (through `exploreWatched`,
 * one `WatchdogThread` for all the variants). Shrinking and saving happen afterwards in the main
 * thread, as without the watchdog. Pools of watched threads (`ci --watchdog`, split runs) use the
 * same heartbeat through src/parallel/watchedWorker.ts.
 */

export type WorkerMessage =
  | { readonly type: 'name'; readonly index: number; readonly name: string }
  | { readonly type: 'loaded' }
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'done'; readonly result: ExploreResult | ShrinkResult | ProbeResult | ReplayReport }
  | { readonly type: 'error'; readonly name: string; readonly message: string; readonly stack: string; readonly file?: string };

/** What the watched thread is asked to do (src/robust/watchdogWorker.ts). */
export type WatchedRequest =
  | { readonly kind: 'explore'; readonly file: string; readonly options: PortableExploreOptions }
  | { readonly kind: 'shrink'; readonly file: string; readonly trace: Trace; readonly options: PortableShrinkOptions }
  | { readonly kind: 'replay'; readonly file: string; readonly trace: Trace }
  | { readonly kind: 'probe'; readonly file: string; readonly target: PortableTarget; readonly decisions: readonly number[]; readonly finishSeed: number | null };

/** A target as it crosses to the worker: what `makeTarget` needs to rebuild it there. */
export type PortableTarget = Omit<TargetOptions<object>, 'monitor' | 'file'>;

/** What can cross to the worker of ShrinkOptions: all but the monitor, which the thread sets. */
export type PortableShrinkOptions = Omit<ShrinkOptions, 'monitor'>;

/** A shrink in the watched thread: its result, or the attempt that spun (then the thread was ended), or Ctrl-C. */
export type WatchedShrink = ShrinkResult | { readonly spun: Pulse; readonly task: string } | { readonly interrupted: true };

/** How a watched request ends when its thread is not the one answering: the watching side's own verdicts. */
interface Verdicts<T> {
  /** No decision for the watchdog's `seconds`: the frozen heartbeat, and how long the request ran. */
  readonly runaway: (pulse: Pulse, elapsedMs: number) => T | Promise<T>;
  /** Ctrl-C while the thread made no decision. */
  readonly interrupted: (pulse: Pulse, elapsedMs: number) => T | Promise<T>;
}

export interface WatchdogOptions {
  /** Seconds without a scheduling decision after which the running task is declared runaway. */
  readonly seconds: number;
  /** Seconds allowed to load the scenario module in the worker (default max(30, 5 × seconds)). */
  readonly loadSeconds?: number;
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (p: Progress) => void;
}

/** What can cross to the worker: everything in ExploreOptions but functions and Strategy objects. */
export type PortableExploreOptions = Omit<ExploreOptions<object>, 'onProgress' | 'shouldStop' | 'monitor' | 'strategy'> & { readonly strategy?: string };

const POLL_MS = 50;

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
 * A watched worker thread kept across explorations, one at a time (`run --all --watchdog`:
 * each variant's exploration in turn), so a run starts one thread, and loads each module in it
 * once, instead of one per variant; a thread whose task spun is ended, and the next
 * exploration starts a new one.
 */
export class WatchdogThread {
  private worker: Worker | null = null;
  private buffer = heartbeatBuffer();
  private cells = new Int32Array(this.buffer, 0, CELLS);
  /** The names the thread announced, by index (the heartbeat announces each once per thread). */
  private names: string[] = [];
  /** The exploration under way: how the thread's messages, errors and exit reach it. */
  private current: ((event: { message?: WorkerMessage; failed?: Error }) => void) | null = null;

  explore(file: string, scenario: ScenarioDefinition<object>, options: PortableExploreOptions, wd: WatchdogOptions): Promise<ExploreResult> {
    return this.request<ExploreResult>({ kind: 'explore', file, options }, wd, {
      runaway: (pulse, ms) => {
        const runaways = new Runaways<0>(wd.seconds);
        const r = runawayResult(scenario, options, runaways.caught(0, pulse, this.names), ms, pulse);
        return runaways.traced(0, r, () => makeTarget(scenario, { ...options, file }), () => ({ ...r.strategy, execution: pulse.execution }));
      },
      interrupted: (pulse, ms) => ({ ...interruptedResult(scenario, options, ms, pulse), spinning: `task "${this.names[pulse.task] ?? 'main'}" was running without reaching a scheduling point after step ${pulse.step} of execution ${pulse.execution}` }),
    });
  }

  /**
   * One shrink of `trace` in the thread; a runaway attempt ends it with `{ spun }` (the frozen
   * heartbeat: its `execution` is the attempt's number) and the thread (src/robust/watchedShrink.ts
   * starts the shrink again, that attempt cut short).
   */
  shrink(file: string, trace: Trace, options: PortableShrinkOptions, wd: WatchdogOptions): Promise<WatchedShrink> {
    return this.request<WatchedShrink>({ kind: 'shrink', file, trace, options }, wd, {
      runaway: (pulse) => ({ spun: pulse, task: this.names[pulse.task] ?? 'main' }),
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
    const spun = (pulse: Pulse, interrupted: boolean): SpunProbe => ({ spun: { task: this.names[pulse.task] ?? 'main', step: Math.max(0, pulse.step), seconds: wd.seconds, ...(interrupted ? { interrupted } : {}) } });
    // A runaway comes with its trace, for the session to save (`save-runaway`).
    const runaway = async (pulse: Pulse): Promise<SpunProbe> => {
      const failure = runawayFailure(wd.seconds, pulse, this.names, 'the session');
      const trace = await runawayTrace({ ...target, file }, { name: 'explore' }, pulse, failure, wd.seconds);
      return { spun: { ...spun(pulse, false).spun, trace } };
    };
    return this.request<ProbeResult | SpunProbe>({ kind: 'probe', file, target: portable, decisions, finishSeed }, wd, { runaway, interrupted: (p) => spun(p, true) });
  }

  /**
   * Replays a saved runaway's trace in the thread: the runaway again (the same task, after the
   * same step) is `reproduced`; the thread answers any other end, as `replayTrace` does here.
   */
  replay(file: string, scenario: ScenarioDefinition<object>, trace: Trace, wd: WatchdogOptions): Promise<ReplayReport> {
    const spun = async (pulse: Pulse): Promise<ReplayReport> => {
      const now = runawayFailure(wd.seconds, pulse, this.names, 'the replay');
      const target = makeTarget(scenario, { variant: trace.variant, params: trace.params, file, ...trace.options });
      return runawayReplay(trace, now, await runawayTrace(target, trace.strategy, pulse, now, wd.seconds));
    };
    return this.request<ReplayReport>({ kind: 'replay', file, trace }, wd, { runaway: spun, interrupted: spun });
  }

  /** Sends `request` and watches the heartbeat until the thread answers or one of `verdicts` applies. */
  private request<T>(request: WatchedRequest, wd: WatchdogOptions, verdicts: Verdicts<T>): Promise<T> {
    const worker = this.thread();
    const { cells, buffer } = this;
    const { file } = request;
    Atomics.store(cells, CELL.STOP, 0);
    const started = Date.now();
    let loaded = false;
    // The restart decision (src/parallel/runaway.ts), in the thread's own time since its last
    // decision (or since the request, while it loads).
    const frozen = new FrozenThread(wd.seconds, wd.loadSeconds, () => Atomics.load(cells, CELL.THREAD), Atomics.load(cells, CELL.BEATS));
    return new Promise<T>((resolve, reject) => {
      const finish = (f: () => void, endThread = false): void => {
        if (this.current !== listen) return;
        this.current = null;
        clearInterval(timer);
        // A thread whose task spins, or that failed, is not kept.
        if (endThread) void this.close();
        f();
      };
      const timer = setInterval(() => {
        const stopping = wd.shouldStop?.() === true;
        if (stopping) Atomics.store(cells, CELL.STOP, 1);
        const now = Date.now();
        // Ctrl-C while a task spins ('hurry'): the run stops within a second, with the executions
        // that ended, rather than after the watchdog's verdict. (At the time limit the verdict is
        // awaited: a task frozen when the budget ends is what the watchdog is there to judge.)
        const verdict = frozen.judge(loaded ? Atomics.load(cells, CELL.BEATS) : null, { busy: true, executing: true, hurry: stopping });
        if (verdict === 'load') finish(() => reject(new ScenarioLoadError(file, `loading the module took more than ${frozen.loadLimitMs / 1000} s (a loop at the top level?)`)), true);
        else if (verdict === 'hurry') finish(() => resolve(verdicts.interrupted(readPulse(buffer), now - started)), true);
        else if (verdict === 'runaway') finish(() => resolve(verdicts.runaway(readPulse(buffer), now - started)), true);
      }, POLL_MS);
      const listen = ({ message: m, failed }: { message?: WorkerMessage; failed?: Error }): void => {
        if (failed !== undefined) return finish(() => reject(failed), true);
        switch (m!.type) {
          case 'loaded':
            loaded = true;
            frozen.mark();
            return;
          case 'progress':
            wd.onProgress?.(m!.progress);
            return;
          case 'done':
            return finish(() => resolve(m!.result as T));
          case 'error':
            return finish(() => reject(revive(m!)));
        }
      };
      this.current = listen;
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  /** The kept thread, or a new one (with a fresh buffer and names). */
  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    this.buffer = heartbeatBuffer();
    this.cells = new Int32Array(this.buffer, 0, CELLS);
    this.names = [];
    const worker = workerOn(new URL('./watchdogWorker.js', import.meta.url), { workerData: { buffer: this.buffer } });
    const names = this.names;
    const mine = (): boolean => this.worker === worker;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'name') names[m.index] = m.name;
      else if (mine()) this.current?.({ message: m });
    });
    worker.on('error', (e) => mine() && this.current?.({ failed: new InternalError(`the exploration worker failed: ${e.message}`) }));
    worker.on('exit', (code) => mine() && this.current?.({ failed: new InternalError(`the exploration worker exited with code ${code} before reporting`) }));
    this.worker = worker;
    return worker;
  }
}

/** An exploration interrupted while a task spun: the executions that ended before it, and their steps. */
function interruptedResult(scenario: ScenarioDefinition<object>, options: PortableExploreOptions, elapsedMs: number, pulse: Pulse): ExploreResult {
  const runaway = runawayResult(scenario, options, null, elapsedMs, pulse);
  return { ...runaway, executions: Math.max(0, runaway.executions - 1), steps: pulse.steps - (pulse.step + 1), stoppedBy: 'interrupted' };
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

/** Rebuilds the worker's error with its class, so the CLI maps it to the same exit code. */
function revive(m: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (m.name === 'ScenarioLoadError' && m.file !== undefined) return new ScenarioLoadError(m.file, m.message.slice(m.file.length + 2));
  if (m.name === 'UsageError') return new UsageError(m.message);
  if (m.name === 'InternalError') return Object.assign(new InternalError(''), { message: m.message, stack: m.stack });
  const e = new Error(m.message);
  e.name = m.name;
  e.stack = m.stack;
  return e;
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
