/**
 * What the main-thread guard (mainThreadGuard.ts) and its worker (mainThreadGuardWorker.ts) share
 * without either event loop: cells of one Int32Array over a SharedArrayBuffer, and the signals
 * the guard answers for.
 */
export const GUARDED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type GuardedSignal = (typeof GUARDED_SIGNALS)[number];

export const CELL = {
  /** Bumped by the main thread's event loop every 100 ms. */
  TICK: 0,
  /** Set by the worker once it answered a spinning run's trace request. */
  ANSWERED: 1,
  /** A signal number the main thread asks the worker to end the process by (src/cli/guardSignals.ts); 0: none. */
  RAISE: 2,
  /** The worker hears signals: 1; it cannot: -1; not yet: 0. */
  LISTENING: 3,
  /** The worker's inspector session is connected to the main thread: 1; else 0. */
  CONNECTED: 4,
  /** From here, one per GUARDED_SIGNALS entry: how many of that signal the main thread handled. */
  HANDLED: 5,
} as const;

export const CELLS = CELL.HANDLED + GUARDED_SIGNALS.length;
