import { describe, expect, it } from 'vitest';
import { exploreBody } from '../../helpers/run.js';

/**
 * A job queued on a full pool is not stuck while some worker is idle: that worker's `take` is
 * enabled and will run the job. The deadlock check must not report a cycle through the busy
 * workers alone (found while modelling seed 004's nested submission).
 */
describe('pool: a queued job with an idle worker', () => {
  it('one parent waiting on its child in a two-worker pool never deadlocks', async () => {
    const r = await exploreBody(
      async (t) => {
        const pool = t.pool('executor', { workers: 2 });
        const parent = await pool.submit('parent', async () => {
          const child = await pool.submit('child', () => 1);
          return child.result();
        });
        // Main blocks late, once the second worker may already sit idle at its `take`.
        for (let i = 0; i < 4; i++) await t.yield();
        t.assert((await parent.result()) === 1, 'wrong result');
        await pool.shutdown();
      },
      { iterations: 500 },
    );
    expect(r.failure).toBeNull();
  });

  it('two parents in a two-worker pool still deadlock through both workers', async () => {
    const r = await exploreBody(async (t) => {
      const pool = t.pool('executor', { workers: 2 });
      const job = async (): Promise<number> => (await pool.submit('child', () => 1)).result();
      const a = await pool.submit('parent', job);
      const b = await pool.submit('parent', job);
      await a.result();
      await b.result();
    });
    expect(r.failure?.kind).toBe('deadlock');
    expect(new Set(r.failure!.cycle!.map((e) => e.task)).size).toBeGreaterThanOrEqual(1);
  });
});
