import type { TaskView } from '../runtime/operation.js';

/**
 * The index in `enabled` of the task of highest priority (the first of equal ones). Called by the
 * priority schedulers, PCT (pct.ts) and POS (pos.ts), at each scheduling point; `priorityOf` may
 * draw a task's priority on first sight, so it is called once per task, in `enabled`'s order.
 */
export function highestPriority(enabled: readonly TaskView[], priorityOf: (task: TaskView) => number): number {
  let best = 0;
  let bestPriority = -Infinity;
  for (let i = 0; i < enabled.length; i++) {
    const p = priorityOf(enabled[i]!);
    if (p > bestPriority) {
      bestPriority = p;
      best = i;
    }
  }
  return best;
}
