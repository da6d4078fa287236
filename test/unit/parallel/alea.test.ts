import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Alea, AleaSeeder } from '../../../src/strategies/alea.js';

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

describe('AleaSeeder (four seeds hashed at once)', () => {
  it('seeds exactly as new Alea(prefix + index), in order, out of order, and across powers of ten', () => {
    const check = (seeder: AleaSeeder, prefix: string, index: number): void => {
      const ours = new Alea('x');
      seeder.seed(ours, index);
      const theirs = seedrandom.alea(`${prefix}${index}`);
      for (let i = 0; i < 5; i++) expect(ours.next()).toBe(theirs());
    };
    const seeder = new AleaSeeder('7:');
    for (let i = 0; i < 1_100; i++) check(seeder, '7:', i);
    for (const i of [99_998, 99_999, 100_000, 100_001, 5, 4, 3, 12_345, 12_344, 2 ** 31 - 2, 2 ** 31 + 5, 2 ** 40 + 7, 2 ** 53 + 2]) check(seeder, '7:', i);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (seed, indices) => {
        const s = new AleaSeeder(`${seed}:`);
        for (const i of indices) check(s, `${seed}:`, i);
      }),
      { numRuns: 200 },
    );
  });
});
