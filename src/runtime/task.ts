import type { Operation } from './operation.js';

/** Read-only view of a task, what strategies and detectors may see. */
export interface TaskView {
  readonly id: number;
  readonly name: string;
  /** The operation the task will perform when picked (null once finished). */
  readonly pending: Operation | null;
}

/**
 * A task of the scenario: a plain async function driven by the execution. Only the execution
 * mutates these fields; everything else reads them through TaskView.
 */
export class Task implements TaskView {
  pending: Operation | null = null;
  finished = false;
  result: unknown = undefined;
  /** Set while the task waits at a scheduling point; the execution calls it to hand control over. */
  resume: ((value: unknown) => void) | null = null;
  fail: ((error: unknown) => void) | null = null;
  /** Step stamp of the last enabled-set computation that found this task enabled. */
  enabledAt = -1;
  /** Locks held, in acquisition order, for the lock-order detector. */
  readonly held: import('./operation.js').SharedObject[] = [];

  constructor(
    readonly id: number,
    readonly name: string,
    /** Pool workers: abandoned, not leaked, when the scenario ends. */
    readonly daemon: boolean,
  ) {}
}
