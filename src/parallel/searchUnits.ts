import type { SearchResult } from '../search/search.js';
import type { Trace } from '../trace/schema.js';
import { inShard, type Shard } from '../partition.js';
import type { ResultRules } from './workPool.js';
import type { Outcome } from './outcome.js';

/**
 * The units of a split exhaustive search (searchParallel.ts), and what each one reports.
 *
 * A round is a prefix of `PREFIX_EXECUTIONS` executions from the root, then the `PARTS` parts
 * `splitSearch` makes of what the prefix left: `UNITS_PER_ROUND` units, in depth-first order.
 * dfs has one round. pb has one per preemption bound 0..limit (each bound restarts from the
 * root), so unit `bound * UNITS_PER_ROUND + u` is unit u of that bound: units are numbered in
 * the order one unsplit search meets them, and the first failing unit is the first failure of
 * the smallest failing bound.
 */
export const PREFIX_EXECUTIONS = 4;
export const PARTS = 24;
export const UNITS_PER_ROUND = PARTS + 1;

/** The bound (pb; 0 for dfs) a unit belongs to. */
export function boundOf(unit: number): number {
  return Math.floor(unit / UNITS_PER_ROUND);
}

/** The unit is the prefix of its round (its split is every shard's to compute). */
export function isPrefix(unit: number): boolean {
  return unit % UNITS_PER_ROUND === 0;
}

/** Units of shard `shard` (all when undefined) in the round of `bound`: shard i of n owns the units u with u mod n = i - 1. */
export function unitsOf(shard: Shard | undefined, bound = 0): number[] {
  const all = Array.from({ length: UNITS_PER_ROUND }, (_, u) => bound * UNITS_PER_ROUND + u);
  return shard === undefined ? all : all.filter((u) => inShard(u, shard));
}

/** What one unit produced: its outcome, and the search's counts. Plain data: crosses worker boundaries and goes into shard files. */
export interface UnitResult extends Outcome {
  readonly unit: number;
  /** pb: the preemption bound the unit explored within (`boundOf(unit)`); 0 for dfs. */
  readonly bound: number;
  readonly completeExecutions: number;
  readonly sleepBlocked: number;
  readonly depthLimited: number;
  readonly races: number;
  /** pb: executions that left a branch out for exceeding the bound. */
  readonly pruned: number;
  /** pb: some branch was left out (`pruned` > 0), so a larger bound has more to see. */
  readonly cut: boolean;
  readonly maxDepth: number;
  /** The unit's subtree was explored to its end (a failure also ends it: see `failure`). */
  readonly complete: boolean;
  readonly stoppedBy: SearchResult['stoppedBy'];
  /** dfs: explored without reduction, as the scenario may share state it does not report (SearchResult.untracked). */
  readonly untracked?: true;
}

/** What a unit's result is made of: a search's result (or its pieces', combined: pieces.ts). */
export type UnitSearch = Pick<SearchResult, 'executions' | 'completeExecutions' | 'sleepBlocked' | 'depthLimited' | 'races' | 'pruned' | 'steps' | 'maxDepth' | 'stoppedBy' | 'failure' | 'trace' | 'warnings'> & { readonly untracked?: boolean };

export function unitOf(unit: number, r: UnitSearch): UnitResult {
  return {
    unit,
    bound: boundOf(unit),
    executions: r.executions,
    completeExecutions: r.completeExecutions,
    sleepBlocked: r.sleepBlocked,
    depthLimited: r.depthLimited,
    races: r.races,
    pruned: r.pruned,
    cut: r.pruned > 0,
    steps: r.steps,
    maxDepth: r.maxDepth,
    complete: r.failure === null && r.depthLimited === 0 && reachedEnd(unit, r.stoppedBy),
    stoppedBy: r.stoppedBy,
    failure: r.failure,
    trace: r.trace,
    warnings: r.warnings,
    ...(r.untracked === true ? { untracked: true as const } : {}),
  };
}

/**
 * The unit explored its subtree to the end (depth-limited executions aside): exhausted, or
 * (pb) exhausted with a cut. The prefix stops by its execution budget, which leaves only the parts.
 */
function reachedEnd(unit: number, stoppedBy: SearchResult['stoppedBy']): boolean {
  return stoppedBy === 'exhausted' || stoppedBy === 'bound' || (isPrefix(unit) && stoppedBy === 'executions');
}

/** The unit's subtree was explored to its end without a failure (depth-limited executions aside). */
export function explored(u: UnitResult): boolean {
  return u.failure === null && reachedEnd(u.unit, u.stoppedBy);
}

/**
 * pb: a larger bound may see more than this unit saw: it cut a branch, or it did not explore its
 * subtree to the end (a failure, its execution budget, the time limit).
 */
export function mayCut(u: UnitResult): boolean {
  return u.cut || !explored(u);
}

/**
 * pb: the units of one round (all `UNITS_PER_ROUND` of them, in any order) show that the search
 * ends with it: none may cut, so the next bound would explore the same tree.
 */
export function roundEndsSearch(round: readonly UnitResult[]): boolean {
  return round.length === UNITS_PER_ROUND && !round.some(mayCut);
}

/** A unit stopped by its execution budget (the prefix's own stop is no budget of the user's). */
export function budgetStopped(u: UnitResult): boolean {
  return !isPrefix(u.unit) && u.stoppedBy === 'executions';
}

/**
 * A unit stopped by time, an interrupt or its execution budget still counts: its executions ran.
 * Only time or an interrupt hands out no further unit: a unit that reached its budget or was
 * depth-limited is incomplete, and the later units still run (the whole search is then not
 * complete), whatever the number of workers.
 */
export const unitRules: ResultRules<UnitResult> = {
  failed: (r) => r.failure !== null,
  keep: () => true,
  stopped: (r) => !r.complete && r.failure === null && (r.stoppedBy === 'time' || r.stoppedBy === 'interrupted'),
};

/** A trace numbers its failing execution within its unit (or piece): `before` executions came first in the whole run (or unit). */
export function atExecution(trace: Trace | null, before: number): Trace | null {
  if (trace === null || trace.strategy.execution === undefined) return trace;
  return { ...trace, strategy: { ...trace.strategy, execution: before + trace.strategy.execution } };
}

/** The counts of some units (or pieces) together: sums, and the longest execution. */
export function totals(units: readonly UnitResult[]): Pick<UnitResult, 'executions' | 'completeExecutions' | 'sleepBlocked' | 'depthLimited' | 'races' | 'pruned' | 'steps' | 'maxDepth'> {
  const sum = (f: (u: UnitResult) => number): number => units.reduce((n, u) => n + f(u), 0);
  return {
    executions: sum((u) => u.executions),
    completeExecutions: sum((u) => u.completeExecutions),
    sleepBlocked: sum((u) => u.sleepBlocked),
    depthLimited: sum((u) => u.depthLimited),
    races: sum((u) => u.races),
    pruned: sum((u) => u.pruned),
    steps: sum((u) => u.steps),
    maxDepth: units.reduce((n, u) => Math.max(n, u.maxDepth), 0),
  };
}
