import { executionAsyncId } from 'node:async_hooks';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as timersPromisesEsm from 'node:timers/promises';

/**
 * The process-wide timer functions virtual timers replace (docs/real-code.md, "Virtual
 * timers"), and the one switch that sends them to a virtual clock.
 *
 * While an execution of real code runs, `setTimeout`, `setInterval`, `setImmediate`, their
 * `clear*`, `Date`, `performance.now`, `AbortSignal.timeout` and `node:timers/promises`'s
 * `setTimeout`/`setImmediate` are forwarders: during a step of that execution (`activate(c)`)
 * they use the clock `c`; between steps (`activate(null)`) they are the real functions. A step
 * runs in one macrotask or tick (the execution's own: src/runtime/quiescence.ts) and the microtasks that follow it; other code that
 * runs before the next step (a test runner's handlers, a worker's messages) runs in macrotasks of
 * its own, so a forwarder called from a macrotask other than the step's uses the real function
 * even while a clock is active (`executionAsyncId`: the step's, or 0 in a microtask). So
 * nothing foreign lands on the virtual clock, save code running in microtasks of foreign
 * macrotasks in the gap between two steps.
 * `install` and `uninstall` bracket each such execution (counted, so nested executions, as a
 * replay inside a shrink, share one installation); after the last `uninstall` every global, and
 * every export of `require('node:timers/promises')`, is the original object again. The ESM
 * bindings of `node:timers/promises` (`import { setTimeout } from ...`) keep the forwarders,
 * which outside a step call the original functions (`install`: re-syncing them costs ~50 us).
 *
 * The state is the process's (below, `SwitchState`), as the globals are. Used by VirtualTimers, by
 * RealTimersWatch (timers: 'real'), by OutsideWorld's hook and by src/series.ts (holdTimerGlobals).
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
  /** `performance.now` as it was (own or inherited), for the forwarder to call. */
  readonly now: () => number;
  readonly abortTimeout: typeof AbortSignal.timeout;
  readonly promisesSetTimeout: unknown;
  readonly promisesSetImmediate: unknown;
}

/**
 * The switch's state, one per process rather than per copy of this module: two copies of
 * interleave in one process (a CommonJS and an ES module build, or a test runner's copy of the
 * sources beside the built package a scenario imports) replace the same globals, and with a
 * counter each, one copy's `uninstall` put back the real functions while the other's executions
 * still counted on its forwarders (its next `install` then did nothing, and the code under test
 * met real timers). Kept under a registered symbol, versioned with the shape.
 */
interface SwitchState {
  clock: VirtualClock | null;
  /** The async id of the macrotask the running step started in. */
  stepId: number;
  /**
   * From a step's start until its microtasks have drained (`stepDrained`): everything that runs
   * then is the step's (no other macrotask runs before the drain), whatever async ids promises
   * have. Needed because an AsyncLocalStorage or async hook anywhere in the process numbers every
   * promise, so the step's microtasks no longer run in context 0.
   */
  window: boolean;
  installs: number;
  /**
   * What the last `install` replaced: the forwarders call these outside a step. Kept after
   * `uninstall`, so a forwarder the code under test kept (or an ESM binding, below) still works.
   */
  real: Saved | null;
  /** The forwarding Date, made once for the Date it wraps (`Date` is replaced by the same class every execution). */
  dateFor: { readonly real: DateConstructor; readonly virtual: DateConstructor } | null;
  /**
   * While async hooks number promises (an execution that records with OutsideWorld's hook on), a
   * promise reaction runs with its promise's async id rather than 0: the ids of the promises made
   * within the execution's steps, so a forwarder called from one of them still uses the clock.
   * Null when no hook numbers promises.
   */
  stepPromises: Set<number> | null;
  /** The forwarders, made once per process by the first copy (an ESM binding keeps whichever it was synced to). */
  forward: Forwarders | null;
}

const STATE_KEY = Symbol.for('interleave.timerGlobals.2');
const state: SwitchState = ((globalThis as Record<symbol, unknown>)[STATE_KEY] ??= {
  clock: null,
  stepId: -1,
  window: false,
  installs: 0,
  real: null,
  dateFor: null,
  stepPromises: null,
  forward: null,
} satisfies SwitchState) as SwitchState;

/** The clock the forwarders use now (null: the real functions). Called by VirtualTimers at each step's start and end. */
export function activate(c: VirtualClock | null): void {
  state.clock = c;
  state.stepId = executionAsyncId();
  state.window = c !== null;
}

/** The running step's microtasks have drained (src/runtime/quiescence.ts): code that runs from now on until the next step is not the step's unless its async context says so. */
export function stepDrained(): void {
  state.window = false;
}

/** Starts (or stops) keeping the ids of promises made within steps (called by OutsideWorld around a recording execution). */
export function keepStepPromises(on: boolean): void {
  state.stepPromises = on ? new Set() : null;
}

/** A promise was made (async hook `init`): kept when made within a step of the running execution. */
export function promiseMade(id: number): void {
  if (state.stepPromises !== null && inStep(executionAsyncId())) state.stepPromises.add(id);
}

/**
 * Whether code running in async context `id` is a step of the running execution: the step's
 * macrotask or tick, a microtask (0 without hooks), or a promise made within a step (while an
 * async hook numbers them). OutsideWorld uses it to tell the resources the execution starts from
 * the process's other activity.
 */
export function inStep(id: number): boolean {
  return state.clock !== null && (state.window || id === 0 || id === state.stepId || (state.stepPromises?.has(id) ?? false));
}

/** The clock for a forwarder called now: the active one, unless the caller runs in another macrotask than the step. */
function on(): VirtualClock | null {
  return inStep(executionAsyncId()) ? state.clock : null;
}

const TIMER_NAMES = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'] as const;
type TimerName = (typeof TIMER_NAMES)[number];

/** The forwarder of one timer function: the active clock's during a step, else the real one. */
function forwarder(name: TimerName): (...args: unknown[]) => unknown {
  return (...args: unknown[]): unknown => {
    const c = on();
    return c !== null ? Reflect.apply(c[name], c, args) : Reflect.apply(state.real![name], globalThis, args);
  };
}

type Forwarders = ReturnType<typeof makeForwarders>;

// The forwarders, made once per process (state.forward): installing is a few property writes per execution.
function makeForwarders() {
  return {
    setTimeout: forwarder('setTimeout'),
    clearTimeout: forwarder('clearTimeout'),
    setInterval: forwarder('setInterval'),
    clearInterval: forwarder('clearInterval'),
    setImmediate: forwarder('setImmediate'),
    clearImmediate: forwarder('clearImmediate'),
    now: (): number => on()?.now() ?? state.real!.now.call(performance),
    abortTimeout: (ms: number): AbortSignal => {
      const active = on();
      if (active === null) return state.real!.abortTimeout.call(AbortSignal, ms);
      const controller = new AbortController();
      active.setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
      return controller.signal;
    },
    promisesSetTimeout: (ms?: number, value?: unknown, options?: { signal?: AbortSignal }): unknown => {
      const c = on();
      return c !== null ? virtualDelay(c, 'setTimeout', ms, value, options?.signal) : (state.real!.promisesSetTimeout as (...a: unknown[]) => unknown)(ms, value, options);
    },
    promisesSetImmediate: (value?: unknown, options?: { signal?: AbortSignal }): unknown => {
      const c = on();
      return c !== null ? virtualDelay(c, 'setImmediate', 0, value, options?.signal) : (state.real!.promisesSetImmediate as (...a: unknown[]) => unknown)(value, options);
    },
  };
}

/**
 * The real timer functions as a clock, for a watch that lets the code under test use them (after
 * `install`): what a forwarder would call outside a step.
 */
export function realClock(): VirtualClock {
  const r = state.real!;
  return {
    now: () => r.now.call(performance),
    setTimeout: (fn, ms, ...args) => r.setTimeout(fn, ms, ...args),
    clearTimeout: (id) => r.clearTimeout(id as never),
    setInterval: (fn, ms, ...args) => r.setInterval(fn, ms, ...args),
    clearInterval: (id) => r.clearInterval(id as never),
    setImmediate: (fn, ...args) => r.setImmediate(fn, ...args),
    clearImmediate: (id) => r.clearImmediate(id as never),
  };
}

/** Replaces the globals with forwarders (the first of nested calls). */
export function install(): void {
  if (state.installs++ > 0) return;
  const forward = (state.forward ??= makeForwarders());
  const saved: Saved = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    setImmediate: globalThis.setImmediate,
    clearImmediate: globalThis.clearImmediate,
    Date: globalThis.Date,
    performanceNow: Object.getOwnPropertyDescriptor(performance, 'now'),
    now: performance.now,
    abortTimeout: AbortSignal.timeout,
    promisesSetTimeout: timersPromises.setTimeout,
    promisesSetImmediate: timersPromises.setImmediate,
  };
  state.real = saved;
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of TIMER_NAMES) g[name] = forward[name];
  if (state.dateFor?.real !== saved.Date) state.dateFor = { real: saved.Date, virtual: forwardingDate(saved.Date) };
  g.Date = state.dateFor.virtual;
  Object.defineProperty(performance, 'now', { configurable: true, writable: true, value: forward.now });
  AbortSignal.timeout = forward.abortTimeout;
  timersPromises.setTimeout = forward.promisesSetTimeout;
  timersPromises.setImmediate = forward.promisesSetImmediate;
  // ESM imports of node:timers/promises see the forwarders only after a sync, which rewrites the
  // bindings of every builtin (~50 us). They keep them after `uninstall` (outside a step a
  // forwarder is the real function), so only the first execution, or one after somebody else
  // synced the builtins again, pays for it.
  if (timersPromisesEsm.setTimeout !== forward.promisesSetTimeout || timersPromisesEsm.setImmediate !== forward.promisesSetImmediate) syncBuiltinESMExports();
}

/**
 * Keeps the forwarders installed until the returned release is called: for executions of real
 * code run back to back (src/series.ts), which then install and uninstall by a count only (writing
 * the globals was ~6% of a real-code execution). Between those executions no other code runs but
 * the next execution's, and a forwarder with no active clock is the real function; after the
 * release every global is the original again, as after `uninstall`.
 */
export function holdTimerGlobals(): () => void {
  install();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    uninstall();
  };
}

/** Puts every global back (the last of nested calls). Safe to call whatever happened in between. */
export function uninstall(): void {
  if (state.installs === 0 || --state.installs > 0) return;
  const saved = state.real!;
  state.clock = null;
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of TIMER_NAMES) g[name] = saved[name];
  g.Date = saved.Date;
  if (saved.performanceNow === undefined) delete (performance as { now?: unknown }).now;
  else Object.defineProperty(performance, 'now', saved.performanceNow);
  AbortSignal.timeout = saved.abortTimeout;
  timersPromises.setTimeout = saved.promisesSetTimeout;
  timersPromises.setImmediate = saved.promisesSetImmediate;
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
