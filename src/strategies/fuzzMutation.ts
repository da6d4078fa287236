import type { Alea } from './alea.js';

/**
 * How the fuzzer changes a kept schedule (src/strategies/fuzz.ts). A kept schedule is a decision
 * list (task ids and chosen values, in order); a mutation turns it into a `Plan` that the next
 * execution follows wherever it can.
 *
 * - `flip`: replay the schedule up to a point, run another enabled task there, then walk at
 *   random (the start of the fuzzer's only mutation).
 * - `insert`: switch away at a point for one step (a preemption inserted), then go on with the
 *   schedule from that point: the rest of the parent stays as it was.
 * - `delay`: hold the task of a point back for 1 to MAX_DELAY of the parent's next decisions,
 *   then give it its step, then go on with the parent.
 *
 * `flip` explores what lies after the point; `insert` and `delay` keep the parent's deep
 * progress and change one local order (Meng et al., ASPLOS 2024, mutate schedules at chosen
 * points; Coyote and Fray's delays). Pure: the plan depends only on the parent and the numbers
 * drawn from `rng`.
 */
export type MutationKind = 'flip' | 'insert' | 'delay';

export const MUTATIONS: readonly MutationKind[] = ['flip', 'insert', 'delay'];

/** The longest hold-back of `delay`, in decisions. */
const MAX_DELAY = 8;

/** What one execution follows: taken where it can run, else a random enabled task. */
export interface Plan {
  /** Wanted decisions by position; past the end, a random walk. */
  readonly follow: readonly number[];
  /** The mutation point: there, any enabled task but `avoid` (its `follow` entry if it can run). */
  readonly at: number;
  readonly avoid: number;
}

/** No plan: a fresh random walk. */
export const WALK: Plan = { follow: [], at: -1, avoid: -1 };

/** The plan of mutation `kind` of `parent` (non-empty), at a point drawn from `rng`. */
export function mutate(parent: readonly number[], kind: MutationKind, rng: Alea): Plan {
  const at = Math.floor(rng.next() * parent.length);
  const avoid = parent[at]!;
  switch (kind) {
    case 'flip':
      return { follow: parent.slice(0, at + 1), at, avoid };
    case 'insert':
      return { follow: [...parent.slice(0, at + 1), ...parent.slice(at)], at, avoid };
    case 'delay': {
      const d = 1 + Math.floor(rng.next() * MAX_DELAY);
      return { follow: [...parent.slice(0, at), ...parent.slice(at + 1, at + 1 + d), avoid, ...parent.slice(at + 1 + d)], at, avoid };
    }
  }
}
