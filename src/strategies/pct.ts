import { Alea } from './alea.js';
import { highestPriority } from './highestPriority.js';
import type { TaskView } from '../runtime/operation.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/**
 * Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 * Each task gets a random priority; the highest-priority enabled task runs; at d−1 random
 * change points (over an estimate of k steps) the running task drops below every initial
 * priority. A bug of depth d is found with probability at least 1/(n·k^(d−1)) per execution.
 * k starts at `initialSteps` and grows to the longest execution seen.
 */
/** Tells PCT's numbers apart from the other strategies' for the same seed. */
const PCT_STREAM = 2;

export class PctStrategy implements Strategy {
  readonly name = 'pct';
  private readonly rng: Alea;
  private readonly priorities = new Map<number, number>();
  private changePoints: number[] = [];
  private k: number;
  private lastStep = 0;

  constructor(
    seed: number,
    private readonly depth = 3,
    initialSteps = 50,
  ) {
    this.rng = new Alea(seed, PCT_STREAM);
    this.k = initialSteps;
  }

  beginExecution(index: number): void {
    if (this.lastStep > this.k) this.k = this.lastStep;
    this.lastStep = 0;
    this.rng.start(index);
    this.priorities.clear();
    this.changePoints = [];
    for (let i = 0; i < this.depth - 1; i++) this.changePoints.push(1 + Math.floor(this.rng.next() * this.k));
  }

  chooseTask(view: SchedulingView): number {
    this.lastStep = view.step;
    const cp = this.changePoints.indexOf(view.step);
    if (cp >= 0 && view.current !== null) this.priorities.set(view.current.id, cp - this.depth);
    const enabled = view.enabled;
    if (enabled.length === 1) {
      this.priorityOf(enabled[0]!.id);
      return 0;
    }
    return highestPriority(enabled, this.taskPriority);
  }

  chooseValue(n: number): number {
    return n === 1 ? 0 : Math.floor(this.rng.next() * n);
  }

  private readonly taskPriority = (task: TaskView): number => this.priorityOf(task.id);

  private priorityOf(id: number): number {
    let p = this.priorities.get(id);
    if (p === undefined) {
      p = this.rng.next();
      this.priorities.set(id, p);
    }
    return p;
  }
}
