import { Alea } from './alea.js';
import { highestPriority } from './highestPriority.js';
import type { TaskView } from '../runtime/operation.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/**
 * What PCT's parameters are drawn from: n, the tasks a scenario runs, and k, the steps of one of
 * its executions. The drivers measure them once, from the scenario's first-enabled schedule,
 * before sampling (src/shape.ts), so they depend only on the scenario, never on which
 * executions ran before: a run split in blocks, threads or shards draws the same change points.
 */
export interface ScenarioShape {
  readonly tasks: number;
  readonly steps: number;
}

/** The shape assumed when nothing was measured (a strategy made by `createStrategy` alone). */
export const DEFAULT_SHAPE: ScenarioShape = { tasks: 2, steps: 50 };

/**
 * PCT's guarantee per execution for a bug of depth `depth`: 1/(n·k^(d−1)) (Burckhardt et al.,
 * ASPLOS 2010, Theorem 9), with n and k at least 1. Printed with a run's summary.
 */
export function pctGuarantee(depth: number, shape: ScenarioShape): number {
  return 1 / (Math.max(1, shape.tasks) * Math.max(1, shape.steps) ** (depth - 1));
}

/** Tells PCT's numbers apart from the other strategies' for the same seed. */
const PCT_STREAM = 2;

/**
 * Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 * Each task gets a random priority; the highest-priority enabled task runs; at d−1 change
 * points drawn uniformly from steps 1..k the running task drops below every initial priority.
 * A bug of depth d is found with probability at least 1/(n·k^(d−1)) per execution, for
 * executions of at most k steps and n tasks.
 *
 * k is `shape.steps` (docs/search.md, "PCT's parameters"): fixed for the whole run, so execution
 * i's schedule depends only on (seed, depth, shape, i), whichever executions ran before it.
 */
export class PctStrategy implements Strategy {
  readonly name = 'pct';
  private readonly rng: Alea;
  private readonly priorities = new Map<number, number>();
  private changePoints: number[] = [];
  private readonly k: number;

  constructor(
    seed: number,
    private readonly depth = 3,
    shape: ScenarioShape = DEFAULT_SHAPE,
  ) {
    this.rng = new Alea(seed, PCT_STREAM);
    this.k = Math.max(1, shape.steps);
  }

  beginExecution(index: number): void {
    this.rng.start(index);
    this.priorities.clear();
    this.changePoints = [];
    for (let i = 0; i < this.depth - 1; i++) this.changePoints.push(1 + Math.floor(this.rng.next() * this.k));
  }

  chooseTask(view: SchedulingView): number {
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
