import { describe, expect, it } from 'vitest';
import { checkSearchState, initialSearchState, search, splitSearch, UsageError, type SearchState } from 'interleave';
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

  it('a part split again: its parts still find every trace exactly once (its sealed nodes are not saturated again)', async () => {
    // The nodes of a part are sealed with only that part's alternatives: saturating them again
    // would hand the other parts' alternatives to this part's parts (run twice).
    for (const [program, complete] of [
      [lastzero(4), 28],
      [lastzero(5), 64],
    ] as const) {
      const first = await search(program, { maxExecutions: 3 });
      let found = first.completeExecutions;
      for (const part of splitSearch(first.state, 3)) {
        const head = await search(program, { resume: roundTrip(part), maxExecutions: 2 });
        found += head.completeExecutions;
        for (const sub of splitSearch(head.state, 3)) {
          const r = await search(program, { resume: roundTrip(sub) });
          expect(r.complete).toBe(true);
          found += r.completeExecutions;
        }
      }
      expect(found).toBe(complete);
    }
  });

  it('splits a plain dfs part again: every execution exactly once', async () => {
    const first = await search(disjoint(3, 1), { por: false, maxExecutions: 2 });
    let total = first.executions;
    for (const part of splitSearch(first.state, 2)) {
      const head = await search(disjoint(3, 1), { por: false, resume: roundTrip(part), maxExecutions: 5 });
      total += head.executions;
      for (const sub of splitSearch(head.state, 4)) total += (await search(disjoint(3, 1), { por: false, resume: roundTrip(sub) })).executions;
    }
    expect(total).toBe(90);
  });

  it("balanced by depth: the shallowest alternatives (the largest subtrees) get parts of their own; the parts still cover the tree exactly once", async () => {
    const first = await search(disjoint(3, 1), { por: false, maxExecutions: 1 });
    const shallowest = first.state.path.findIndex((node) => node.todo.length > 0);
    for (const n of [1, 2, 3, 5, 64]) {
      const parts = splitSearch(first.state, n, 'depth');
      expect(parts).toHaveLength(n);
      let total = 0;
      for (const part of parts) total += (await search(disjoint(3, 1), { por: false, resume: roundTrip(part) })).executions;
      expect(total).toBe(89);
    }
    // After one execution the work list is, deepest first, 6 alternatives at nodes 4, 3, 2, 2, 1, 1,
    // of estimated sizes 1, 2, 4, 4, 8, 8. By count, 4 parts take 2, 2, 1 and 1 of them; by depth,
    // 3, 1, 1 and 1: the two at node 1 (the shallowest) and one at node 2 alone.
    const shape = (parts: SearchState[]): number[][] => parts.map((p) => [p.path.length, p.path.reduce((n, node) => n + node.todo.length, 0)]);
    expect(shallowest).toBe(1);
    expect(shape(splitSearch(first.state, 4, 'depth'))).toEqual([[5, 2], [3, 0], [2, 0], [2, 0]]);
    expect(shape(splitSearch(first.state, 4))).toEqual([[5, 1], [3, 1], [2, 0], [2, 0]]);
    // DPOR, split by depth twice: every trace once.
    const dpor = await search(lastzero(5), { maxExecutions: 3 });
    let found = dpor.completeExecutions;
    for (const part of splitSearch(dpor.state, 3, 'depth')) {
      const head = await search(lastzero(5), { resume: roundTrip(part), maxExecutions: 2 });
      found += head.completeExecutions;
      for (const sub of splitSearch(head.state, 3, 'depth')) found += (await search(lastzero(5), { resume: roundTrip(sub) })).completeExecutions;
    }
    expect(found).toBe(64);
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

  it('refuses a state of another scenario or mode', async () => {
    const s = (await search(disjoint(2, 1), { maxExecutions: 1 })).state;
    await expect(search(disjoint(3, 1), { resume: s })).rejects.toThrow(UsageError);
    await expect(search(disjoint(2, 1), { por: false, resume: s })).rejects.toThrow(/not disjoint-2x1\/only \(dfs\)/);
    expect(() => checkSearchState({ format: 'x' })).toThrow(/not a search state/);
  });

  it('splits a pb state within its bound: the parts, kept at that bound, run the rest of the round exactly once', async () => {
    const p = disjoint(3, 1);
    for (const bound of [0, 1, 2]) {
      // The unsplit round at this bound: bound `bound` alone, from the root.
      const round = await search(p, { strategy: 'pb', preemptionBound: bound, resume: initialSearchState(p.name, 'only', 'pb', false, bound) });
      expect(round.state.bound).toBe(bound);
      const prefix = await search(p, { strategy: 'pb', preemptionBound: bound, resume: initialSearchState(p.name, 'only', 'pb', false, bound), maxExecutions: 3 });
      expect(prefix.stoppedBy).toBe('executions');
      for (const n of [1, 4, 64]) {
        const parts = splitSearch(prefix.state, n);
        expect(parts.every((part) => part.mode === 'pb' && part.bound === bound && !part.boundCut)).toBe(true);
        let [executions, pruned, steps] = [prefix.executions, prefix.pruned, prefix.steps];
        for (const part of parts) {
          const r = await search(p, { strategy: 'pb', preemptionBound: bound, resume: roundTrip(part) });
          // Kept at the bound: a part with a cut ends by 'bound', never going on to bound + 1.
          expect([r.state.bound, r.stoppedBy]).toEqual([bound, r.pruned > 0 ? 'bound' : 'exhausted']);
          executions += r.executions;
          pruned += r.pruned;
          steps += r.steps;
        }
        expect([executions, pruned, steps]).toEqual([round.executions, round.pruned, round.steps]);
      }
    }
  });
});
