import { defineScenario } from 'interleave';
import { Inventory, SharedMutexInventory } from './src/inventory.js';

/**
 * Two orders reserve stock of one item at once. The store is wrapped whole (`t.io`); the lock
 * is the real async-mutex package, unchanged: its waits settle through promises that controlled
 * steps resolve, so interleave sees them as the code's own, not as nondeterminism.
 */
export default defineScenario({
  name: 'inventory',
  description: 'two reservations of one item under async-mutex: a mutex per call vs one shared mutex',
  variants: {
    buggy: { expect: 'assertion', description: 'new Mutex() in every reserve(): guards nothing (lost update)' },
    fixed: { expect: 'pass', description: 'one Mutex per inventory, runExclusive around get and set' },
  },
  async run(t) {
    const stock = new Map([['sku-1', 5]]);
    const store = t.io('store', {
      async get(sku: string): Promise<number> {
        return stock.get(sku) ?? 0;
      },
      async set(sku: string, units: number): Promise<void> {
        stock.set(sku, units);
      },
    });
    const inventory = t.variant === 'buggy' ? new Inventory(store) : new SharedMutexInventory(store);
    const [a, b] = await Promise.all([inventory.reserve('sku-1', 2), inventory.reserve('sku-1', 1)]);
    t.assert(a && b, 'a reservation was refused with 5 in stock');
    t.assert(stock.get('sku-1') === 2, `lost update: ${stock.get('sku-1')} left after reserving 2 and 1 of 5`);
  },
});
