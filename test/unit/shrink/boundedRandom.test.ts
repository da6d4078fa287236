import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedRandomStrategy, makeTarget, runExecution, type ScenarioDefinition } from 'interleave';
import { noisyLostUpdate } from './scenarios.js';

const target = makeTarget(noisyLostUpdate as unknown as ScenarioDefinition<object>, { variant: 'buggy' });

describe('BoundedRandomStrategy (the shrinker sampling schedules under a preemption bound)', () => {
  it('property: never more preemptions than its bound; same seed and index, same schedule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 3 }), fc.nat(200), async (seed, bound, index) => {
        const a = await runExecution(target, new BoundedRandomStrategy(seed, bound, 30), index, false);
        const b = await runExecution(target, new BoundedRandomStrategy(seed, bound, 30), index, false);
        expect(a.preemptions).toBeLessThanOrEqual(bound);
        expect(b.decisions).toEqual(a.decisions);
      }),
      { numRuns: 60 },
    );
  });

  it('bound 0 never preempts yet still varies who runs when a task ends; bound 1 finds the lost update', async () => {
    const zero = new BoundedRandomStrategy(1, 0, 30);
    const firsts = new Set<string>();
    let failures = 0;
    for (let i = 0; i < 50; i++) {
      const r = await runExecution(target, zero, i, false);
      expect(r.preemptions).toBe(0);
      firsts.add(r.decisions.join(','));
      if (r.failure !== null) failures++;
    }
    expect(firsts.size).toBeGreaterThan(1);
    expect(failures).toBe(0); // each increment runs whole: no lost update without a preemption
    const one = new BoundedRandomStrategy(1, 1, 30);
    let found = -1;
    for (let i = 0; i < 500 && found < 0; i++) if ((await runExecution(target, one, i, false)).failure?.kind === 'assertion') found = i;
    expect(found).toBeGreaterThanOrEqual(0);
  });
});
