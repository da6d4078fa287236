import { Alea } from './alea.js';
import { highestPriority } from './highestPriority.js';
import { dependent, endAccess, footprintOf, type Access } from '../runtime/footprint.js';
import type { Operation, TaskView } from '../runtime/operation.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/** Tells POS's numbers apart from the other strategies' for the same seed. */
const POS_STREAM = 3;

/** A pending event: a task's announced operation, its priority and what it touches. */
interface Pending {
  readonly op: Operation;
  readonly priority: number;
  readonly fp: readonly Access[];
}

/**
 * Partial order sampling (Yuan, Yang, Gu, "Partial Order Aware Concurrency Sampling", CAV 2018).
 * Every pending event (a task's announced operation) gets a random priority when it is first
 * seen; at each scheduling point the enabled task whose event has the highest priority runs;
 * after it ran, every pending event that races with it (dependent footprints, src/runtime/footprint.ts:
 * same object, a write, overlapping keys; a task's end against joins of it) gets a fresh
 * priority. A random walk picks the order of two racing events by how many independent steps
 * come before them (a race after k steps of one task and none of the other goes the rare way
 * with probability 2^-(k+1)); POS's priorities ignore independent steps (1/(k+2) there), so
 * partial orders are sampled far more evenly (test/unit/strategies/pos.test.ts measures both).
 *
 * Real code: a step's code runs on after its operation and may touch state interleave does not
 * see, so once an execution has run real code (`view.realCodeSeen`: `t.track`, `t.io`) every
 * step is taken to race with every pending event, as the exhaustive search does without
 * reduction (docs/real-code.md): each choice is then uniform, a random walk. (Conservative for a
 * scenario declared `sharedState: 'tracked'` too: the strategy does not read the declaration.)
 *
 * Called by Execution (Strategy). Guarantee: the choices depend only on (seed, execution index)
 * and what the execution showed, so the same seed gives the same schedules, on any machine.
 */
export class PosStrategy implements Strategy {
  readonly name = 'pos';
  private readonly rng: Alea;
  /** By task id: its pending event as last seen (stale when the task's `pending` is another operation). */
  private readonly events: (Pending | undefined)[] = [];
  /** The step that ran last, not yet compared with the pending events (its tracked accesses arrive after `observe`). */
  private ran: { task: TaskView; fp: Access[] } | null = null;
  /** This execution showed real code: every step races with everything. */
  private untracked = false;

  constructor(seed: number) {
    this.rng = new Alea(seed, POS_STREAM);
  }

  beginExecution(index: number): void {
    this.rng.start(index);
    this.events.length = 0;
    this.ran = null;
    this.untracked = false;
  }

  chooseTask(view: SchedulingView): number {
    const enabled = view.enabled;
    this.settle(view);
    return enabled.length === 1 ? 0 : highestPriority(enabled, this.eventPriority);
  }

  chooseValue(n: number): number {
    return n === 1 ? 0 : Math.floor(this.rng.next() * n);
  }

  observe(task: TaskView, op: Operation): void {
    this.ran = { task, fp: this.untracked ? [] : footprintOf(op) };
  }

  /** Gives every pending event that races with the step that ran last a fresh priority (by forgetting it). */
  private settle(view: SchedulingView): void {
    if (!this.untracked && view.realCodeSeen) this.untracked = true;
    const ran = this.ran;
    if (ran === null) return;
    this.ran = null;
    if (this.untracked) {
      this.events.length = 0;
      return;
    }
    const fp = ran.task.pending === null ? [...ran.fp, endAccess(ran.task.name)] : ran.fp;
    const events = this.events;
    for (let id = 0; id < events.length; id++) {
      const e = events[id];
      if (e !== undefined && id !== ran.task.id && dependent(e.fp, fp)) events[id] = undefined;
    }
  }

  private readonly eventPriority = (task: TaskView): number => this.eventOf(task).priority;

  private eventOf(task: TaskView): Pending {
    const op = task.pending!;
    let e = this.events[task.id];
    if (e === undefined || e.op !== op) {
      e = { op, priority: this.rng.next(), fp: this.untracked ? [] : footprintOf(op) };
      this.events[task.id] = e;
    }
    return e;
  }
}
