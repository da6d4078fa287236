import type { Operation } from '../runtime/operation.js';
import type { TaskView } from '../runtime/task.js';
import type { SchedulingView, Strategy } from '../strategies/strategy.js';

/**
 * The exploring thread's side of the watchdog (src/robust/watchdog.ts). A strategy wrapper
 * publishes, at every scheduling point, the execution index, the step and the task about to
 * run into a SharedArrayBuffer, and bumps a beat counter. A task that never reaches its next
 * scheduling point (a synchronous `while (true) {}`) freezes the counter with its own name in
 * the buffer, which the watching thread can still read. Task names are sent once each, as
 * messages, the first time they are seen.
 *
 * Cost: one wrapper call, one Map lookup and three Int32Array stores per step (see
 * docs/robustness.md for the measurement). Opt-in: only `--watchdog` runs it.
 */

/** Cell indexes in the shared Int32Array. */
export const CELL = {
  /** Incremented at every decision (task or value). */
  BEATS: 0,
  EXECUTION: 1,
  STEP: 2,
  /** Index of the running task's name (in the order names were announced). */
  TASK: 3,
  /** Set to 1 by the watching thread: stop between executions (Ctrl-C). */
  STOP: 4,
} as const;

export const CELLS = 5;

export class Heartbeat {
  private readonly names = new Map<string, number>();
  private lastInner: Strategy | null = null;
  private lastWrapper: Strategy | null = null;

  constructor(
    readonly cells: Int32Array,
    private readonly announce: (index: number, name: string) => void,
  ) {}

  /** Wraps `inner` (the same wrapper for the same strategy, so a long exploration allocates once). */
  wrap(inner: Strategy): Strategy {
    if (inner !== this.lastInner) {
      this.lastInner = inner;
      this.lastWrapper = new HeartbeatStrategy(inner, this);
    }
    return this.lastWrapper!;
  }

  nameIndex(name: string): number {
    let i = this.names.get(name);
    if (i === undefined) {
      i = this.names.size;
      this.names.set(name, i);
      this.announce(i, name);
    }
    return i;
  }
}

class HeartbeatStrategy implements Strategy {
  readonly name: string;
  readonly observe?: (task: TaskView, op: Operation, step: number) => void;

  constructor(
    private readonly inner: Strategy,
    private readonly hb: Heartbeat,
  ) {
    this.name = inner.name;
    // Only when the inner strategy observes: the execution skips the call otherwise.
    if (inner.observe !== undefined) this.observe = inner.observe.bind(inner);
  }

  beginExecution(index: number): void {
    this.hb.cells[CELL.EXECUTION] = index;
    this.inner.beginExecution(index);
  }

  chooseTask(view: SchedulingView): number {
    const i = this.inner.chooseTask(view);
    const task = view.enabled[i];
    const cells = this.hb.cells;
    if (task !== undefined) cells[CELL.TASK] = this.hb.nameIndex(task.name);
    cells[CELL.STEP] = view.step;
    cells[CELL.BEATS] = (cells[CELL.BEATS]! + 1) | 0;
    return i;
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    const cells = this.hb.cells;
    cells[CELL.BEATS] = (cells[CELL.BEATS]! + 1) | 0;
    return this.inner.chooseValue(n, view, label);
  }
}
