import { IteratorInvalidated, KeyError } from '../runtime/errors.js';
import { Operation } from '../runtime/operation.js';
import { Primitive } from './base.js';

/** What `get` and `delete` do with a missing key: see MapOptions.missing. */
export type MissingKeys = 'throw' | 'undefined';

export interface MapOptions<M extends MissingKeys = MissingKeys> {
  /**
   * 'throw': `get` and `delete` of a missing key raise KeyError, like Python's `d[k]` and
   * `del d[k]`, and `get`'s type has no `undefined`. 'undefined' (the default): `get` of a
   * missing key gives `undefined`, like a JavaScript Map, and `delete` gives false.
   */
  readonly missing?: M;
}

/** What `get` resolves to: never `undefined` in a map whose missing keys throw. */
export type MapValue<V, M extends MissingKeys> = M extends 'throw' ? V : V | undefined;

/**
 * A shared dictionary. Operations on different keys commute; `keys`, `size`, `entries` and
 * iteration read the whole key set. Adding or removing a key while a task iterates makes that
 * iterator throw IteratorInvalidated on its next step (Python: "dictionary changed size
 * during iteration"; Qt: invalidated iterators).
 */
export class SharedMap<K, V, M extends MissingKeys = MissingKeys> extends Primitive {
  readonly type = 'map';
  private readonly data = new Map<K, V>();
  /** Bumped on every change of the key set; iterators compare against it. */
  private shape = 0;
  private readonly throwOnMissing: boolean;

  constructor(exec: ConstructorParameters<typeof Primitive>[0], name: string, options?: MapOptions<M>) {
    super(exec, name);
    this.throwOnMissing = options?.missing === 'throw';
  }

  /** The value at `key`; a missing key gives `undefined`, or raises KeyError with `missing: 'throw'`. */
  get(key: K): Promise<MapValue<V, M>> {
    return this.exec.perform(
      new Operation('get', this, key, 'read', null, () => {
        const v = this.data.get(key);
        if (v === undefined && this.throwOnMissing && !this.data.has(key)) throw new KeyError(this.name, key);
        return v as MapValue<V, M>;
      }),
    );
  }

  has(key: K): Promise<boolean> {
    return this.exec.perform(new Operation('has', this, key, 'read', null, () => this.data.has(key)));
  }

  set(key: K, value: V): Promise<void> {
    return this.exec.perform(
      new Operation('set', this, key, 'write', null, () => {
        if (!this.data.has(key)) this.shape++;
        this.data.set(key, value);
      }),
    );
  }

  /** Removes `key`; returns whether it was there (throws KeyError when missing keys throw). */
  delete(key: K): Promise<boolean> {
    return this.exec.perform(
      new Operation('delete', this, key, 'write', null, () => {
        if (!this.data.has(key)) {
          if (this.throwOnMissing) throw new KeyError(this.name, key);
          return false;
        }
        this.data.delete(key);
        this.shape++;
        return true;
      }),
    );
  }

  /** Atomic remove-and-return (Python's `d.pop(k, None)`): never throws. */
  pop(key: K): Promise<V | undefined> {
    return this.exec.perform(
      new Operation('pop', this, key, 'write', null, () => {
        if (!this.data.has(key)) return undefined;
        const v = this.data.get(key);
        this.data.delete(key);
        this.shape++;
        return v;
      }),
    );
  }

  /** Atomic insert-if-absent; returns the value now stored (Python's `setdefault`). */
  setDefault(key: K, value: V): Promise<V> {
    return this.exec.perform(
      new Operation('setdefault', this, key, 'write', null, () => {
        if (this.data.has(key)) return this.data.get(key) as V;
        this.data.set(key, value);
        this.shape++;
        return value;
      }),
    );
  }

  /** A snapshot of the keys, taken atomically (Python's `list(d.keys())`). */
  keys(): Promise<K[]> {
    return this.exec.perform(new Operation('keys', this, undefined, 'read', null, () => [...this.data.keys()]));
  }

  values(): Promise<V[]> {
    return this.exec.perform(new Operation('values', this, undefined, 'read', null, () => [...this.data.values()]));
  }

  entries(): Promise<[K, V][]> {
    return this.exec.perform(new Operation('entries', this, undefined, 'read', null, () => [...this.data.entries()]));
  }

  size(): Promise<number> {
    return this.exec.perform(new Operation('size', this, undefined, 'read', null, () => this.data.size));
  }

  clear(): Promise<void> {
    return this.exec.perform(
      new Operation('clear', this, undefined, 'write', null, () => {
        if (this.data.size > 0) this.shape++;
        this.data.clear();
      }),
    );
  }

  /**
   * Live iteration: each step is a scheduling point that reads the key set, so another task can
   * mutate the map between steps. A change of the key set invalidates the iterator.
   */
  iterate(): AsyncIterableIterator<[K, V]> {
    let snapshot: K[] | null = null;
    let shape = -1;
    let i = 0;
    const step = (): Promise<IteratorResult<[K, V]>> =>
      this.exec.perform(
        new Operation('iterate', this, undefined, 'read', null, () => {
          if (snapshot === null) {
            snapshot = [...this.data.keys()];
            shape = this.shape;
          } else if (shape !== this.shape) {
            throw new IteratorInvalidated(this.name, 'a key was added or removed');
          }
          if (i >= snapshot.length) return { done: true, value: undefined };
          const k = snapshot[i++]!;
          return { done: false, value: [k, this.data.get(k) as V] };
        }),
      );
    return {
      next: step,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Contents without a scheduling point: only for assertions after every task is done. */
  peek(): ReadonlyMap<K, V> {
    return this.data;
  }
}
