import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explore, makeTarget, runExecution, type ScenarioDefinition } from 'interleave';
import { createStrategy } from '../../../src/strategies/index.js';
import { memberExecutions, portfolioMember, PORTFOLIO_MEMBERS } from '../../../src/strategies/portfolio.js';
import { FirstEnabledStrategy } from '../../../src/strategies/roundRobin.js';
import { scenarioShape } from '../../../src/shape.js';
import { samplingLines } from '../../../src/report/text.js';
import lockOrder from '../../fixtures/scenarios/lock-order.js';

const scenario = lockOrder as unknown as ScenarioDefinition<object>;
const target = makeTarget(scenario, { variant: 'buggy' });

describe('the portfolio strategy', () => {
  it('deals execution i to member i mod 5, and counts each member executions over any range', () => {
    expect([0, 1, 2, 3, 4, 5, 17].map((i) => portfolioMember(i).label)).toEqual(['random', 'pct (depth 1)', 'pct (depth 2)', 'pct (depth 3)', 'pos', 'random', 'pct (depth 2)']);
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(300), (start, executions) => {
        const brute = PORTFOLIO_MEMBERS.map(() => 0);
        for (let i = start; i < start + executions; i++) brute[i % PORTFOLIO_MEMBERS.length]!++;
        expect(memberExecutions(start, executions)).toEqual(brute);
      }),
      { numRuns: 200 },
    );
  });

  it("execution i is exactly execution i of its member run alone (same seed, same shape): no member looks at earlier executions", async () => {
    const shape = await scenarioShape(target);
    const portfolio = createStrategy('portfolio', { seed: 7, shape });
    const alone = [createStrategy('random', { seed: 7 }), ...[1, 2, 3].map((depth) => createStrategy('pct', { seed: 7, depth, shape })), createStrategy('pos', { seed: 7 })];
    // Backwards, so a member that remembered earlier executions would show it.
    for (let i = 24; i >= 0; i--) {
      const mixed = await runExecution(target, portfolio, i, false);
      const own = await runExecution(target, alone[i % 5]!, i, false);
      expect(mixed.decisions).toEqual(own.decisions);
    }
  });
});

describe("PCT's parameters", () => {
  it('n and k are the tasks and steps of the first-enabled schedule', async () => {
    const first = await runExecution(target, new FirstEnabledStrategy(), 0, false);
    expect(await scenarioShape(target)).toEqual({ tasks: first.tasks.length, steps: first.steps });
  });

  it('a pct run reports its n, k and bound 1/(n·k^(d−1)), and prints them under its summary line', async () => {
    const { tasks, steps } = await scenarioShape(target);
    const r = await explore(scenario, { variant: 'fixed', strategy: 'pct', depth: 2, seed: 1, iterations: 20 });
    expect(r.sampling).toEqual({ pct: [{ depth: 2, tasks, steps, guarantee: 1 / (tasks * steps) }] });
    expect(samplingLines(r)).toBe(`  pct: n = ${tasks} tasks, k = ${steps} steps (the first-enabled schedule): per execution, a bug of depth 2 >= 1/${tasks * steps}\n`);
    const random = await explore(scenario, { variant: 'fixed', strategy: 'random', seed: 1, iterations: 20 });
    expect(random.sampling).toBeUndefined();
    expect(samplingLines(random)).toBe('');
  });

  it('a portfolio run counts the executions of each member, as many as it ran in all', async () => {
    const r = await explore(scenario, { variant: 'fixed', strategy: 'portfolio', seed: 2, iterations: 30 });
    expect(r.failure).toBeNull();
    expect(r.sampling?.members).toEqual([
      { name: 'random', executions: 6 },
      { name: 'pct (depth 1)', executions: 6 },
      { name: 'pct (depth 2)', executions: 6 },
      { name: 'pct (depth 3)', executions: 6 },
      { name: 'pos', executions: 6 },
    ]);
    expect(r.sampling?.pct?.map((b) => b.depth)).toEqual([1, 2, 3]);
  });

  it("a variant whose budget names portfolio (or pct) runs it when no strategy is given", async () => {
    for (const strategy of ['portfolio', 'pct'] as const) {
      const budgeted = { ...scenario, budget: { ...scenario.budget, strategy } };
      const r = await explore(budgeted, { variant: 'fixed', seed: 2, iterations: 8 });
      expect(r.strategy.name).toBe(strategy);
      expect(r.sampling?.pct?.length).toBe(strategy === 'portfolio' ? 3 : 1);
    }
  });
});
