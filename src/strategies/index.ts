import { UsageError } from '../runtime/errors.js';
import { PctStrategy, type ScenarioShape } from './pct.js';
import { PortfolioStrategy } from './portfolio.js';
import { PosStrategy } from './pos.js';
import { FuzzStrategy } from './fuzz.js';
import { RandomStrategy } from './random.js';
import { FirstEnabledStrategy, RoundRobinStrategy } from './roundRobin.js';
import type { Strategy } from '../runtime/strategy.js';

export interface StrategyConfig {
  readonly seed: number;
  /** PCT bug depth. */
  readonly depth?: number;
  /** pct, portfolio: the tasks and steps PCT's change points are drawn over (src/shape.ts measures them). */
  readonly shape?: ScenarioShape;
}

/** Sampling strategies by name. Exhaustive search (dfs, pb, db) has its own driver in src/search/. */
export const SAMPLING_STRATEGIES = ['random', 'pct', 'portfolio', 'pos', 'fuzz', 'first-enabled', 'round-robin'] as const;

/** Whether a sampling strategy draws PCT's change points, so its driver measures the scenario's shape first. */
export function usesShape(name: string): boolean {
  return name === 'pct' || name === 'portfolio';
}

/** The sampling strategy a variant's budget names (pct or portfolio), else random: what `explore` runs when no strategy is given. */
export function budgetSampling(budgetStrategy: string | undefined): string {
  return budgetStrategy === 'pct' || budgetStrategy === 'portfolio' ? budgetStrategy : 'random';
}

export function createStrategy(name: string, config: StrategyConfig): Strategy {
  switch (name) {
    case 'random':
      return new RandomStrategy(config.seed);
    case 'pct':
      return new PctStrategy(config.seed, config.depth ?? 3, config.shape);
    case 'portfolio':
      return new PortfolioStrategy(config.seed, config.shape);
    case 'pos':
      return new PosStrategy(config.seed);
    case 'fuzz':
      return new FuzzStrategy(config.seed);
    case 'first-enabled':
      return new FirstEnabledStrategy();
    case 'round-robin':
      return new RoundRobinStrategy();
    default:
      throw new UsageError(`unknown strategy "${name}"; choose one of ${SAMPLING_STRATEGIES.join(', ')}, dfs, pb, db`);
  }
}
