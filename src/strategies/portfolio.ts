import { DEFAULT_SHAPE, PctStrategy, type ScenarioShape } from './pct.js';
import { PosStrategy } from './pos.js';
import { RandomStrategy } from './random.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/** One sampling strategy of the portfolio, as the summary, the trace and `--json` name it. */
export interface PortfolioMember {
  /** `random`, `pct (depth 2)`, `pos`. */
  readonly label: string;
  /** The strategy that runs its executions. */
  readonly sampler: 'random' | 'pct' | 'pos';
  /** PCT's bug depth; undefined for a member that is not PCT. */
  readonly depth?: number;
}

/**
 * The members, in the order execution indices are dealt to them: execution i is run by member
 * i mod 5. A systematic search (dfs, pb, db) is not a member, nor is `fuzz`: their executions
 * depend on the ones before. Partial order sampling (`pos`) samples each execution on its own.
 */
export const PORTFOLIO_MEMBERS: readonly PortfolioMember[] = [
  { label: 'random', sampler: 'random' },
  { label: 'pct (depth 1)', sampler: 'pct', depth: 1 },
  { label: 'pct (depth 2)', sampler: 'pct', depth: 2 },
  { label: 'pct (depth 3)', sampler: 'pct', depth: 3 },
  { label: 'pos', sampler: 'pos' },
];

/** The member that runs execution `index` of a portfolio run. */
export function portfolioMember(index: number): PortfolioMember {
  return PORTFOLIO_MEMBERS[index % PORTFOLIO_MEMBERS.length]!;
}

/**
 * How many of executions `start`..`start + executions - 1` each member ran, in member order.
 * Called by the drivers to report a run (a split run adds its blocks' counts).
 */
export function memberExecutions(start: number, executions: number): number[] {
  const m = PORTFOLIO_MEMBERS.length;
  return PORTFOLIO_MEMBERS.map((_, j) => {
    // Indices i in [start, start + executions) with i mod m = j.
    const firstAt = start + ((j - (start % m) + m) % m);
    return firstAt >= start + executions ? 0 : Math.floor((start + executions - 1 - firstAt) / m) + 1;
  });
}

/**
 * A deterministic mix of sampling strategies, dealt round-robin by execution index (after
 * Shuttle's PortfolioRunner and Coyote's default, which run several strategies because no one
 * wins everywhere): random, PCT at depths 1, 2 and 3 over the scenario's measured shape, and
 * partial order sampling.
 *
 * Guarantee: execution i is exactly execution i of its member run alone (random with the same
 * seed, or `pct --depth d` with the same seed and shape, or pos), so it depends only on the seed, the
 * shape and i, never on earlier executions: a run whole, on n workers or on n merged shards,
 * runs the same schedules. Each member's per-execution guarantee holds for the executions it
 * runs (a fifth of them).
 *
 * Made by `createStrategy('portfolio', ...)`; called by Execution like any strategy.
 */
export class PortfolioStrategy implements Strategy {
  readonly name = 'portfolio';
  private readonly members: readonly Strategy[];
  private current: Strategy;

  constructor(seed: number, shape: ScenarioShape = DEFAULT_SHAPE) {
    this.members = PORTFOLIO_MEMBERS.map((m) => (m.sampler === 'pct' ? new PctStrategy(seed, m.depth ?? 3, shape) : m.sampler === 'pos' ? new PosStrategy(seed) : new RandomStrategy(seed)));
    this.current = this.members[0]!;
  }

  beginExecution(index: number): void {
    this.current = this.members[index % this.members.length]!;
    this.current.beginExecution(index);
  }

  chooseTask(view: SchedulingView): number {
    return this.current.chooseTask(view);
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    return this.current.chooseValue(n, view, label);
  }
}
