import { UsageError } from '../runtime/errors.js';
import { runningExecution, type Execution } from '../runtime/execution.js';
import { Operation, type SharedObject, type WaitInfo } from '../runtime/operation.js';
import type { Task } from '../runtime/operation.js';

/**
 * async-mutex 0.5's API on interleave's scheduler (docs/real-code.md, "Lock libraries"): the
 * module `interleave/async-mutex` that code under test gets instead of `async-mutex`
 * (`vi.mock('async-mutex', () => import('interleave/async-mutex'))`, or by injection). An
 * acquisition is an operation the strategy schedules, and a waiter is a blocked operation, so the
 * wait-for graph sees it: two calls taking two mutexes in opposite orders end as a `deadlock`
 * naming the cycle, where the library's own promise queue would leave a `stuck` promise.
 *
 * The code that took a lock goes on, after its step, in other tasks (a controlled call's, a
 * continuation's): a lock is held by that chain (Execution.chainOf), and a waiter waits on the
 * chain's live tasks. Those waits are not `owned` (the chain is an over-approximation), so a
 * cycle is reported when nothing can run any more, never earlier.
 *
 * Objects may be created anywhere (at module load, per request); each keeps one state per
 * execution, made at its first use in that execution, which also switches the execution to
 * real-code mode. Used outside any execution it throws a UsageError. Priorities are accepted and
 * ignored: any waiter may get a free lock (a superset of the library's orders).
 */

export const E_TIMEOUT = new Error('timeout while waiting for mutex to become available');
export const E_ALREADY_LOCKED = new Error('mutex already locked');
export const E_CANCELED = new Error('request for lock canceled');

export type Releaser = () => void;

export interface MutexInterface {
  acquire(priority?: number): Promise<Releaser>;
  runExclusive<T>(callback: () => Promise<T> | T, priority?: number): Promise<T>;
  waitForUnlock(priority?: number): Promise<void>;
  isLocked(): boolean;
  release(): void;
  cancel(): void;
}

export interface SemaphoreInterface {
  acquire(weight?: number, priority?: number): Promise<[number, Releaser]>;
  runExclusive<T>(callback: (value: number) => Promise<T> | T, weight?: number, priority?: number): Promise<T>;
  waitForUnlock(weight?: number, priority?: number): Promise<void>;
  isLocked(): boolean;
  getValue(): number;
  setValue(value: number): void;
  release(weight?: number): void;
  cancel(): void;
}

/** A chain that holds `weight` permits: the task whose step took them, from that step on. */
interface Grant {
  readonly task: Task;
  readonly since: number;
  readonly weight: number;
}

/** One lock's state in one execution: a shared object of that execution. */
class LockState implements SharedObject {
  readonly id: number;
  readonly grants: Grant[] = [];
  /** Bumped by `cancel`: waits begun before reject. */
  canceled = 0;

  readonly name: string;

  constructor(
    readonly exec: Execution,
    readonly type: string,
    name: string,
    public value: number,
  ) {
    this.id = exec.newObjectId();
    this.name = name === '' ? `#${this.id}` : name;
  }

  /** `mutex "a"`, or `mutex #3` (its object id) when the scenario did not name it. */
  label(): string {
    return this.name.startsWith('#') ? `${this.type} ${this.name}` : `${this.type} "${this.name}"`;
  }

  /** The live tasks of every chain holding permits; the holders themselves when those chains all ended. */
  holders(): Task[] {
    const live = new Set<Task>();
    for (const g of this.grants) for (const t of this.exec.chainOf(g.task, g.since)) live.add(t);
    return live.size > 0 ? [...live] : [...new Set(this.grants.map((g) => g.task))];
  }

  /** The tasks whose steps took the permits held now, as a name list. */
  takenBy(): string {
    return [...new Set(this.grants.map((g) => g.task.name))].join(', ');
  }

  release(weight: number, grant: Grant | null): void {
    if (this.exec.isStopped) return;
    this.value += weight;
    const i = grant === null ? 0 : this.grants.indexOf(grant);
    if (i >= 0 && i < this.grants.length) this.grants.splice(i, 1);
    // Not a scheduling point (async-mutex releases synchronously); the search sees it as a write.
    this.exec.access(this, 'release', undefined, true);
  }
}

/** How an acquisition may end early: by a timeout (withTimeout) or at once when taken (tryAcquire). */
interface Limits {
  readonly timeout?: { readonly ms: number; readonly error: Error };
  readonly tryError?: Error;
}

/** The counting semaphore both classes share: per-execution state, and the operations on it. */
class Core {
  private readonly states = new WeakMap<Execution, LockState>();
  /** Set by `lockName`; '' shows the object id. */
  name = '';

  constructor(
    readonly type: 'mutex' | 'semaphore',
    /** The value a new execution starts with (the constructor's, or `setValue` outside any execution). */
    public initial: number,
    readonly cancelError: Error,
  ) {}

  state(what: string): LockState {
    const exec = runningExecution();
    if (exec === null) {
      throw new UsageError(`interleave/async-mutex: ${this.type}.${what}() was called outside an interleave execution (this module stands in for async-mutex only while a scenario runs)`);
    }
    let s = this.states.get(exec);
    if (s === undefined) {
      s = new LockState(exec, this.type, this.name, this.initial);
      this.states.set(exec, s);
      exec.enterRealMode();
    }
    return s;
  }

  /** Resolves `[value before, releaser]` once `weight` permits are taken by the chain running the step that takes them. */
  acquire(weight: number, limits: Limits): Promise<[number, Releaser]> {
    checkWeight(weight);
    const s = this.state('acquire');
    let taken: [number, Releaser] | null = null;
    const op = this.waitOp('acquire', s, weight, limits, () => {
      if (s.value < weight) throw limits.tryError;
      const grant: Grant = { task: s.exec.current!, since: s.exec.step, weight };
      s.grants.push(grant);
      const before = s.value;
      s.value -= weight;
      let called = false;
      const releaser: Releaser = () => {
        if (called) return;
        called = true;
        s.release(weight, grant);
      };
      taken = [before, releaser];
    });
    // Handed over after the step, not as the operation's result: the timeline shows `acquire a`, not a function.
    return s.exec.perform(op).then(() => taken!);
  }

  waitForUnlock(weight: number, limits: Limits): Promise<void> {
    checkWeight(weight);
    const s = this.state('waitForUnlock');
    // Waits only: a tryAcquire view waits like any other here, as in async-mutex.
    return s.exec.perform(this.waitOp('wait-unlock', s, weight, limits.timeout === undefined ? {} : { timeout: limits.timeout }, () => undefined));
  }

  release(weight: number): void {
    checkWeight(weight);
    const s = this.state('release');
    s.release(weight, null);
  }

  cancel(): void {
    this.state('cancel').canceled++;
  }

  value(): number {
    const exec = runningExecution();
    return exec === null ? this.initial : this.state('getValue').value;
  }

  setValue(value: number): void {
    const exec = runningExecution();
    if (exec === null) this.initial = value;
    else this.state('setValue').value = value;
  }

  /**
   * An operation that waits until `weight` permits are free (unless it only tries), then runs
   * `take`; a cancel or a timeout ends it by throwing instead. Its wait names the function that
   * called (the first frame outside this module) for deadlock messages.
   */
  private waitOp(kind: string, s: LockState, weight: number, limits: Limits, take: () => void): Operation {
    const epoch = s.canceled;
    const site = new Error();
    let waiter: string | undefined;
    const resource = s.type === 'semaphore' ? `${s.label()} (no permits)` : s.label();
    const waits = (): WaitInfo => ({ resource, holders: s.holders(), owned: false, waiter: (waiter ??= callerOf(site)), chain: s.takenBy() });
    return new Operation(
      kind,
      s,
      undefined,
      'write',
      limits.tryError !== undefined ? null : () => s.canceled !== epoch || s.value >= weight,
      (timedOut) => {
        if (s.canceled !== epoch) throw this.cancelError;
        if (timedOut) throw limits.timeout!.error;
        return take();
      },
      limits.timeout === undefined ? Infinity : s.exec.now + limits.timeout.ms,
      waits,
    );
  }
}

function checkWeight(weight: number): void {
  if (!(weight > 0)) throw new Error(`invalid weight ${weight}: must be positive`);
}

/**
 * This module's file as stack frames show it, read from a stack taken at load: right whichever
 * loader ran it (Node, vitest, tsx's require, which gives a scenario loaded as CommonJS its own copy).
 */
const OWN_FILE = /\(?([^()\s]+):\d+:\d+\)?$/.exec(new Error().stack?.split('\n')[1] ?? '')?.[1] ?? '\0';

/** The name of the first function on `site`'s stack outside this module (`transfer`), or '' when none has one. */
function callerOf(site: Error): string {
  for (const line of (site.stack ?? '').split('\n').slice(1)) {
    if (line.includes(OWN_FILE) || line.includes('node:')) continue;
    const m = /^\s*at (?:async )?(?:new )?([^\s(]+) \(/.exec(line);
    // Not a function of the code: `new Promise`, `Promise.all` (async frames), `<anonymous>`.
    if (m !== null && !/^(Promise\b|<)/.test(m[1]!)) return m[1]!;
  }
  return '';
}

/** async-mutex's Semaphore: `value` permits, each acquisition a scheduling point. */
export class Semaphore implements SemaphoreInterface {
  /** @internal */
  readonly core: Core;
  /** @internal */
  limits: Limits = {};

  constructor(value: number, cancelError: Error = E_CANCELED) {
    this.core = new Core('semaphore', value, cancelError);
  }

  acquire(weight = 1, _priority?: number): Promise<[number, Releaser]> {
    return this.core.acquire(weight, this.limits);
  }

  async runExclusive<T>(callback: (value: number) => Promise<T> | T, weight = 1, _priority?: number): Promise<T> {
    const [value, release] = await this.acquire(weight);
    try {
      return await callback(value);
    } finally {
      release();
    }
  }

  waitForUnlock(weight = 1, _priority?: number): Promise<void> {
    return this.core.waitForUnlock(weight, this.limits);
  }

  isLocked(): boolean {
    return this.core.value() <= 0;
  }

  getValue(): number {
    return this.core.value();
  }

  setValue(value: number): void {
    this.core.setValue(value);
  }

  release(weight = 1): void {
    this.core.release(weight);
  }

  cancel(): void {
    this.core.cancel();
  }
}

/** async-mutex's Mutex: a semaphore of one permit, shown as `mutex` in waits and deadlocks. */
export class Mutex implements MutexInterface {
  /** @internal */
  readonly core: Core;
  /** @internal */
  limits: Limits = {};

  constructor(cancelError: Error = E_CANCELED) {
    this.core = new Core('mutex', 1, cancelError);
  }

  async acquire(_priority?: number): Promise<Releaser> {
    const [, release] = await this.core.acquire(1, this.limits);
    return release;
  }

  async runExclusive<T>(callback: () => Promise<T> | T, _priority?: number): Promise<T> {
    const release = await this.acquire();
    try {
      return await callback();
    } finally {
      release();
    }
  }

  waitForUnlock(_priority?: number): Promise<void> {
    return this.core.waitForUnlock(1, this.limits);
  }

  isLocked(): boolean {
    return this.core.value() <= 0;
  }

  release(): void {
    if (this.isLocked()) this.core.release(1);
  }

  cancel(): void {
    this.core.cancel();
  }
}

/** A view of `sync` (same lock) whose acquisitions also end with `limits`. */
function limited<S extends Mutex | Semaphore>(sync: S, limits: Limits): S {
  const view = Object.create(Object.getPrototypeOf(sync) as object) as S & { core: Core; limits: Limits };
  Object.defineProperty(view, 'core', { value: sync.core });
  view.limits = { ...sync.limits, ...limits };
  return view;
}

/** async-mutex's withTimeout: acquisitions and waits give up after `timeout` virtual ms, rejecting with `timeoutError`. */
export function withTimeout<S extends Mutex | Semaphore>(sync: S, timeout: number, timeoutError: Error = E_TIMEOUT): S {
  if (!(timeout >= 0) || !Number.isFinite(timeout)) throw new UsageError(`withTimeout: timeout must be a finite number >= 0, got ${timeout}`);
  return limited(sync, { timeout: { ms: timeout, error: timeoutError } });
}

/** async-mutex's tryAcquire: an acquisition that rejects with `alreadyAcquiredError` when the lock is taken when its step runs. */
export function tryAcquire<S extends Mutex | Semaphore>(sync: S, alreadyAcquiredError: Error = E_ALREADY_LOCKED): S {
  return limited(sync, { tryError: alreadyAcquiredError });
}

/**
 * Names a lock in waits and deadlock messages (`mutex "a"`); not part of async-mutex. For the
 * scenario, which reaches the locks of the code under test: `lockName(accountA.lock, 'a')`.
 * Applies to executions that first use the lock afterwards.
 */
export function lockName<S extends object>(sync: S, name: string): S {
  if (!(sync instanceof Mutex || sync instanceof Semaphore)) {
    throw new UsageError(`lockName("${name}"): not a lock of interleave/async-mutex (does the code under test get it in place of async-mutex, by vi.mock or injection?)`);
  }
  sync.core.name = name;
  return sync;
}
