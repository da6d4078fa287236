import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Alea } from '../../../src/strategies/alea.js';

describe('Alea (seeded from integers)', () => {
  it('gives exactly the numbers of seedrandom.alea from the same state', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.nat(), fc.nat({ max: 3 }), (seed, index, stream) => {
        const ours = new Alea(seed, stream);
        ours.start(index);
        const theirs = seedrandom.alea('', { state: ours.state() });
        for (let i = 0; i < 20; i++) expect(ours.next()).toBe(theirs());
      }),
      { numRuns: 300 },
    );
  });

  it('restarting an execution repeats its numbers, whatever ran before', () => {
    const a = new Alea(7);
    a.start(12);
    const first = [a.next(), a.next(), a.next()];
    a.start(13);
    a.next();
    a.start(12);
    expect([a.next(), a.next(), a.next()]).toEqual(first);
    const b = new Alea(7);
    b.start(12);
    expect([b.next(), b.next(), b.next()]).toEqual(first);
  });

  it('gives every execution, seed and stream a walk of its own', () => {
    const firsts = new Set<number>();
    const a = new Alea(1);
    for (let i = 0; i < 20_000; i++) {
      a.start(i);
      firsts.add(a.next());
    }
    expect(firsts.size).toBe(20_000);
    const starts = (seed: number, stream: number, index: number): number[] => {
      const g = new Alea(seed, stream);
      g.start(index);
      return [g.next(), g.next()];
    };
    expect(starts(1, 0, 5)).not.toEqual(starts(2, 0, 5));
    expect(starts(1, 0, 5)).not.toEqual(starts(1, 1, 5));
    expect(starts(1, 0, 2 ** 32 + 5)).not.toEqual(starts(1, 0, 5));
    expect(starts(-1, 0, 5)).not.toEqual(starts(2 ** 32 - 1, 0, 5));
  });

  it('draws numbers in [0, 1) spread evenly', () => {
    const a = new Alea(3);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1_000; i++) {
      a.start(i);
      for (let k = 0; k < 10; k++) {
        const x = a.next();
        expect(x >= 0 && x < 1).toBe(true);
        buckets[Math.floor(x * 10)]!++;
      }
    }
    // 10,000 draws: each bucket holds 1,000 ± 4 standard deviations (30).
    for (const n of buckets) expect(Math.abs(n - 1_000)).toBeLessThan(120);
  });
});
