import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { search } from 'interleave';
import { loadAll } from '../../src/loader.js';
import { ROOT } from '../robust/cli.js';

/**
 * Every bundled fixed variant is proven at its default parameters (issue 26): bench/proofs.json
 * names the search (dfs: every schedule up to reduction; db/pb: every schedule within a bound)
 * and its execution count, and each one must finish clean (bench/proofs.mjs prints the times).
 * A fixed variant added to scenarios/ without a proof in the list fails the first test.
 */
interface Proof {
  readonly scenario: string;
  readonly variant: string;
  readonly strategy: 'dfs' | 'pb' | 'db';
  readonly bound?: number;
  readonly executions: number;
}

const { proofs } = JSON.parse(readFileSync(join(ROOT, 'bench/proofs.json'), 'utf8')) as { proofs: Proof[] };
const scenarios = new Map((await loadAll(join(ROOT, 'scenarios'))).map(({ scenario }) => [scenario.name, scenario]));

describe('proofs of the bundled fixed variants (bench/proofs.json)', () => {
  it('lists a proof for every variant of scenarios/ that expects to pass, and nothing else', () => {
    const fixed = [...scenarios.values()].flatMap((s) => Object.entries(s.variants).filter(([, v]) => v.expect === 'pass').map(([variant]) => `${s.name}/${variant}`));
    expect(proofs.map((p) => `${p.scenario}/${p.variant}`).sort()).toEqual(fixed.sort());
  });

  for (const p of proofs) {
    const claim = p.strategy === 'dfs' ? 'every schedule (dfs)' : `every schedule with at most ${p.bound} ${p.strategy === 'db' ? 'delays' : 'preemptions'}`;
    it(`${p.scenario} [${p.variant}]: clean on ${claim}, in ${p.executions.toLocaleString('en-US')} executions`, async () => {
      const r = await search(scenarios.get(p.scenario)!, { variant: p.variant, strategy: p.strategy, ...(p.bound !== undefined ? { preemptionBound: p.bound } : {}) });
      expect(r.failure).toBeNull();
      if (p.strategy === 'dfs') expect([r.complete, r.crossCheck?.schedules]).toEqual([true, 300]);
      else expect(r.bound).toMatchObject({ completeUpTo: p.bound, minimalFailing: null });
      expect(r.executions).toBe(p.executions);
    });
  }
});
