import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import { clearInterval, setInterval } from 'node:timers';
import { promiseHooks } from 'node:v8';
import { MessageChannel, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { workerOn } from '../parallel/startWorker.js';
import { SPIN_REACTIONS, spinMark } from '../runtime/spinMark.js';
import { EXIT } from './exitCodes.js';
import { spinRequest, type SpinAnswer } from './spinTrace.js';
import { CELL, CELLS, GUARDED_SIGNALS } from './mainThreadGuardCells.js';
import { countSignals, type SignalCount } from './guardSignals.js';

/**
 * The binary's guard over its own main thread, where an unwatched run executes the scenario.
 * A task that never reaches a scheduling point keeps this thread from its event loop, so no
 * timer and no signal handler runs: Ctrl-C only set a flag nobody reads, and a second Ctrl-C or a
 * SIGTERM was swallowed as well (only `kill -9` ended it). A small worker thread
 * (mainThreadGuardWorker.ts) watches a tick this thread's event loop bumps every 100 ms. When it
 * has not moved for a second, the worker runs `stuck` below *in this thread*, through an
 * in-process inspector session (its messages are served by a V8 interrupt, even while JS spins):
 *
 * - the SIGINT and SIGTERM listeners are taken off: the worker hears those signals too, from the
 *   start, and knows which ones this thread handled (guardSignals.ts), so one sent in the second
 *   before it was stuck counts as well. One this thread could not handle while
 *   it is stuck has the worker call `interrupted` here: the command that listened for it
 *   (`interleave run`, through `spinMark.interrupted`) prints what an interrupt prints, the
 *   variants so far and the one stopped, and the process exits with its code; when no command
 *   said what to print, the signal's default action ends the process. The listeners are put back
 *   as soon as the event loop turns again;
 * - a promise hook starts counting the promises created since the last scheduling decision
 *   (`spinMark.running` and its `step`). A task spinning through promise reactions alone creates them without
 *   end; a synchronous spin creates none. Once SPIN_REACTIONS are counted, the run is over: the
 *   chain cannot be cut short from outside (see docs/robustness.md), so the guard prints the
 *   `livelock` naming the task and its step and ends the process with exit 1, rather than hang.
 *   When `interleave run` described the exploration's target (`spinMark.target`), the worker
 *   first saves the runaway's trace, rebuilt from the execution's decisions in its own thread
 *   (src/cli/spinTrace.ts), while this thread waits for it, blocked: the bug replays.
 *
 * Nothing runs per step (one store per execution: `spinMark.running`); the hook exists only while this
 * thread has not returned to its event loop for a second, the one wall-clock part, which only
 * decides when to start counting: the verdict is the count. Called by bin/interleave.js.
 */
export interface MainThreadGuard {
  dispose(): Promise<void>;
}

const TICK_MS = 100;
/**
 * The longest this thread waits, blocked, for the worker to save a spinning run's trace (it loads
 * the scenario module and replays the schedule): past it, the spin is reported without one.
 */
const TRACE_WAIT_MS = 60_000;
/** The hook's name in this thread's global object, where the inspector's evaluation finds it. */
const GLOBAL_NAME = '__interleaveMainThreadGuard';

/** What the worker calls in this thread, by name, through the inspector. */
export interface GuardCalls {
  /** The thread has not returned to its event loop for a while: disarm the signal listeners, start counting. */
  stuck(): void;
  /** Once the count says the running task spins through promise reactions: reports it and ends the process (else false). */
  spinning(): boolean;
  /** A signal came while the thread is stuck: the command's interrupted report and the end of the process (false: no command said what that is). */
  interrupted(signal: string): boolean;
}

export function guardMainThread(): MainThreadGuard {
  const buffer = new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT);
  const tick = new Int32Array(buffer);
  // Where a spinning run's trace is asked for and answered (see `traced`), read without the event loop.
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  let worker: Worker | null = null;
  /**
   * The trace of the spinning run, saved by the worker while this thread waits (its event loop
   * will never turn again): null when no `run` described its target, or none came in time.
   */
  const traced = (message: string, task: string): SpinAnswer | null => {
    const run = spinMark.running;
    const target = spinMark.target;
    if (run === null || target === null || worker === null) return null;
    port1.postMessage(spinRequest(run, target, task, message));
    Atomics.wait(tick, CELL.ANSWERED, 0, TRACE_WAIT_MS);
    return (receiveMessageOnPort(port1)?.message as SpinAnswer | null | undefined) ?? null;
  };
  let saved: Map<string, ((...args: unknown[]) => void)[]> | null = null;
  let stopHook: (() => void) | null = null;
  // The last decision seen: which execution, at which step (src/runtime/spinMark.ts).
  let seenRun = spinMark.running;
  let seenStep = seenRun?.step ?? 0;
  let count = 0;
  /** True when a scheduling decision was made since the last call (and remembers it). */
  const moved = (): boolean => {
    const run = spinMark.running;
    const step = run?.step ?? 0;
    if (run === seenRun && step === seenStep) return false;
    seenRun = run;
    seenStep = step;
    return true;
  };
  const free = (): void => {
    stopHook?.();
    stopHook = null;
    if (saved === null) return;
    for (const [signal, listeners] of saved) for (const l of listeners) process.on(signal, l);
    saved = null;
  };
  /**
   * At the process's exit (a timer the scenario left calls `process.exit` just as the thread comes
   * back from a long step, before the worker saw it and disconnected), Node would print "Waiting
   * for the debugger to disconnect..." for the worker's session: muted. Registered at the first
   * `stuck`, so after the command's own exit listeners, which write first.
   */
  let exitHeard = false;
  const atExit = (): void => {
    if (Atomics.load(tick, CELL.CONNECTED) === 1) muteStderr();
  };
  const calls: GuardCalls = {
    stuck() {
      if (!exitHeard) {
        exitHeard = true;
        process.once('exit', atExit);
      }
      if (saved !== null) return;
      saved = new Map(GUARDED_SIGNALS.map((s) => [s, process.listeners(s) as ((...args: unknown[]) => void)[]]));
      for (const s of GUARDED_SIGNALS) process.removeAllListeners(s);
      moved();
      count = 0;
      stopHook = (promiseHooks.onInit as unknown as (init: () => void) => () => void)(() => {
        if (moved()) count = 0;
        else count++;
      });
    },
    spinning() {
      if (count < SPIN_REACTIONS || moved()) return false;
      const exec = spinMark.running;
      const task = exec?.current?.name ?? 'main';
      const message = microtaskRunawayMessage(task, (exec?.step ?? 0) - 1);
      const answer = traced(message, task);
      const stop = 'interleave: the run cannot go on past a task that never returns to the event loop: it stops here';
      if (answer === null) process.stderr.write(`${message}\n${stop}, without a trace (run with --watchdog <seconds> to get one)\n`);
      else {
        process.stdout.write(answer.stdout);
        process.stderr.write(`${message}\n${answer.stderr}${stop}\n`);
      }
      exitQuietly(EXIT.FAILURE);
      return true;
    },
    interrupted(signal) {
      const report = spinMark.interrupted;
      if (report === null) return false;
      exitQuietly(report(signal));
      return true;
    },
  };
  (globalThis as Record<string, unknown>)[GLOBAL_NAME] = calls;
  const timer = setInterval(() => {
    Atomics.add(tick, CELL.TICK, 1);
    free();
  }, TICK_MS);
  timer.unref();
  let signals: SignalCount | null = null;
  try {
    worker = workerOn(new URL('./mainThreadGuardWorker.js', import.meta.url), { workerData: { buffer, name: GLOBAL_NAME, port: port2 }, transferList: [port2] });
    worker.unref();
    signals = countSignals(tick);
    // A guard that cannot start (no inspector in this Node build) leaves the run as it was.
    worker.on('error', () => signals?.deaf());
  } catch {
    worker = null;
  }
  return {
    async dispose() {
      process.off('exit', atExit);
      clearInterval(timer);
      free();
      signals?.dispose();
      delete (globalThis as Record<string, unknown>)[GLOBAL_NAME];
      port1.close();
      await worker?.terminate();
    },
  };
}

/**
 * Ends the process with `code` from inside the guard's inspector call, leaving stderr as
 * interleave wrote it. The worker's session is connected while this thread runs the call, and it
 * cannot be dropped before the call returns (this thread serves inspector messages one at a time,
 * and a spinning thread never runs JS again once it returns), so Node's exit would print
 * "Waiting for the debugger to disconnect..." on stderr (its at-exit hook, for a session that
 * keeps the process up). Everything interleave prints is written synchronously (stdout and stderr
 * are synchronous on files, pipes and terminals), so fd 2 is pointed at the null device first:
 * the closed descriptor is the lowest free one, which the open takes again. Not `process.exit`:
 * no 'exit' listener may run JS in a thread that is stuck.
 */
function exitQuietly(code: number): void {
  muteStderr();
  (process as unknown as { reallyExit(code: number): void }).reallyExit(code);
}

/** Points fd 2 at the null device (what was written before stays written). */
function muteStderr(): void {
  try {
    closeSync(2);
    openSync(devNull, 'w');
  } catch {
    // stderr stays as it was: at worst the line is printed.
  }
}

/** The verdict on a task that spun through promise reactions after `step`. */
export function microtaskRunawayMessage(task: string, step: number): string {
  return `livelock: task "${task}" kept running through promise reactions alone, more than ${SPIN_REACTIONS.toLocaleString('en-US')} without reaching a scheduling point (a loop such as \`while (...) await Promise.resolve()\`?) after step ${step}`;
}
