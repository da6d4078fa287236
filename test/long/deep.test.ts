import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { search } from 'interleave';
import { loadScenario } from '../../src/loader.js';
import { ROOT } from '../robust/cli.js';

/** The deep-bug fixtures' larger proofs; test/unit/deep/deep.test.ts keeps the quick ones. */
describe('deep-bug fixtures, whole proofs', () => {
  it('aba-stack fixed (tagged CAS) holds on every schedule with at most 3 preemptions, where buggy fails (59,988 executions)', async () => {
    const { scenario } = await loadScenario(join(ROOT, 'test/fixtures/deep/aba-stack.ts'));
    const fixed = await search(scenario, { variant: 'fixed', strategy: 'pb', preemptionBound: 3 });
    expect(fixed.failure).toBeNull();
    expect(fixed.bound).toMatchObject({ completeUpTo: 3, minimalFailing: null });
    expect(fixed.executions).toBe(59_988);
  });
});
