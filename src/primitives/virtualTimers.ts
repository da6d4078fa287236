import FakeTimers from '@sinonjs/fake-timers';
import type { Execution } from '../runtime/execution.js';
import { Operation, type SharedObject } from '../runtime/operation.js';
import { siteHere } from '../runtime/location.js';
import type { Task } from '../runtime/operation.js';
import { activate, install, uninstall, type VirtualClock } from './timerGlobals.js';

/** @sinonjs/fake-timers bound to this process's globals, made once: a clock per execution comes from it. */
const fakeTimers = FakeTimers.withGlobal(globalThis);

type Clock = ReturnType<typeof fakeTimers.createClock>;

/** What fake-timers keeps of a timer (read to name the one firing, and to tell intervals apart). */
interface PendingTimer {
  readonly id?: number;
  readonly type?: string;
  readonly func?: { readonly name?: string };
  readonly delay?: number;
  readonly callAt?: number;
  readonly interval?: number;
}

/**
 * Virtual timers for one execution of real code (docs/real-code.md, "Virtual timers"): the
 * timer functions, `Date` and `performance.now` of the code under test run on a clock that is
 * the execution's virtual time, and a timer firing is a step the strategy schedules.
 *
 * The timers themselves are @sinonjs/fake-timers' clock (what vitest and jest use: ids and
 * Timeout objects, intervals, setImmediate, clearing, Node's order among timers due at the same
 * time). interleave decides only *when* the next timer fires: one task, `timers`, announces
 * "fire the next timer" whenever one is pending, so a timeout may fire before or after any
 * controlled call is delivered (the outside world's latency is unbounded). Firing it moves the
 * virtual clock to that timer's time. An interval alone does not keep the execution running:
 * once every other task has finished, the execution ends.
 */
export class VirtualTimers implements VirtualClock {
  /** fake-timers' clock, made at the first timer call (most executions set none; making one costs more than the rest of a step). */
  private made: Clock | null = null;
  /** Virtual time when the execution entered real-code mode: where the clock starts, whenever it is made. */
  private readonly start: number;
  private task: Task | null = null;
  /** What the `timers` task's next step fires, named when it fires (events read it after). */
  private readonly target: { id: number; name: string; type: string };
  private installed = true;
  /** While recording: where the code under test set each timer (by fake-timers id), for its fire events. */
  private readonly sites = new Map<number, string>();

  constructor(private readonly exec: Execution) {
    this.start = exec.now;
    this.target = { id: exec.worldId(), name: 'next timer', type: 'timer' };
    install();
    activate(this);
  }

  /** The clock, made on first use with the start time it would have had if made at once: nothing before that reads it. */
  private get clock(): Clock {
    return (this.made ??= fakeTimers.createClock(this.start));
  }

  // ---- told by RealCodeRun ------------------------------------------------------------------

  stepStarted(): void {
    activate(this);
  }

  /** A real timer started (RealTimersWatch's question): never, here every timer is virtual. */
  started(): null {
    return null;
  }

  end(): void {
    if (!this.installed) return;
    this.installed = false;
    activate(null);
    uninstall();
  }

  // ---- VirtualClock: what the forwarders call during a step -----------------------------------

  now(): number {
    return this.exec.now;
  }

  setTimeout(fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown {
    this.announce();
    return this.remember(this.clock.setTimeout(fn, ms, ...args));
  }

  /** Keeps where a timer was set, while recording (its fire event shows it, as a call's shows its caller). */
  private remember(handle: unknown): unknown {
    if (!this.exec.record) return handle;
    // fake-timers' Node-style handle turns into its id as a primitive.
    const id = Number(handle);
    const site = siteHere();
    if (Number.isInteger(id) && site !== undefined) this.sites.set(id, site);
    return handle;
  }

  clearTimeout(id: unknown): void {
    this.clock.clearTimeout(id as never);
  }

  setInterval(fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown {
    this.announce();
    return this.remember(this.clock.setInterval(fn, ms, ...args));
  }

  clearInterval(id: unknown): void {
    this.clock.clearInterval(id as never);
  }

  setImmediate(fn: (...args: unknown[]) => void, ...args: unknown[]): unknown {
    this.announce();
    return this.remember(this.clock.setImmediate(fn, ...args));
  }

  clearImmediate(id: unknown): void {
    this.clock.clearImmediate(id as never);
  }

  // ---- the `timers` task ------------------------------------------------------------------------

  /** Starts the `timers` task at the first timer (an execution without timers has none). */
  private announce(): void {
    if (this.task !== null || this.exec.isStopped) return;
    const task = this.exec.spawnCall('timers', this.fireOp(), () => this.loop(task));
    this.task = task;
  }

  /** After its first step, the task announces the next firing each time the last one ran. */
  private async loop(task: Task): Promise<void> {
    this.rethrow();
    for (;;) {
      await this.exec.performAs(task, this.fireOp());
      this.rethrow();
    }
  }

  private thrown: { error: unknown } | null = null;

  /** An error a timer's callback threw is the `timers` task's: it fails the execution, as it would crash Node. */
  private rethrow(): void {
    const t = this.thrown;
    if (t === null) return;
    this.thrown = null;
    throw t.error;
  }

  private fireOp(): Operation {
    return new Operation('fire', this.target as SharedObject, undefined, 'write', () => this.due(), () => this.fire(), Infinity, null, true);
  }

  /** Whether the next timer may fire now: one is pending, and it is not an interval ticking on its own after everything else ended. */
  private due(): boolean {
    const timers = this.pending();
    if (timers.length === 0) return false;
    if (timers.some((t) => t.interval === undefined)) return true;
    return this.exec.tasks.some((t) => t !== this.task && !t.finished && !(t.pending?.idle ?? false));
  }

  /** Fires the next timer: the clock moves to its time, its callback runs in this step. */
  private fire(): void {
    const next = this.next();
    this.target.name = next === null ? 'next timer' : describeTimer(next);
    const site = next?.id === undefined ? undefined : this.sites.get(next.id);
    if (site !== undefined) {
      // The step's event is written right after this returns; this reaction, queued before the
      // callback's own, runs first after it and only adds the site to that event.
      const name = this.target.name;
      void Promise.resolve().then(() => {
        const event = this.exec.stepEvent();
        if (event !== null && event.op === 'fire' && event.obj === name && event.site === undefined) event.site = site;
      });
    }
    // The clock follows virtual time moved by t.sleep (only ever when no timer was pending).
    if (this.exec.now > this.clock.now) this.clock.tick(this.exec.now - this.clock.now);
    try {
      this.clock.next();
    } catch (error) {
      this.thrown = { error };
    }
    if (this.clock.now > this.exec.now) this.exec.now = this.clock.now;
  }

  private pending(): PendingTimer[] {
    if (this.made === null) return [];
    const timers = (this.made as unknown as { timers?: Map<number, PendingTimer> }).timers;
    return timers === undefined ? [] : [...timers.values()];
  }

  /** The timer `clock.next()` fires: earliest callAt, then creation order (fake-timers' rule). */
  private next(): PendingTimer | null {
    let best: PendingTimer | null = null;
    for (const t of this.pending()) if (best === null || (t.callAt ?? 0) < (best.callAt ?? 0)) best = t;
    return best;
  }
}

/** `setTimeout(retry, 100ms)`: the kind, the callback's name, the delay. */
function describeTimer(t: PendingTimer): string {
  const kind = t.type === 'Interval' ? 'setInterval' : t.type === 'Immediate' ? 'setImmediate' : 'setTimeout';
  const name = t.func?.name !== undefined && t.func.name !== '' ? t.func.name : 'callback';
  return kind === 'setImmediate' ? `${kind}(${name})` : `${kind}(${name}, ${t.delay ?? 0}ms)`;
}
