import { describe, expect, it } from 'vitest';
import { replayTrace, search, type ScenarioDefinition } from 'interleave';
import twoStage from '../fixtures/shapes/two-stage.js';
import lockPerWriter from '../fixtures/shapes/lock-per-writer.js';
import philosophers from '../fixtures/shapes/dining-philosophers.js';

/**
 * Issue 26's shapes at the sizes too slow for `npm test` (test/unit/search/shapes.test.ts and
 * shapesProofs.test.ts keep the smaller ones): two-stage and lock-per-writer with 10 tasks
 * proven up to 2 delays, and the bounds that grow with the tasks.
 */
type Any = ScenarioDefinition<Record<string, unknown>>;

describe('issue 26 shapes, larger', () => {
  it('db proves the fixed 10-task versions clean on every schedule with at most 2 delays: two-stage (9 stagers and a reader) in 3,308 executions, lock-per-writer (10 writers) in 1,445', async () => {
    const upTo2 = { limit: 2, reached: 2, completeUpTo: 2, minimalFailing: null };
    const ts = await search(twoStage as Any, { variant: 'fixed', strategy: 'db', params: { stagers: 9, readers: 1 }, preemptionBound: 2 });
    expect([ts.failure, ts.bound, ts.executions]).toEqual([null, upTo2, 3308]);
    const lw = await search(lockPerWriter as Any, { variant: 'fixed', strategy: 'db', params: { writers: 10 }, preemptionBound: 2 });
    expect([lw.failure, lw.bound, lw.executions]).toEqual([null, upTo2, 1445]);
  });

  it('pb finds the one-preemption bugs past a growing bound 0: 5 and 6 philosophers in 413 and 1,987 executions, two-stage with 3 stagers in 609', async () => {
    for (const [n, executions] of [[5, 413], [6, 1987]] as const) {
      const pb = await search(philosophers as Any, { variant: 'buggy', strategy: 'pb', params: { philosophers: n } });
      expect([pb.failure?.kind, pb.bound?.minimalFailing, pb.executions]).toEqual(['deadlock', 1, executions]);
      expect((await replayTrace(philosophers as Any, pb.trace!)).outcome).toBe('reproduced');
    }
    const ts = await search(twoStage as Any, { variant: 'buggy', strategy: 'pb', params: { stagers: 3 } });
    expect([ts.failure?.kind, ts.bound?.minimalFailing, ts.executions, ts.trace?.counts.preemptions]).toEqual(['assertion', 1, 609, 1]);
  });

  it('db needs n - 1 delays for the philosophers: 3 for 4 (2,081 executions)', async () => {
    const db = await search(philosophers as Any, { variant: 'buggy', strategy: 'db', params: { philosophers: 4 }, preemptionBound: 3 });
    expect([db.failure?.kind, db.bound?.minimalFailing, db.executions, db.trace?.counts.preemptions]).toEqual(['deadlock', 3, 2081, 3]);
  });
});
