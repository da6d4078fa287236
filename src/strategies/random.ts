import seedrandom from 'seedrandom';
import type { SchedulingView, Strategy } from './strategy.js';

/** A source of uniform numbers in [0, 1), seeded per execution. */
export type Rng = () => number;

/** The per-execution generator: execution i of seed s is reproducible on its own, so seed ranges shard cleanly. */
export function executionRng(seed: number, index: number): Rng {
  return seedrandom.alea(`${seed}:${index}`);
}

/** Uniform random walk: at every scheduling point any enabled task, with equal probability. */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  private rng: Rng;

  constructor(private readonly seed: number) {
    this.rng = executionRng(seed, 0);
  }

  beginExecution(index: number): void {
    this.rng = executionRng(this.seed, index);
  }

  chooseTask(view: SchedulingView): number {
    const n = view.enabled.length;
    return n === 1 ? 0 : Math.floor(this.rng() * n);
  }

  chooseValue(n: number): number {
    return n === 1 ? 0 : Math.floor(this.rng() * n);
  }
}
