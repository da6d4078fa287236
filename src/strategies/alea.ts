/**
 * Baagoe's Alea generator, computing exactly the numbers `seedrandom.alea(seedString)` gives
 * (same seeding by the Mash hash, same arithmetic), but as one reseedable object: an
 * exploration reseeds it for every execution instead of allocating a new generator with its
 * closures each time. test/unit/parallel/alea.test.ts checks it against seedrandom.
 *
 * Called by the sampling strategies (random.ts, pct.ts) once per execution (`reseed`) and at
 * every random decision (`next`).
 */
export class Alea {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private c = 1;

  constructor(seed: string) {
    this.reseed(seed);
  }

  /** Same state as `seedrandom.alea(seed)` right after construction. */
  reseed(seed: string): void {
    // Mash over ' ' three times always gives the same values: start from them.
    let n = MASH_START;
    let s0 = SPACE0;
    let s1 = SPACE1;
    let s2 = SPACE2;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < seed.length; i++) n = mashChar(n, seed.charCodeAt(i));
      const m = (n >>> 0) * 2.3283064365386963e-10;
      if (round === 0) {
        s0 -= m;
        if (s0 < 0) s0 += 1;
      } else if (round === 1) {
        s1 -= m;
        if (s1 < 0) s1 += 1;
      } else {
        s2 -= m;
        if (s2 < 0) s2 += 1;
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.c = 1;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10;
    this.s0 = this.s1;
    this.s1 = this.s2;
    return (this.s2 = t - (this.c = t | 0));
  }
}

/** Mash's state and outputs after hashing ' ' three times from its initial state. */
const [MASH_START, SPACE0, SPACE1, SPACE2] = ((): [number, number, number, number] => {
  let n = 0xefc8249d;
  const mash = (): number => {
    n = mashChar(n, 32);
    return (n >>> 0) * 2.3283064365386963e-10;
  };
  const a = mash();
  const b = mash();
  const c = mash();
  return [n, a, b, c];
})();

/** One step of Baagoe's Mash hash: its state `n` after hashing one more character code. */
function mashChar(state: number, code: number): number {
  let n = state + code;
  let h = 0.02519603282416938 * n;
  n = h >>> 0;
  h -= n;
  h *= n;
  n = h >>> 0;
  h -= n;
  return n + h * 0x100000000;
}
