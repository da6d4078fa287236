import { describe, expect, it } from 'vitest';
import { explore, replayTrace, search } from 'interleave';
import lostUpdate from '../../fixtures/scenarios/lost-update.js';
import lockOrder from '../../fixtures/scenarios/lock-order.js';

describe('known bugs', () => {
  it('dfs finds the lost update and records a trace that replays', async () => {
    const r = await search(lostUpdate, { variant: 'buggy' });
    expect([r.failure?.kind, r.stoppedBy, r.complete]).toEqual(['assertion', 'failure', false]);
    expect(r.failure?.message).toContain('lost update: counter is 1 after 2 increments');
    expect(r.trace?.strategy.name).toBe('dfs');
    const replay = await replayTrace(lostUpdate, r.trace!);
    expect(replay.outcome).toBe('reproduced');
  });

  it('pb reports 1 as the minimal preemption bound of the lost update', async () => {
    // Without preemption each worker runs get-then-set alone; one switch between a get and its
    // set is needed, so bound 0 is clean and bound 1 fails.
    const r = await search(lostUpdate, { variant: 'buggy', strategy: 'pb', preemptionBound: 3 });
    expect(r.failure?.kind).toBe('assertion');
    expect(r.bound).toEqual({ limit: 3, reached: 1, completeUpTo: 0, minimalFailing: 1 });
    expect(r.trace?.counts.preemptions).toBe(1);
  });

  it('dfs and pb find the ABBA deadlock; minimal bound 1', async () => {
    const d = await search(lockOrder, { variant: 'buggy' });
    expect(d.failure?.kind).toBe('deadlock');
    // Bound 0: each task takes both locks alone. Bound 1: preempt transfer right after it took
    // accounts, report takes audit, then both block.
    const p = await search(lockOrder, { variant: 'buggy', strategy: 'pb' });
    expect(p.failure?.kind).toBe('deadlock');
    expect(p.failure?.message).toMatch(/^deadlock: /);
    expect(p.bound?.minimalFailing).toBe(1);
    expect(p.trace?.counts.preemptions).toBe(1);
  });

  it('fixed variants are proved clean: DPOR sees both lock orders (2 traces)', async () => {
    for (const scenario of [lostUpdate, lockOrder]) {
      const r = await search(scenario as typeof lostUpdate, { variant: 'fixed' });
      expect([r.failure, r.completeExecutions, r.complete, r.stoppedBy]).toEqual([null, 2, true, 'exhausted']);
      const plain = await search(scenario as typeof lostUpdate, { variant: 'fixed', por: false });
      expect([plain.failure, plain.completeExecutions, plain.complete]).toEqual([null, 37, true]);
    }
  });

  it('pb on a clean scenario: complete only when no schedule was cut by the bound', async () => {
    const cut = await search(lostUpdate, { variant: 'fixed', strategy: 'pb', preemptionBound: 0 });
    expect([cut.failure, cut.complete, cut.stoppedBy]).toEqual([null, false, 'bound']);
    expect(cut.bound).toEqual({ limit: 0, reached: 0, completeUpTo: 0, minimalFailing: null });
    const all = await search(lostUpdate, { variant: 'fixed', strategy: 'pb', preemptionBound: 20 });
    expect([all.failure, all.complete, all.stoppedBy]).toEqual([null, true, 'exhausted']);
    expect(all.bound?.completeUpTo).toBe(all.bound?.reached);
  });

  it('never claims completeness under a budget', async () => {
    const r = await search(lostUpdate, { variant: 'fixed', por: false, maxExecutions: 5 });
    expect([r.executions, r.complete, r.stoppedBy, r.state.finished]).toEqual([5, false, 'executions', false]);
    const cut = await search(lostUpdate, { variant: 'fixed', maxDepth: 4 });
    expect(cut.complete).toBe(false);
    expect(cut.depthLimited).toBeGreaterThan(0);
  });

  it('explore delegates dfs and pb to the search', async () => {
    const r = await explore(lostUpdate, { variant: 'buggy', strategy: 'pb' });
    expect([r.failure?.kind, r.stoppedBy, r.search?.bound?.minimalFailing]).toEqual(['assertion', 'failure', 1]);
    const clean = await explore(lostUpdate, { variant: 'fixed', strategy: 'dfs' });
    expect([clean.failure, clean.executions, clean.search?.complete, clean.search?.completeExecutions]).toEqual([null, 3, true, 2]);
  });
});
