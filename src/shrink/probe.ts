import { describeOp } from '../runtime/events.js';
import type { Failure } from '../runtime/failure.js';
import type { Operation } from '../runtime/operation.js';
import type { TaskView } from '../runtime/operation.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';
import { failureSignature } from './signature.js';

/** One recorded decision of a probed execution. */
export interface DecisionInfo {
  /** 'task': a scheduling point; 'value': a `t.choose`. */
  readonly kind: 'task' | 'value';
  /** The task id or value taken. */
  readonly value: number;
  /** Step (scheduling decisions before this one). */
  readonly step: number;
  /** The task that reached the scheduling point (null at start or after a task ended). */
  readonly current: number | null;
  /** The switch left `current` while it could have continued. */
  readonly preempted: boolean;
  /** The alternatives: enabled task ids at a scheduling point; [0, n) as n values at a choice. */
  readonly enabled: readonly number[];
}

/** An operation that ran, with who ran it and at which step. */
export interface StepOp {
  readonly step: number;
  readonly task: string;
  readonly op: Operation;
}

/** Where a task came from: the task whose step spawned it and that step (real code: a call's chain began there). */
export interface TaskOrigin {
  readonly parent: string;
  readonly step: number;
}

/** At a switch away from an unfinished task: who was switched away from and what it was about to do. */
export interface PreemptionInfo {
  readonly step: number;
  readonly task: string;
  /** Its announced next operation (it runs when the task is picked again, if ever). */
  readonly pending: Operation | null;
  /** True when the task was blocked (a forced switch), false for a preemption. */
  readonly forced: boolean;
}

/**
 * Wraps a strategy and writes down what it decided, for the shrinker: which decisions were
 * preemptions (to propose removing or moving them) and, when `recordOps` is on, every
 * operation with its footprint (to name the racing operations). Never changes a decision.
 * Behaviour added by wrapping, like Shuttle's metrics scheduler.
 */
export class ProbeStrategy implements Strategy {
  readonly decisions: DecisionInfo[] = [];
  readonly ops: StepOp[] = [];
  /** With `recordOps`: every switch away from an unfinished task (preemptions and forced switches). */
  readonly preemptions: PreemptionInfo[] = [];
  /** The last operation that raised an error into each task (by id): for an operation error, where it came from. */
  readonly raised: Operation[] = [];
  /** With `recordOps`: where each task of real code's chains (a call's, a continuation) that ran an operation was spawned, by name. */
  readonly origins = new Map<string, TaskOrigin>();

  constructor(
    private readonly inner: Strategy,
    private readonly recordOps = false,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  beginExecution(index: number): void {
    this.decisions.length = 0;
    this.ops.length = 0;
    this.preemptions.length = 0;
    this.raised.length = 0;
    this.origins.clear();
    this.inner.beginExecution(index);
  }

  chooseTask(view: SchedulingView): number {
    const i = this.inner.chooseTask(view);
    const chosen = view.enabled[i];
    const current: TaskView | null = view.current;
    const preempted = chosen !== undefined && current !== null && chosen !== current && view.enabled.includes(current);
    this.decisions.push({ kind: 'task', value: chosen?.id ?? -1, step: view.step, current: current?.id ?? null, preempted, enabled: view.enabled.map((t) => t.id) });
    if (this.recordOps && chosen !== undefined && current !== null && chosen !== current) {
      this.preemptions.push({ step: view.step, task: current.name, pending: current.pending, forced: !preempted });
    }
    return i;
  }

  /** The signature of `failure` in this execution (see failureSignature); null for a pass. */
  signatureOf(failure: Failure | null, tasks: readonly string[]): string | null {
    if (failure === null) return null;
    const op = this.raisedOp(failure, tasks);
    return failureSignature(failure, op !== undefined ? describeOp(op) : undefined);
  }

  /** True when an operation raised an error into the failing task (its location then needs call sites). */
  raisedInto(failure: Failure | null, tasks: readonly string[]): boolean {
    return failure !== null && this.raisedOp(failure, tasks) !== undefined;
  }

  private raisedOp(failure: Failure, tasks: readonly string[]): Operation | undefined {
    const id = failure.task === undefined ? -1 : tasks.indexOf(failure.task);
    return id >= 0 ? this.raised[id] : undefined;
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    const v = this.inner.chooseValue(n, view, label);
    this.decisions.push({ kind: 'value', value: v, step: view.step, current: view.current?.id ?? null, preempted: false, enabled: Array.from({ length: n }, (_, i) => i) });
    return v;
  }

  observe(task: TaskView, op: Operation, step: number, threw?: boolean): void {
    if (threw === true) this.raised[task.id] = op;
    if (this.recordOps) this.record(task, op, step);
    this.inner.observe?.(task, op, step, threw);
  }

  /** A tracked access is recorded as an operation of its step, so races are named from it too. */
  observeAccess(task: TaskView, op: Operation, step: number): void {
    if (this.recordOps) this.record(task, op, step);
    this.inner.observeAccess?.(task, op, step);
  }

  private record(task: TaskView, op: Operation, step: number): void {
    this.ops.push({ step, task: task.name, op });
    // The spawning step's number: a task made during step k is born with the counter at k + 1.
    if ((task.call || task.transient) && task.parent !== null && !this.origins.has(task.name)) this.origins.set(task.name, { parent: task.parent.name, step: task.bornAt - 1 });
  }
}
