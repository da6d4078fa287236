import { Operation } from '../runtime/operation.js';
import { Primitive } from './base.js';

/** A shared variable. `get` and `set` are separate steps, so get-then-set loses updates like real code. */
export class SharedVar<T> extends Primitive {
  readonly type = 'var';
  private value: T;

  constructor(exec: ConstructorParameters<typeof Primitive>[0], name: string, initial: T) {
    super(exec, name);
    this.value = initial;
  }

  get(): Promise<T> {
    return this.exec.perform(new Operation('read', this, undefined, 'read', null, SharedVar.runGet));
  }

  set(value: T): Promise<void> {
    return this.exec.perform(new Operation('write', this, undefined, 'write', null, SharedVar.runSet, Infinity, null, false, value));
  }

  /** An atomic read-modify-write (like an atomic increment); returns the new value. */
  update(fn: (value: T) => T): Promise<T> {
    return this.exec.perform(new Operation('update', this, undefined, 'write', null, SharedVar.runUpdate, Infinity, null, false, fn));
  }

  // The operations' effects: shared functions reading the variable and argument from the
  // operation, so a step allocates no closure (these are the hottest operations of all).
  private static runGet(this: void, _timedOut: boolean, op: Operation): unknown {
    return (op.obj as SharedVar<unknown>).value;
  }

  private static runSet(this: void, _timedOut: boolean, op: Operation): void {
    (op.obj as SharedVar<unknown>).value = op.arg;
  }

  private static runUpdate(this: void, _timedOut: boolean, op: Operation): unknown {
    const v = op.obj as SharedVar<unknown>;
    v.value = (op.arg as (value: unknown) => unknown)(v.value);
    return v.value;
  }

  /** Current value without a scheduling point: only for assertions after every task is done. */
  peek(): T {
    return this.value;
  }
}
