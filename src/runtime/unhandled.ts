import type { ExecutionResult } from './execution.js';
import type { Failure } from './failure.js';
import { errorInfo } from './location.js';

/**
 * Promises a scenario rejected and never handled (`void Promise.reject(err)` in a task), as Node
 * reports them: through `process`'s `unhandledRejection` event, emitted only once the microtask
 * queue has drained, so after the execution that made them has ended (executions run within
 * microtasks). While a watch is started, Node's default (print the stack, exit 1) does not
 * happen: the rejection is kept here for the driver to report.
 *
 * Who uses it: `runExecution` (src/run.ts) around every single execution, which waits for the
 * queue to drain once after the execution (one macrotask) and turns a rejection into the
 * execution's failure; `explore` around its series and `runBlock` around a block of a split
 * run, checked at their pauses (src/verdict/rejectionPauses.ts), which then find the execution by
 * running again from the block's start, one execution at a time; and the CLI
 * (src/cli/main.ts) for the whole command, which reports whatever no driver claimed.
 * A rejection is claimed by marking its promise, so every watch sees it once and the CLI knows.
 */
export class UnhandledRejections {
  private readonly found: { reason: unknown; promise: Promise<unknown> }[] = [];
  private readonly listener = (reason: unknown, promise: Promise<unknown>): void => {
    this.found.push({ reason, promise });
  };

  start(): this {
    process.on('unhandledRejection', this.listener);
    return this;
  }

  stop(): void {
    process.off('unhandledRejection', this.listener);
  }

  /** Whether a rejection no watch claimed came since the last `take`. */
  get pending(): boolean {
    return this.found.some(({ promise }) => !isClaimed(promise));
  }

  /** The rejections since the last call that no watch claimed, oldest first; claimed now, so no other watch reports them again. */
  take(): unknown[] {
    const all = this.found.splice(0).filter(({ promise }) => !isClaimed(promise));
    for (const { promise } of all) claim(promise);
    return all.map((f) => f.reason);
  }
}

const CLAIMED = Symbol('interleave.claimed');

function claim(promise: Promise<unknown>): void {
  try {
    Object.defineProperty(promise, CLAIMED, { value: true });
  } catch {
    // A frozen promise cannot be marked: the CLI reports it once more, which is safe.
  }
}

function isClaimed(promise: Promise<unknown>): boolean {
  return (promise as unknown as Record<symbol, unknown>)[CLAIMED] === true;
}

/**
 * The failure of an execution that ended cleanly but left `reason` rejected and unhandled: an
 * `exception` found at its end (when exactly the promise was rejected is not known), naming
 * the error, with where it was created when it is an Error.
 */
export function rejectionFailure(result: ExecutionResult, reason: unknown): Failure {
  const info = errorInfo(reason);
  return {
    kind: 'exception',
    message: `exception: unhandled rejection: ${info.name}: ${info.message} (a promise rejected in the scenario and never handled; found when the execution ended at step ${result.steps})`,
    step: result.steps,
    tasks: [],
    error: info,
  };
}

/** `result`, failed by the first of `reasons` if it ended cleanly; as it was otherwise. */
export function withRejection(result: ExecutionResult, reasons: readonly unknown[]): ExecutionResult {
  if (reasons.length === 0 || result.failure !== null || result.divergence !== null) return result;
  return { ...result, failure: rejectionFailure(result, reasons[0]) };
}
