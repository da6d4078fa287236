import type { Execution } from '../runtime/execution.js';
import { Operation, type WaitInfo } from '../runtime/operation.js';
import type { Task } from '../runtime/operation.js';
import { Primitive, type WaitOptions } from './base.js';

/** What `t.spawn` returns: a handle to join the task or ask whether it is alive. */
export class TaskHandle<T = unknown> extends Primitive {
  readonly type = 'task';

  constructor(
    exec: Execution,
    private readonly task: Task,
  ) {
    super(exec, task.name);
  }

  /** Resolves true once the task finished, false if `timeout` (virtual ms) passed first (Python's `join(timeout)`). */
  join(options?: WaitOptions): Promise<boolean> {
    return this.exec.perform(new Operation('join', this, undefined, 'read', TaskHandle.joinReady, TaskHandle.joinRun, this.deadline(options), TaskHandle.joinWaits));
  }

  // Shared by every join: the target is the operation's object, so a join allocates no closure.
  private static joinReady(this: void, op: Operation): boolean {
    return (op.obj as TaskHandle).task.finished;
  }

  private static joinWaits(this: void, op: Operation): WaitInfo {
    const target = (op.obj as TaskHandle).task;
    return { resource: `join ${target.name}`, holders: [target], owned: true };
  }

  private static joinRun(this: void, timedOut: boolean): boolean {
    return !timedOut;
  }

  isAlive(): Promise<boolean> {
    return this.exec.perform(new Operation('is-alive', this, undefined, 'read', null, () => !this.task.finished));
  }

  /** The task's return value once it finished (after a successful join). */
  get result(): T | undefined {
    return this.task.result as T | undefined;
  }
}
