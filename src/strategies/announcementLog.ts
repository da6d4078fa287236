import { describeOp } from '../runtime/events.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/** An operation a task announced at a scheduling point (it runs when the task is next picked). */
export interface Announcement {
  /** The step of the scheduling point where it was announced. */
  readonly step: number;
  readonly task: string;
  /** As `describeOp` renders it: `set sessions["y"]`. */
  readonly op: string;
}

/**
 * Wraps a strategy and writes down, at every scheduling point, the operation the task that
 * reached it announced. It only observes: `inner` chooses. Used by `replayTrace` to name what a
 * changed task does now, including an operation that never ran because the run stopped first
 * (a trace's events list only the operations that ran).
 *
 * Guarantee: one entry per `chooseTask` whose `view.current` has a pending operation, in order.
 * Announcements made where no choice follows (everything blocked) are not here; the execution's
 * `blocked` events have them.
 */
export class AnnouncementLog implements Strategy {
  readonly name: string;
  readonly announced: Announcement[] = [];

  constructor(private readonly inner: Strategy) {
    this.name = inner.name;
  }

  beginExecution(index: number): void {
    this.announced.length = 0;
    this.inner.beginExecution(index);
  }

  chooseTask(view: SchedulingView): number {
    const t = view.current;
    if (t !== null && t.pending !== null) this.announced.push({ step: view.step, task: t.name, op: describeOp(t.pending) });
    return this.inner.chooseTask(view);
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    return this.inner.chooseValue(n, view, label);
  }
}
