import { Alea } from './alea.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/** Uniform random walk: at every scheduling point any enabled task, with equal probability. */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  /** One generator, restarted from (seed, index) at each execution: no allocation per execution. */
  private readonly rng: Alea;

  constructor(seed: number) {
    this.rng = new Alea(seed);
  }

  beginExecution(index: number): void {
    this.rng.start(index);
  }

  chooseTask(view: SchedulingView): number {
    const n = view.enabled.length;
    return n === 1 ? 0 : Math.floor(this.rng.next() * n);
  }

  chooseValue(n: number): number {
    return n === 1 ? 0 : Math.floor(this.rng.next() * n);
  }
}
