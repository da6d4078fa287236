import { defineScenario, param } from 'interleave';
import type { Mutex, ScenarioContext, SharedMap, SharedVar } from 'interleave';
import fc from 'fast-check';

/**
 * Seed 003 (Omnibase "Thread Safety in Omnibase Core"), NodeCompute > "Computation Cache":
 * `ModelComputeCache` is an LRU cache whose get/put are not atomic ("concurrent get() calls can
 * race with put()", "LRU eviction logic can corrupt cache state", "access count updates are not
 * atomic"). NodeCompute's ThreadPoolExecutor workers (worker1/worker2 in "Node Instance
 * Sharing") do check cache -> compute if missing -> cache result.
 *
 * The cache internals are not in the audit; the model is the usual dict + access-order list +
 * stats, each Python statement one step:
 *   get(key):  _stats.access_count += 1; entry = _cache.get(key); hits/misses += 1; move to MRU
 *   put(key):  if key not in _cache and len(_cache) >= max_size: _evict_lru(); _cache[key] = v; move to MRU
 * Every `x += 1` is a read then a write, as in Python.
 */

type Params = { workers: number; maxSize: number };
type Workload = 'shared-keys' | 'distinct-keys';

/** Computation types NodeCompute caches results for (keys of `_cache`). */
const SHARED_KEYS = ['sum_numbers', 'mean'];

class ModelComputeCache {
  readonly _cache: SharedMap<string, string>;
  /** Least recently used first (the OrderedDict order `_evict_lru` pops from). */
  readonly _access_order: SharedVar<string[]>;
  /** get_stats(): access_count, hits, misses. */
  readonly _stats: SharedMap<string, number>;

  constructor(
    t: ScenarioContext<Params>,
    readonly max_size: number,
  ) {
    this._cache = t.map('_cache');
    this._access_order = t.variable('_access_order', []);
    this._stats = t.map('_stats');
  }

  private async bump(stat: string): Promise<void> {
    const n = (await this._stats.get(stat)) ?? 0;
    await this._stats.set(stat, n + 1);
  }

  private async touch(key: string): Promise<void> {
    const order = await this._access_order.get();
    await this._access_order.set([...order.filter((k) => k !== key), key]);
  }

  async get(key: string): Promise<string | undefined> {
    await this.bump('access_count');
    const value = await this._cache.get(key);
    if (value === undefined) {
      await this.bump('misses');
      return undefined;
    }
    await this.bump('hits');
    await this.touch(key);
    return value;
  }

  async put(key: string, value: string): Promise<void> {
    if (!(await this._cache.has(key)) && (await this._cache.size()) >= this.max_size) await this._evict_lru();
    await this._cache.set(key, value);
    await this.touch(key);
  }

  private async _evict_lru(): Promise<void> {
    const order = await this._access_order.get();
    const oldest = order[0];
    if (oldest === undefined) return;
    await this._cache.pop(oldest);
    await this._access_order.set(order.slice(1));
  }
}

/** The audit's ThreadSafeComputeCache: every public method under one non-reentrant `_lock`. */
class ThreadSafeComputeCache {
  constructor(
    readonly _cache: ModelComputeCache,
    readonly _lock: Mutex,
  ) {}

  get(key: string): Promise<string | undefined> {
    return this._lock.withLock(() => this._cache.get(key));
  }

  put(key: string, value: string): Promise<void> {
    return this._lock.withLock(() => this._cache.put(key, value));
  }

  /** "holds the lock during both the cache check and computation" (seed 003). */
  compute_if_absent(key: string, compute_fn: (key: string) => Promise<string>): Promise<string> {
    return this._lock.withLock(async () => {
      const cached = await this._cache.get(key);
      if (cached !== undefined) return cached;
      const result = await compute_fn(key);
      await this._cache.put(key, result);
      return result;
    });
  }
}

export default defineScenario<Params>({
  name: 'compute-if-absent-cache',
  description: 'NodeCompute workers share a ModelComputeCache: check -> compute -> put races; fixed with compute_if_absent under the lock',
  source: 'seed 003, NodeCompute Thread Safety > Computation Cache (ThreadSafeComputeCache, Important Atomicity Note)',
  params: {
    workers: param(2, fc.integer({ min: 2, max: 4 }), 'NodeCompute pool workers sharing one cache'),
    maxSize: param(2, fc.integer({ min: 2, max: 3 }), 'max_size of the LRU cache'),
  },
  variants: {
    buggy: { expect: 'assertion', description: 'unsynchronized cache, workers do get -> compute -> put on shared keys: duplicate computation' },
    'lru-corruption': { expect: 'assertion', description: 'unsynchronized cache, each worker its own keys: eviction and MRU updates race, LRU order and stats corrupt' },
    'locked-get-put': {
      expect: 'assertion',
      description: 'ThreadSafeComputeCache get/put each locked, caller still get -> compute -> put: duplicate computation (the audit\'s atomicity note)',
    },
    fixed: { expect: 'pass', description: 'compute_if_absent holds the lock over check, compute and put (both workloads)' },
    'nested-compute': {
      expect: 'deadlock',
      description: 'finding: a compute_fn that itself uses compute_if_absent (variance needs mean) deadlocks on the non-reentrant _lock',
    },
  },
  budget: { iterations: 200 },
  async run(t) {
    const { workers, maxSize } = t.params;
    const variant = t.variant;
    const inner = new ModelComputeCache(t, maxSize);
    const computation_cache = new ThreadSafeComputeCache(inner, t.lock('_lock'));
    // 'fixed' is checked against both access patterns; the buggy variants each show one hazard.
    const workload: Workload =
      variant === 'lru-corruption' ? 'distinct-keys' : variant === 'fixed' ? t.pick<Workload>(['shared-keys', 'distinct-keys'], 'workload') : 'shared-keys';

    // Ghost state (plain JS, updated atomically between scheduling points): what really happened.
    const computed = new Map<string, number>();
    let lookups = 0;

    const compute_fn = async (key: string): Promise<string> => {
      computed.set(key, (computed.get(key) ?? 0) + 1);
      await t.sleep(10); // the computation itself
      return `${key}=result`;
    };

    /** What NodeCompute.process does for one input, in each variant. */
    const process = async (key: string): Promise<string> => {
      lookups++;
      switch (variant) {
        case 'fixed':
          return computation_cache.compute_if_absent(key, compute_fn);
        case 'nested-compute':
          // variance = mean of squares minus square of mean: it asks the cache for 'mean'.
          return computation_cache.compute_if_absent(key, async (k) => {
            if (k === 'variance') {
              lookups++;
              await computation_cache.compute_if_absent('mean', compute_fn);
            }
            return compute_fn(k);
          });
        case 'locked-get-put': {
          const cached = await computation_cache.get(key);
          if (cached !== undefined) return cached;
          const result = await compute_fn(key);
          await computation_cache.put(key, result);
          return result;
        }
        default: {
          const cached = await inner.get(key);
          if (cached !== undefined) return cached;
          const result = await compute_fn(key);
          await inner.put(key, result);
          return result;
        }
      }
    };

    const keysOf = (i: number): string[] => {
      if (variant === 'nested-compute') return i === 1 ? ['variance'] : ['sum_numbers'];
      if (workload === 'distinct-keys') return [`batch-${i}a`, `batch-${i}b`];
      // Shared keys, each worker starting at a different one.
      return SHARED_KEYS.map((_, j) => SHARED_KEYS[(i - 1 + j) % SHARED_KEYS.length]!);
    };

    const handles = [];
    for (let i = 1; i <= workers; i++) {
      handles.push(
        t.spawn(`worker${i}`, async () => {
          for (const key of keysOf(i)) {
            const v = await process(key);
            t.assert(v === `${key}=result`, `worker${i} got ${v} for ${key}`);
          }
        }),
      );
    }
    for (const h of handles) await h.join();

    // Invariants, checked once every worker is done.
    const problems: string[] = [];
    const cache = inner._cache.peek();
    const order = inner._access_order.peek();
    const stats = inner._stats.peek();
    if (workload === 'shared-keys' && variant !== 'nested-compute') {
      // max_size >= number of distinct keys: nothing is ever evicted, so each key is computed once.
      for (const [key, n] of computed) if (n > 1) problems.push(`duplicate computation: compute_fn(${key}) ran ${n} times`);
    }
    // The buggy variant shows its one hazard, duplicate computation; the same unsynchronized
    // cache also corrupts the LRU and the stats, which lru-corruption shows on its own.
    if (variant === 'buggy') {
      t.assert(problems.length === 0, problems.join('; '));
      return;
    }
    const inOrder = new Set(order);
    if (inOrder.size !== order.length) problems.push(`corrupted LRU: _access_order has duplicates [${order.join(', ')}]`);
    for (const k of cache.keys()) if (!inOrder.has(k)) problems.push(`lost entry: ${k} is in _cache but not in _access_order (never evicted)`);
    for (const k of inOrder) if (!cache.has(k)) problems.push(`corrupted LRU: ${k} is in _access_order but not in _cache`);
    if (cache.size > maxSize) problems.push(`_cache holds ${cache.size} entries, max_size is ${maxSize}`);
    // Stats: get() counts every lookup once (compute_if_absent calls the inner get once too).
    const access = stats.get('access_count') ?? 0;
    const hm = (stats.get('hits') ?? 0) + (stats.get('misses') ?? 0);
    if (access !== lookups) problems.push(`access_count is ${access} after ${lookups} lookups`);
    if (hm !== lookups) problems.push(`hits + misses is ${hm} after ${lookups} lookups`);
    t.assert(problems.length === 0, problems.join('; '));
  },
});
