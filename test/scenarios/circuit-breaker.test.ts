import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/circuit-breaker.js';
import { expectClean, expectCommittedTraceReplays, expectDeclaredFailure, expectExhaustivelyClean } from './_scenarios-b.js';

const s = scenario as never;

describe('circuit-breaker (seed 003, Circuit Breakers)', () => {
  it('buggy: a lost failure_count increment keeps the breaker CLOSED after threshold failures', async () => {
    const { failure } = await expectDeclaredFailure(s, 'buggy');
    expect(failure.message).toMatch(/^assertion: AssertionFailure: circuit breaker fails to trip: ended CLOSED failure_count=[12] success_count=0; .*\(possible: OPEN failure_count=3 success_count=0\)/);
  });

  it('premature-trip: a failure read before a success reset and written after it trips the breaker early', async () => {
    const { failure } = await expectDeclaredFailure(s, 'premature-trip');
    expect(failure.message).toMatch(/^assertion: AssertionFailure: circuit breaker trips prematurely: ended OPEN failure_count=3 /);
    expect(failure.message).not.toMatch(/possible: [^)]*OPEN/);
  });

  it('wrong-reset: two half-open probe successes race on success_count and the breaker stays HALF_OPEN', async () => {
    const { failure } = await expectDeclaredFailure(s, 'wrong-reset');
    expect(failure.message).toMatch(/^assertion: AssertionFailure: circuit breaker fails to reset: ended HALF_OPEN failure_count=3 success_count=[01];.*\(possible: CLOSED failure_count=0 success_count=0\)/);
  });

  it('fixed: ThreadSafeCircuitBreaker is linearizable on all three workloads, every schedule (dfs, 3 callers)', async () => {
    const r = await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' });
    expect(r.completeExecutions).toBeGreaterThan(50);
  });

  it('fixed with 2 and 4 callers: clean (random)', async () => {
    expect(await expectClean(s, 'fixed', 500, [1], { callers: 2 })).toBe(500);
    expect(await expectClean(s, 'fixed', 500, [2], { callers: 4 })).toBe(500);
  });

  it.each(['buggy', 'premature-trip', 'wrong-reset'])('the committed %s trace replays to its failure', async (variant) => {
    await expectCommittedTraceReplays(s, variant);
  });
});
