import type { Alea } from './alea.js';

/** Most mutations an entry gets in a row at its turn. */
const MAX_ENERGY = 16;

interface Entry {
  readonly decisions: readonly number[];
  /** Mutations in a row at its next turn (energy: true). */
  energy: number;
}

/**
 * The fuzzer's corpus (src/strategies/fuzz.ts): the decision lists whose executions added
 * coverage, in the order kept, and which one to mutate next.
 *
 * With energy (AFL's power schedule, adapted): the entries take turns, in order, as a queue;
 * at its turn an entry is mutated `energy` times in a row. An entry starts with 1; a mutation
 * of it that adds a pair doubles it (up to MAX_ENERGY), one that adds none halves it (down to 1).
 * So schedules that keep producing new coverage are mutated more, and each still comes round.
 * Without energy, every mutation picks an entry uniformly at random (the fuzzer's start, kept
 * for bench/deep.mjs's comparison).
 *
 * Deterministic: the choice depends only on the entries, the rewards in order and `rng`.
 */
export class FuzzCorpus {
  private readonly entries: Entry[] = [];
  /** energy: the entry whose turn it is, and the mutations left in its turn. */
  private turn = -1;
  private left = 0;

  constructor(private readonly energy: boolean) {}

  get size(): number {
    return this.entries.length;
  }

  /** The kept decision lists, in the order kept. */
  get lists(): readonly (readonly number[])[] {
    return this.entries.map((e) => e.decisions);
  }

  add(decisions: readonly number[]): void {
    this.entries.push({ decisions, energy: 1 });
  }

  decisions(i: number): readonly number[] {
    return this.entries[i]!.decisions;
  }

  /** The entry to mutate next (the corpus is not empty). */
  pick(rng: Alea): number {
    if (!this.energy) return Math.floor(rng.next() * this.entries.length);
    if (this.left <= 0) {
      this.turn = (this.turn + 1) % this.entries.length;
      this.left = this.entries[this.turn]!.energy;
    }
    this.left--;
    return this.turn;
  }

  /** What a mutation of entry `i` did: added a pair never seen before, or not. */
  reward(i: number, gained: boolean): void {
    if (!this.energy) return;
    const e = this.entries[i]!;
    e.energy = gained ? Math.min(MAX_ENERGY, e.energy * 2) : Math.max(1, e.energy / 2);
  }
}
