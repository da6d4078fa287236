import { UsageError } from '../runtime/errors.js';

/**
 * The exhaustive search's state: the branch stack (loom calls it the path) that outlives every
 * execution. Plain JSON: save it with JSON.stringify, resume with `search(..., { resume })`,
 * split it with `splitSearch`.
 *
 * Between executions the path is the prefix of the next execution: every node's `chosen` is
 * replayed, the last node's `chosen` is the new branch, and after the path the run continues
 * with fresh nodes. Invariants (checked by `checkState`):
 *  - a task node's `chosen` is in `enabled`, `todo`/`done` are subsets of `enabled`, and the
 *    three are pairwise disjoint;
 *  - a value node has 0 <= chosen < n and `todo` values in (chosen, n);
 *  - `sealed` nodes never get new alternatives (after a split their remaining work is owned by
 *    whoever holds it; they were saturated first, so a race cannot ask for more there).
 */
export interface TaskNode {
  readonly kind: 'task';
  /** Enabled task ids at this scheduling point, ascending. */
  readonly enabled: number[];
  /** The task at the scheduling point, -1 when none (start, or after a task ended). */
  readonly current: number;
  chosen: number;
  /** Alternatives still to explore here, in order. */
  todo: number[];
  /** Alternatives fully explored here: they join the sleep set of later branches. */
  done: number[];
  /** Sleep set on entry (tasks whose next step was already explored from an equivalent state). */
  readonly sleep: number[];
  /** Preemptions (pb) or delays (db) taken before this node. */
  readonly preemptions: number;
  sealed?: true;
}

export interface ValueNode {
  readonly kind: 'value';
  readonly n: number;
  chosen: number;
  todo: number[];
  sealed?: true;
}

export type PathNode = TaskNode | ValueNode;

/** 'dfs': every execution, with or without reduction; 'pb': preemption bounding; 'db': delay bounding. */
export type SearchMode = 'dfs' | 'pb' | 'db';

/** The modes that explore bound by bound (0, 1, ..., limit), each round complete: pb and db. */
export function isBounded(mode: SearchMode): boolean {
  return mode === 'pb' || mode === 'db';
}

export interface SearchState {
  readonly format: 'interleave-search';
  readonly version: 1;
  readonly scenario: string;
  readonly variant: string;
  readonly mode: SearchMode;
  /**
   * Partial-order reduction on: dfs, source-DPOR with sleep sets; pb, bounded partial-order
   * reduction (bpor.ts, no sleep sets). Always false for db.
   */
  readonly por: boolean;
  /** pb, db: the bound being explored now. */
  bound: number;
  /** pb, db: some branch was cut by the bound in this round (so a larger bound has more to see). */
  boundCut: boolean;
  /** No execution ran yet. */
  fresh: boolean;
  /** Nothing left to explore. */
  finished: boolean;
  /**
   * dfs, pb: the scenario may share state interleave does not see (it declared `sharedState:
   * 'untracked'`, or ran real code such as `t.track` without declaring `sharedState: 'tracked'`).
   * The search then explores every schedule, as without reduction, and its result says so.
   */
  untracked?: true;
  path: PathNode[];
}

/** The search prunes by partial-order reduction: dfs or pb with `por`, on a scenario whose shared state is all seen. */
export function reduces(state: SearchState): boolean {
  return state.por && state.untracked !== true;
}

/** Sleep sets prune too: dfs with reduction only (with a bound they are unsound, docs/search.md, "Preemption bounding with reduction"). */
export function sleeps(state: SearchState): boolean {
  return reduces(state) && state.mode === 'dfs';
}

/** Whether a search of `mode` reduces: dfs and pb do unless `por: false` is asked for; db never does. Shared with the split search (src/parallel). */
export function reducesIn(mode: SearchMode, requested: boolean | undefined): boolean {
  return (mode === 'dfs' || mode === 'pb') && (requested ?? true);
}

/**
 * pb: what taking task `t` at `node` costs in preemptions, counted from the start (a switch away
 * from the task at the scheduling point while it is still enabled costs one).
 */
export function preemptionsWith(node: TaskNode, t: number): number {
  return node.preemptions + (t !== node.current && node.enabled.includes(node.current) ? 1 : 0);
}

export function initialState(scenario: string, variant: string, mode: SearchMode, por: boolean, bound: number): SearchState {
  return { format: 'interleave-search', version: 1, scenario, variant, mode, por: reducesIn(mode, por), bound, boundCut: false, fresh: true, finished: false, path: [] };
}

/** A deep copy (states handed out are never aliased with the running search). */
export function cloneState(state: SearchState): SearchState {
  return JSON.parse(JSON.stringify(state)) as SearchState;
}

/** Validates a state read from disk; throws UsageError naming the first problem. */
export function checkState(value: unknown): SearchState {
  const bad = (why: string): never => {
    throw new UsageError(`not a search state: ${why}`);
  };
  if (typeof value !== 'object' || value === null) bad('not an object');
  const s = value as SearchState;
  if (s.format !== 'interleave-search' || s.version !== 1) bad('format must be "interleave-search", version 1');
  if (s.mode !== 'dfs' && s.mode !== 'pb' && s.mode !== 'db') bad(`mode must be dfs, pb or db, got ${String(s.mode)}`);
  if (!Array.isArray(s.path)) bad('path must be an array');
  s.path.forEach((node, i) => {
    if (node.kind === 'task') {
      const en = new Set(node.enabled);
      if (!en.has(node.chosen)) bad(`node ${i}: chosen task ${node.chosen} is not enabled`);
      for (const t of [...node.todo, ...node.done]) if (!en.has(t)) bad(`node ${i}: alternative ${t} is not enabled`);
      const all = [node.chosen, ...node.todo, ...node.done];
      if (new Set(all).size !== all.length) bad(`node ${i}: chosen, todo and done overlap`);
    } else if (node.kind === 'value') {
      if (!(node.chosen >= 0 && node.chosen < node.n)) bad(`node ${i}: value ${node.chosen} outside [0, ${node.n})`);
      for (const v of node.todo) if (!(v > node.chosen && v < node.n)) bad(`node ${i}: todo value ${v} outside (${node.chosen}, ${node.n})`);
    } else {
      bad(`node ${i}: kind must be task or value`);
    }
  });
  return s;
}
