import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ScenarioDefinition } from 'interleave';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import lockOrder from '../fixtures/scenarios/lock-order.js';
import circuitBreaker from '../../scenarios/circuit-breaker.js';
import lockHierarchy from '../../scenarios/lock-hierarchy.js';
import { expectUnsplit } from '../unit/parallel/splitSame.js';

// Whole pb searches split over 1, 2 and 3 workers and 3 merged shards, each compared with the
// unsplit search: checks of the split over bigger trees than test/unit/parallel/searchParallel.test.ts
// needs (it keeps lost-update buggy), run with `npm run test:long`.
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/scenarios/${name}.ts`, import.meta.url));
const audit = (name: string): string => fileURLToPath(new URL(`../../scenarios/${name}.ts`, import.meta.url));
const lu = lostUpdate as unknown as ScenarioDefinition<object>;

describe('a pb search split in units gives the unsplit search', () => {
  it('fixtures: lock-order buggy and fixed (exhausts the tree), lost-update fixed (stops by the bound)', async () => {
    const loBuggy = await expectUnsplit(lockOrder as unknown as ScenarioDefinition<object>, fixture('lock-order'), 'buggy', {});
    expect([loBuggy.one.failure?.kind, loBuggy.one.bound?.minimalFailing]).toEqual(['deadlock', 1]);
    const luFixed = await expectUnsplit(lu, fixture('lost-update'), 'fixed', { workers: 3 });
    expect([luFixed.one.stoppedBy, luFixed.one.complete, luFixed.one.bound]).toEqual(['bound', false, { limit: 2, reached: 2, completeUpTo: 2, minimalFailing: null }]);
    // With room to spare, bound 3 cuts nothing: the search is exhausted there. The shards ran
    // their units of bounds 4 and 5 too (they cannot see the others' cuts); merge drops them.
    const loFixed = await expectUnsplit(lockOrder as unknown as ScenarioDefinition<object>, fixture('lock-order'), 'fixed', {}, { preemptionBound: 5 });
    expect([loFixed.one.stoppedBy, loFixed.one.complete, loFixed.one.bound]).toEqual(['exhausted', true, { limit: 5, reached: 3, completeUpTo: 3, minimalFailing: null }]);
    expect(loFixed.runs.some((r) => r.units.some((u) => u.bound > 3))).toBe(true);
  });


  it('audit scenarios: a failure first seen at bound 2 (circuit-breaker premature-trip), a clean one stopped by the bound (lock-hierarchy)', async () => {
    const trip = await expectUnsplit(circuitBreaker as unknown as ScenarioDefinition<object>, audit('circuit-breaker'), 'premature-trip', {});
    expect([trip.one.stoppedBy, trip.one.bound?.minimalFailing, trip.one.bound?.completeUpTo]).toEqual(['failure', 2, 1]);
    const hierarchy = await expectUnsplit(lockHierarchy as unknown as ScenarioDefinition<object>, audit('lock-hierarchy'), 'fixed', {});
    expect([hierarchy.one.stoppedBy, hierarchy.one.pruned > 0]).toEqual(['bound', true]);
  });

});
