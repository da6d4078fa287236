import { performance } from 'node:perf_hooks';
import { loadScenario } from '../loader.js';
import { UsageError } from '../runtime/errors.js';
import { keepFirstWarnings, type Failure, type Warning } from '../runtime/failure.js';
import { makeTarget, type TargetOptions } from '../run.js';
import type { ScenarioDefinition } from '../scenario.js';
import { search, type SearchResult } from '../search/search.js';
import { splitSearch } from '../search/split.js';
import type { SearchState } from '../search/state.js';
import type { Trace } from '../trace/schema.js';
import type { Shard } from './partition.js';
import { countedPrefix, earliest, type Found } from './prefix.js';
import { startWorker } from './startWorker.js';
import { runWorkPool, type ResultRules } from './workPool.js';

/**
 * Exhaustive search (dfs) across worker threads and CI shards.
 *
 * The work is cut into **units** that do not depend on the number of workers or shards: unit 0
 * is a prefix of `PREFIX_EXECUTIONS` executions from the root, and units 1..PARTS are the parts
 * `splitSearch(prefix.state, PARTS)` returns (disjoint subtrees in depth-first order, which
 * together cover exactly what the prefix left). Each unit is an ordinary `search` (resumed from
 * its part). So the totals are the same for any number of workers and any number of shards,
 * and the first failure is the failure of the lowest failing unit: the first in depth-first
 * order, whatever finishes first. Shard i of n owns the units u with u mod n = i - 1 (every
 * shard runs the cheap prefix to compute the split, but only shard 1 counts it).
 *
 * Against an unsplit `search`: the same complete executions (one per Mazurkiewicz trace), and
 * possibly more sleep-blocked ones (split.ts saturates the prefix's nodes).
 */
export const PREFIX_EXECUTIONS = 4;
export const PARTS = 24;

/** What one unit produced. Plain data: crosses worker boundaries and goes into shard files. */
export interface UnitResult {
  readonly unit: number;
  readonly executions: number;
  readonly completeExecutions: number;
  readonly sleepBlocked: number;
  readonly depthLimited: number;
  readonly races: number;
  readonly steps: number;
  readonly maxDepth: number;
  /** The unit's subtree was explored to its end (a failure also ends it: see `failure`). */
  readonly complete: boolean;
  readonly stoppedBy: SearchResult['stoppedBy'];
  readonly failure: Failure | null;
  readonly trace: Trace | null;
  readonly warnings: readonly Warning[];
}

/** One variant's dfs over some units (all, or one shard's). Plain JSON: written by `run --shard`, read by `merge`. */
export interface SearchShardRun {
  readonly format: 'interleave-search-shard';
  readonly version: 1;
  readonly scenario: string;
  readonly variant: string;
  readonly por: boolean;
  readonly prefix: number;
  readonly parts: number;
  readonly shard: Shard;
  /**
   * The units that count, in order: from this run's first unit on, up to the first failing one
   * or the first one cut short by the time limit or an interrupt (prefix.ts); later units are
   * dropped, even those a worker finished.
   */
  readonly units: readonly UnitResult[];
  readonly executions: number;
  readonly completeExecutions: number;
  readonly sleepBlocked: number;
  readonly depthLimited: number;
  readonly steps: number;
  readonly maxDepth: number;
  /**
   * Unit holding the first failure in depth-first order within `units`, or null. Only when
   * `stoppedBy` is 'time' or 'interrupted' can it lie past `units`: a unit after one the time
   * limit cut short failed. That failure is real (its trace replays it) but not known to be the first.
   */
  readonly failureUnit: number | null;
  readonly failure: Failure | null;
  readonly trace: Trace | null;
  readonly warnings: readonly Warning[];
  /** Every unit this run owns was explored to its end without a failure (after merge: every unit of the search). */
  readonly complete: boolean;
  /**
   * As the unsplit `search` says it: 'failure' (within `units`), 'exhausted' (every unit explored
   * to its end; not `complete` when some executions were depth-limited), 'executions' (a unit
   * reached its execution budget), 'time' or 'interrupted'.
   */
  readonly stoppedBy: 'exhausted' | 'failure' | 'time' | 'interrupted' | 'executions';
  readonly elapsedMs: number;
  readonly workers: number;
}

export interface SearchParallelOptions<P extends object = Record<string, unknown>> extends TargetOptions<P> {
  /** The scenario module: workers load it by path. */
  readonly file: string;
  /** dfs only: source-DPOR with sleep sets (default true). */
  readonly por?: boolean;
  readonly workers?: number;
  readonly shard?: Shard;
  readonly maxDepth?: number;
  /** Per unit: stop it after this many executions (it is then not complete; later units still run). */
  readonly maxExecutions?: number;
  readonly timeLimitMs?: number;
  readonly shouldStop?: () => boolean;
}

/** What a worker needs to run units of one search. */
export interface SearchWorkerSetup {
  readonly kind: 'search';
  readonly file: string;
  readonly target: TargetOptions<object>;
  readonly maxDepth?: number;
  readonly maxExecutions?: number;
}

/** A unit as handed to a worker: the search resumes from `state`. */
export interface SearchUnit {
  readonly unit: number;
  readonly state: SearchState;
}

/** Runs one unit: the search resumed from `state`. Called by the worker and, for one worker, in this thread. */
export async function runUnit(scenario: ScenarioDefinition<object>, setup: Omit<SearchWorkerSetup, 'kind' | 'file'>, unit: number, state: SearchState | null, shouldStop: () => boolean): Promise<UnitResult> {
  const r = await search(scenario, {
    ...setup.target,
    strategy: 'dfs',
    por: state?.por ?? true,
    ...(state !== null ? { resume: state } : { maxExecutions: PREFIX_EXECUTIONS }),
    ...(state !== null && setup.maxExecutions !== undefined ? { maxExecutions: setup.maxExecutions } : {}),
    ...(setup.maxDepth !== undefined ? { maxDepth: setup.maxDepth } : {}),
    shouldStop,
  });
  return unitOf(unit, r);
}

function unitOf(unit: number, r: SearchResult): UnitResult {
  return {
    unit,
    executions: r.executions,
    completeExecutions: r.completeExecutions,
    sleepBlocked: r.sleepBlocked,
    depthLimited: r.depthLimited,
    races: r.races,
    steps: r.steps,
    maxDepth: r.maxDepth,
    // The prefix stops by its execution budget: it is complete when it left only the parts.
    complete: r.failure === null && r.depthLimited === 0 && (r.complete || (unit === 0 && r.stoppedBy === 'executions')),
    stoppedBy: r.stoppedBy,
    failure: r.failure,
    trace: r.trace,
    warnings: r.warnings,
  };
}

/** Units of shard `shard` among units 0..PARTS. */
export function unitsOf(shard: Shard | undefined): number[] {
  const all = Array.from({ length: PARTS + 1 }, (_, u) => u);
  return shard === undefined ? all : all.filter((u) => u % shard.of === shard.index - 1);
}

/**
 * `run --strategy dfs --workers n` / `--shard i/n`: the exhaustive search split in units (see
 * above), run by a pool of n worker threads or, for one worker, by this thread alone, through
 * the same pool (workPool.ts) and `unitRules`. Deterministic: the result does not depend on the
 * number of workers, and n shards merged give the result of one unsharded run. The time limit
 * and an interrupt are the exception: they cancel every running unit, in the workers too, and
 * the units then count up to the first one cut short (prefix.ts).
 */
export async function searchParallel(options: SearchParallelOptions<object>, preloaded?: ScenarioDefinition<object>): Promise<SearchShardRun> {
  const scenario = preloaded ?? (await loadScenario(options.file)).scenario;
  const target = makeTarget(scenario, options);
  const start = performance.now();
  const deadline = options.timeLimitMs !== undefined ? start + options.timeLimitMs : Infinity;
  const stop = (): boolean => performance.now() >= deadline || (options.shouldStop?.() ?? false);
  const setup: SearchWorkerSetup = {
    kind: 'search',
    file: options.file,
    target: { file: options.file, variant: target.variant, params: target.params, maxSteps: target.settings.maxSteps, allowLeaks: target.settings.allowLeaks, failOnLockOrder: target.settings.failOnLockOrder },
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(options.maxExecutions !== undefined ? { maxExecutions: options.maxExecutions } : {}),
  };
  const mine = new Set(unitsOf(options.shard));
  // The prefix: every shard runs it (the split depends on it); it counts only where it is owned.
  const head = await search(scenario, { ...setup.target, strategy: 'dfs', por: options.por ?? true, maxExecutions: PREFIX_EXECUTIONS, ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}), shouldStop: stop });
  const prefix = unitOf(0, head);
  const prefixState = head.state;
  const results: UnitResult[] = mine.has(0) ? [prefix] : [];
  // The prefix follows the units' rules: only time or an interrupt stops the search here (a
  // depth-limited prefix still leaves parts to explore).
  let stoppedEarly = unitRules.stopped(prefix);
  const por = options.por ?? true;
  if (!unitRules.failed(prefix) && !stoppedEarly) {
    const parts = splitSearch(prefixState, PARTS);
    const todo = [...mine].filter((u) => u > 0).map((u) => ({ unit: u, state: parts[u - 1]! }));
    const workers = Math.max(1, Math.min(options.workers ?? 1, todo.length));
    // n worker threads; for one, this thread runs the units, by the same pool and rules.
    const alone = workers === 1;
    const out = await runWorkPool<SearchUnit, UnitResult>({
      items: todo,
      workers: alone ? 0 : workers,
      startWorker: () => startWorker(setup),
      // `cancelled` answers true at the time limit too (the pool asks `stop`, for the workers as well).
      ...(alone ? { runHere: (u: SearchUnit, cancelled: () => boolean) => runUnit(scenario, setup, u.unit, u.state, cancelled) } : {}),
      rules: unitRules,
      stop,
    });
    results.push(...out.results);
    stoppedEarly = out.stoppedEarly;
  }
  const interrupted = options.shouldStop?.() ?? false;
  return combineUnits({
    scenario: scenario.name,
    variant: target.variant,
    por,
    shard: options.shard ?? { index: 1, of: 1 },
    owned: [...mine],
    results,
    stoppedBy: stoppedEarly ? (interrupted ? 'interrupted' : 'time') : null,
    elapsedMs: performance.now() - start,
    workers: Math.max(1, options.workers ?? 1),
  });
}

/**
 * A unit stopped by time, an interrupt or its execution budget still counts: its executions ran.
 * Only time or an interrupt hands out no further unit: a unit that reached its budget or was
 * depth-limited is incomplete, and the later units still run (the whole search is then not
 * complete), whatever the number of workers.
 */
const unitRules: ResultRules<UnitResult> = {
  failed: (r) => r.failure !== null,
  keep: () => true,
  stopped: (r) => !r.complete && r.failure === null && (r.stoppedBy === 'time' || r.stoppedBy === 'interrupted'),
};

interface CombineInput {
  readonly scenario: string;
  readonly variant: string;
  readonly por: boolean;
  readonly shard: Shard;
  readonly owned: readonly number[];
  readonly results: readonly UnitResult[];
  readonly stoppedBy: 'time' | 'interrupted' | null;
  readonly elapsedMs: number;
  readonly workers: number;
  /** Merge: failures the shards found past their own counted units. */
  readonly alsoPast?: readonly Found<Failure, Trace>[];
}

function foundIn(u: UnitResult): Found<Failure, Trace> | null {
  return u.failure === null ? null : { at: u.unit, failure: u.failure, trace: u.trace };
}

/**
 * Why a split search without a failure, time limit or interrupt ended incomplete, labelled as the
 * unsplit `search` labels it: 'executions' when a unit reached its execution budget (the prefix,
 * unit 0, always stops at its own PREFIX_EXECUTIONS, which is no budget of the user's), else
 * 'exhausted': every unit explored to its end, and only depth-limited executions (maxDepth) keep
 * the search from being complete. (Units missing without a stop: the prefix failed in another
 * shard's unit 0, so this shard explored nothing of its own: 'executions', as before.)
 */
function endOf(kept: readonly UnitResult[], allOwned: boolean): 'executions' | 'exhausted' {
  return !allOwned || kept.some((u) => u.unit > 0 && u.stoppedBy === 'executions') ? 'executions' : 'exhausted';
}

/**
 * Keeps the units that count (prefix.ts): from this run's first unit on, in unit order (not
 * arrival), up to the first failing one or the first one cut short by time or an interrupt
 * (its executions count: they are a depth-first prefix of the unit), and totals them.
 */
function combineUnits(input: CombineInput): SearchShardRun {
  const { counted: kept, pastGap } = countedPrefix(input.results, { first: input.shard.index - 1, step: input.shard.of, position: (u) => u.unit, failed: unitRules.failed, cut: unitRules.stopped });
  const last = kept.at(-1);
  const failing = last !== undefined && last.failure !== null ? last : null;
  const found = failing !== null ? foundIn(failing) : earliest([pastGap !== null ? foundIn(pastGap) : null, ...(input.alsoPast ?? [])]);
  const warnings = new Map<string, Warning>();
  for (const u of kept) keepFirstWarnings(warnings, u.warnings);
  const keptUnits = new Set(kept.map((u) => u.unit));
  const allOwned = input.owned.every((u) => keptUnits.has(u));
  const complete = found === null && allOwned && kept.every((u) => u.complete);
  const sum = (f: (u: UnitResult) => number): number => kept.reduce((n, u) => n + f(u), 0);
  return {
    format: 'interleave-search-shard',
    version: 1,
    scenario: input.scenario,
    variant: input.variant,
    por: input.por,
    prefix: PREFIX_EXECUTIONS,
    parts: PARTS,
    shard: input.shard,
    units: kept,
    executions: sum((u) => u.executions),
    completeExecutions: sum((u) => u.completeExecutions),
    sleepBlocked: sum((u) => u.sleepBlocked),
    depthLimited: sum((u) => u.depthLimited),
    steps: sum((u) => u.steps),
    maxDepth: kept.reduce((n, u) => Math.max(n, u.maxDepth), 0),
    failureUnit: found?.at ?? null,
    failure: found?.failure ?? null,
    trace: found?.trace ?? null,
    warnings: [...warnings.values()],
    complete,
    stoppedBy: failing !== null ? 'failure' : complete ? 'exhausted' : (input.stoppedBy ?? (found !== null ? 'failure' : endOf(kept, allOwned))),
    elapsedMs: Math.round(input.elapsedMs),
    workers: input.workers,
  };
}

/**
 * Combines the runs of the n shards of one search into the run one machine would have made:
 * the first failure by unit, the counts of every unit before it; complete only if every unit
 * of every shard was. Every shard 1..n must be present exactly once.
 */
export function mergeSearchShardRuns(runs: readonly SearchShardRun[]): SearchShardRun {
  if (runs.length === 0) throw new UsageError('merge: no shard results given');
  const head = runs[0]!;
  const name = `${head.scenario}/${head.variant}`;
  for (const r of runs) {
    if (r.scenario !== head.scenario || r.variant !== head.variant || r.por !== head.por || r.prefix !== head.prefix || r.parts !== head.parts || r.shard.of !== head.shard.of) {
      throw new UsageError(`merge: ${name}: shard ${r.shard.index}/${r.shard.of} is from a different search (scenario, variant, por and split must match)`);
    }
  }
  const seen = new Set<number>();
  for (const r of runs) {
    if (seen.has(r.shard.index)) throw new UsageError(`merge: ${name}: shard ${r.shard.index}/${r.shard.of} is given twice`);
    seen.add(r.shard.index);
  }
  const missing: number[] = [];
  for (let i = 1; i <= head.shard.of; i++) if (!seen.has(i)) missing.push(i);
  if (missing.length > 0) throw new UsageError(`merge: ${name}: missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${head.shard.of}`).join(', ')}`);
  const early = runs.find((r) => r.stoppedBy === 'time' || r.stoppedBy === 'interrupted');
  // A shard's own failure past its counted units is past the merged ones too (its gap is theirs).
  const alsoPast = runs.flatMap((r) => (r.failureUnit !== null && r.failure !== null && !r.units.some((u) => u.unit === r.failureUnit) ? [{ at: r.failureUnit, failure: r.failure, trace: r.trace }] : []));
  const merged = combineUnits({
    scenario: head.scenario,
    variant: head.variant,
    por: head.por,
    shard: { index: 1, of: 1 },
    owned: unitsOf(undefined),
    results: runs.flatMap((r) => r.units),
    stoppedBy: early !== undefined ? (early.stoppedBy as 'time' | 'interrupted') : null,
    elapsedMs: Math.max(...runs.map((r) => r.elapsedMs)),
    workers: runs.reduce((n, r) => n + r.workers, 0),
    alsoPast,
  });
  // A shard that stopped at a failure did not run its later units: only units before the first
  // failure count, and every shard ran those to their end (or the merge says time/interrupted).
  return merged;
}
