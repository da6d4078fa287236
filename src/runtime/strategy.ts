import type { Operation } from './operation.js';
import type { TaskView } from './operation.js';

/** What a strategy sees at a scheduling point. Read-only; valid only during the call. */
export interface SchedulingView {
  /** Number of scheduling decisions taken so far in this execution. */
  readonly step: number;
  /** The task that just reached the scheduling point (null at start or after a task ended). */
  readonly current: TaskView | null;
  /** Tasks that can run now, in task-id order. Never empty. */
  readonly enabled: readonly TaskView[];
  /** Virtual time in ms. */
  readonly now: number;
  /**
   * The scenario has run real code so far (`t.track`, `t.io`): a step may touch shared state
   * that no footprint shows (docs/real-code.md). Read by pos.ts.
   */
  readonly realCodeSeen: boolean;
}

/**
 * Picks who runs next; nothing else. Every source of nondeterminism in an execution goes
 * through one of the two choose methods, so recording their answers is enough to replay.
 *
 * Called by Execution: `beginExecution` once before each execution, then `chooseTask` at every
 * scheduling point (also when only one task is enabled, so a replay stays aligned) and
 * `chooseValue` at every `t.choose`. Optional `observe` sees each operation after it ran
 * (used by partial-order reduction); it must not influence the execution.
 */
export interface Strategy {
  readonly name: string;
  /** `index` counts executions from 0 in this exploration (random strategies derive their seed from it). */
  beginExecution(index: number): void;
  /** Returns an index into `view.enabled`. */
  chooseTask(view: SchedulingView): number;
  /** Returns a value in [0, n). */
  /** `label` is the scenario's name for the choice (`t.choose(n, label)`), for display only. */
  chooseValue(n: number, view: SchedulingView, label?: string): number;
  /** `threw`: the operation raised an error (e.g. KeyError) into the task. */
  observe?(task: TaskView, op: Operation, step: number, threw?: boolean): void;
  /**
   * A read or write of a tracked object (`t.track`) by the code of `task`, which runs as part
   * of step `step` (the step that resumed it); `op` describes the access (never run, never a
   * scheduling point). Called after `observe` of that step, in program order. Must not
   * influence the execution. Used by partial-order reduction and by the race namer.
   */
  observeAccess?(task: TaskView, op: Operation, step: number): void;
}

/**
 * Thrown by a replaying strategy when the recorded decision is impossible. The execution turns
 * it into a `diverged` result, never into a different run.
 */
export class Divergence extends Error {
  constructor(
    readonly step: number,
    readonly expected: string,
    readonly actual: readonly string[],
    detail: string,
  ) {
    super(`diverged at step ${step}: ${detail}`);
    this.name = 'Divergence';
  }
}
