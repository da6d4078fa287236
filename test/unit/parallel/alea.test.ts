import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Alea } from '../../../src/strategies/alea.js';

describe('Alea (reseedable)', () => {
  it('gives exactly the numbers of seedrandom.alea for the same seed string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.nat(), (seed, index) => {
        const key = `${seed}:${index}`;
        const ours = new Alea('x');
        ours.reseed(key);
        const theirs = seedrandom.alea(key);
        for (let i = 0; i < 20; i++) expect(ours.next()).toBe(theirs());
      }),
      { numRuns: 300 },
    );
  });

  it('reseeding restarts the sequence', () => {
    const a = new Alea('1:2');
    const first = [a.next(), a.next(), a.next()];
    a.next();
    a.reseed('1:2');
    expect([a.next(), a.next(), a.next()]).toEqual(first);
  });
});
