import { describe, expect, it, vi } from 'vitest';
import { defineScenario, explore, replayTrace, search, type ScenarioDefinition } from 'interleave';
import * as db from '../fixtures/real/mocked/db.js';
import { deposit } from '../fixtures/real/mocked/wallet.js';

// The third way to reach code that imports its client (docs/real-code.md): the module is replaced
// the way test doubles are, and each execution points the mock at a fresh `t.io` function.
vi.mock('../fixtures/real/mocked/db.js', () => ({ readBalance: vi.fn(), writeBalance: vi.fn() }));

const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;

const wallet = defineScenario({
  name: 'mocked-wallet',
  description: 'two deposits through a module whose client vi.mock replaced',
  variants: { buggy: { expect: 'assertion' } },
  async run(t) {
    const balances = new Map<string, number>();
    vi.mocked(db.readBalance).mockImplementation(t.io('readBalance', async (account: string) => balances.get(account) ?? 0));
    vi.mocked(db.writeBalance).mockImplementation(
      t.io('writeBalance', async (account: string, value: number) => {
        balances.set(account, value);
      }),
    );
    await Promise.all([deposit('a', 1), deposit('a', 2)]);
    t.assert(balances.get('a') === 3, `balance is ${balances.get('a')} after depositing 1 and 2`);
  },
});

describe('real code whose client module is replaced by vi.mock', () => {
  it('the lost update of unchanged code importing its client is found, shrunk, and its trace replays; dfs finds it too', async () => {
    const r = await explore(s(wallet), { seed: 1 });
    expect(r.failure?.kind).toBe('assertion');
    expect(r.failure?.message).toMatch(/^assertion: AssertionFailure: balance is [12] after depositing 1 and 2 in task "main" \(step \d+\)$/);
    const calls = r.trace!.events.filter((e) => e.op === 'call').map((e) => e.obj);
    expect(calls).toContain('readBalance("a")');
    expect(calls.filter((c) => c?.startsWith('writeBalance("a", '))).toHaveLength(2);
    expect((await replayTrace(s(wallet), r.trace!)).outcome).toBe('reproduced');
    const d = await search(s(wallet), { strategy: 'dfs' });
    expect(d.failure?.kind).toBe('assertion');
  });
});
