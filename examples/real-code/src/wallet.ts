/**
 * A wallet service over an async key-value database client, as TypeScript services write it.
 * Nothing here knows about interleave; wallet.scenario.ts hands it a controlled client.
 */
export interface Row {
  readonly balance: number;
  readonly version: number;
}

/** The database client the service is given (a real one would speak to Postgres or Redis). */
export interface WalletDb {
  read(account: string): Promise<Row>;
  write(account: string, row: Row): Promise<void>;
  /** Writes `row` only if the stored version is still `expectedVersion`; says whether it did. */
  compareAndSwap(account: string, expectedVersion: number, row: Row): Promise<boolean>;
}

/** Read, add, write: two deposits that both read before either writes lose one of them. */
export class WalletService {
  constructor(private readonly db: WalletDb) {}

  async deposit(account: string, amount: number): Promise<number> {
    const row = await this.db.read(account);
    const balance = row.balance + amount;
    await this.db.write(account, { balance, version: row.version + 1 });
    return balance;
  }
}

/** The fix: write only if nobody wrote since the read; on a conflict read again and retry. */
export class CasWalletService {
  constructor(
    private readonly db: WalletDb,
    private readonly maxAttempts = 5,
  ) {}

  async deposit(account: string, amount: number): Promise<number> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const row = await this.db.read(account);
      const balance = row.balance + amount;
      if (await this.db.compareAndSwap(account, row.version, { balance, version: row.version + 1 })) return balance;
    }
    throw new Error(`deposit to ${account}: still conflicting after ${this.maxAttempts} attempts`);
  }
}
