import { UsageError } from './errors.js';
import { callerLocation, errorInfo, shownLocation } from './location.js';

/** A scenario's misuse of the API, its message headed by where it happened: `<file>:<line>: <what is wrong>`. */
export class ScenarioUsageError extends UsageError {}

/**
 * `error` as the CLI should report it: a UsageError raised by an execution of the scenario in
 * `file` (a bad argument such as `sleep(-70)`, an operation left pending) becomes a
 * ScenarioUsageError naming the scenario line its stack shows, else the file; anything else is
 * returned as is. So a misuse is `interleave: scenarios/x.ts:12: sleep: ms must be ...` (exit
 * 2), never a message that names no file. Called by the drivers that run executions
 * (src/run.ts) on the error an execution ends with; the message crosses worker threads as is.
 */
export function usageAtSite(error: unknown, file: string | undefined): unknown {
  if (!(error instanceof UsageError) || error instanceof ScenarioUsageError) return error;
  const at = errorInfo(error).location ?? file;
  if (at === undefined) return error;
  const located = new ScenarioUsageError(`${shownLocation(at)}: ${error.message}`);
  located.stack = error.stack;
  // The schedule that misused the API (explore replays it to locate a second operation in flight).
  if (error.schedule !== undefined) located.schedule = error.schedule;
  return located;
}

/**
 * A usage error about the scenario line calling into interleave right now: a ScenarioUsageError
 * headed by that line when the stack shows one (so `usageAtSite` leaves it as it is), else a
 * UsageError that `usageAtSite` heads with the file. For misuse found where no execution's end
 * will carry it (an operation after the end, thrown to a timer's caller).
 */
export function usageErrorHere(message: string): UsageError {
  const at = callerLocation();
  return at === '' ? new UsageError(message) : new ScenarioUsageError(`${at}${message}`);
}
