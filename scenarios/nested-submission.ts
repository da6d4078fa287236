import { defineScenario, param } from 'interleave';
import type { Future } from 'interleave';
import fc from 'fast-check';

/**
 * MEZAN `parallel_executor.py` (seed 004, "Deadlock Scenarios Identified", Scenario 1: Nested
 * Task Submission). A task running on the bounded worker pool submits a child task to the same
 * pool and blocks on the child's result. When every worker runs such a parent, the children wait
 * in the pool's queue for a worker that never frees up: the wait-for cycle runs through the
 * pool's workers (parent on worker 1 waits for its child, queued behind worker 2's parent, which
 * waits for its own child, queued behind worker 1).
 *
 * Variants:
 * - buggy: `child.result()` inside the parent: deadlock.
 * - timeout: the audit's prevention ("deadlock detector", and best practice 5 "Implement timeouts
 *   on all blocking operations"): `child.result(timeout=30.0)`. It does not remove the deadlock;
 *   it turns it into a TimeoutError that fails the parent's job, which the submitter re-raises.
 * - fixed: no worker blocks on a child: the parent submits the child and returns its future
 *   (continuation style), and the submitter, which is not a pool worker, waits for it.
 */

export default defineScenario({
  name: 'nested-submission',
  description: 'tasks on a bounded worker pool submit a child task to the same pool and wait for its result',
  source: 'seed 004, Deadlock Scenarios, Scenario 1',
  params: {
    workers: param(2, fc.integer({ min: 1, max: 3 }), 'max_workers of the pool; as many parent tasks are submitted'),
  },
  variants: {
    buggy: { expect: 'deadlock', description: 'the parent blocks its worker on child.result(): every worker waits for a child queued behind the others' },
    timeout: { expect: 'exception', description: "the audit's prevention, result(timeout=30.0): the deadlock becomes a TimeoutError in the parent's job" },
    fixed: { expect: 'pass', description: 'the parent returns the child future instead of blocking its worker; the submitter waits outside the pool' },
  },
  budget: { iterations: 200 },
  async run(t) {
    const pool = t.pool('parallel_executor', { workers: t.params.workers });
    const parent = (i: number) => async (): Promise<number | Future<number>> => {
      const child = await pool.submit(`task-B${i}`, () => 10 * i);
      if (t.variant === 'fixed') return child; // continuation: do not block a worker on the child
      return child.result(t.variant === 'timeout' ? { timeout: 30_000 } : undefined);
    };
    const futures: Future<number | Future<number>>[] = [];
    for (let i = 1; i <= t.params.workers; i++) futures.push(await pool.submit(`task-A${i}`, parent(i)));
    const results: number[] = [];
    for (const f of futures) {
      const r = await f.result();
      results.push(typeof r === 'number' ? r : await r.result());
    }
    await pool.shutdown();
    t.assert(results.every((r, i) => r === 10 * (i + 1)), `wrong results ${results.join(', ')}`);
  },
});
