import { executionAsyncId } from 'node:async_hooks';
import { createRequire, syncBuiltinESMExports } from 'node:module';

/**
 * The process-wide timer functions virtual timers replace (docs/real-code.md, "Virtual
 * timers"), and the one switch that sends them to a virtual clock.
 *
 * While an execution of real code runs, `setTimeout`, `setInterval`, `setImmediate`, their
 * `clear*`, `Date`, `performance.now`, `AbortSignal.timeout` and `node:timers/promises`'s
 * `setTimeout`/`setImmediate` are forwarders: during a step of that execution (`activate(c)`)
 * they use the clock `c`; between steps (`activate(null)`) they are the real functions. A step
 * runs in one macrotask (the execution's own) and the microtasks that follow it; other code that
 * runs before the next step (a test runner's handlers, a worker's messages) runs in macrotasks of
 * its own, so a forwarder called from a macrotask other than the step's uses the real function
 * even while a clock is active (`executionAsyncId`: the step's, or 0 in a microtask). So
 * nothing foreign lands on the virtual clock, save code running in microtasks of foreign
 * macrotasks in the gap between two steps.
 * `install` and `uninstall` bracket each such execution (counted, so nested executions, as a
 * replay inside a shrink, share one installation); after the last `uninstall` every global is
 * the original object again.
 *
 * Module state is the point here: the globals are the process's. Used only by VirtualTimers.
 */
export interface VirtualClock {
  now(): number;
  setTimeout(fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown;
  clearTimeout(id: unknown): void;
  setInterval(fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown;
  clearInterval(id: unknown): void;
  setImmediate(fn: (...args: unknown[]) => void, ...args: unknown[]): unknown;
  clearImmediate(id: unknown): void;
}

const require = createRequire(import.meta.url);
const timersPromises = require('node:timers/promises') as Record<string, unknown>;

interface Saved {
  readonly setTimeout: typeof globalThis.setTimeout;
  readonly clearTimeout: typeof globalThis.clearTimeout;
  readonly setInterval: typeof globalThis.setInterval;
  readonly clearInterval: typeof globalThis.clearInterval;
  readonly setImmediate: typeof globalThis.setImmediate;
  readonly clearImmediate: typeof globalThis.clearImmediate;
  readonly Date: DateConstructor;
  readonly performanceNow: PropertyDescriptor | undefined;
  readonly abortTimeout: typeof AbortSignal.timeout;
  readonly promisesSetTimeout: unknown;
  readonly promisesSetImmediate: unknown;
}

let clock: VirtualClock | null = null;
/** The async id of the macrotask the running step started in. */
let stepId = -1;
let installs = 0;
let saved: Saved | null = null;

/** The clock the forwarders use now (null: the real functions). Called by VirtualTimers at each step's start and end. */
export function activate(c: VirtualClock | null): void {
  clock = c;
  stepId = executionAsyncId();
}

/** The clock for a forwarder called now: the active one, unless the caller runs in another macrotask than the step. */
function on(): VirtualClock | null {
  if (clock === null) return null;
  const id = executionAsyncId();
  return id === 0 || id === stepId ? clock : null;
}

/** Replaces the globals with forwarders (the first of nested calls). */
export function install(): void {
  if (installs++ > 0) return;
  const real: Saved = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    setImmediate: globalThis.setImmediate,
    clearImmediate: globalThis.clearImmediate,
    Date: globalThis.Date,
    performanceNow: Object.getOwnPropertyDescriptor(performance, 'now'),
    abortTimeout: AbortSignal.timeout,
    promisesSetTimeout: timersPromises.setTimeout,
    promisesSetImmediate: timersPromises.setImmediate,
  };
  saved = real;
  const g = globalThis as unknown as Record<string, unknown>;
  g.setTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const c = on();
    return c !== null ? c.setTimeout(fn, ms, ...args) : real.setTimeout(fn, ms, ...args);
  };
  g.clearTimeout = (id: unknown) => {
    const c = on();
    return c !== null ? c.clearTimeout(id) : real.clearTimeout(id as never);
  };
  g.setInterval = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const c = on();
    return c !== null ? c.setInterval(fn, ms, ...args) : real.setInterval(fn, ms, ...args);
  };
  g.clearInterval = (id: unknown) => {
    const c = on();
    return c !== null ? c.clearInterval(id) : real.clearInterval(id as never);
  };
  g.setImmediate = (fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    const c = on();
    return c !== null ? c.setImmediate(fn, ...args) : real.setImmediate(fn, ...args);
  };
  g.clearImmediate = (id: unknown) => {
    const c = on();
    return c !== null ? c.clearImmediate(id) : real.clearImmediate(id as never);
  };
  g.Date = forwardingDate(real.Date);
  const realNow = performance.now.bind(performance);
  Object.defineProperty(performance, 'now', { configurable: true, writable: true, value: () => on()?.now() ?? realNow() });
  AbortSignal.timeout = (ms: number): AbortSignal => {
    const active = on();
    if (active === null) return real.abortTimeout.call(AbortSignal, ms);
    const controller = new AbortController();
    active.setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
    return controller.signal;
  };
  timersPromises.setTimeout = (ms?: number, value?: unknown, options?: { signal?: AbortSignal }) => {
    const c = on();
    return c !== null ? virtualDelay(c, 'setTimeout', ms, value, options?.signal) : (real.promisesSetTimeout as (...a: unknown[]) => unknown)(ms, value, options);
  };
  timersPromises.setImmediate = (value?: unknown, options?: { signal?: AbortSignal }) => {
    const c = on();
    return c !== null ? virtualDelay(c, 'setImmediate', 0, value, options?.signal) : (real.promisesSetImmediate as (...a: unknown[]) => unknown)(value, options);
  };
  syncBuiltinESMExports();
}

/** Puts every global back (the last of nested calls). Safe to call whatever happened in between. */
export function uninstall(): void {
  if (installs === 0 || --installs > 0) return;
  const real = saved!;
  saved = null;
  clock = null;
  const g = globalThis as unknown as Record<string, unknown>;
  g.setTimeout = real.setTimeout;
  g.clearTimeout = real.clearTimeout;
  g.setInterval = real.setInterval;
  g.clearInterval = real.clearInterval;
  g.setImmediate = real.setImmediate;
  g.clearImmediate = real.clearImmediate;
  g.Date = real.Date;
  if (real.performanceNow === undefined) delete (performance as { now?: unknown }).now;
  else Object.defineProperty(performance, 'now', real.performanceNow);
  AbortSignal.timeout = real.abortTimeout;
  timersPromises.setTimeout = real.promisesSetTimeout;
  timersPromises.setImmediate = real.promisesSetImmediate;
  syncBuiltinESMExports();
}

/** `node:timers/promises`'s delays on the virtual clock, with their AbortSignal. */
function virtualDelay(clock: VirtualClock, kind: 'setTimeout' | 'setImmediate', ms: number | undefined, value: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const id = kind === 'setTimeout' ? clock.setTimeout(() => resolve(value), ms) : clock.setImmediate(() => resolve(value));
    signal?.addEventListener(
      'abort',
      () => {
        if (kind === 'setTimeout') clock.clearTimeout(id);
        else clock.clearImmediate(id);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * A `Date` whose current time is the virtual clock's during a step: `new Date()`, `Date()` and
 * `Date.now()` read it; every other use (`new Date(ms)`, `Date.parse`, `Date.UTC`, the prototype,
 * `instanceof Date`) is the real Date's.
 */
function forwardingDate(RealDate: DateConstructor): DateConstructor {
  function VirtualDate(this: unknown, ...args: unknown[]): unknown {
    const now = on()?.now();
    if (new.target === undefined) return now === undefined ? RealDate() : new RealDate(now).toString();
    if (args.length === 0 && now !== undefined) return Reflect.construct(RealDate, [now], new.target);
    return Reflect.construct(RealDate, args, new.target);
  }
  Object.setPrototypeOf(VirtualDate, RealDate);
  VirtualDate.prototype = RealDate.prototype;
  VirtualDate.now = (): number => on()?.now() ?? RealDate.now();
  return VirtualDate as unknown as DateConstructor;
}
