import { Alea, AleaSeeder } from './alea.js';
import type { SchedulingView, Strategy } from './strategy.js';

/** A source of uniform numbers in [0, 1), seeded per execution. */
export type Rng = () => number;

/** The per-execution generator: execution i of seed s is reproducible on its own, so seed ranges shard cleanly. */
export function executionRng(seed: number, index: number): Rng {
  const alea = new Alea(`${seed}:${index}`);
  return () => alea.next();
}

/** Uniform random walk: at every scheduling point any enabled task, with equal probability. */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  /** One generator, reseeded from (seed, index) at each execution: no allocation per execution. */
  private readonly rng: Alea;
  private readonly seeder: AleaSeeder;

  constructor(seed: number) {
    this.rng = new Alea(`${seed}:0`);
    this.seeder = new AleaSeeder(`${seed}:`);
  }

  beginExecution(index: number): void {
    this.seeder.seed(this.rng, index);
  }

  chooseTask(view: SchedulingView): number {
    const n = view.enabled.length;
    return n === 1 ? 0 : Math.floor(this.rng.next() * n);
  }

  chooseValue(n: number): number {
    return n === 1 ? 0 : Math.floor(this.rng.next() * n);
  }
}
