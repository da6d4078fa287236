import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/** Never preempts: the current task runs until it blocks or ends, then the lowest-id enabled task. */
export class FirstEnabledStrategy implements Strategy {
  readonly name = 'first-enabled';
  beginExecution(): void {}
  chooseTask(view: SchedulingView): number {
    const i = view.current === null ? -1 : view.enabled.indexOf(view.current);
    return i >= 0 ? i : 0;
  }
  chooseValue(): number {
    return 0;
  }
}

/** Switches at every scheduling point to the next enabled task after the current one, by id. */
export class RoundRobinStrategy implements Strategy {
  readonly name = 'round-robin';
  beginExecution(): void {}
  chooseTask(view: SchedulingView): number {
    const cur = view.current?.id ?? -1;
    const i = view.enabled.findIndex((t) => t.id > cur);
    return i >= 0 ? i : 0;
  }
  chooseValue(): number {
    return 0;
  }
}
