/**
 * Errors a scenario can observe (they model the exceptions of the audited languages:
 * Python's KeyError, queue.Empty/Full, "dictionary changed size during iteration"),
 * and the two error classes that are never a scenario's bug: UsageError (the scenario
 * misuses the API) and InternalError (interleave itself broke an invariant).
 */

/** Base class of every error interleave raises inside a scenario. */
export class ScenarioRaisedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A missing key on a map created with `{ missing: 'throw' }` (Python's KeyError). */
export class KeyError extends ScenarioRaisedError {
  constructor(readonly mapName: string, readonly key: unknown) {
    super(`${formatKey(key)} not in ${mapName}`);
  }
}

/** A map was mutated while a task iterated it (Python: "dictionary changed size during iteration"). */
export class IteratorInvalidated extends ScenarioRaisedError {
  constructor(readonly mapName: string, detail: string) {
    super(`${mapName} changed during iteration (${detail})`);
  }
}

/** `getNowait` on an empty queue (Python's queue.Empty). */
export class QueueEmpty extends ScenarioRaisedError {
  constructor(readonly queueName: string) {
    super(`queue ${queueName} is empty`);
  }
}

/** `putNowait` on a full queue (Python's queue.Full). */
export class QueueFull extends ScenarioRaisedError {
  constructor(readonly queueName: string) {
    super(`queue ${queueName} is full`);
  }
}

/** An operation on a closed queue (put, or get once drained). */
export class QueueClosed extends ScenarioRaisedError {
  constructor(readonly queueName: string) {
    super(`queue ${queueName} is closed`);
  }
}

/** Releasing a lock the task does not hold (Python's RuntimeError: release unlocked lock). */
export class LockError extends ScenarioRaisedError {}

/** A blocking operation with `{ throwOnTimeout: true }`, or `future.result(timeout)`, timed out. */
export class TimeoutError extends ScenarioRaisedError {}

/** Submitting to a pool after shutdown, or reading a cancelled future. */
export class PoolError extends ScenarioRaisedError {}

/**
 * A task called `process.exit`, `process.abort` or `process.kill` on its own process
 * (src/runtime/processGuard.ts): a bug of the code under test, reported as an `exception` at
 * the line that called it, instead of ending interleave before any report.
 */
export class ProcessEnded extends ScenarioRaisedError {
  constructor(readonly call: string) {
    super(`${call} was called (it would have ended interleave with no report)`);
  }
}

/** `t.assert` failed: the failure kind is `assertion`, not `exception`. */
export class AssertionFailure extends ScenarioRaisedError {}

/**
 * The scenario used the API in a way interleave cannot schedule (two operations in flight
 * from one task, an operation outside any task, a bad argument). Reported as a scenario error
 * with exit code 2, never as a bug of the code under test.
 */
export class UsageError extends Error {
  /**
   * The decisions of the execution this misuse ended, when it was found without call sites
   * (exploring at full speed): replayed with them on, the misuse is named at its own line.
   */
  schedule?: readonly number[];

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An invariant of interleave itself failed: always a bug in interleave, never in the scenario. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`[interleave internal bug] ${message}`);
    this.name = 'InternalError';
  }
}

export function formatKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key);
}
