import { Mutex } from 'async-mutex';

/**
 * Stock reservations over an async store, serialised with async-mutex, as TypeScript services
 * write it. Nothing here knows about interleave; inventory.scenario.ts hands it a controlled
 * store.
 */
export interface StockStore {
  get(sku: string): Promise<number>;
  set(sku: string, units: number): Promise<void>;
}

/** The mistake: a new Mutex in every call. Each caller holds its own lock, so none waits. */
export class Inventory {
  constructor(private readonly store: StockStore) {}

  reserve(sku: string, units: number): Promise<boolean> {
    const mutex = new Mutex();
    return mutex.runExclusive(() => this.take(sku, units));
  }

  protected async take(sku: string, units: number): Promise<boolean> {
    const stock = await this.store.get(sku);
    if (stock < units) return false;
    await this.store.set(sku, stock - units);
    return true;
  }
}

/** The fix: one Mutex shared by every call on this inventory. */
export class SharedMutexInventory extends Inventory {
  private readonly mutex = new Mutex();

  override reserve(sku: string, units: number): Promise<boolean> {
    return this.mutex.runExclusive(() => this.take(sku, units));
  }
}
