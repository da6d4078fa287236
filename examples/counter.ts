import { defineScenario, param } from 'interleave';
import fc from 'fast-check';

export default defineScenario({
  name: 'counter',
  description: 'workers increment a shared counter',
  params: { workers: param(2, fc.integer({ min: 2, max: 4 })) },
  variants: {
    buggy: { expect: 'assertion', description: 'get then set, no lock' },
    fixed: { expect: 'pass', description: 'increment under a mutex' },
  },
  async run(t) {
    const counter = t.variable('counter', 0);
    const lock = t.lock('counter_lock');
    const increment = async () => {
      if (t.variant === 'fixed') await lock.acquire();
      const v = await counter.get();          // every await on a shared object is a scheduling point
      await counter.set(v + 1);
      if (t.variant === 'fixed') await lock.release();
    };
    const workers = [];
    for (let i = 1; i <= t.params.workers; i++) workers.push(t.spawn(`worker-${i}`, increment));
    for (const w of workers) await w.join();
    t.assert(counter.peek() === t.params.workers, `lost update: counter is ${counter.peek()}`);
  },
});
