import { describe, expect, it } from 'vitest';
import { checkSearchState, search, splitSearch, UsageError, type SearchState } from 'interleave';
import { disjoint, lastzero } from './programs.js';

const roundTrip = (s: SearchState): SearchState => checkSearchState(JSON.parse(JSON.stringify(s)));

describe('search state', () => {
  it('saves and resumes: the two halves add up to the whole search', async () => {
    const first = await search(disjoint(3, 1), { por: false, maxExecutions: 10 });
    expect([first.executions, first.complete, first.stoppedBy]).toEqual([10, false, 'executions']);
    const rest = await search(disjoint(3, 1), { por: false, resume: roundTrip(first.state) });
    expect([rest.executions, rest.complete, rest.state.finished]).toEqual([80, true, true]);
  });

  it('resumes a DPOR search to the same counts', async () => {
    const first = await search(lastzero(4), { maxExecutions: 7 });
    const rest = await search(lastzero(4), { resume: roundTrip(first.state) });
    expect(first.completeExecutions + rest.completeExecutions).toBe(28);
    expect(first.sleepBlocked + rest.sleepBlocked).toBe(7);
    expect(rest.complete).toBe(true);
  });

  it('splits into disjoint subtrees that cover the tree exactly once (plain dfs)', async () => {
    const first = await search(disjoint(3, 1), { por: false, maxExecutions: 1 });
    for (const n of [1, 2, 3, 5, 64]) {
      const parts = splitSearch(first.state, n);
      expect(parts).toHaveLength(n);
      let total = 0;
      for (const part of parts) total += (await search(disjoint(3, 1), { por: false, resume: roundTrip(part) })).executions;
      expect(total).toBe(89);
    }
  });

  it('split DPOR parts together find every trace exactly once', async () => {
    const first = await search(lastzero(4), { maxExecutions: 3 });
    const parts = splitSearch(first.state, 4);
    let complete = first.completeExecutions;
    for (const part of parts) {
      const r = await search(lastzero(4), { resume: roundTrip(part) });
      expect(r.complete).toBe(true);
      complete += r.completeExecutions;
    }
    expect(complete).toBe(28);
  });

  it('splitting a fresh state gives the whole search to the first part', async () => {
    const fresh = (await search(disjoint(2, 1), { por: false, maxExecutions: 0 })).state;
    const parts = splitSearch(fresh, 3);
    expect(parts.map((p) => [p.fresh, p.finished])).toEqual([
      [true, false],
      [false, true],
      [false, true],
    ]);
  });

  it('refuses a state of another scenario or mode, and pb splits', async () => {
    const s = (await search(disjoint(2, 1), { maxExecutions: 1 })).state;
    await expect(search(disjoint(3, 1), { resume: s })).rejects.toThrow(UsageError);
    await expect(search(disjoint(2, 1), { por: false, resume: s })).rejects.toThrow(/not disjoint-2x1\/only \(dfs\)/);
    const pb = (await search(disjoint(2, 1), { strategy: 'pb', maxExecutions: 1 })).state;
    expect(() => splitSearch(pb, 2)).toThrow(/pb searches cannot be split/);
    expect(() => checkSearchState({ format: 'x' })).toThrow(/not a search state/);
  });
});
