/**
 * Baagoe's Alea generator, computing exactly the numbers `seedrandom.alea(seedString)` gives
 * (same seeding by the Mash hash, same arithmetic), but as one reseedable object: an
 * exploration reseeds it for every execution instead of allocating a new generator with its
 * closures each time. test/unit/parallel/alea.test.ts checks it against seedrandom.
 *
 * Called by the sampling strategies (random.ts, pct.ts) once per execution (`reseed`, or
 * `AleaSeeder.seed` for the consecutive executions of an exploration) and at every random
 * decision (`next`).
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
    mashPasses(seed, scratch, 0);
    this.setState(scratch[0]!, scratch[1]!, scratch[2]!);
  }

  /** The state Alea starts from once Mash's three passes over the seed ended at `n0`, `n1`, `n2`. */
  setState(n0: number, n1: number, n2: number): void {
    this.s0 = fromSpace(SPACE0, n0);
    this.s1 = fromSpace(SPACE1, n1);
    this.s2 = fromSpace(SPACE2, n2);
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

const scratch = [0, 0, 0];
const scratchCodes: number[] = [];

/** Alea.reseed's way in: the string's character codes. */
function mashPasses(seed: string, out: number[], at: number): void {
  for (let i = 0; i < seed.length; i++) scratchCodes[i] = seed.charCodeAt(i);
  mashCodes(scratchCodes, seed.length, out, at);
}

/** Mash's state after each of its three passes over the seed's first `length` character codes (Alea hashes the seed three times), into out[at..at+2]. */
function mashCodes(codes: readonly number[], length: number, out: number[], at: number): void {
  let n = MASH_START;
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < length; i++) n = mashChar(n, codes[i]!);
    out[at + pass] = n;
  }
}

/** Alea's seeding: Mash's output after a pass over the seed, taken from the value for ' '. */
function fromSpace(space: number, n: number): number {
  const s = space - (n >>> 0) * 2.3283064365386963e-10;
  return s < 0 ? s + 1 : s;
}

/**
 * Seeds generators as `new Alea(prefix + index)` would, for runs of consecutive indices (one
 * per execution of an exploration). Mash is one long serial chain of float operations per seed
 * string, which made reseeding a sizeable share of a short execution; four seeds hashed in one
 * loop are four independent chains that the CPU overlaps, in about a third of the time each.
 * The seeds are written as character codes, never as strings: V8 caches number-to-string
 * conversions, which kept every index's string alive long enough to be promoted to the old
 * generation (most of the 48 bytes per execution that reached it, and with them full
 * collections inside long explorations).
 */
export class AleaSeeder {
  /** The first index of the four whose Mash states `states` holds (NaN: none yet, so no index is in range). */
  private first = NaN;
  /** Three states (one per Mash pass) for each of four indices. */
  private readonly states = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  /** The character codes of the four seeds (each starts with the prefix's, written once), and their lengths. */
  private readonly lanes: number[][] = [[], [], [], []];
  private readonly lengths = [0, 0, 0, 0];
  private readonly prefixLength: number;

  constructor(prefix: string) {
    this.prefixLength = prefix.length;
    for (const lane of this.lanes) for (let i = 0; i < prefix.length; i++) lane[i] = prefix.charCodeAt(i);
  }

  seed(alea: Alea, index: number): void {
    if (!(index >= this.first && index < this.first + 4)) this.fill(index);
    const k = (index - this.first) * 3;
    alea.setState(this.states[k]!, this.states[k + 1]!, this.states[k + 2]!);
  }

  private fill(index: number): void {
    this.first = index;
    const st = this.states;
    const lanes = this.lanes;
    const lengths = this.lengths;
    for (let j = 0; j < 4; j++) lengths[j] = this.codes(index + j, lanes[j]!);
    if (lengths[0] !== lengths[3]) {
      // Crossing a power of ten: the seeds differ in length, hash them one by one.
      for (let j = 0; j < 4; j++) mashCodes(lanes[j]!, lengths[j]!, st, j * 3);
      return;
    }
    const [a, b, c, d] = lanes as [number[], number[], number[], number[]];
    const length = lengths[0]!;
    let na = MASH_START;
    let nb = MASH_START;
    let nc = MASH_START;
    let nd = MASH_START;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < length; i++) {
        na = mashChar(na, a[i]!);
        nb = mashChar(nb, b[i]!);
        nc = mashChar(nc, c[i]!);
        nd = mashChar(nd, d[i]!);
      }
      st[round] = na;
      st[3 + round] = nb;
      st[6 + round] = nc;
      st[9 + round] = nd;
    }
  }

  /** Writes the character codes of `index` after the prefix's in `out`; returns the seed's length. */
  private codes(index: number, out: number[]): number {
    const start = this.prefixLength;
    if (!Number.isSafeInteger(index) || index < 0) {
      // Not an execution index: spell it as JavaScript does.
      const text = String(index);
      for (let i = 0; i < text.length; i++) out[start + i] = text.charCodeAt(i);
      return start + text.length;
    }
    let digits = 1;
    for (let p = 10; p <= index; p *= 10) digits++;
    let rest = index;
    for (let i = start + digits - 1; i >= start; i--) {
      // Integer arithmetic while it fits in 31 bits (every index of a real exploration).
      const next = rest <= 0x7fffffff ? (rest / 10) | 0 : Math.floor(rest / 10);
      out[i] = 48 + (rest - next * 10);
      rest = next;
    }
    return start + digits;
  }
}

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
