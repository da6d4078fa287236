/**
 * Vector clocks (Mattern 1989; Flanagan & Godefroid, POPL 2005 use them for DPOR). A clock is a
 * plain array indexed by task id; missing entries are 0, so clocks grow with the number of tasks
 * and there is no fixed task limit. Event `e` of task `p` with sequence number `n` (1-based)
 * happens before an event whose clock `c` has `c[p] >= n`.
 */
export type VectorClock = number[];

export function joinInto(into: VectorClock, other: readonly number[]): void {
  for (let i = 0; i < other.length; i++) {
    const v = other[i]!;
    if (v > (into[i] ?? 0)) into[i] = v;
  }
  for (let i = 0; i < into.length; i++) if (into[i] === undefined) into[i] = 0;
}

export function get(clock: readonly number[], task: number): number {
  return clock[task] ?? 0;
}

/** Copy of `clock` with `task`'s entry set to `seq`. */
export function tick(clock: readonly number[], task: number, seq: number): VectorClock {
  const c = clock.slice();
  while (c.length <= task) c.push(0);
  c[task] = seq;
  return c;
}
