import { AssertionFailure, UsageError } from './runtime/errors.js';
import type { Execution } from './runtime/execution.js';
import { Operation } from './runtime/operation.js';
import { Condition, Event } from './primitives/condition.js';
import { Mutex, ReentrantLock, RwLock, Semaphore } from './primitives/locks.js';
import { SharedMap, type MapOptions, type MissingKeys } from './primitives/map.js';
import { ThreadPool, type PoolOptions } from './primitives/pool.js';
import { SharedQueue, type QueueOptions } from './primitives/queue.js';
import { TaskHandle } from './primitives/task.js';
import { SharedVar } from './primitives/variable.js';
import { RealCodeRun } from './primitives/realCode.js';
import { checkIoTarget, controlled, controlledObject, type Controlled } from './primitives/io.js';
import { track } from './primitives/tracked.js';

/**
 * What a scenario body receives: the factory for shared objects and tasks, the virtual clock,
 * nondeterministic choice and assertions. One per execution; never shared between executions.
 */
export class ScenarioContext<P = Record<string, unknown>> {
  constructor(
    private readonly exec: Execution,
    /** The variant being run, e.g. 'buggy' or 'fixed'. */
    readonly variant: string,
    /** The scenario's parameters for this run (defaults, or values from a shrink). */
    readonly params: P,
    /** The definition's `timers`: 'virtual' from the body's start, 'real' never; unset, virtual from the first `t.io`. */
    private readonly timers?: 'virtual' | 'real',
  ) {
    if (timers === 'virtual') this.realCode();
  }

  /** Switches the execution to real-code mode, with virtual timers unless the scenario said `timers: 'real'`. */
  private realCode(): void {
    if (this.exec.isRealCode || this.exec.isStopped) return;
    this.exec.enterRealMode(new RealCodeRun(this.exec, this.timers !== 'real'));
  }

  /** Starts a task. It first runs when the scheduler picks it. */
  spawn<T>(name: string, fn: () => Promise<T> | T): TaskHandle<T> {
    const task = this.exec.spawn(name, fn, false);
    return new TaskHandle<T>(this.exec, task);
  }

  /**
   * Controlled I/O (docs/real-code.md): `fn` with the same signature, each call a step the
   * strategy schedules, its result delivered when the strategy picks it; or, given an object,
   * the object with every method controlled (`t.io('db', client)`). The first call switches the
   * execution to real-code mode: several calls may be in flight in one task (`Promise.all`,
   * fire-and-forget), and a step lasts until the code under test is quiet.
   */
  io<F extends (...args: never[]) => unknown>(name: string, fn: F): (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>;
  io<O extends object>(name: string, client: O): Controlled<O>;
  io(name: string, target: object): unknown {
    checkIoTarget(name, target);
    this.realCode();
    return typeof target === 'function' ? controlled(this.exec, name, target as (...args: never[]) => unknown, undefined) : controlledObject(this.exec, name, target);
  }

  /** Name of the task calling this. */
  get taskName(): string {
    return this.exec.current?.name ?? 'main';
  }

  /**
   * A shared map. With `{ missing: 'throw' }` a missing key raises KeyError and `get` is typed
   * without `undefined`; by default `get` of a missing key gives `undefined`, as a Map does.
   */
  map<K, V>(name: string, options: MapOptions<'throw'> & { readonly missing: 'throw' }): SharedMap<K, V, 'throw'>;
  map<K, V>(name: string, options?: MapOptions<'undefined'>): SharedMap<K, V, 'undefined'>;
  map<K, V>(name: string, options?: MapOptions): SharedMap<K, V, MissingKeys> {
    return new SharedMap<K, V, MissingKeys>(this.exec, name, options);
  }

  variable<T>(name: string, initial: T): SharedVar<T> {
    return new SharedVar<T>(this.exec, name, initial);
  }

  lock(name: string): Mutex {
    return new Mutex(this.exec, name);
  }

  rlock(name: string): ReentrantLock {
    return new ReentrantLock(this.exec, name);
  }

  rwlock(name: string): RwLock {
    return new RwLock(this.exec, name);
  }

  semaphore(name: string, permits: number): Semaphore {
    if (!Number.isInteger(permits) || permits < 0) throw new UsageError(`semaphore "${name}": permits must be an integer >= 0`);
    return new Semaphore(this.exec, name, permits);
  }

  condition(name: string, lock?: Mutex): Condition {
    return new Condition(this.exec, name, lock);
  }

  event(name: string): Event {
    return new Event(this.exec, name);
  }

  queue<T>(name: string, options?: QueueOptions): SharedQueue<T> {
    return new SharedQueue<T>(this.exec, name, options);
  }

  pool(name: string, options: PoolOptions): ThreadPool {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new UsageError(`pool "${name}": workers must be an integer >= 1`);
    return new ThreadPool(this.exec, name, options);
  }

  /**
   * A proxy of `value` (a Map, Set, array or plain object) whose reads and writes become part of
   * the footprint of the step that makes them, for partial-order reduction and race naming. No
   * scheduling point is added (code between awaits runs atomically). Nested values are not
   * tracked unless tracked themselves. A scenario that tracks state without declaring
   * `sharedState: 'tracked'` is searched without reduction (other plain state may be shared).
   * See src/primitives/tracked.ts and docs/real-code.md.
   */
  track<T extends object>(value: T, name: string): T {
    const proxy = track(this.exec, value, name);
    this.exec.markRealCode();
    return proxy;
  }

  /** Virtual time in ms. Reading it is not a scheduling point. */
  now(): number {
    return this.exec.now;
  }

  /** Sleeps in virtual time: the clock jumps when nothing else can run. */
  sleep(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new UsageError(`sleep: ms must be a finite number >= 0, got ${ms}`);
    const until = this.exec.now + ms;
    return this.exec.perform(new Operation('sleep', null, undefined, 'none', () => this.exec.now >= until, () => undefined, until));
  }

  /** A bare scheduling point: lets other tasks run here. */
  yield(): Promise<void> {
    return this.exec.perform(new Operation('yield', null, undefined, 'none', null, () => undefined));
  }

  /** A nondeterministic choice in [0, n), taken by the strategy and recorded in the trace. */
  choose(n: number, label = 'choice'): number {
    return this.exec.choose(n, label);
  }

  /** One of `values`, chosen by the strategy. */
  pick<T>(values: readonly T[], label = 'pick'): T {
    if (values.length === 0) throw new UsageError(`pick(${label}): no values to pick from`);
    return values[this.exec.choose(values.length, label)]!;
  }

  /** Fails the run with kind `assertion` when `condition` is false. */
  assert(condition: unknown, message: string): void {
    if (!condition) throw new AssertionFailure(message);
  }
}
