import { UsageError } from '../runtime/errors.js';
import type { SharedObject } from '../runtime/operation.js';

/**
 * Where a tracked object reports its reads and writes: the execution (`Execution.access`), or
 * a recorder in a test. `kind` is the verb shown in messages (`has`, `set`, `push`, `keys`),
 * `key` the map key, set element, array index or property name (undefined: the whole object).
 */
export interface AccessSink {
  /** `inserts`: the write adds a key, so it also changes the iteration order (two such never commute). */
  access(obj: SharedObject, kind: string, key: unknown, write: boolean, inserts?: boolean): void;
  newObjectId(): number;
}

/** A tracked value as the dependency relation and messages see it: `map "sessions"`. */
export class TrackedObject implements SharedObject {
  readonly id: number;
  constructor(
    sink: AccessSink,
    readonly name: string,
    /** 'map', 'set', 'array' or 'object': shown in events, and data (not synchronisation) to the race namer. */
    readonly type: 'map' | 'set' | 'array' | 'object',
  ) {
    this.id = sink.newObjectId();
  }
}

const NOT_TRACKABLE = 'is not a Map, Set, array or plain object';

/**
 * `t.track(value, name)`: a Proxy of `value` whose reads and writes are reported to `sink` as
 * they happen. Called by ScenarioContext.track, once per execution per tracked value. Guarantees:
 * the proxy behaves as `value` does for every operation of its kind (a property test holds it to
 * that), adds no scheduling point, and reports each access once, keyed where the access is:
 *
 * - Map: `get`/`has`/`set`/`delete` of a key; `size`, `clear` and iteration (`keys`, `values`,
 *   `entries`, `forEach`, `for...of`: once when it starts and once per step) are the whole map.
 * - Set: `has`/`add`/`delete` of an element; `size`, `clear` and iteration as for Map.
 * - array: reads and writes of an index; `length`, every mutating method (`push`, `splice`,
 *   `sort`, ...) and every other method (`includes`, `map`, iteration) are the whole array.
 * - plain object: property get/set/delete/`in`; `Object.keys`, spread and `for...in` the whole.
 *
 * A write that adds a key (Map `set` and Set `add` of a new one, a new property) is also marked
 * as inserting: it changes the iteration order, so two insertions never commute, whatever keys.
 *
 * Nested values are not tracked (`sessions.get("s1").user = x` is a read of `sessions["s1"]`
 * only): track them too. Anything else (a primitive, a Date, a class instance, a frozen object)
 * is a UsageError: `t.track: "name" (a Date) is not a Map, Set, array or plain object`.
 */
export function track<T>(sink: AccessSink, value: T, name: string): T {
  if (typeof name !== 'string' || name === '') throw new UsageError('t.track: the name must be a non-empty string');
  const what = unsupported(value);
  if (what !== null) throw new UsageError(`t.track: "${name}" (${what}) ${NOT_TRACKABLE}`);
  if (value instanceof Map) return trackCollection(sink, value, new TrackedObject(sink, name, 'map'), MAP_VERBS) as T;
  if (value instanceof Set) return trackCollection(sink, value, new TrackedObject(sink, name, 'set'), SET_VERBS) as T;
  if (Array.isArray(value)) return trackArray(sink, value, new TrackedObject(sink, name, 'array')) as T;
  return trackObject(sink, value as object, new TrackedObject(sink, name, 'object')) as T;
}

/** Why `value` cannot be tracked (`a Date`, `a frozen object`), or null when it can. */
function unsupported(value: unknown): string | null {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
  if (Object.isFrozen(value)) return 'a frozen object';
  if (value instanceof Map || value instanceof Set || Array.isArray(value)) return null;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return null;
  let ctor = '';
  try {
    const c = (proto as { constructor?: unknown }).constructor;
    if (typeof c === 'function' && typeof c.name === 'string') ctor = c.name;
  } catch {
    // A throwing getter: the value is described without its class.
  }
  return ctor === '' ? 'an object with a prototype' : `${/^[aeiou]/i.test(ctor) ? 'an' : 'a'} ${ctor}`;
}

/** How a Map or Set method touches the collection: by its first argument's key, or as a whole. */
interface Verb {
  readonly kind: string;
  readonly keyed: boolean;
  readonly write: boolean;
  /** The method returns an iterator whose every step reads the whole collection again. */
  readonly iterates?: true;
  /** The method returns the collection itself (`set`, `add`): the proxy is returned instead. */
  readonly chains?: true;
}

const ITERATE: Verb = { kind: 'iterate', keyed: false, write: false, iterates: true };
const COMMON_VERBS: Readonly<Record<string, Verb>> = {
  has: { kind: 'has', keyed: true, write: false },
  delete: { kind: 'delete', keyed: true, write: true },
  clear: { kind: 'clear', keyed: false, write: true },
  forEach: { kind: 'iterate', keyed: false, write: false },
  keys: ITERATE,
  values: ITERATE,
  entries: ITERATE,
};
const MAP_VERBS: ReadonlyMap<PropertyKey, Verb> = new Map<PropertyKey, Verb>([
  ...Object.entries(COMMON_VERBS),
  ['get', { kind: 'get', keyed: true, write: false }],
  ['set', { kind: 'set', keyed: true, write: true, chains: true }],
  [Symbol.iterator, ITERATE],
]);
const SET_VERBS: ReadonlyMap<PropertyKey, Verb> = new Map<PropertyKey, Verb>([
  ...Object.entries(COMMON_VERBS),
  ['add', { kind: 'add', keyed: true, write: true, chains: true }],
  [Symbol.iterator, ITERATE],
]);

/** An iterator that reports a whole read of `obj` at every step (its next value depends on all of it). */
function trackIterator<T>(sink: AccessSink, obj: TrackedObject, inner: Iterator<T>): IterableIterator<T> {
  return {
    next(): IteratorResult<T> {
      sink.access(obj, 'iterate', undefined, false);
      return inner.next();
    },
    [Symbol.iterator]() {
      return this;
    },
  };
}

/** A Map or Set: its methods are called on the real collection (they need its internal slots) after the access is reported. */
function trackCollection(sink: AccessSink, target: Map<unknown, unknown> | Set<unknown>, obj: TrackedObject, verbs: ReadonlyMap<PropertyKey, Verb>): object {
  const methods = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  const proxy: object = new Proxy(target, {
    get(t, prop) {
      if (prop === 'size') {
        sink.access(obj, 'size', undefined, false);
        return t.size;
      }
      const verb = verbs.get(prop);
      if (verb === undefined) return Reflect.get(t, prop, t);
      let method = methods.get(prop);
      if (method === undefined) {
        const real = Reflect.get(t, prop, t) as (...args: unknown[]) => unknown;
        method = (...args: unknown[]): unknown => {
          sink.access(obj, verb.kind, verb.keyed ? args[0] : undefined, verb.write, verb.chains === true && !t.has(args[0]));
          const result = real.apply(t, args);
          if (verb.chains === true) return proxy;
          if (verb.iterates === true) return trackIterator(sink, obj, result as Iterator<unknown>);
          return result;
        };
        methods.set(prop, method);
      }
      return method;
    },
  });
  return proxy;
}

/** Array methods that change the array: a whole-array write each. Every other method is a whole-array read. */
const MUTATING: ReadonlySet<PropertyKey> = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);
const ARRAY_ITERATORS: ReadonlySet<PropertyKey> = new Set(['keys', 'values', 'entries', Symbol.iterator]);

/** `"3"` -> 3 for an array index, so `queue[3]` reads and writes share one key; anything else as is. */
function arrayKey(prop: PropertyKey): unknown {
  if (typeof prop !== 'string') return prop;
  if (prop === '0') return 0;
  if (prop.length > 0 && prop.length < 11 && prop.charCodeAt(0) > 48 && prop.charCodeAt(0) <= 57 && /^\d+$/.test(prop)) {
    const n = Number(prop);
    if (n < 4294967295) return n;
  }
  return prop;
}

/** An array: index accesses by index, `length` and methods (run on the real array) as the whole. */
function trackArray(sink: AccessSink, target: unknown[], obj: TrackedObject): unknown[] {
  const methods = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  const handler: ProxyHandler<unknown[]> = {
    ...objectTraps(sink, obj, arrayKey),
    get(t, prop) {
      if (prop === 'length') {
        sink.access(obj, 'length', undefined, false);
        return t.length;
      }
      const own = Object.prototype.hasOwnProperty.call(t, prop);
      const value: unknown = Reflect.get(t, prop, t);
      if (own || typeof value !== 'function' || prop === 'constructor') {
        sink.access(obj, 'get', arrayKey(prop), false);
        return value;
      }
      let method = methods.get(prop);
      if (method === undefined) {
        const real = value as (...args: unknown[]) => unknown;
        const write = MUTATING.has(prop);
        const iterates = ARRAY_ITERATORS.has(prop);
        const kind = typeof prop === 'symbol' ? 'iterate' : prop;
        method = (...args: unknown[]): unknown => {
          sink.access(obj, kind, undefined, write);
          const result = real.apply(t, args);
          return iterates ? trackIterator(sink, obj, result as Iterator<unknown>) : result;
        };
        methods.set(prop, method);
      }
      return method;
    },
    set(t, prop, value) {
      if (prop === 'length') sink.access(obj, 'set length', undefined, true);
      else {
        // Indices are listed in numeric order; only a new named property changes the key order.
        const key = arrayKey(prop);
        sink.access(obj, 'set', key, true, typeof key !== 'number' && !Object.prototype.hasOwnProperty.call(t, prop));
      }
      return Reflect.set(t, prop, value);
    },
  };
  return new Proxy(target, handler);
}

/** A plain object: every property access keyed by its name; the key list is the whole object. */
function trackObject(sink: AccessSink, target: object, obj: TrackedObject): object {
  return new Proxy(target, objectTraps(sink, obj, (prop) => prop));
}

/** The traps a plain object and an array share (an array's own `get` and `set` replace the first two). */
function objectTraps(sink: AccessSink, obj: TrackedObject, keyOf: (prop: PropertyKey) => unknown): ProxyHandler<object> {
  /** A trap that reports the access to `prop`, then does what the plain object does. A write that adds the property changes the key order. */
  const keyed =
    <A extends unknown[], R>(kind: string, write: boolean, reflect: (t: object, prop: PropertyKey, ...rest: A) => R) =>
    (t: object, prop: PropertyKey, ...rest: A): R => {
      sink.access(obj, kind, keyOf(prop), write, write && kind === 'set' && !Object.prototype.hasOwnProperty.call(t, prop));
      return reflect(t, prop, ...rest);
    };
  return {
    get: keyed('get', false, Reflect.get),
    // Set on the target itself: with the proxy as receiver the write would come back as defineProperty.
    set: keyed('set', true, (t, prop, value: unknown) => Reflect.set(t, prop, value)),
    has: keyed('has', false, Reflect.has),
    deleteProperty: keyed('delete', true, Reflect.deleteProperty),
    defineProperty: keyed('set', true, Reflect.defineProperty),
    getOwnPropertyDescriptor: keyed('get', false, Reflect.getOwnPropertyDescriptor),
    ownKeys(t) {
      sink.access(obj, 'keys', undefined, false);
      return Reflect.ownKeys(t);
    },
  };
}
