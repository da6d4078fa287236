import { describe, expect, it } from 'vitest';
import type { Alea } from '../../../src/strategies/alea.js';
import { FuzzCorpus } from '../../../src/strategies/fuzzCorpus.js';
import { mutate } from '../../../src/strategies/fuzzMutation.js';

/** A generator that gives `numbers` in turn. */
function drawing(...numbers: number[]): Alea {
  return { next: () => numbers.shift()! } as unknown as Alea;
}

describe("the fuzzer's mutations and energy", () => {
  // Task ids in order: 0 ran, then 1, then 0 twice, then 2 twice.
  const parent = [0, 1, 0, 0, 2, 2];

  it('flip replays up to the point and avoids its task there; a random walk follows', () => {
    // 0.5 of 6 decisions: the point is decision 3.
    expect(mutate(parent, 'flip', drawing(0.5))).toEqual({ follow: [0, 1, 0, 0], at: 3, avoid: 0 });
  });

  it("insert switches away for one step at the point, then goes on with the parent's rest", () => {
    expect(mutate(parent, 'insert', drawing(0.5))).toEqual({ follow: [0, 1, 0, 0, 0, 2, 2], at: 3, avoid: 0 });
  });

  it("delay holds the point's task back for 1 to 8 of the parent's next decisions, then gives it its step", () => {
    // Point 1 (task 1), held back 3 decisions (1 + floor(0.3 * 8)): 0, 0, 2 run first.
    expect(mutate(parent, 'delay', drawing(0.2, 0.3))).toEqual({ follow: [0, 0, 0, 2, 1, 2], at: 1, avoid: 1 });
    // Held back past the end: its step comes last.
    expect(mutate(parent, 'delay', drawing(0.9, 0.99))).toEqual({ follow: [0, 1, 0, 0, 2, 2], at: 5, avoid: 2 });
  });

  it('energy: entries take turns in order, mutated energy times in a row; a gain doubles it, none halves it (at least 1)', () => {
    const corpus = new FuzzCorpus(true);
    for (const list of [[0], [1], [2]]) corpus.add(list);
    const picks: number[] = [];
    const gains = [true, false, false, true, true, false, false, false, false];
    for (const gained of gains) {
      const i = corpus.pick(drawing());
      picks.push(i);
      corpus.reward(i, gained);
    }
    // 0 gains (energy 2); 1 and 2 gain nothing (1); 0 twice: gains (4), gains (8); 1; 2; then 0's
    // turn of 8 begins (it halves as its mutations gain nothing, but the turn is as it began).
    expect(picks).toEqual([0, 1, 2, 0, 0, 1, 2, 0, 0]);
    // Without energy, every pick is uniform and rewards change nothing.
    const uniform = new FuzzCorpus(false);
    for (const list of [[0], [1], [2]]) uniform.add(list);
    uniform.reward(0, true);
    expect([0.1, 0.5, 0.9].map((x) => uniform.pick(drawing(x)))).toEqual([0, 1, 2]);
  });
});
