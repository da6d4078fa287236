import { UsageError } from '../runtime/errors.js';
import type { Execution } from '../runtime/execution.js';
import type { SharedObject } from '../runtime/operation.js';
import type { Task } from '../runtime/operation.js';

/** Options every blocking operation accepts. */
export interface WaitOptions {
  /** Give up after this many virtual milliseconds. */
  readonly timeout?: number;
}

/** Shared plumbing of primitives: identity, the owning execution, and the calling task. */
export abstract class Primitive implements SharedObject {
  readonly id: number;
  abstract readonly type: string;

  constructor(
    protected readonly exec: Execution,
    readonly name: string,
  ) {
    this.id = exec.newObjectId();
  }

  /** The task calling the operation: the one running now. */
  protected caller(): Task {
    const t = this.exec.current;
    if (t === null) throw new UsageError(`${this.type} "${this.name}" used outside any task`);
    return t;
  }

  protected deadline(options: WaitOptions | undefined): number {
    const timeout = options?.timeout;
    if (timeout === undefined) return Infinity;
    if (!(timeout >= 0) || !Number.isFinite(timeout)) {
      throw new UsageError(`${this.type} "${this.name}": timeout must be a finite number >= 0, got ${timeout}`);
    }
    return this.exec.now + timeout;
  }

  protected label(): string {
    return `${this.type} "${this.name}"`;
  }
}
