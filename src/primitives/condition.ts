import { LockError } from '../runtime/errors.js';
import type { Execution } from '../runtime/execution.js';
import { Operation } from '../runtime/operation.js';
import type { Task } from '../runtime/operation.js';
import { Primitive, type WaitOptions } from './base.js';
import { Mutex } from './locks.js';

interface Waiter {
  readonly task: Task;
  notified: boolean;
}

/**
 * A condition variable over a mutex (Python's threading.Condition). `wait` is three steps, as in
 * the real thing: release the lock and enqueue, wait for a notify (or the timeout), re-acquire.
 * A notify with no waiter is lost, which is how lost wake-ups show up as `stuck`.
 */
export class Condition extends Primitive {
  readonly type = 'condition';
  private readonly waiters: Waiter[] = [];
  readonly lock: Mutex;

  constructor(exec: Execution, name: string, lock?: Mutex) {
    super(exec, name);
    this.lock = lock ?? new Mutex(exec, `${name}.lock`);
  }

  acquire(options?: WaitOptions): Promise<boolean> {
    return this.lock.acquire(options);
  }

  release(): Promise<void> {
    return this.lock.release();
  }

  /** Resolves true when notified, false on timeout; holds the lock again either way. */
  async wait(options?: WaitOptions): Promise<boolean> {
    const me = this.caller();
    const deadline = this.deadline(options);
    const waiter: Waiter = { task: me, notified: false };
    await this.exec.perform(
      new Operation('wait', this, undefined, 'write', null, () => {
        if (this.lock.owner !== me) throw new LockError(`${me.name} waited on ${this.label()} without holding ${this.lock.name}`);
        this.lock.releaseFully(me);
        this.waiters.push(waiter);
      }),
    );
    const notified = await this.exec.perform<boolean>(
      new Operation(
        'wake',
        this,
        undefined,
        'write',
        () => waiter.notified,
        (timedOut) => {
          if (timedOut) {
            const i = this.waiters.indexOf(waiter);
            if (i >= 0) this.waiters.splice(i, 1);
            return false;
          }
          return true;
        },
        deadline,
        () => ({ resource: `${this.label()} (not notified)`, holders: [], owned: false }),
      ),
    );
    await this.lock.acquire();
    return notified;
  }

  /** Waits until `predicate()` holds (Python's `wait_for`); returns its last value. */
  async waitFor(predicate: () => boolean | Promise<boolean>, options?: WaitOptions): Promise<boolean> {
    const end = options?.timeout === undefined ? Infinity : this.exec.now + options.timeout;
    for (;;) {
      if (await predicate()) return true;
      const left = end - this.exec.now;
      if (left <= 0) return false;
      await this.wait(end === Infinity ? undefined : { timeout: left });
    }
  }

  notify(n = 1): Promise<void> {
    return this.notifyOp('notify', n);
  }

  notifyAll(): Promise<void> {
    return this.notifyOp('notify-all', Infinity);
  }

  private notifyOp(kind: string, n: number): Promise<void> {
    const me = this.caller();
    return this.exec.perform(
      new Operation(kind, this, undefined, 'write', null, () => {
        if (this.lock.owner !== me) throw new LockError(`${me.name} notified ${this.label()} without holding ${this.lock.name}`);
        let woken = 0;
        while (woken < n && this.waiters.length > 0) {
          this.waiters.shift()!.notified = true;
          woken++;
        }
        return woken;
      }),
    );
  }
}

/** A one-shot flag tasks can wait on (Python's threading.Event). */
export class Event extends Primitive {
  readonly type = 'event';
  private flag = false;

  set(): Promise<void> {
    return this.exec.perform(
      new Operation('set', this, undefined, 'write', null, () => {
        this.flag = true;
      }),
    );
  }

  clear(): Promise<void> {
    return this.exec.perform(
      new Operation('clear', this, undefined, 'write', null, () => {
        this.flag = false;
      }),
    );
  }

  isSet(): Promise<boolean> {
    return this.exec.perform(new Operation('is-set', this, undefined, 'read', null, () => this.flag));
  }

  /** Resolves true once set, false on timeout. */
  wait(options?: WaitOptions): Promise<boolean> {
    return this.exec.perform(
      new Operation(
        'wait',
        this,
        undefined,
        'read',
        () => this.flag,
        (timedOut) => !timedOut,
        this.deadline(options),
        () => ({ resource: `${this.label()} (not set)`, holders: [], owned: false }),
      ),
    );
  }
}
