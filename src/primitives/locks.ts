import { LockError } from '../runtime/errors.js';
import type { Execution } from '../runtime/execution.js';
import { Operation } from '../runtime/operation.js';
import type { Task } from '../runtime/operation.js';
import { Primitive, type WaitOptions } from './base.js';

/**
 * A mutual-exclusion lock (Python's threading.Lock). Not reentrant: a task acquiring a lock it
 * holds waits on itself, which the deadlock detector reports as a one-task cycle.
 */
export class Mutex extends Primitive {
  readonly type: string = 'lock';
  owner: Task | null = null;
  /** Recursion depth; stays 1 for a plain mutex. */
  protected count = 0;

  constructor(exec: Execution, name: string) {
    super(exec, name);
    exec.registerLock(this, () => (this.owner === null ? [] : [this.owner]));
  }

  protected canTake(me: Task): boolean {
    return this.owner === null;
  }

  /** Resolves true once held, or false if `timeout` (virtual ms) passed first. */
  acquire(options?: WaitOptions): Promise<boolean> {
    const me = this.caller();
    return this.exec.perform(
      new Operation(
        'acquire',
        this,
        undefined,
        'write',
        () => this.canTake(me),
        (timedOut) => {
          if (timedOut) return false;
          if (this.owner === me) {
            this.count++;
            return true;
          }
          this.owner = me;
          this.count = 1;
          this.exec.lockAcquired(me, this);
          return true;
        },
        this.deadline(options),
        () => ({ resource: this.label(), holders: this.owner === null ? [] : [this.owner], owned: true }),
      ),
    );
  }

  release(): Promise<void> {
    const me = this.caller();
    return this.exec.perform(
      new Operation('release', this, undefined, 'write', null, () => {
        if (this.owner !== me) {
          throw new LockError(`${me.name} released ${this.label()} which it does not hold${this.owner === null ? '' : ` (held by ${this.owner.name})`}`);
        }
        if (--this.count === 0) {
          this.owner = null;
          this.exec.lockReleased(me, this);
        }
      }),
    );
  }

  /**
   * Inside another operation (a condition's wait): `me` gives the lock up entirely, whatever its
   * recursion depth. Not a scheduling point of its own.
   */
  releaseFully(me: Task): void {
    this.owner = null;
    this.count = 0;
    this.exec.lockReleased(me, this);
  }

  /** Whether someone holds it (a read, and a scheduling point). */
  locked(): Promise<boolean> {
    return this.exec.perform(new Operation('locked', this, undefined, 'read', null, () => this.owner !== null));
  }

  /** Runs `fn` holding the lock, releasing it on every exit (Python's `with lock:`). */
  async withLock<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }
}

/** A reentrant lock (Python's threading.RLock): the owner may acquire it again. */
export class ReentrantLock extends Mutex {
  override readonly type = 'rlock';

  protected override canTake(me: Task): boolean {
    return this.owner === null || this.owner === me;
  }
}

/** A read-write lock: many readers or one writer. Not reentrant; upgrading read to write waits on yourself. */
export class RwLock extends Primitive {
  readonly type = 'rwlock';
  private writer: Task | null = null;
  private readonly readers: Task[] = [];

  constructor(exec: Execution, name: string) {
    super(exec, name);
    exec.registerLock(this, () => this.holders());
  }

  private holders(): Task[] {
    return this.writer === null ? [...new Set(this.readers)] : [this.writer];
  }

  readLock(options?: WaitOptions): Promise<boolean> {
    const me = this.caller();
    return this.exec.perform(
      new Operation(
        'read-lock',
        this,
        undefined,
        'write',
        () => this.writer === null,
        (timedOut) => {
          if (timedOut) return false;
          this.readers.push(me);
          this.exec.lockAcquired(me, this);
          return true;
        },
        this.deadline(options),
        () => ({ resource: `${this.label()} (write-held)`, holders: this.holders(), owned: true }),
      ),
    );
  }

  readUnlock(): Promise<void> {
    const me = this.caller();
    return this.exec.perform(
      new Operation('read-unlock', this, undefined, 'write', null, () => {
        const i = this.readers.indexOf(me);
        if (i < 0) throw new LockError(`${me.name} read-unlocked ${this.label()} without holding it for reading`);
        this.readers.splice(i, 1);
        this.exec.lockReleased(me, this);
      }),
    );
  }

  writeLock(options?: WaitOptions): Promise<boolean> {
    const me = this.caller();
    return this.exec.perform(
      new Operation(
        'write-lock',
        this,
        undefined,
        'write',
        () => this.writer === null && this.readers.length === 0,
        (timedOut) => {
          if (timedOut) return false;
          this.writer = me;
          this.exec.lockAcquired(me, this);
          return true;
        },
        this.deadline(options),
        () => ({ resource: this.label(), holders: this.holders(), owned: true }),
      ),
    );
  }

  writeUnlock(): Promise<void> {
    const me = this.caller();
    return this.exec.perform(
      new Operation('write-unlock', this, undefined, 'write', null, () => {
        if (this.writer !== me) throw new LockError(`${me.name} write-unlocked ${this.label()} without holding it`);
        this.writer = null;
        this.exec.lockReleased(me, this);
      }),
    );
  }

  async withRead<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.readLock();
    try {
      return await fn();
    } finally {
      await this.readUnlock();
    }
  }

  async withWrite<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.writeLock();
    try {
      return await fn();
    } finally {
      await this.writeUnlock();
    }
  }
}

/**
 * A counting semaphore. Tasks that acquired permits are shown as holders in the wait-for graph,
 * but since any task may release, a wait on it is judged only when everything has stalled.
 */
export class Semaphore extends Primitive {
  readonly type = 'semaphore';
  private readonly holders: Task[] = [];

  constructor(
    exec: Execution,
    name: string,
    private permits: number,
  ) {
    super(exec, name);
    exec.registerPermits(this, () => this.holders);
  }

  acquire(options?: WaitOptions): Promise<boolean> {
    const me = this.caller();
    return this.exec.perform(
      new Operation(
        'acquire',
        this,
        undefined,
        'write',
        () => this.permits > 0,
        (timedOut) => {
          if (timedOut) return false;
          this.permits--;
          this.holders.push(me);
          return true;
        },
        this.deadline(options),
        () => ({ resource: `${this.label()} (no permits)`, holders: [...new Set(this.holders)], owned: false }),
      ),
    );
  }

  release(): Promise<void> {
    const me = this.caller();
    return this.exec.perform(
      new Operation('release', this, undefined, 'write', null, () => {
        this.permits++;
        const i = this.holders.indexOf(me);
        this.holders.splice(i >= 0 ? i : 0, this.holders.length > 0 ? 1 : 0);
      }),
    );
  }

  available(): Promise<number> {
    return this.exec.perform(new Operation('available', this, undefined, 'read', null, () => this.permits));
  }
}
