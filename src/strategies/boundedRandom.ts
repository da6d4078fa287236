import { Alea } from './alea.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/**
 * A random walk with at most `bound` preemptions: the current task keeps running while it can,
 * except at `bound` steps drawn uniformly from [0, length) per execution, where another enabled
 * task is chosen; when the current task blocks or ends, any enabled task is chosen. The
 * sampling twin of preemption-bounded search: most bugs need few preemptions (Musuvathi &
 * Qadeer, PLDI 2007), and sampling finds one of them long before exhaustive search has
 * enumerated every non-preemptive choice.
 */
/** Tells bounded-random's numbers apart from random's for the same seed. */
const BOUNDED_STREAM = 1;

export class BoundedRandomStrategy implements Strategy {
  readonly name = 'bounded-random';
  private readonly rng: Alea;
  private readonly points = new Set<number>();

  constructor(
    seed: number,
    private readonly bound: number,
    /** Expected schedule length: preemption steps are drawn below it. */
    private readonly length: number,
  ) {
    this.rng = new Alea(seed, BOUNDED_STREAM);
  }

  beginExecution(index: number): void {
    this.rng.start(index);
    this.points.clear();
    const k = Math.min(this.bound, this.length);
    while (this.points.size < k) this.points.add(Math.floor(this.rng.next() * this.length));
  }

  chooseTask(view: SchedulingView): number {
    const n = view.enabled.length;
    if (n === 1) return 0;
    const at = view.current === null ? -1 : view.enabled.indexOf(view.current);
    if (at < 0) return Math.floor(this.rng.next() * n);
    if (!this.points.has(view.step)) return at;
    const other = Math.floor(this.rng.next() * (n - 1));
    return other < at ? other : other + 1;
  }

  chooseValue(n: number): number {
    return n === 1 ? 0 : Math.floor(this.rng.next() * n);
  }
}
