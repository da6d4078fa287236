import { defineScenario } from 'interleave';
import { CasWalletService, WalletService, type Row, type WalletDb } from './src/wallet.js';

/** The test double: a plain class over an in-memory Map, as a unit test would write it. */
class FakeDb implements WalletDb {
  private readonly rows = new Map<string, Row>();

  constructor(initial: Record<string, number>) {
    for (const [account, balance] of Object.entries(initial)) this.rows.set(account, { balance, version: 0 });
  }

  async read(account: string): Promise<Row> {
    const row = this.rows.get(account);
    if (row === undefined) throw new Error(`no account ${account}`);
    return row;
  }

  async write(account: string, row: Row): Promise<void> {
    this.rows.set(account, row);
  }

  async compareAndSwap(account: string, expectedVersion: number, row: Row): Promise<boolean> {
    if (this.rows.get(account)?.version !== expectedVersion) return false;
    this.rows.set(account, row);
    return true;
  }

  balance(account: string): number {
    return this.rows.get(account)?.balance ?? 0;
  }
}

/**
 * Two deposits to one account run at once (two HTTP requests). The client is wrapped whole:
 * every method call is a controlled call whose answer arrives when the strategy picks it.
 */
export default defineScenario({
  name: 'wallet',
  description: 'two concurrent deposits through an async DB client: read, then write',
  variants: {
    buggy: { expect: 'assertion', description: 'WalletService: read, add, write (lost update)' },
    fixed: { expect: 'pass', description: 'CasWalletService: compare-and-swap on the row version, retried' },
  },
  async run(t) {
    const fake = new FakeDb({ alice: 100 });
    const db = t.io('db', fake);
    const wallet = t.variant === 'buggy' ? new WalletService(db) : new CasWalletService(db);
    await Promise.all([wallet.deposit('alice', 10), wallet.deposit('alice', 20)]);
    t.assert(fake.balance('alice') === 130, `lost update: balance is ${fake.balance('alice')} after deposits of 10 and 20 to 100`);
  },
});
