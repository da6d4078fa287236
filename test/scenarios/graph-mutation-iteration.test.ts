import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/graph-mutation-iteration.js';
import { exhaust, exploreVariant, replayCommitted } from './_scenarios-a.js';

/** seed 000 §2.1: the UI deletes a node while a worker iterates allConnectionIds(). */
describe('graph-mutation-iteration', () => {
  it('buggy: the worker\'s iteration over _connections is invalidated by the UI\'s delete', async () => {
    const r = await exploreVariant(scenario, 'buggy');
    expect(r.failure?.kind).toBe(scenario.variants.buggy!.expect);
    expect(r.failure?.error).toMatchObject({ name: 'IteratorInvalidated', message: '_connections changed during iteration (a key was added or removed)' });
    expect(r.failure?.task).toMatch(/^worker-\d$/);
    expect(r.executions).toBeLessThanOrEqual(scenario.budget!.iterations!);
  });

  it('finding: a read lock around each query alone still lets delegateModel() return nullptr', async () => {
    const r = await exploreVariant(scenario, 'read-lock-per-query');
    expect(r.failure?.kind).toBe(scenario.variants['read-lock-per-query']!.expect);
    expect(r.failure?.error?.name).toBe('NullDereference');
    expect(r.failure?.error?.message).toMatch(/^delegateModel\(sink\) returned nullptr for a connection allConnectionIds\(src-\d\) just returned$/);
    expect(r.executions).toBeLessThanOrEqual(scenario.budget!.iterations!);
  });

  it('fixed (read lock across handleTaskCompleted) and snapshot are clean: exhaustive (dfs) with 3 workers', async () => {
    for (const variant of ['fixed', 'snapshot']) {
      const r = await exhaust(scenario, variant, { workers: 3 });
      expect(r.failure).toBeNull();
      expect(r.complete).toBe(true);
    }
  });

  it('the same dfs search finds the buggy IteratorInvalidated', async () => {
    const r = await exhaust(scenario, 'buggy', { workers: 3 });
    expect(r.failure?.kind).toBe('exception');
  });

  it('the committed traces replay to their failures', async () => {
    for (const variant of ['buggy', 'read-lock-per-query']) {
      const { trace, report } = await replayCommitted(scenario, variant, 'exception');
      expect(report.outcome).toBe('reproduced');
      expect(report.result.failure?.message).toBe(trace.failure!.message);
    }
  });
});
