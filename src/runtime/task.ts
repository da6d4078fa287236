import type { Operation, SharedObject } from './operation.js';

/** The `held` list of every task that has taken no lock yet; never written (Execution.lockAcquired replaces it). */
export const NO_LOCKS: SharedObject[] = Object.freeze([]) as unknown as SharedObject[];

/** Read-only view of a task, what strategies and detectors may see. */
export interface TaskView {
  readonly id: number;
  readonly name: string;
  /** The operation the task will perform when picked (null once finished). */
  readonly pending: Operation | null;
  /** The task whose step spawned this one (null for main), and the step counter then (Task.parent). */
  readonly parent: TaskView | null;
  readonly bornAt: number;
  /** Real code: a controlled call's task, or a continuation of another task's chain (Task.call, Task.transient). */
  readonly call: boolean;
  readonly transient: boolean;
}

/**
 * A task of the scenario: a plain async function driven by the execution. Only the execution
 * mutates these fields; everything else reads them through TaskView.
 */
export class Task implements TaskView {
  pending: Operation | null = null;
  finished = false;
  result: unknown = undefined;
  /** The task's function until it is first picked and started. */
  body: (() => Promise<unknown> | unknown) | null = null;
  /** Set while the task waits at a scheduling point; the execution calls it to hand control over. */
  resume: ((value: unknown) => void) | null = null;
  fail: ((error: unknown) => void) | null = null;
  /** The task that last handed control to this one (null: none, or the execution's start). */
  handedBy: Task | null = null;
  /** Step stamp of the last enabled-set computation that found this task enabled. */
  enabledAt = -1;
  /**
   * Real-code mode: the task only carries operations of chains that belong to others (a
   * continuation, or a body that ended with an operation pending); it finishes once quiet with
   * nothing pending.
   */
  transient = false;
  /** The task of one controlled call (`t.io`): it delivers the call's result and ends. */
  call = false;
  /**
   * The task whose step spawned this one (null for main), and the step counter then: a real-code
   * lock is held by the chain of code that took it, which goes on in the tasks its step and its
   * descendants' steps spawn (Execution.chainOf).
   */
  parent: Task | null = null;
  bornAt = 0;
  /** Locks held, in acquisition order, for the lock-order detector. Shared and empty until the first acquisition (most tasks take none). */
  held: SharedObject[] = NO_LOCKS;

  constructor(
    readonly id: number,
    readonly name: string,
    /** Pool workers: abandoned, not leaked, when the scenario ends. */
    readonly daemon: boolean,
  ) {}
}
