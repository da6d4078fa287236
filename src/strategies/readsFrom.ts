import { footprintOf } from '../runtime/footprint.js';
import type { Operation, TaskView } from '../runtime/operation.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/**
 * Reads-from coverage (Meng et al., "Greybox Fuzzing for Concurrency Testing", ASPLOS 2024): for
 * every access of a step (its footprint, src/runtime/footprint.ts), the pair (the event that last
 * wrote that object or key, this event); a write after a write, such as a lock's release then
 * acquire, is a hand-over. An event is named by its task and how many steps that task had run
 * (`worker-2#3`), so the same pair in two executions is the same string.
 *
 * Used by the fuzzer (src/strategies/fuzz.ts), which keeps the schedules that add pairs, and by
 * `coverageMonitor`, which measures any strategy's coverage (bench/deep.mjs). It only observes.
 */
export class ReadsFrom {
  private readonly seen = new Set<string>();
  private readonly lastWrite = new Map<string, string>();
  private readonly stepsOf: number[] = [];

  /** Forgets the last execution's writes (not the pairs seen). */
  beginExecution(): void {
    this.lastWrite.clear();
    this.stepsOf.length = 0;
  }

  /** Records the pairs of `task`'s step `op`; whether one was never seen before. */
  observe(task: TaskView, op: Operation): boolean {
    const n = (this.stepsOf[task.id] ?? 0) + 1;
    this.stepsOf[task.id] = n;
    const event = `${task.name}#${n}`;
    let fresh = false;
    for (const a of footprintOf(op)) {
      const key = a.k === null ? a.o : `${a.o}[${a.k}]`;
      const pair = `${this.lastWrite.get(key) ?? 'init'}>${event}`;
      if (!this.seen.has(pair)) {
        this.seen.add(pair);
        fresh = true;
      }
      if (a.w) this.lastWrite.set(key, event);
    }
    return fresh;
  }

  /** The distinct pairs seen so far. */
  get pairs(): ReadonlySet<string> {
    return this.seen;
  }
}

/**
 * A `monitor` (ExploreOptions) that measures the reads-from coverage of whatever strategy runs,
 * into `coverage`, without changing a decision: one wrapper per strategy object, as the
 * execution asks for one per execution. Used by bench/deep.mjs to compare strategies' coverage
 * over executions.
 */
export function coverageMonitor(coverage: ReadsFrom): (inner: Strategy) => Strategy {
  let last: Strategy | null = null;
  let wrapper: Strategy | null = null;
  return (inner) => {
    if (inner !== last) {
      last = inner;
      wrapper = new Measured(inner, coverage);
    }
    return wrapper!;
  };
}

class Measured implements Strategy {
  readonly name: string;
  readonly observeAccess?: Strategy['observeAccess'];

  constructor(
    private readonly inner: Strategy,
    private readonly coverage: ReadsFrom,
  ) {
    this.name = inner.name;
    if (inner.observeAccess !== undefined) this.observeAccess = inner.observeAccess.bind(inner);
  }

  beginExecution(index: number): void {
    this.coverage.beginExecution();
    this.inner.beginExecution(index);
  }

  chooseTask(view: SchedulingView): number {
    return this.inner.chooseTask(view);
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    return this.inner.chooseValue(n, view, label);
  }

  observe(task: TaskView, op: Operation, step: number, threw?: boolean): void {
    this.coverage.observe(task, op);
    this.inner.observe?.(task, op, step, threw);
  }
}
