import { performance } from 'node:perf_hooks';
import { loadScenario } from '../loader.js';
import { makeTarget, type Target, type TargetOptions } from '../run.js';
import { CROSS_CHECK_SCHEDULES, crossCheck, type CrossCheckResult } from '../search/crossCheck.js';
import type { ScenarioDefinition } from '../scenario.js';
import { boundLimit, search, type SearchResult } from '../search/search.js';
import { splitSearch } from '../search/split.js';
import { initialState, isBounded, reducesIn, type SearchMode, type SearchState } from '../search/state.js';
import type { Shard } from '../partition.js';
import { runSettings } from './sameRun.js';
import { combineUnits, unitsThrough, type SearchShardRun } from './searchResult.js';
import { boundOf, isPrefix, PARTS, PREFIX_EXECUTIONS, roundEndsSearch, unitOf, unitRules, unitsOf, UNITS_PER_ROUND, type UnitResult } from './searchUnits.js';
import type { Failure, Warning } from '../runtime/failure.js';
import type { Pulse } from '../heartbeat/heartbeat.js';
import { exploreVariants } from './exploreVariants.js';
import { supervise, type Watch } from './supervisor.js';
import type { Progress } from '../explore.js';

import { WorkerGroup } from './workerGroup.js';
import { progressOf } from './workPool.js';
import { combinePieces, pieceOf, restOf, RESPLIT, unitPart, type PieceResult, type Resplit, type SearchPiece } from './pieces.js';

/**
 * Exhaustive search (dfs, pb) across worker threads and CI shards.
 *
 * The work is cut into **units** that do not depend on the number of workers or shards
 * (searchUnits.ts): a round of a prefix of `PREFIX_EXECUTIONS` executions from the root and the
 * parts `splitSearch(prefix.state, PARTS)` returns (disjoint subtrees in depth-first order,
 * which together cover exactly what the prefix left). dfs is one round; pb one per bound 0..limit,
 * each explored within its bound only. Each unit is an ordinary `search` (resumed from its part).
 * So the totals are the same for any number of workers and any number of shards, and the first
 * failure is the failure of the lowest failing unit: the first in depth-first order (pb: of the
 * smallest failing bound), whatever finishes first. Shard i of n owns the units u with
 * u mod n = i - 1 (every shard runs the cheap prefixes to compute the splits, but only the owner
 * counts one).
 *
 * Against an unsplit `search`: dfs gives the same complete executions (one per Mazurkiewicz
 * trace), and possibly more sleep-blocked ones (split.ts saturates the prefix's nodes); pb
 * without reduction (`por: false`) gives exactly the same executions, in the same order, and the
 * same result; pb with reduction the same failures, bounds and verdict, in possibly more
 * executions (saturated nodes take every alternative within the bound).
 */
export interface SearchParallelOptions<P extends object = Record<string, unknown>> extends TargetOptions<P> {
  /** The scenario module: workers load it by path. */
  readonly file: string;
  /** 'dfs' or 'pb' (default: the variant's budget strategy when pb, else dfs). */
  readonly strategy?: SearchMode;
  /** Partial-order reduction (default true): dfs, source-DPOR with sleep sets; pb, bounded partial-order reduction (search/bpor.ts). */
  readonly por?: boolean;
  /** pb: the largest preemption bound (default: the variant's budget, else 2). */
  readonly preemptionBound?: number;
  readonly workers?: number;
  readonly shard?: Shard;
  readonly maxDepth?: number;
  /** Per unit: stop it after this many executions (it is then not complete; later units still run). Units are then not cut into pieces. */
  readonly maxExecutions?: number;
  /** How units are cut into pieces while they run (pieces.ts; default `RESPLIT`, none with `maxExecutions`). null: not at all. */
  readonly resplit?: Resplit | null;
  readonly timeLimitMs?: number;
  readonly shouldStop?: () => boolean;
  /** Worker threads the caller keeps across runs (`run` over many variants); default: started for this search, ended after it. */
  readonly threads?: WorkerGroup;
  /**
   * Seconds without a scheduling decision before the running task is reported as a runaway
   * `livelock` (`--watchdog`): every piece, each round's prefix included, then runs in a watched
   * worker thread (watchedWorker.ts). The piece that spun counts its executions and steps only.
   */
  readonly watchdog?: number;
  /** Told as pieces end, wherever they ran: the executions so far (for a progress line). */
  readonly onProgress?: (p: Progress) => void;
  /** Every execution that runs to its end recorded and replayed once more (`--check-determinism`). */
  readonly checkDeterminism?: boolean;
  /** Seed of the random schedules that cross-check a complete dfs search (default: the budget's seed, else 1). */
  readonly seed?: number;
}

/** What a worker needs to run units of one search. */
export interface SearchWorkerSetup {
  readonly kind: 'search';
  readonly file: string;
  readonly target: TargetOptions<object>;
  readonly maxDepth?: number;
  readonly maxExecutions?: number;
  readonly resplit: Resplit | null;
  /** Watched (`--watchdog`): the heartbeat wraps every execution's strategy (watchedWorker.ts). */
  readonly watched?: boolean;
  readonly checkDeterminism?: boolean;
}

/**
 * Runs one piece of a unit: the search resumed from `state`, pb kept within the unit's bound,
 * for at most `resplit.after` executions. Called by the worker and, for one worker, in this thread.
 */
export async function runPiece(scenario: ScenarioDefinition<object>, setup: Omit<SearchWorkerSetup, 'kind' | 'file'>, piece: SearchPiece, shouldStop: () => boolean): Promise<PieceResult> {
  const r = await searchUnit(scenario, setup, piece.unit, piece.state, shouldStop);
  // A round's prefix, run in a watched thread: it hands back the round's parts.
  if (isPrefix(piece.unit)) return { ...unitOf(piece.unit, r), key: piece.key, rest: [], parts: splitSearch(r.state, PARTS) };
  return pieceOf(piece, r, setup.resplit);
}

/** Searches a unit, or a piece of one, from `state` (the prefix: from a fresh state at its bound). */
function searchUnit(scenario: ScenarioDefinition<object>, setup: Omit<SearchWorkerSetup, 'kind' | 'file'>, unit: number, state: SearchState, shouldStop: () => boolean): Promise<SearchResult> {
  const budget = isPrefix(unit) ? PREFIX_EXECUTIONS : (setup.maxExecutions ?? setup.resplit?.after);
  return search(scenario, {
    ...setup.target,
    strategy: state.mode,
    por: state.por,
    resume: state,
    ...(isBounded(state.mode) ? { preemptionBound: boundOf(unit) } : {}),
    ...(budget !== undefined ? { maxExecutions: budget } : {}),
    ...(setup.maxDepth !== undefined ? { maxDepth: setup.maxDepth } : {}),
    ...(setup.checkDeterminism === true ? { checkDeterminism: true } : {}),
    shouldStop,
  });
}

/**
 * `run --strategy dfs|pb --workers n` / `--shard i/n`: the exhaustive search split in units
 * (see above), run by a pool of n worker threads or, for one worker, by this thread alone,
 * through the same pool (workPool.ts) and `unitRules`, one round at a time. Deterministic: the
 * result does not depend on the number of workers, and n shards merged give the result of one
 * unsharded run. The time limit and an interrupt are the exception: they cancel every running
 * unit, in the workers too, and the units then count up to the first one cut short (prefix.ts).
 *
 * pb on one machine: after a round with a failure, or none of whose units cut a branch, the
 * search ends (the next bound would explore the same tree); else the next bound's round runs,
 * up to the limit. A shard cannot see the other shards' cuts: it runs its units of every bound
 * up to the limit and merge drops what the unsplit search would not have run (searchResult.ts).
 */
export async function searchParallel(options: SearchParallelOptions<object>, preloaded?: ScenarioDefinition<object>): Promise<SearchShardRun> {
  const scenario = preloaded ?? (await loadScenario(options.file)).scenario;
  const target = makeTarget(scenario, options);
  const budget = { ...scenario.budget, ...scenario.variants[target.variant]!.budget };
  const mode: SearchMode = options.strategy ?? (budget.strategy === 'pb' || budget.strategy === 'db' ? budget.strategy : 'dfs');
  const limit = isBounded(mode) ? boundLimit(options.preemptionBound, budget) : 0;
  const por = reducesIn(mode, options.por);
  const start = performance.now();
  const deadline = options.timeLimitMs !== undefined ? start + options.timeLimitMs : Infinity;
  const interrupted = (): boolean => options.shouldStop?.() ?? false;
  // Watched, the time limit stops the search only once a piece has answered (the first is the
  // round's prefix): a thread still loading when the budget ended would otherwise count no
  // execution and pass, a runaway among them. Unwatched, the prefix runs here, from its first execution.
  let answered = options.watchdog === undefined;
  const stop = (): boolean => (answered && performance.now() >= deadline) || interrupted();
  const setup: SearchWorkerSetup = {
    kind: 'search',
    file: options.file,
    target: { file: options.file, variant: target.variant, params: target.params, maxSteps: target.settings.maxSteps, allowLeaks: target.settings.allowLeaks, failOnLockOrder: target.settings.failOnLockOrder },
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(options.maxExecutions !== undefined ? { maxExecutions: options.maxExecutions } : {}),
    // A user's per-unit budget is per unit: its pieces would each have one.
    resplit: options.maxExecutions !== undefined ? null : options.resplit === undefined ? RESPLIT : options.resplit,
    ...(options.watchdog !== undefined ? { watched: true } : {}),
    ...(options.checkDeterminism === true ? { checkDeterminism: true } : {}),
  };
  const whole = options.shard === undefined || options.shard.of === 1;
  const results: UnitResult[] = [];
  // A prefix that failed in a unit another shard owns: every shard ran it, so each says so (merge keeps the earliest).
  const prefixFailures: { at: number; failure: Failure; trace: UnitResult['trace'] }[] = [];
  let stoppedEarly = false;
  let end: 'exhausted' | 'bound' = isBounded(mode) ? 'bound' : 'exhausted';
  let bound = 0;
  // The threads serve every round: each loads the scenario once.
  const threads = options.threads ?? new WorkerGroup();
  const progress = options.onProgress !== undefined ? progressOf<SearchPiece>(options.onProgress, start) : undefined;
  const told = (piece: SearchPiece, r: PieceResult): void => {
    answered = true;
    progress?.(piece, r);
  };
  try {
    for (; ; bound++) {
      const round = await runRound(scenario, setup, threads, {
        variant: target.variant,
        mode,
        por,
        bound,
        shard: options.shard,
        workers: options.workers ?? 1,
        stop,
        interrupted,
        ...(options.watchdog !== undefined ? { watchdog: { seconds: options.watchdog, file: options.file, hurry: () => interrupted() || performance.now() < deadline } } : {}),
        onPiece: told,
      });
      results.push(...round.results);
      if (round.prefix.failure !== null && !round.results.includes(round.prefix)) prefixFailures.push({ at: round.prefix.unit, failure: round.prefix.failure, trace: round.prefix.trace });
      stoppedEarly = round.stoppedEarly;
      // One machine sees every unit of the round; a shard only the prefix, which every shard ran.
      const ends = whole ? roundEndsSearch(round.results) : round.prefix.stoppedBy === 'exhausted';
      if (isBounded(mode) && ends) end = 'exhausted';
      if (stoppedEarly || round.failed || ends || bound >= limit) break;
    }
  } finally {
    if (options.threads === undefined) await threads.close();
  }
  const run = combineUnits({
    scenario: scenario.name,
    variant: target.variant,
    mode,
    por,
    limit,
    shard: options.shard ?? { index: 1, of: 1 },
    settings: { ...runSettings(target), maxExecutions: options.maxExecutions ?? null, maxDepth: options.maxDepth ?? null, checkDeterminism: options.checkDeterminism === true },
    owned: unitsThrough(options.shard, bound),
    results,
    end,
    stoppedBy: stoppedEarly ? (interrupted() ? 'interrupted' : 'time') : null,
    elapsedMs: performance.now() - start,
    workers: Math.max(1, options.workers ?? 1),
    resplit: setup.resplit,
    alsoPast: prefixFailures,
  });
  return whole ? crossChecked(run, target, options.seed ?? budget.seed ?? 1, options.watchdog) : run;
}

/**
 * A whole split dfs search with reduction that ended complete, cross-checked as the unsplit
 * search is (src/search/crossCheck.ts): complete only when the random schedules agree, else
 * their failure. In this thread, or with `watchdog` (seconds) in a watched thread, as the
 * search's pieces ran: a schedule the reduction skipped may spin (`watchedCrossCheck`). A shard
 * cannot tell it is complete; merge checks the merged run.
 */
export async function crossChecked(run: SearchShardRun, target: Target<object>, seed: number, watchdog?: number): Promise<SearchShardRun> {
  if (!run.complete || !run.por || run.untracked === true || run.failure !== null) return run;
  const warnings = new Map(run.warnings.map((w) => [w.message, w]));
  const cc = watchdog === undefined ? await crossCheck(target, seed, CROSS_CHECK_SCHEDULES, warnings) : await watchedCrossCheck(target, seed, watchdog, warnings);
  const checked = { ...run, crossCheck: cc.check, warnings: [...warnings.values()] };
  if (cc.failure === null) return checked;
  return { ...checked, complete: false, stoppedBy: 'failure', failure: cc.failure, trace: cc.trace };
}

/**
 * The cross-check's random schedules in a watched thread, as a whole variant is explored there
 * (exploreVariants.ts): executions 0..n-1 of the random strategy with `seed`, to the first
 * failure, are exactly `explore`'s with that strategy, seed and budget (RandomStrategy restarts
 * from (seed, index) at each execution), so the schedule found and its trace are the unwatched
 * cross-check's; a schedule that spins is that schedule's runaway `livelock`, with its trace.
 */
async function watchedCrossCheck(target: Target<object>, seed: number, seconds: number, warnings: Map<string, Warning>): Promise<CrossCheckResult> {
  const { maxSteps, allowLeaks, failOnLockOrder } = target.settings;
  const budget = { params: target.params as Record<string, unknown>, maxSteps, allowLeaks, failOnLockOrder, strategy: 'random', seed, iterations: CROSS_CHECK_SCHEDULES };
  const [r] = await exploreVariants([{ loaded: { file: target.file!, scenario: target.scenario as ScenarioDefinition<object> }, variant: target.variant, budget }], { watchdog: seconds });
  for (const w of r!.warnings) if (!warnings.has(w.message)) warnings.set(w.message, w);
  const failedAt = r!.failure === null ? null : (r!.trace?.strategy.execution ?? r!.executions - 1);
  return { check: { schedules: CROSS_CHECK_SCHEDULES, seed, failedAt }, failure: r!.failure, trace: r!.trace };
}

interface RoundOptions {
  readonly variant: string;
  readonly mode: SearchMode;
  readonly por: boolean;
  readonly bound: number;
  readonly shard: Shard | undefined;
  readonly workers: number;
  readonly stop: () => boolean;
  /** Why the pool stopped, once it did: an interrupt, else the time limit. */
  readonly interrupted: () => boolean;
  /** Every piece, the prefix included, in watched worker threads. */
  readonly watchdog?: { readonly seconds: number; readonly file: string; readonly hurry: () => boolean };
  /** Told of each piece's result (the prefix's too) as it ends. */
  readonly onPiece?: (item: SearchPiece, r: PieceResult) => void;
}

interface Round {
  /** The round's prefix, owned or not. */
  readonly prefix: UnitResult;
  /** This run's units of the round, in unit order. */
  readonly results: readonly UnitResult[];
  /** A unit failed (the prefix, whoever owns it, or one of this run's). */
  readonly failed: boolean;
  readonly stoppedEarly: boolean;
}

/**
 * One round: the prefix here (every shard runs it: the split depends on it; it counts only where
 * it is owned), then this run's units in the pool, each as pieces (pieces.ts) combined again.
 */
async function runRound(scenario: ScenarioDefinition<object>, setup: SearchWorkerSetup, threads: WorkerGroup, o: RoundOptions): Promise<Round> {
  const first = o.bound * UNITS_PER_ROUND;
  const mine = new Set(unitsOf(o.shard, o.bound));
  const start = initialState(scenario.name, o.variant, o.mode, o.por, o.bound);
  const prefixPiece: SearchPiece = { unit: first, key: [0], state: start };
  const wd = o.watchdog;
  const target = (): Target<object> => makeTarget(scenario, { ...setup.target, file: setup.file });
  // Watched, every piece (the prefix too) runs in a watched worker thread (supervisor.ts).
  const watch: Watch<SearchPiece, PieceResult> | undefined =
    wd === undefined
      ? undefined
      : {
          seconds: wd.seconds,
          file: () => wd.file,
          // A piece numbers its executions from 0; the run's count says where it stands in the whole.
          execution: (piece, pulse) => `execution ${pulse.execution} of search unit ${piece.unit}${piece.key.length > 1 ? `, part ${piece.key.slice(1).join('.')}` : ''}`,
          runaway: runawayPiece,
          cancelled: (piece) => cancelledPiece(piece, o.interrupted() ? 'interrupted' : 'time'),
          hurry: wd.hurry,
          retrace: { target, strategy: (_piece, _r, pulse) => ({ name: o.mode, execution: pulse.execution }) },
        };
  let prefix: UnitResult;
  let parts: readonly SearchState[];
  if (watch === undefined) {
    const head = await searchUnit(scenario, setup, first, start, o.stop);
    prefix = unitOf(first, head);
    o.onPiece?.(prefixPiece, { ...prefix, key: [0], rest: [] });
    parts = unitRules.failed(prefix) || unitRules.stopped(prefix) ? [] : splitSearch(head.state, PARTS);
  } else {
    // Watched, the prefix runs in a worker thread too: a task spinning in it would freeze this one.
    const { results } = await supervise<SearchPiece, PieceResult>({ items: [prefixPiece], explorers: 1, setup, threads, watch, rules: unitRules, stop: o.stop, ...(o.onPiece !== undefined ? { onResult: o.onPiece } : {}) });
    const head = results[0];
    prefix = unitPart(head ?? cancelledPiece(prefixPiece, o.interrupted() ? 'interrupted' : 'time'));
    parts = head?.parts ?? [];
  }
  const results: UnitResult[] = mine.has(first) ? [prefix] : [];
  // The prefix follows the units' rules: only time or an interrupt stops the search here (a
  // depth-limited prefix still leaves parts to explore).
  if (unitRules.failed(prefix) || unitRules.stopped(prefix)) return { prefix, results, failed: unitRules.failed(prefix), stoppedEarly: unitRules.stopped(prefix) };
  const todo: SearchPiece[] = [...mine].filter((u) => u > first).map((unit, i) => ({ unit, key: [i], state: parts[unit - first - 1]! }));
  // Units cut into pieces as they run can use more workers than there are units; none, no thread.
  const workers = todo.length === 0 ? 1 : Math.max(1, setup.resplit !== null ? o.workers : Math.min(o.workers, todo.length));
  // n worker threads; for one, this thread runs the pieces, by the same pool and rules (watched:
  // always worker threads).
  const out = await supervise<SearchPiece, PieceResult>({
    items: todo,
    explorers: workers,
    setup,
    threads,
    watch,
    // `cancelled` answers true at the time limit too (the pool asks `stop`, for the workers as well).
    ...(workers === 1 ? { runHere: (p: SearchPiece, cancelled: () => boolean) => runPiece(scenario, setup, p, cancelled) } : {}),
    rules: unitRules,
    stop: o.stop,
    keyOf: (p) => p.key,
    expand: restOf,
    ...(o.onPiece !== undefined ? { onResult: o.onPiece } : {}),
  });
  const why = o.interrupted() ? 'interrupted' : 'time';
  const units = todo.flatMap((u, i) => {
    const pieces = out.results.filter((r) => r.key[0] === i);
    return pieces.length === 0 ? [] : [combinePieces(u.unit, pieces, why)];
  });
  results.push(...units);
  return { prefix, results, failed: units.some(unitRules.failed), stoppedEarly: out.stoppedEarly };
}

/**
 * A piece whose task spun (`--watchdog`): failed there, at its `pulse.execution`-th execution.
 * Its thread was ended, so of its executions only the count and the steps are known (the other
 * counts of the piece are left at 0); its trace is rebuilt once the pool ends (supervisor.ts).
 */
function runawayPiece(piece: SearchPiece, failure: Failure, pulse: Pulse): PieceResult {
  return { ...unitOfNothing(piece.unit, 'failure'), executions: Math.max(0, pulse.execution) + 1, steps: pulse.steps, failure, key: piece.key, rest: [] };
}

/** A piece cancelled while its thread was frozen (Ctrl-C): cut short, nothing of it counts. */
function cancelledPiece(piece: SearchPiece, why: 'time' | 'interrupted'): PieceResult {
  return { ...unitOfNothing(piece.unit, why), key: piece.key, rest: [] };
}

function unitOfNothing(unit: number, stoppedBy: SearchResult['stoppedBy']): UnitResult {
  return { unit, bound: boundOf(unit), executions: 0, completeExecutions: 0, sleepBlocked: 0, depthLimited: 0, races: 0, pruned: 0, cut: false, steps: 0, maxDepth: 0, complete: false, stoppedBy, failure: null, trace: null, warnings: [] };
}
