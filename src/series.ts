import type { ExecutionResult } from './runtime/execution.js';
import { keepFirstWarnings, type Warning } from './runtime/failure.js';
import { holdTimerGlobals } from './primitives/timerGlobals.js';
import { startExecution, type NondeterminismGuard, type Target } from './run.js';
import type { Strategy } from './runtime/strategy.js';

/** What a series of consecutive executions produced. */
export interface SeriesResult {
  /** Executions run: `count`, or up to and including the first failing one. */
  readonly executions: number;
  readonly steps: number;
  /** The first failing execution, or null. */
  readonly failed: { readonly index: number; readonly result: ExecutionResult } | null;
}

/**
 * Runs executions `start`, `start + 1`, ... of `target` under `strategy` until `count` have run
 * or one fails, adding their warnings to `warnings` (the first of each message is kept). Each
 * execution starts on the stack where the one before ended, not after an await: a short
 * execution takes a few microseconds, and resuming an async loop after each was a measurable
 * share of it. Settles once, at the end of the series. Used by explore and by parallel blocks.
 */
export function runSeries(target: Target<object>, strategy: Strategy, start: number, count: number, guard: NondeterminismGuard, warnings: Map<string, Warning>): Promise<SeriesResult> {
  return new Promise<SeriesResult>((resolveSeries, rejectSeries) => {
    let executions = 0;
    let steps = 0;
    // Once an execution ran real code, the timer globals stay installed until the series ends.
    let release: (() => void) | null = null;
    const resolve = (r: SeriesResult): void => {
      release?.();
      resolveSeries(r);
    };
    const reject = (error: unknown): void => {
      release?.();
      rejectSeries(error);
    };
    const next = (): void => {
      try {
        // The first execution of every series checks that each task awaits its operations one
        // at a time: a schedule that never switches at a task's first operation (PCT's, a
        // first-enabled one) would otherwise never see `Promise.all` over one task's operations.
        startExecution(target, strategy, start + executions, guard, onEnd, reject, executions === 0);
      } catch (error) {
        reject(error);
      }
    };
    const onEnd = (result: ExecutionResult): void => {
      executions++;
      steps += result.steps;
      if (release === null && result.realCode === true) release = holdTimerGlobals();
      keepFirstWarnings(warnings, result.warnings);
      if (result.failure !== null) resolve({ executions, steps, failed: { index: start + executions - 1, result } });
      else if (executions === count) resolve({ executions, steps, failed: null });
      else next();
    };
    if (count <= 0) resolve({ executions: 0, steps: 0, failed: null });
    else next();
  });
}
