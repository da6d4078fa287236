import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { search } from 'interleave';
import { loadScenario } from '../../src/loader.js';
import { ROOT } from '../robust/cli.js';

/** The deep-bug fixtures' larger proofs; test/unit/deep/deep.test.ts keeps the quick ones. */
describe('deep-bug fixtures, whole proofs', () => {
  it('aba-stack: buggy is clean up to 2 preemptions and fails at 3; fixed (tagged CAS) holds up to 3 (13,390 executions with reduction, 59,988 without)', async () => {
    const { scenario } = await loadScenario(join(ROOT, 'test/fixtures/deep/aba-stack.ts'));
    const buggy = await search(scenario, { variant: 'buggy', strategy: 'pb', preemptionBound: 3 });
    expect(buggy.failure?.kind).toBe('assertion');
    expect(buggy.bound).toMatchObject({ completeUpTo: 2, minimalFailing: 3 });
    expect(buggy.trace!.counts.preemptions).toBe(3);
    const fixed = await search(scenario, { variant: 'fixed', strategy: 'pb', preemptionBound: 3 });
    expect(fixed.failure).toBeNull();
    expect(fixed.bound).toMatchObject({ completeUpTo: 3, minimalFailing: null });
    expect(fixed.executions).toBe(13_390);
  });

  it('torn-snapshot fixed (double collect) holds on every schedule with at most 6 preemptions (41,743 executions with reduction, 102,685 without)', async () => {
    const { scenario } = await loadScenario(join(ROOT, 'test/fixtures/deep/torn-snapshot.ts'));
    const fixed = await search(scenario, { variant: 'fixed', strategy: 'pb', preemptionBound: 6 });
    expect(fixed.failure).toBeNull();
    expect(fixed.bound).toMatchObject({ completeUpTo: 6, minimalFailing: null });
    expect(fixed.executions).toBe(41_743);
  });
});
