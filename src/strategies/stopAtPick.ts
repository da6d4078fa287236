import type { Operation } from '../runtime/operation.js';
import type { TaskView } from '../runtime/operation.js';
import { Divergence, type SchedulingView, type Strategy } from '../runtime/strategy.js';

/**
 * Used to rebuild a run whose task spun (src/heartbeat/runawayTrace.ts, src/shrink/spunAttempt.ts):
 * the pick at `step` is where the task that never came back was chosen.
 */
/** Follows the replay up to the pick at `step`, notes which task and operation it picks there, and stops the run before that operation runs. */
export class StopAtPick implements Strategy {
  readonly name = 'replay';
  picked: { readonly task: TaskView; readonly op: Operation } | null = null;

  constructor(
    private readonly inner: Strategy,
    private readonly step: number,
  ) {}

  beginExecution(index: number): void {
    this.inner.beginExecution(index);
  }

  chooseTask(view: SchedulingView): number {
    const i = this.inner.chooseTask(view);
    if (view.step !== this.step) return i;
    const task = view.enabled[i]!;
    if (task.pending !== null) this.picked = { task, op: task.pending };
    throw new Divergence(view.step, '(runaway pick)', [], 'stopped before the runaway pick runs');
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    return this.inner.chooseValue(n, view, label);
  }
}
