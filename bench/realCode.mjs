// The real-code workload of the benchmark (issue 21): the same unchanged classes under interleave
// (a scenario with `t.io`) and under fast-check (`fc.scheduler()` with `s.scheduleFunction`).
// `calls` requests run at once; each awaits `auth(user)`, then gets a key from a cache that keeps
// the load in flight (the fixed get-or-load cache of test/fixtures/real/get-or-load.ts), then
// `save`s what it read. Keys repeat (`k0`, `k1`, `k0`, ...), so some requests share a load.
// Every schedule of both contenders checks the same outcome: each key loaded once, every
// request got its key's value, every save done; a contender that missed one throws.
//
// Each contender imports its library only when it runs (bench/contender.mjs times one per process).

/** The code under test, unchanged: a cache that shares the load in flight. No interleave inside. */
export class SharedLoadCache {
  #entries = new Map();
  #load;
  constructor(load) {
    this.#load = load;
  }
  get(key) {
    let p = this.#entries.get(key);
    if (p === undefined) {
      p = this.#load(key);
      this.#entries.set(key, p);
    }
    return p;
  }
}

/** The code under test, unchanged: a handler over async clients (auth, the cache, a store). */
export class Service {
  constructor(auth, cache, save) {
    this.auth = auth;
    this.cache = cache;
    this.save = save;
  }
  async handle(user, key) {
    if (!(await this.auth(user))) throw new Error(`${user} refused`);
    const value = await this.cache.get(key);
    await this.save(user, value);
    return value;
  }
}

/** The outside world of one schedule: async functions with no latency of their own (the scheduler adds it). */
function world() {
  const counts = { loads: new Map(), saves: 0 };
  return {
    counts,
    async auth(user) {
      return user.length > 0;
    },
    async load(key) {
      counts.loads.set(key, (counts.loads.get(key) ?? 0) + 1);
      return `value of ${key}`;
    },
    async save(_user, _value) {
      counts.saves++;
    },
  };
}

const keyOf = (i) => `k${i % 2}`;

/** Whether one schedule ended as it must: each key loaded once, every request served and saved. */
function checked(calls, values, counts) {
  if (counts.saves !== calls) return false;
  for (const [, n] of counts.loads) if (n !== 1) return false;
  return values.every((v, i) => v === `value of ${keyOf(i)}`);
}

/** interleave: the scenario, every client function controlled by `t.io`. */
export function realScenario(defineScenario, calls, heap) {
  return defineScenario({
    name: `bench-real-${calls}`,
    description: 'benchmark workload: concurrent requests through an unchanged service and cache',
    variants: { only: { expect: 'pass' } },
    async run(t) {
      heap?.sample();
      const w = world();
      const service = new Service(t.io('auth', w.auth), new SharedLoadCache(t.io('load', w.load)), t.io('save', w.save));
      const requests = [];
      for (let i = 0; i < calls; i++) requests.push(service.handle(`user${i}`, keyOf(i)));
      const values = await Promise.all(requests);
      t.assert(checked(calls, values, w.counts), 'wrong outcome');
    },
  });
}

export async function runInterleaveReal(calls, _steps, schedules, heap, seed = 1) {
  const { defineScenario, explore } = await import('../dist/index.js');
  const r = await explore(realScenario(defineScenario, calls, heap), { seed, iterations: schedules, strategy: 'random' });
  if (r.failure !== null || r.executions !== schedules) throw new Error(`interleave real-code workload failed: ${r.failure?.message}`);
  return r;
}

/** fast-check: the same classes, every client function wrapped by `s.scheduleFunction`; `s.waitAll()` drives them. */
export async function runFastCheckReal(calls, _steps, schedules, heap, seed = 1) {
  const { default: fc } = await import('fast-check');
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), async (s) => {
      heap?.sample();
      const w = world();
      const service = new Service(s.scheduleFunction(w.auth), new SharedLoadCache(s.scheduleFunction(w.load)), s.scheduleFunction(w.save));
      const requests = [];
      for (let i = 0; i < calls; i++) requests.push(service.handle(`user${i}`, keyOf(i)));
      const values = await s.waitFor(Promise.all(requests));
      if (!checked(calls, values, w.counts)) throw new Error('wrong outcome');
      runs++;
    }),
    { numRuns: schedules, seed },
  );
  if (runs !== schedules) throw new Error(`fast-check real-code workload ran ${runs} of ${schedules} schedules`);
}
