import type { Attempt } from './attempt.js';

/** What the search may spend and what it looks for. */
export interface BoundedSearchSpec {
  /** Search schedules with at most this many preemptions. */
  readonly bound: number;
  /** True for a run that shows the bug. */
  readonly isBug: (a: Attempt) => boolean;
  /** Takes one execution from the shrinker's budget; false when it is spent. */
  readonly spend: () => boolean;
  /** Called with every run (to collect other bugs). */
  readonly seen?: (a: Attempt) => void;
}

/**
 * Exhaustive preemption-bounded search (Musuvathi & Qadeer, "Iterative context bounding",
 * PLDI 2007), used by the shrinker to prove or disprove that the bug needs fewer preemptions
 * than its greedy result has: depth-first over decision prefixes, each prefix run by lenient
 * replay (which continues without preemption past the prefix, so every run is one schedule);
 * from each run (`replay`: the shrinker's lenient replay of a prefix), every untaken alternative after the prefix whose preemption count stays
 * within `bound` becomes a new prefix. Each schedule is run once (it is reached only through
 * its first deviation). Returns the first run showing the bug, or null when the bound is
 * exhausted or the budget is spent (`exhausted` tells which).
 */
export async function boundedSearch(replay: (prefix: readonly number[]) => Promise<Attempt>, spec: BoundedSearchSpec): Promise<{ found: Attempt | null; exhausted: boolean }> {
  const stack: (readonly number[])[] = [[]];
  while (stack.length > 0) {
    const prefix = stack.pop()!;
    if (!spec.spend()) return { found: null, exhausted: false };
    const a = await replay(prefix);
    spec.seen?.(a);
    if (spec.isBug(a)) return { found: a, exhausted: true };
    let used = 0;
    for (let i = 0; i < prefix.length; i++) if (a.info[i]!.preempted) used++;
    const children: number[][] = [];
    for (let i = prefix.length; i < a.info.length; i++) {
      const v = a.info[i]!;
      for (const alt of v.enabled) {
        if (alt === v.value) continue;
        const preempts = v.kind === 'task' && v.current !== null && alt !== v.current && v.enabled.includes(v.current);
        if (used + (preempts ? 1 : 0) > spec.bound) continue;
        children.push([...a.decisions.slice(0, i), alt]);
      }
      if (v.preempted) used++;
      if (used > spec.bound) break;
    }
    // Pushed in reverse so the earliest deviation is explored first.
    for (let c = children.length - 1; c >= 0; c--) stack.push(children[c]!);
  }
  return { found: null, exhausted: true };
}
