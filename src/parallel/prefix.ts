/**
 * Which results of a split run count. The items of a run (blocks of executions, search units)
 * are ordered, and what a run reports must be what one unbroken run would have explored so far:
 * a prefix. So the results count from the first item on, in order, while each is present, up
 * to and including the first failing one. An item cut short by the time limit or an interrupt
 * ends the prefix: a search unit cut short counts (its executions are a depth-first prefix of
 * the unit), a block cut short is not kept at all (its position is a gap). Past a gap nothing
 * counts, not even whole items that a worker finished after the deadline.
 *
 * A failure in an item past the prefix is real (its trace replays it), but it is not known to be
 * the first: executions before it were not all run. `pastGap` returns it apart; callers report
 * it only when nothing within the prefix failed, and say that the run stopped (time limit or
 * interrupt) rather than that it ended at a failure.
 *
 * Called by result.ts (blocks: one run, merged shards) and searchParallel.ts (units).
 */
export interface PrefixRules<R> {
  /** Position of the first item this run owns, and the distance to the next (a shard owns every n-th). */
  readonly first: number;
  readonly step: number;
  readonly position: (r: R) => number;
  readonly failed: (r: R) => boolean;
  /** Counted, but nothing after it is. */
  readonly cut: (r: R) => boolean;
}

export interface CountedPrefix<R> {
  /** In item order. */
  readonly counted: R[];
  /** The first failing result past the counted ones; null when one counted fails. */
  readonly pastGap: R | null;
}

export function countedPrefix<R>(results: readonly R[], rules: PrefixRules<R>): CountedPrefix<R> {
  const sorted = [...results].sort((a, b) => rules.position(a) - rules.position(b));
  const counted: R[] = [];
  let rest = 0;
  for (let expected = rules.first; rest < sorted.length && rules.position(sorted[rest]!) === expected; expected += rules.step) {
    const r = sorted[rest++]!;
    counted.push(r);
    if (rules.failed(r)) return { counted, pastGap: null };
    if (rules.cut(r)) break;
  }
  return { counted, pastGap: sorted.slice(rest).find(rules.failed) ?? null };
}

/** A failure as a split run reports it: where (execution index, or unit), what, and its trace. */
export interface Found<F, T> {
  readonly at: number;
  readonly failure: F;
  readonly trace: T | null;
}

/** The earliest of some failures found past the counted items (by this run, or by merged shards), or null. */
export function earliest<F, T>(found: readonly (Found<F, T> | null)[]): Found<F, T> | null {
  let best: Found<F, T> | null = null;
  for (const f of found) if (f !== null && (best === null || f.at < best.at)) best = f;
  return best;
}
