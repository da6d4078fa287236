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

  it('elided-lock: buggy is clean up to 6 preemptions and fails at 7 (39,475 executions); fixed (the CAS subscribes to the lock) holds up to 7 (103,032 executions)', async () => {
    const { scenario } = await loadScenario(join(ROOT, 'test/fixtures/deep/elided-lock.ts'));
    const buggy = await search(scenario, { variant: 'buggy', strategy: 'pb', preemptionBound: 7 });
    expect(buggy.failure?.kind).toBe('assertion');
    expect(buggy.failure?.message).toContain('was handed out twice');
    expect(buggy.bound).toMatchObject({ completeUpTo: 6, minimalFailing: 7 });
    expect(buggy.trace!.counts.preemptions).toBe(7);
    expect(buggy.executions).toBe(39_475);
    const fixed = await search(scenario, { variant: 'fixed', strategy: 'pb', preemptionBound: 7 });
    expect(fixed.failure).toBeNull();
    expect(fixed.bound).toMatchObject({ completeUpTo: 7, minimalFailing: null });
    expect(fixed.executions).toBe(103_032);
  });
});
