import type { Warning } from './failure.js';
import type { SharedObject } from './operation.js';

/**
 * Lock-order inversion detector (what Linux lockdep and Helgrind report): when a task takes
 * lock B while holding A, the order A→B is recorded; a later B→A by another task in the same
 * run is a potential deadlock even if this run did not deadlock. Observes only.
 */
export class LockOrderDetector {
  private readonly orders = new Map<string, string>();
  private readonly reported = new Set<string>();

  /** Called after `task` acquired `lock` while holding `held`. Returns a new warning, if any. */
  onAcquire(task: string, lock: SharedObject, held: readonly SharedObject[], step: number): Warning | null {
    let warning: Warning | null = null;
    for (const a of held) {
      if (a === lock) continue;
      const key = `${a.id}>${lock.id}`;
      if (!this.orders.has(key)) this.orders.set(key, task);
      const other = this.orders.get(`${lock.id}>${a.id}`);
      const pair = a.id < lock.id ? `${a.id}:${lock.id}` : `${lock.id}:${a.id}`;
      if (other !== undefined && other !== task && !this.reported.has(pair) && warning === null) {
        this.reported.add(pair);
        // Worded the same whichever task's acquisition revealed the inversion (the lock created
        // first is named first), so the same inversion met in many executions is one warning.
        const [lo, hi] = a.id < lock.id ? [a, lock] : [lock, a];
        const [loFirst, hiFirst] = a === lo ? [task, other] : [other, task];
        warning = {
          kind: 'potential-deadlock',
          message: `potential-deadlock: ${loFirst} took ${describe(lo)} then ${describe(hi)}, ${hiFirst} took ${describe(hi)} then ${describe(lo)}`,
          step,
          tasks: [loFirst, hiFirst],
          locks: [lo.name, hi.name],
        };
      }
    }
    return warning;
  }
}

function describe(o: SharedObject): string {
  return `${o.type} "${o.name}"`;
}
