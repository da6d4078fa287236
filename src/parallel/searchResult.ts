import { UsageError } from '../runtime/errors.js';
import { keepFirstWarnings, type Failure, type Warning } from '../runtime/failure.js';
import type { BoundInfo } from '../search/search.js';
import { isBounded, type SearchMode } from '../search/state.js';
import type { CrossCheck } from '../search/crossCheck.js';
import type { Trace } from '../trace/schema.js';
import { checkEveryShardOnce, shardName, type Shard } from '../partition.js';
import type { Resplit } from './pieces.js';
import type { JobRun } from './outcome.js';
import { countedPrefix, earliest, type Found } from './prefix.js';
import { checkSameRun, setting, settingsDifferences, splitDifference, type Difference, type RunSettings } from './sameRun.js';
import { atExecution, boundOf, totals, budgetStopped, explored, PARTS, PREFIX_EXECUTIONS, roundEndsSearch, unitRules, unitsOf, UNITS_PER_ROUND, type UnitResult } from './searchUnits.js';

/** A search's settings: the target's, and the per-unit budget (`-n`) and depth limit (null: none). */
export interface SearchSettings extends RunSettings {
  readonly maxExecutions: number | null;
  readonly maxDepth: number | null;
  /** `--check-determinism` (absent from shard files written before 2026-11-23: false). */
  readonly checkDeterminism?: boolean;
}

/** One variant's split search over some units (all, or one shard's). Plain JSON: written by `run --shard`, read by `merge`. */
export interface SearchShardRun extends JobRun {
  readonly format: 'interleave-search-shard';
  /** 2 added `mode`, `pruned`, `bound` and the units' `bound`, `cut` and `pruned`; version 1 (dfs only) is read as dfs. */
  readonly version: 2;
  readonly mode: SearchMode;
  readonly por: boolean;
  readonly prefix: number;
  readonly parts: number;
  /** How units were cut into pieces as they ran (null: not at all); undefined in files written before pieces. */
  readonly resplit?: Resplit | null;
  /** As run; undefined in files written before they were recorded (not compared then). */
  readonly settings?: SearchSettings;
  /**
   * The units that count, in order: from this run's first unit on, up to the first failing one
   * or the first one cut short by the time limit or an interrupt (prefix.ts); later units are
   * dropped, even those a worker finished. pb, whole runs: nothing after the first bound none
   * of whose units cut a branch (a larger bound explores the same tree again).
   */
  readonly units: readonly UnitResult[];
  readonly completeExecutions: number;
  readonly sleepBlocked: number;
  readonly depthLimited: number;
  readonly pruned: number;
  readonly maxDepth: number;
  /**
   * pb: as the unsplit search says it. A shard cannot know the other shards' units: its
   * `completeUpTo` and `minimalFailing` are null (merge tells).
   */
  readonly bound: BoundInfo | null;
  /**
   * Unit holding the first failure in depth-first order within `units`, or null. Only when
   * `stoppedBy` is 'time' or 'interrupted' can it lie past `units`: a unit after one the time
   * limit cut short failed. That failure is real (its trace replays it) but not known to be the first.
   */
  readonly failureUnit: number | null;
  /** Every unit this run owns was explored to its end without a failure, and (pb) the search ends there (after merge: the whole search was). */
  readonly complete: boolean;
  /**
   * As the unsplit `search` says it: 'failure' (within `units`), 'exhausted' (every unit explored
   * to its end; not `complete` when some executions were depth-limited), 'bound' (pb: every bound
   * up to the limit explored, and the last one cut branches), 'executions' (a unit reached its
   * execution budget), 'time' or 'interrupted'.
   */
  readonly stoppedBy: 'exhausted' | 'failure' | 'time' | 'interrupted' | 'executions' | 'bound';
  /** The random schedules run because the whole search, run on one machine, ended complete (src/search/crossCheck.ts); absent when none ran. */
  readonly crossCheck?: CrossCheck;
  /** Some unit was explored without reduction: the scenario may share state it does not report (SearchResult.untracked). */
  readonly untracked?: true;
}

export interface CombineInput {
  readonly scenario: string;
  readonly variant: string;
  readonly mode: SearchMode;
  readonly por: boolean;
  /** pb: the largest bound; 0 for dfs (one round). */
  readonly limit: number;
  readonly shard: Shard;
  /** Undefined when merging shards whose files predate it. */
  readonly settings: SearchSettings | undefined;
  /** The units this run set out to explore: those of the rounds it entered. */
  readonly owned: readonly number[];
  readonly results: readonly UnitResult[];
  /** How the rounds ended, when no failure, stop or budget says otherwise: 'exhausted' (always for dfs), or pb's 'bound'. */
  readonly end: 'exhausted' | 'bound';
  readonly stoppedBy: 'time' | 'interrupted' | null;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly resplit: Resplit | null | undefined;
  /** Merge: failures the shards found past their own counted units. */
  readonly alsoPast?: readonly Found<Failure, Trace>[];
}

/** The units of the rounds 0..last that `shard` owns (all for undefined), in order. */
export function unitsThrough(shard: Shard | undefined, last: number): number[] {
  return Array.from({ length: last + 1 }, (_, k) => unitsOf(shard, k)).flat();
}

function foundIn(u: UnitResult): Found<Failure, Trace> | null {
  return u.failure === null ? null : { at: u.unit, failure: u.failure, trace: u.trace };
}

/**
 * Keeps the units that count (prefix.ts): from this run's first unit on, in unit order (not
 * arrival), up to the first failing one or the first one cut short by time or an interrupt
 * (its executions count: they are a depth-first prefix of the unit), and totals them.
 */
export function combineUnits(input: CombineInput): SearchShardRun {
  const { counted: kept, pastGap } = countedPrefix(input.results, { first: input.shard.index - 1, step: input.shard.of, position: (u) => u.unit, failed: unitRules.failed, cut: unitRules.stopped });
  const last = kept.at(-1);
  const failing = last !== undefined && last.failure !== null ? last : null;
  // Only a whole run (one machine, or merged shards) holds every unit before its failure.
  const whole = input.shard.of === 1;
  const found = failing !== null ? foundIn(failing) : earliest([pastGap !== null ? foundIn(pastGap) : null, ...(input.alsoPast ?? [])]);
  const warnings = new Map<string, Warning>();
  for (const u of kept) keepFirstWarnings(warnings, u.warnings);
  const keptUnits = new Set(kept.map((u) => u.unit));
  const allOwned = input.owned.every((u) => keptUnits.has(u));
  const complete = found === null && allOwned && kept.every((u) => u.complete) && input.end === 'exhausted';
  const counts = totals(kept);
  const before = counts.executions - (failing?.executions ?? 0);
  return {
    format: 'interleave-search-shard',
    version: 2,
    scenario: input.scenario,
    variant: input.variant,
    mode: input.mode,
    por: input.por,
    prefix: PREFIX_EXECUTIONS,
    parts: PARTS,
    ...(input.resplit !== undefined ? { resplit: input.resplit } : {}),
    shard: input.shard,
    ...(input.settings !== undefined ? { settings: input.settings } : {}),
    units: kept,
    executions: counts.executions,
    completeExecutions: counts.completeExecutions,
    sleepBlocked: counts.sleepBlocked,
    depthLimited: counts.depthLimited,
    pruned: counts.pruned,
    steps: counts.steps,
    maxDepth: counts.maxDepth,
    bound: isBounded(input.mode) ? boundInfo(kept, input.limit, whole, failing) : null,
    failureUnit: found?.at ?? null,
    failure: found?.failure ?? null,
    trace: failing !== null && whole ? atExecution(failing.trace, before) : (found?.trace ?? null),
    warnings: [...warnings.values()],
    complete,
    stoppedBy: failing !== null ? 'failure' : complete ? 'exhausted' : (input.stoppedBy ?? (found !== null ? 'failure' : !allOwned || kept.some(budgetStopped) ? 'executions' : input.end)),
    elapsedMs: Math.round(input.elapsedMs),
    workers: input.workers,
    ...(kept.some((u) => u.untracked === true) ? { untracked: true as const } : {}),
  };
}

/**
 * pb's bound information, as the unsplit search reports it: the bound of the last unit counted;
 * complete up to the last bound all of whose units were explored to their end; the failing
 * unit's bound is minimal (units are in bound order). A shard knows only its own units.
 */
function boundInfo(kept: readonly UnitResult[], limit: number, whole: boolean, failing: UnitResult | null): BoundInfo {
  const reached = kept.at(-1)?.bound ?? 0;
  let completeUpTo: number | null = null;
  for (let k = 0; whole && k <= reached; k++) {
    const round = kept.filter((u) => u.bound === k);
    if (round.length < UNITS_PER_ROUND || !round.every(explored)) break;
    completeUpTo = k;
  }
  return { limit, reached, completeUpTo, minimalFailing: whole && failing !== null ? failing.bound : null };
}

/**
 * pb: the round the unsplit search ends with, and how: the first whose units show no cut (the
 * next bound would see the same tree), else the last one, `limit`.
 */
export function lastRound(units: readonly UnitResult[], limit: number): { readonly round: number; readonly end: 'exhausted' | 'bound' } {
  for (let k = 0; k <= limit; k++) if (roundEndsSearch(units.filter((u) => u.bound === k))) return { round: k, end: 'exhausted' };
  return { round: limit, end: 'bound' };
}

/** What must agree between the shards of one search, with the flag that sets it. */
const searchDifferences: readonly Difference<SearchShardRun>[] = [
  setting('scenario', (r) => r.scenario),
  setting('variant', (r) => r.variant),
  setting('--strategy', (r) => r.mode),
  setting('por', (r) => r.por),
  setting('--preemption-bound', (r) => r.bound?.limit ?? null),
  splitDifference((r) => r.shard),
  ...settingsDifferences((r: SearchShardRun) => r.settings),
  setting('-n', (r) => r.settings?.maxExecutions),
  setting('max depth', (r) => r.settings?.maxDepth),
  setting('--check-determinism', (r) => (r.settings === undefined ? undefined : (r.settings.checkDeterminism ?? false))),
  // Last: -n decides whether units are cut again.
  setting('units', (r) => `${r.prefix} prefix executions and ${r.parts} parts, ${r.resplit === undefined ? 'not cut again (an older interleave)' : r.resplit === null ? 'not cut again' : `cut again every ${r.resplit.after} executions into ${r.resplit.into}`}`),
];

/**
 * Combines the runs of the n shards of one search into the run one machine would have made:
 * the first failure by unit, the counts of every unit before it; complete only if every unit
 * of every shard was. Every shard 1..n must be present exactly once, run with the same settings
 * (a UsageError names the files, `files[i]` holding `runs[i]`, and what differs). pb: each shard ran its
 * units of every bound (it cannot see the other shards' cuts); the units after the first bound
 * in which no unit cut a branch are dropped, as the unsplit search never runs them.
 */
export function mergeSearchShardRuns(runs: readonly SearchShardRun[], files: readonly string[] = runs.map(shardName)): SearchShardRun {
  if (runs.length === 0) throw new UsageError('merge: no shard results given');
  const head = runs[0]!;
  const name = `${head.scenario}/${head.variant}`;
  const limit = head.bound?.limit ?? 0;
  checkSameRun(runs, files, searchDifferences, name);
  checkEveryShardOnce(runs.map((r) => r.shard), name, files);
  const early = runs.find((r) => r.stoppedBy === 'time' || r.stoppedBy === 'interrupted');
  const all = runs.flatMap((r) => r.units);
  const { round, end } = isBounded(head.mode) ? lastRound(all, limit) : { round: 0, end: 'exhausted' as const };
  // A shard's own failure past its counted units is past the merged ones too (its gap is theirs).
  const alsoPast = runs.flatMap((r) => (r.failureUnit !== null && r.failure !== null && boundOf(r.failureUnit) <= round && !r.units.some((u) => u.unit === r.failureUnit) ? [{ at: r.failureUnit, failure: r.failure, trace: r.trace }] : []));
  // A shard that stopped at a failure did not run its later units: only units before the first
  // failure count, and every shard ran those to their end (or the merge says time/interrupted).
  return combineUnits({
    scenario: head.scenario,
    variant: head.variant,
    mode: head.mode,
    por: head.por,
    limit,
    shard: { index: 1, of: 1 },
    settings: head.settings,
    owned: unitsThrough(undefined, round),
    results: all.filter((u) => u.bound <= round),
    end,
    stoppedBy: early !== undefined ? (early.stoppedBy as 'time' | 'interrupted') : null,
    elapsedMs: Math.max(...runs.map((r) => r.elapsedMs)),
    workers: runs.reduce((n, r) => n + r.workers, 0),
    resplit: head.resplit,
    alsoPast,
  });
}

/**
 * A search run read from a shard file (`where` names the file and the run), checked enough that
 * merge cannot misread it: version 2, or version 1 (dfs, from before pb was split) read as dfs.
 */
export function readSearchShardRun(value: Record<string, unknown>, where: string): SearchShardRun {
  const bad = (why: string): never => {
    throw new UsageError(`${where}: not a search shard run: ${why}`);
  };
  if (value.version !== 1 && value.version !== 2) bad(`version must be 1 or 2, got ${JSON.stringify(value.version)} (written by another interleave?)`);
  if (!Array.isArray(value.units)) bad('units must be an array');
  const v1 = value.version === 1;
  const units = (value.units as Record<string, unknown>[]).map((u, i) => {
    if (typeof u !== 'object' || u === null || !Number.isInteger(u.unit) || (u.unit as number) < 0) return bad(`unit ${i}: unit must be a whole number >= 0`);
    const unit = u.unit as number;
    if (v1) return { ...u, bound: 0, cut: false, pruned: 0 } as unknown as UnitResult;
    if (u.bound !== boundOf(unit)) bad(`unit ${unit}: bound must be ${boundOf(unit)}, got ${JSON.stringify(u.bound)}`);
    if (typeof u.cut !== 'boolean' || !Number.isInteger(u.pruned)) bad(`unit ${unit}: cut must be true or false and pruned a whole number`);
    return u as unknown as UnitResult;
  });
  if (v1) return { ...(value as unknown as SearchShardRun), version: 2, mode: 'dfs', pruned: 0, bound: null, units };
  const bound = value.bound as BoundInfo | null;
  if (value.mode === 'dfs' ? bound !== null : (value.mode !== 'pb' && value.mode !== 'db') || typeof bound !== 'object' || bound === null || !Number.isInteger(bound.limit)) {
    bad('mode must be dfs (bound null), or pb or db (bound with a whole number limit)');
  }
  return { ...(value as unknown as SearchShardRun), units };
}
