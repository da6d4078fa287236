import { UsageError } from '../runtime/errors.js';
import { PctStrategy } from './pct.js';
import { PosStrategy } from './pos.js';
import { FuzzStrategy } from './fuzz.js';
import { RandomStrategy } from './random.js';
import { FirstEnabledStrategy, RoundRobinStrategy } from './roundRobin.js';
import type { Strategy } from '../runtime/strategy.js';

export interface StrategyConfig {
  readonly seed: number;
  /** PCT bug depth. */
  readonly depth?: number;
}

/** Sampling strategies by name. Exhaustive search (dfs, pb, db) has its own driver in src/search/. */
export const SAMPLING_STRATEGIES = ['random', 'pct', 'pos', 'fuzz', 'first-enabled', 'round-robin'] as const;

export function createStrategy(name: string, config: StrategyConfig): Strategy {
  switch (name) {
    case 'random':
      return new RandomStrategy(config.seed);
    case 'pct':
      return new PctStrategy(config.seed, config.depth ?? 3);
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
