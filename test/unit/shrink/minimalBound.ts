import { expect } from 'vitest';
import { explore, search, shrinkTrace, type ScenarioDefinition } from 'interleave';

/**
 * The audit check for one failing variant, for test/unit/shrink/audit.test.ts: the trace random exploration finds with the variant's budget,
 * shrunk, has as many preemptions as the smallest bound at which pb finds the bug. pb explores
 * bounds 0, 1, ... in order, so nothing fails below that bound (parameters kept: both look at
 * the same program).
 */
export async function expectShrunkToMinimalBound(s: ScenarioDefinition<object>, file: string, variant: string): Promise<void> {
  const pb = await search(s, { variant, strategy: 'pb', preemptionBound: 3, maxExecutions: 20_000 });
  expect(pb.trace, `${file} ${variant}: pb finds it`).not.toBeNull();
  // Shrink what a user gets: the (noisy) trace random exploration found with the variant's budget.
  const found = await explore(s, { variant });
  expect(found.trace, `${file} ${variant}`).not.toBeNull();
  const shrunk = await shrinkTrace(s, found.trace!, { params: false });
  expect({ file, variant, preemptions: shrunk.trace.counts.preemptions }).toEqual({ file, variant, preemptions: pb.bound!.minimalFailing });
}
