/**
 * SIGINT and SIGTERM for the main-thread guard (mainThreadGuard.ts). A JS listener of the main
 * thread runs only when its event loop turns, so a signal sent while a task spins, or in the
 * second before the guard saw the thread stuck, would wait there for ever (a command that listens
 * for it, as `run` does for its graceful Ctrl-C, also holds off Node's default action). So the
 * guard's worker hears those signals too: libuv hands a signal to every thread's handle for it.
 * Node has no public API for signals in a worker: the worker uses the signal handle Node's own
 * `process.on` uses (process.binding, without its deprecation warning, in that thread only);
 * where that is missing, signals stay the main thread's alone, as before.
 *
 * Which signals the main thread handled is counted there, by a listener of the guard's
 * (`countSignals`), so the worker never has to guess from timing: a signal the worker heard and
 * the main thread's count does not show is one the main thread could not handle
 * (`SignalEars.unhandled`). While the worker's handle exists the kernel never applies Node's
 * default action, so when the guard's listener is the only one the main thread has (a command
 * that does not listen, `interleave list`), it asks the worker to end the process by that
 * action (`raise`), and a signal is never swallowed.
 */
import { constants } from 'node:os';
import { CELL, GUARDED_SIGNALS, type GuardedSignal } from './mainThreadGuardCells.js';

/** What the worker says in CELL.LISTENING. */
const LISTENING = 1;
const DEAF = -1;

/** The main thread's side: counts the signals it handled, from now until `dispose`. */
export interface SignalCount {
  /** The worker will never listen (it could not start): signals are the main thread's alone again. */
  deaf(): void;
  dispose(): void;
}

export function countSignals(cells: Int32Array): SignalCount {
  const listener = (signal: GuardedSignal): void => {
    Atomics.add(cells, CELL.HANDLED + GUARDED_SIGNALS.indexOf(signal), 1);
    if (process.listenerCount(signal) > 1) return;
    // Nobody else listens: Node's default action is due, which only the worker can let happen.
    remove();
    Atomics.store(cells, CELL.RAISE, constants.signals[signal]);
    if (Atomics.load(cells, CELL.LISTENING) === DEAF) process.kill(process.pid, signal);
  };
  const remove = (): void => {
    for (const s of GUARDED_SIGNALS) process.off(s, listener);
  };
  for (const s of GUARDED_SIGNALS) process.on(s, listener);
  return {
    deaf() {
      Atomics.store(cells, CELL.LISTENING, DEAF);
      remove();
      const raised = Atomics.load(cells, CELL.RAISE);
      if (raised !== 0) process.kill(process.pid, raised);
    },
    dispose: remove,
  };
}

interface SignalHandle {
  onsignal: (signum: number) => void;
  start(signum: number): number;
  close(): void;
  unref(): void;
}

/** The worker's side: hears the signals, tells which one the main thread has not handled, and can end the process by one. */
export class SignalEars {
  private handles: SignalHandle[] = [];
  /** Per signal: how many this thread heard, the main thread's count when it started listening, the tick of the last one. */
  private readonly heard = GUARDED_SIGNALS.map(() => 0);
  private readonly base = GUARDED_SIGNALS.map(() => 0);
  private readonly at = GUARDED_SIGNALS.map(() => 0);

  constructor(private readonly cells: Int32Array) {}

  listen(): void {
    const hidden = process.noDeprecation;
    try {
      process.noDeprecation = true;
      const { Signal } = (process as unknown as { binding(module: string): { Signal: new () => SignalHandle } }).binding('signal_wrap');
      for (const [i, signal] of GUARDED_SIGNALS.entries()) {
        this.base[i] = Atomics.load(this.cells, CELL.HANDLED + i);
        const handle = new Signal();
        handle.onsignal = () => {
          this.heard[i]!++;
          this.at[i] = Atomics.load(this.cells, CELL.TICK);
        };
        if (handle.start(constants.signals[signal]) !== 0) throw new Error(`cannot listen for ${signal}`);
        handle.unref();
        this.handles.push(handle);
      }
      Atomics.store(this.cells, CELL.LISTENING, LISTENING);
    } catch {
      this.close();
      Atomics.store(this.cells, CELL.LISTENING, DEAF);
    } finally {
      process.noDeprecation = hidden;
    }
    this.raiseIfAsked();
  }

  /** A signal this thread heard that the main thread has not handled, and the tick when it came; null: none. */
  unhandled(): { readonly signal: GuardedSignal; readonly tick: number } | null {
    for (const [i, signal] of GUARDED_SIGNALS.entries()) {
      if (this.heard[i]! > Atomics.load(this.cells, CELL.HANDLED + i) - this.base[i]!) return { signal, tick: this.at[i]! };
    }
    return null;
  }

  /** The main thread's loop turned after `signal` came, without it: sent again, for its listeners now back. */
  resend(signal: GuardedSignal): void {
    this.heard[GUARDED_SIGNALS.indexOf(signal)]!--;
    process.kill(process.pid, signal);
  }

  /** Ends the process by `signal`'s default action (the main thread has no listener for it, or took them off). */
  raise(signal: GuardedSignal | number): void {
    this.close();
    process.kill(process.pid, signal);
  }

  /** The main thread asked for a default action (see countSignals). */
  raiseIfAsked(): void {
    const signum = Atomics.load(this.cells, CELL.RAISE);
    if (signum !== 0) this.raise(signum);
  }

  private close(): void {
    for (const h of this.handles) h.close();
    this.handles = [];
  }
}
