/**
 * Baagoe's Alea generator, the one seedrandom calls `alea` (same state, same arithmetic: each
 * number is exactly what `seedrandom.alea` gives from the same state; test/unit/parallel/alea.test.ts
 * checks it), seeded from integers instead of by Mash over a string.
 *
 * Why not seedrandom's own seeding: an exploration starts one generator per execution, from
 * (seed, index), so that any execution is reproducible on its own and seed ranges shard
 * cleanly. Mash hashes the seed string three times in one serial chain of float operations;
 * even hashing four indices at once, replacing it saved 3.5% of the instructions of a short
 * execution (3 tasks × 5 steps; docs/bench.md). Here a stream key is hashed once per strategy
 * and each execution's state costs three 32-bit mixes.
 *
 * Called by the sampling strategies (random.ts, bounded-random, pct.ts) once per execution
 * (`start`) and at every random decision (`next`).
 */
export class Alea {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private c = 1;
  private readonly k0: number;
  private readonly k1: number;
  private readonly k2: number;

  /**
   * The generators of one exploration: `seed` is the user's seed, `stream` tells apart the
   * strategies that draw from the same seed (so bounded-random's walk is not random's).
   */
  constructor(seed: number, stream = 0) {
    const k0 = fmix32((lowWord(seed) ^ Math.imul(stream + 1, 0x9e3779b9)) | 0);
    this.k0 = k0;
    this.k1 = fmix32((k0 ^ highWord(seed)) + 0x632be59b);
    this.k2 = fmix32(this.k1 ^ 0x5bd1e995);
    this.start(0);
  }

  /**
   * Starts execution `index`'s numbers. Distinct indices below 2^32 give distinct first states
   * (the first mix is a bijection of the low word), so no two executions of an exploration
   * repeat each other's walk.
   */
  start(index: number): void {
    const a = fmix32(lowWord(index) ^ this.k0 ^ Math.imul(highWord(index), 0x85ebca6b));
    const b = fmix32(a ^ this.k1);
    const d = fmix32(b ^ this.k2);
    this.s0 = (a >>> 0) * 2.3283064365386963e-10;
    this.s1 = (b >>> 0) * 2.3283064365386963e-10;
    this.s2 = (d >>> 0) * 2.3283064365386963e-10;
    this.c = 1;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10;
    this.s0 = this.s1;
    this.s1 = this.s2;
    return (this.s2 = t - (this.c = t | 0));
  }

  /** The state, in seedrandom's shape (`seedrandom.alea('', { state })` continues from it). */
  state(): { c: number; s0: number; s1: number; s2: number } {
    return { c: this.c, s0: this.s0, s1: this.s1, s2: this.s2 };
  }
}

/** The low 32 bits of an integer (any safe integer, negative ones too). */
function lowWord(x: number): number {
  return x | 0;
}

/** The next 32 bits above them (0 for every index of a real exploration: no division then). */
function highWord(x: number): number {
  return x >= 0 && x <= 0xffffffff ? 0 : Math.floor(x / 4294967296) | 0;
}

/** MurmurHash3's 32-bit finalizer: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
