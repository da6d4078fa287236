import { defineScenario, param } from 'interleave';
import fc from 'fast-check';

/**
 * Seed 004 (MEZAN Concurrency Audit Report), "Deadlock Scenarios Identified" > "Scenario 2:
 * Resource Pool Exhaustion": "All workers blocked waiting for resources", location
 * "WorkerPoolManager resource allocation"; prevention: "Timeout-based resource allocation with
 * deadlock detection" (resource_manager.py, "Safe resource pool management").
 *
 * Model: the resource pool is a counting semaphore `resource_pool` with as many units as there
 * are workers; each task needs two units and allocates them one at a time (hold and wait), so
 * when every worker holds one unit and waits for a second, nobody can go on.
 * - buggy: blocking allocation.
 * - fixed: the audit's fix, allocation with a timeout; on timeout the task releases what it
 *   holds and fails with ResourceAllocationTimeout. Guarantee checked: no deadlock, no leaked
 *   unit, every task either ran or failed cleanly. Not guaranteed: that a task runs at all
 *   (variant every-task-completes shows a schedule where tasks fail instead of deadlocking).
 * - atomic-allocation: both units taken under the resource manager lock (hierarchy lock 1),
 *   so a task holds all it needs or nothing: every task completes.
 */

type Params = { workers: number };

const ALLOCATION_TIMEOUT_MS = 1000;
const UNITS_PER_TASK = 2;

export default defineScenario<Params>({
  name: 'resource-pool-exhaustion',
  description: 'WorkerPoolManager workers each allocate two resource units one at a time; all hold one and wait; fixed with timeout-based allocation',
  source: 'seed 004, Deadlock Scenarios Identified > Scenario 2: Resource Pool Exhaustion',
  params: { workers: param(2, fc.integer({ min: 2, max: 4 }), 'workers, and units in the resource pool') },
  variants: {
    buggy: { expect: 'deadlock', description: 'blocking allocation, one unit at a time: every worker holds one unit and waits for another' },
    fixed: { expect: 'pass', description: 'timeout-based allocation (release on timeout): no deadlock, no leaked unit; a task may fail' },
    'every-task-completes': {
      expect: 'assertion',
      description: 'finding: with the timeout fix, tasks can fail allocation (ResourceAllocationTimeout) instead of running',
    },
    'atomic-allocation': { expect: 'pass', description: 'all units of a task taken under the resource manager lock: no deadlock and every task completes' },
  },
  budget: { iterations: 200 },
  async run(t) {
    const { workers } = t.params;
    const resource_pool = t.semaphore('resource_pool', workers);
    const resource_manager_lock = t.lock('resource_manager_lock');
    const timed = t.variant === 'fixed' || t.variant === 'every-task-completes';

    // Ghost outcome per task.
    const completed: string[] = [];
    const failed: string[] = [];

    /** ResourceManager.allocate(n): one unit at a time; returns false after releasing on a timeout. */
    const allocate = async (n: number): Promise<boolean> => {
      let held = 0;
      if (t.variant === 'atomic-allocation') await resource_manager_lock.acquire();
      try {
        while (held < n) {
          const ok = await resource_pool.acquire(timed ? { timeout: ALLOCATION_TIMEOUT_MS } : undefined);
          if (!ok) {
            for (; held > 0; held--) await resource_pool.release();
            return false;
          }
          held++;
        }
        return true;
      } finally {
        if (t.variant === 'atomic-allocation') await resource_manager_lock.release();
      }
    };

    const handles = [];
    for (let i = 1; i <= workers; i++) {
      const me = `worker-${i}`;
      handles.push(
        t.spawn(me, async () => {
          if (!(await allocate(UNITS_PER_TASK))) {
            failed.push(`${me} (ResourceAllocationTimeout after ${ALLOCATION_TIMEOUT_MS} ms)`);
            return;
          }
          await t.sleep(50); // the task's work
          for (let u = 0; u < UNITS_PER_TASK; u++) await resource_pool.release();
          completed.push(me);
        }),
      );
    }
    for (const h of handles) await h.join();

    const available = await resource_pool.available();
    t.assert(available === workers, `leaked resource units: ${available} of ${workers} available after every task ended`);
    t.assert(completed.length + failed.length === workers, `${workers - completed.length - failed.length} tasks neither ran nor failed`);
    if (t.variant === 'every-task-completes' || t.variant === 'atomic-allocation') {
      t.assert(failed.length === 0, `allocation failed instead of deadlocking: ${failed.join(', ')}; completed: ${completed.join(', ') || 'none'}`);
    }
  },
});
