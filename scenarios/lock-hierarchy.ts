import { defineScenario, param } from 'interleave';
import fc from 'fast-check';

/**
 * Seed 004 (MEZAN Concurrency Audit Report), "Appendix: Lock Hierarchy":
 *   "locks must be acquired in this order: 1. Resource manager lock 2. Task state lock
 *    3. Worker stats lock 4. Progress callback lock 5. Individual agent locks"
 *   "Never acquire a higher-numbered lock while holding a lower-numbered lock."
 * The two sentences disagree: the list says take 2 (task state) before 3 (worker stats); the
 * last sentence forbids taking 3 while holding 2, i.e. it prescribes 3 before 2. A worker
 * following the list and a reporter following the sentence take the same two locks in opposite
 * orders (Best Practices 1 and 7: "consistent order", "document lock ordering").
 *
 * Code paths (parallel_executor.py):
 * - `worker-N` completing a task: with _task_state_lock (running -> completed), then
 *   with _worker_stats_lock (tasks_completed += 1): order 2 -> 3, as the numbered list says.
 * - `progress-reporter` building a progress update: with _worker_stats_lock (read stats), then
 *   with _task_state_lock (count completed tasks), then _progress_callback_lock (notify):
 *   3 -> 2 -> 4 in buggy (the last sentence), 2 -> 3 -> 4 in fixed (the list).
 * Variant lock-order-warning runs the report only after the workers finished (as a test that
 * calls it at the end of a batch would): no schedule deadlocks, yet the lock-order detector
 * flags the 2/3 inversion (failOnLockOrder turns the warning into the failure).
 */

type Params = { workers: number };

export default defineScenario<Params>({
  name: 'lock-hierarchy',
  description: 'a worker takes task state -> worker stats, the progress reporter worker stats -> task state; fixed: both follow the documented hierarchy',
  source: 'seed 004, Appendix: Lock Hierarchy (and Best Practices 1, 7)',
  params: { workers: param(1, fc.integer({ min: 1, max: 3 }), 'workers completing one task each') },
  variants: {
    buggy: { expect: 'deadlock', description: 'reporter takes _worker_stats_lock then _task_state_lock (the appendix\'s last sentence): ABBA deadlock with a worker' },
    'lock-order-warning': {
      expect: 'potential-deadlock',
      failOnLockOrder: true,
      description: 'same lock orders, but the report runs after the workers (as in a test): it cannot deadlock, the inversion is still flagged',
    },
    fixed: { expect: 'pass', failOnLockOrder: true, description: 'every path takes locks in the numbered order (2 -> 3 -> 4); no inversion even as a warning' },
  },
  budget: { iterations: 200 },
  async run(t) {
    // The hierarchy's locks 2-4 (1, resource manager, and 5, agents, are not on these paths).
    const _task_state_lock = t.lock('_task_state_lock'); // 2
    const _worker_stats_lock = t.lock('_worker_stats_lock'); // 3
    const _progress_callback_lock = t.lock('_progress_callback_lock'); // 4
    const running_tasks = t.variable('running_tasks', t.params.workers);
    const completed_tasks = t.variable('completed_tasks', 0);
    const tasks_completed = t.variable("worker_stats['tasks_completed']", 0);
    const progress = t.variable('last_progress', '');

    const workers = [];
    for (let i = 1; i <= t.params.workers; i++) {
      workers.push(
        t.spawn(`worker-${i}`, async () => {
          await _task_state_lock.acquire(); // 2
          await running_tasks.set((await running_tasks.get()) - 1);
          await completed_tasks.set((await completed_tasks.get()) + 1);
          await _worker_stats_lock.acquire(); // 3 while holding 2
          await tasks_completed.set((await tasks_completed.get()) + 1);
          await _worker_stats_lock.release();
          await _task_state_lock.release();
        }),
      );
    }
    // lock-order-warning: the report comes after the batch, so no schedule can deadlock.
    if (t.variant === 'lock-order-warning') for (const w of workers) await w.join();
    const reporter = t.spawn('progress-reporter', async () => {
      const [first, second] = t.variant === 'fixed' ? [_task_state_lock, _worker_stats_lock] : [_worker_stats_lock, _task_state_lock];
      await first.acquire();
      await second.acquire();
      const done = await completed_tasks.get();
      const counted = await tasks_completed.get();
      await _progress_callback_lock.acquire(); // 4 while holding 2 and 3
      await progress.set(`${done} completed, ${counted} in worker_stats`);
      await _progress_callback_lock.release();
      await second.release();
      await first.release();
      return { done, counted };
    });
    for (const w of workers) await w.join();
    await reporter.join();
    // Under both locks the two counters are read together: they must agree.
    const r = reporter.result!;
    t.assert(r.done === r.counted, `progress report saw ${r.done} completed tasks but ${r.counted} in worker_stats`);
  },
});
