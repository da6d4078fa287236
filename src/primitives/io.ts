import { types } from 'node:util';
import { UsageError } from '../runtime/errors.js';
import { formatValue } from '../runtime/events.js';
import type { Execution } from '../runtime/execution.js';
import { Operation, type SharedObject } from '../runtime/operation.js';
import { operationSite } from '../runtime/location.js';
import { usageErrorHere } from '../runtime/usageSite.js';
import { describeThrown } from '../runtime/thrown.js';

/** Longest text of a call (`name(args)`) in events and messages. */
const MAX_CALL_TEXT = 80;

/**
 * Controlled I/O (`t.io`, docs/real-code.md): a function whose every call is a step the strategy
 * schedules. The call returns a promise at once; the wrapped function runs, and its result (or
 * error) is delivered to the caller, when the strategy picks the call. Between its call and its
 * delivery any other step may run: that is the latency of the outside world, and where races of
 * real code live.
 *
 * Each call is a task of its own (named after the function: `db.get`, `db.get#2`, ... in call
 * order, so stable across executions and replays). Every call touches "the outside world", one
 * object per execution: calls are dependent on each other, as nothing tells interleave which
 * state the wrapped function reads or writes.
 */
export function controlled<F extends (...args: never[]) => unknown>(exec: Execution, name: string, fn: F, self: unknown): (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>> {
  return function controlledCall(...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> {
    if (exec.isStopped) {
      throw usageErrorHere(`io "${name}" was called after the execution ended (from a timer or callback left running, or an object kept from an earlier execution?): create controlled functions in the scenario body, every run`);
    }
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    let outcome: unknown;
    let threw = false;
    const obj = new CallObject(exec.worldId(), name, args, exec.record);
    const op = new Operation('call', obj, undefined, 'write', null, () => {
      try {
        outcome = Reflect.apply(fn, self, args);
      } catch (error) {
        threw = true;
        outcome = error;
        return undefined;
      }
      return outcome;
    });
    exec.spawnCall(name, op, () => {
      if (threw) {
        reject(outcome);
        return;
      }
      resolve(outcome);
      const event = exec.stepEvent();
      // Where the code under test made the call (captured only while recording).
      const site = operationSite(op);
      if (event !== null && site !== undefined) event.site = site;
      if (event !== null && isThenable(outcome)) {
        // Shown as what the promise settles with. An extra reaction that only writes the event:
        // the order of the code's own reactions is the same whether or not the run records.
        outcome.then(
          (value) => (event.result = ioValueText(value)),
          (error: unknown) => (event.result = `throws ${describeThrown(error).name}`),
        );
      }
    });
    return promise as Promise<Awaited<ReturnType<F>>>;
  };
}

/**
 * The outside world as one call touches it, named by the call's text: formatted at once while
 * recording (the arguments as they were at the call), else on first read, if any.
 */
class CallObject implements SharedObject {
  readonly type = 'io';
  private text: string | null;
  constructor(
    readonly id: number,
    private readonly fn: string,
    private readonly args: readonly unknown[],
    now: boolean,
  ) {
    this.text = now ? callText(fn, args) : null;
  }
  get name(): string {
    return (this.text ??= callText(this.fn, this.args));
  }
}

/**
 * `client` with every method controlled (`t.io(name, client)`): a Proxy whose function-valued
 * properties (own or inherited, but not `constructor`) are controlled functions named
 * `<name>.<method>`, bound to the client; other properties read through. One wrapper per method.
 */
export function controlledObject<O extends object>(exec: Execution, name: string, client: O): Controlled<O> {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'constructor') return value;
      let w = wrapped.get(prop);
      if (w === undefined) {
        w = controlled(exec, `${name}.${String(prop)}`, value as (...args: never[]) => unknown, target);
        wrapped.set(prop, w);
      }
      return w;
    },
  }) as unknown as Controlled<O>;
}

/** What `t.io(name, client)` returns: every method returns a promise of its result. */
export type Controlled<O> = {
  [K in keyof O]: O[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : O[K];
};

/** Checks `t.io`'s arguments: one clear line for anything but a function or an object with methods. */
export function checkIoTarget(name: unknown, target: unknown): void {
  if (typeof name !== 'string' || name === '') throw new UsageError(`t.io: the name must be a non-empty string, got ${formatValue(name)}`);
  if (typeof target === 'function') return;
  if (typeof target === 'object' && target !== null) return;
  throw new UsageError(`t.io("${name}"): expected a function or an object whose methods to control, got ${formatValue(target)}`);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** `name(arg, ...)`, each argument formatted as a call's result, cut at MAX_CALL_TEXT characters. */
function callText(name: string, args: readonly unknown[]): string {
  const text = `${name}(${args.map(ioValueText).join(', ')})`;
  return text.length <= MAX_CALL_TEXT ? text : `${text.slice(0, MAX_CALL_TEXT - 4)}...)`;
}

/** Properties of a plain object shown in a call's text; more are counted. */
const MAX_SHOWN_KEYS = 4;

/**
 * A call's argument or result as the timeline shows it: formatted as in events, except that a
 * small plain object (a DB row, an options bag) shows its properties one level deep,
 * `{balance: 110, version: 1}`, where events say `object`. Never inspects a Proxy (a `t.track`
 * value would record the reads as accesses of the step) or a class instance (a getter could run
 * the code under test).
 */
function ioValueText(v: unknown): string {
  if (typeof v !== 'object' || v === null || types.isProxy(v)) return formatValue(v);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return formatValue(v);
  const keys = Object.keys(v);
  const shown = keys.slice(0, MAX_SHOWN_KEYS).map((k) => {
    const d = Object.getOwnPropertyDescriptor(v, k);
    return `${k}: ${d !== undefined && 'value' in d ? formatValue(d.value) : 'getter'}`;
  });
  const text = `{${shown.join(', ')}${keys.length > MAX_SHOWN_KEYS ? `, ... ${keys.length - MAX_SHOWN_KEYS} more` : ''}}`;
  return text.length <= MAX_CALL_TEXT ? text : `${text.slice(0, MAX_CALL_TEXT - 4)}...}`;
}
