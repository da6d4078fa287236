import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { explore, type ScenarioDefinition } from 'interleave';
import { expectSplitSame } from './sampledSplit.js';
import branchingScenario from './fixtures/branching.js';

/**
 * PCT draws its change points over the scenario's measured shape (src/shape.ts), never over
 * what earlier executions showed, and the portfolio deals executions to its members by index:
 * so a pct or portfolio run gives the same executions whole, in blocks, on two worker threads
 * and as three shards merged. The readers' step counts depend on the schedule, so any
 * difference in decisions shows in the total steps.
 */
const branching = branchingScenario as unknown as ScenarioDefinition<object>;
const file = fileURLToPath(new URL('./fixtures/branching.ts', import.meta.url));

describe('pct and portfolio split in blocks', () => {
  // [strategy, variant, seed]: seed 16 fails at execution 78 under pct alone, and so under the
  // portfolio, whose execution 78 (78 mod 5 = 3) is pct (depth 3)'s.
  for (const [strategy, variant, seed] of [
    ['pct', 'fails', 16],
    ['portfolio', 'fails', 16],
    ['portfolio', 'passes', 4],
  ] as const) {
    it(`${strategy} ${variant}: explore, blocks of 7, 2 workers and 3 merged shards give the same executions, steps, failure and trace bytes`, async () => {
      const iterations = 120;
      const whole = await explore(branching, { variant, strategy, seed, iterations, file });
      await expectSplitSame(branching, whole, { file, variant, strategy, seed, iterations, blockSize: 7 }, 3);
      if (variant === 'fails') {
        expect(whole.trace!.strategy.execution).toBe(78);
        expect(whole.trace!.strategy.member).toBe(strategy === 'portfolio' ? 'pct (depth 3)' : undefined);
      } else expect(whole.failure).toBeNull();
    });
  }
});
