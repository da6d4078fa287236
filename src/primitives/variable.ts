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
    return this.exec.perform(new Operation('read', this, undefined, 'read', null, () => this.value));
  }

  set(value: T): Promise<void> {
    return this.exec.perform(
      new Operation('write', this, undefined, 'write', null, () => {
        this.value = value;
      }),
    );
  }

  /** An atomic read-modify-write (like an atomic increment); returns the new value. */
  update(fn: (value: T) => T): Promise<T> {
    return this.exec.perform(
      new Operation('update', this, undefined, 'write', null, () => {
        this.value = fn(this.value);
        return this.value;
      }),
    );
  }

  /** Current value without a scheduling point: only for assertions after every task is done. */
  peek(): T {
    return this.value;
  }
}
