import { setImmediate } from 'node:timers';
import { performance } from 'node:perf_hooks';
import { recordFailure } from '../verdict/determinism.js';
import type { StrategyInfo } from '../replay.js';
import { compareWithReplay } from '../verdict/determinism.js';
import { LateReplays } from '../verdict/lateReplays.js';
import { makeTarget, runExecution, type Target, type TargetOptions } from '../run.js';
import { InternalError, UsageError } from '../runtime/errors.js';
import { keepFirstWarnings, type Failure, type Warning } from '../runtime/failure.js';
import type { ScenarioDefinition } from '../scenario.js';
import type { Trace } from '../trace/schema.js';
import { analyzeRaces } from './races.js';
import { SearchRunner } from './runner.js';
import { checkState, cloneState, initialState, isBounded, reduces, reducesIn, type SearchMode, type SearchState } from './state.js';
import { advance, exploreEveryAlternative } from './path.js';
import { CROSS_CHECK_SCHEDULES, crossCheck, type CrossCheck } from './crossCheck.js';

export interface SearchOptions<P extends object = Record<string, unknown>> extends TargetOptions<P> {
  /** 'dfs' (default): every execution up to partial-order reduction; 'pb': preemption bounding; 'db': delay bounding. */
  readonly strategy?: SearchMode;
  /**
   * Partial-order reduction (default true; a resumed state keeps its own): dfs, source-DPOR with
   * sleep sets; pb, bounded partial-order reduction (bpor.ts), the same failures and final states
   * within each bound as without. db never reduces.
   */
  readonly por?: boolean;
  /** pb: the largest preemption bound to try; db: the largest delay bound (default: the variant's budget.preemptionBound, else 2). */
  readonly preemptionBound?: number;
  /** Stop after this many executions (the result then says complete: false). */
  readonly maxExecutions?: number;
  /** Cut executions longer than this many scheduling decisions (the result then says complete: false). */
  readonly maxDepth?: number;
  readonly timeLimitMs?: number;
  /** Continue a saved (or split) search state. */
  readonly resume?: SearchState;
  /** Keep exploring after a failure (default: stop at the first). */
  readonly continueAfterFailure?: boolean;
  readonly onProgress?: (p: SearchProgress) => void;
  /** Checked between executions; return true to stop (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** Record every execution that runs to its end and replay it once more, comparing event logs (`--check-determinism`). */
  readonly checkDeterminism?: boolean;
  /** Seed of the random schedules that cross-check a complete dfs search with reduction (default: the variant's budget seed, else 1). */
  readonly seed?: number;
  /**
   * How many random schedules cross-check a dfs search with reduction that ends complete
   * without a failure (crossCheck.ts). Default: CROSS_CHECK_SCHEDULES for a search that starts
   * afresh; 0 (none) when resuming a state, which may be one piece of a split search.
   */
  readonly crossCheck?: number;
}

export interface SearchProgress {
  readonly executions: number;
  readonly elapsedMs: number;
  readonly bound: number | null;
}

export interface BoundInfo {
  /** Largest bound the search may try. */
  readonly limit: number;
  /** Bound being explored when the search stopped. */
  readonly reached: number;
  /** Largest bound whose every schedule was explored (null: not even bound 0 finished). */
  readonly completeUpTo: number | null;
  /** Smallest bound at which a failure appears (bounds are tried in increasing order, so it is minimal). */
  readonly minimalFailing: number | null;
}

export interface SearchResult {
  readonly scenario: string;
  readonly variant: string;
  readonly strategy: SearchMode;
  readonly por: boolean;
  /** Executions run (complete + sleep-blocked + depth-limited + failing). */
  readonly executions: number;
  /** Executions that ran to their end (or to a failure). With POR: one per Mazurkiewicz trace. */
  readonly completeExecutions: number;
  /** Partial executions stopped because every enabled task was in the sleep set (redundant; not counted as complete). */
  readonly sleepBlocked: number;
  /** Executions cut by maxDepth. */
  readonly depthLimited: number;
  /** pb, db: executions that left a branch out for exceeding the bound, summed over the rounds. */
  readonly pruned: number;
  /** Races found by the DPOR analysis (each may add a branch). */
  readonly races: number;
  /** Longest execution, in scheduling decisions. */
  readonly maxDepth: number;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly failure: Failure | null;
  readonly trace: Trace | null;
  /**
   * True only when every execution of the scenario was explored (up to partial-order
   * reduction); never after a budget, time limit, interruption, depth cut or bound cut.
   */
  readonly complete: boolean;
  readonly stoppedBy: 'exhausted' | 'failure' | 'executions' | 'time' | 'interrupted' | 'bound';
  /**
   * The random schedules run because a dfs search with reduction ended complete (crossCheck.ts),
   * or null when none ran. When one failed, `failure` is its failure and `complete` is false.
   */
  readonly crossCheck: CrossCheck | null;
  /** pb and db only (db: the bound counts delays). */
  readonly bound: BoundInfo | null;
  /**
   * dfs, pb: the scenario may share state interleave does not see (`sharedState: 'untracked'`, or
   * `t.track` without `sharedState: 'tracked'`), so no schedule was pruned by reduction.
   */
  readonly untracked: boolean;
  /** Where the search is: save it to resume, or split it (splitSearch). `finished` when nothing is left. */
  readonly state: SearchState;
  readonly warnings: readonly Warning[];
}

const DEFAULT_BOUND = 2;
const YIELD_EVERY_MS = 25;

/** pb, db: the largest bound to try: the one asked for, else the variant's budget, else 2. Shared with the split search (src/parallel). */
export function boundLimit(requested: number | undefined, budget: { readonly preemptionBound?: number }): number {
  const limit = requested ?? budget.preemptionBound ?? DEFAULT_BOUND;
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`the bound (--preemption-bound) must be a whole number >= 0, got ${limit}`);
  return limit;
}

/**
 * Stateless exhaustive search by re-execution (Godefroid, VeriSoft): every scheduling decision
 * and every `t.choose` is a branch; each execution replays the path to its last branch and takes
 * the next alternative. `dfs` adds source-DPOR with sleep sets (races.ts, runner.ts); `pb`
 * explores the schedules with at most k preemptions for k = 0, 1, ... (Musuvathi & Qadeer,
 * PLDI 2007), reduced by bounded partial-order reduction (bpor.ts) unless `por: false`: the same
 * failures and final states within each bound; `db` all schedules with at most k delays from a
 * round-robin base schedule (Emmi, Qadeer & Rakamarić, POPL 2011; strategies/delayOrder.ts),
 * without reduction. A failure is replayed with recording on to build its trace, as
 * `explore` does.
 */
export async function search<P extends object>(scenario: ScenarioDefinition<P>, options: SearchOptions<P> = {}): Promise<SearchResult> {
  const target = makeTarget(scenario, options) as Target<object>;
  const spec = scenario.variants[target.variant]!;
  const budget = { ...scenario.budget, ...spec.budget };
  const mode: SearchMode = options.strategy ?? options.resume?.mode ?? (budget.strategy === 'pb' || budget.strategy === 'db' ? budget.strategy : 'dfs');
  if (mode !== 'dfs' && mode !== 'pb' && mode !== 'db') throw new UsageError(`search strategy must be dfs, pb or db, got "${String(mode)}"`);
  const limit = boundLimit(options.preemptionBound, budget);
  const por = reducesIn(mode, options.por ?? options.resume?.por);
  const state = options.resume !== undefined ? cloneState(checkState(options.resume)) : initialState(scenario.name, target.variant, mode, por, 0);
  if (state.scenario !== scenario.name || state.variant !== target.variant || state.mode !== mode || state.por !== por) {
    throw new UsageError(
      `the search state is for ${state.scenario}/${state.variant} (${state.mode}${state.por ? ', por' : ''}), not ${scenario.name}/${target.variant} (${mode}${por ? ', por' : ''})`,
    );
  }

  if (por && state.fresh && state.path.length === 0 && scenario.sharedState === 'untracked') state.untracked = true;

  const start = performance.now();
  let lastYield = start;
  let executions = 0;
  let completeExecutions = 0;
  let sleepBlocked = 0;
  let depthLimited = 0;
  let pruned = 0;
  let races = 0;
  let maxDepth = 0;
  let steps = 0;
  let failure: Failure | null = null;
  let trace: Trace | null = null;
  let minimalFailing: number | null = null;
  let stoppedBy: SearchResult['stoppedBy'] | null = state.finished ? 'exhausted' : null;
  const warnings = new Map<string, Warning>();
  const late = options.checkDeterminism === true ? new LateReplays(target, (execution) => ({ name: mode, execution })) : null;

  while (stoppedBy === null) {
    if (options.maxExecutions !== undefined && executions >= options.maxExecutions) {
      stoppedBy = 'executions';
      break;
    }
    const runner = new SearchRunner(state, options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {});
    const index = executions;
    const result = await runExecution(target, runner, index, options.checkDeterminism === true);
    runner.finishStep();
    executions++;
    steps += result.steps;
    if (result.steps > maxDepth) maxDepth = result.steps;
    keepFirstWarnings(warnings, result.warnings);
    let found: Failure | null = result.failure;
    if (runner.stop === 'sleep-blocked') sleepBlocked++;
    else if (runner.stop === 'depth') depthLimited++;
    else if (runner.stop === 'nondeterminism') {
      found = { kind: 'nondeterminism', message: `nondeterminism: ${runner.stopMessage}. Does the scenario use Math.random, Date.now, real timers or state outside t.*?`, step: result.steps, tasks: [] };
    } else if (result.divergence !== null) {
      throw new InternalError(`search execution diverged without a reason: ${result.divergence.message}`);
    } else completeExecutions++;
    if (runner.boundCut) {
      state.boundCut = true;
      pruned++;
    }
    let restarted = false;
    if (reduces(state) && result.realCode === true && scenario.sharedState !== 'tracked') {
      // Real code with state it may not report: no pruning from here on (docs/real-code.md).
      state.untracked = true;
      // (A round's first execution is the same in every round, so for pb this is round 0's.)
      if (runner.branch < 0) {
        if (exploreEveryAlternative(state.path, state.mode === 'pb' ? state.bound : null)) state.boundCut = true;
      } else {
        // Reduction already pruned earlier executions' trees: start again, counting afresh.
        state.path.length = 0;
        restarted = true;
        completeExecutions = sleepBlocked = depthLimited = races = pruned = 0;
        state.bound = 0;
        state.boundCut = false;
      }
    }
    if (reduces(state) && state.mode === 'pb') {
      const bounded = { bound: state.bound, cut: false };
      races += analyzeRaces([...runner.steps, ...runner.unrun()], runner.spawnedBy, state.path, firstNewStep(runner), bounded);
      if (bounded.cut && !runner.boundCut) {
        state.boundCut = true;
        pruned++;
      }
    } else if (reduces(state)) races += analyzeRaces(runner.steps, runner.spawnedBy, state.path, firstNewStep(runner));
    state.fresh = restarted;

    // Only an execution that ran to its end replays alike: one the runner cut (sleep set,
    // depth) would go on, past its decisions, where the first run stopped.
    if (late !== null && found === null && runner.stop === null && failure === null) {
      const nd = (await compareWithReplay(target, { name: mode, execution: index }, result)) ?? (await late.add(index, result));
      if (nd !== null) {
        ({ failure, trace } = nd);
        if (isBounded(mode)) minimalFailing = state.bound;
      }
    }
    // The window's executions come first: replayed late before a failure is reported.
    if (late !== null && found !== null && failure === null) {
      const nd = await late.flush();
      if (nd !== null) {
        ({ failure, trace } = nd);
        if (isBounded(mode)) minimalFailing = state.bound;
      }
    }
    if (found !== null && failure === null) {
      const info: StrategyInfo = { name: mode, execution: index };
      if (runner.stop === 'nondeterminism') failure = found;
      else ({ failure, trace } = await recordFailure(target, info, result.decisions, found));
      if (isBounded(mode)) minimalFailing = state.bound;
    }
    const more = restarted || advance(state.path);
    if (!more) {
      if (isBounded(mode) && state.boundCut && state.bound < limit && failure === null) {
        state.bound++;
        state.boundCut = false;
        state.fresh = true;
      } else {
        state.finished = true;
        stoppedBy = failure !== null && !options.continueAfterFailure ? 'failure' : isBounded(mode) && state.boundCut ? 'bound' : 'exhausted';
      }
    }
    if (failure !== null && !options.continueAfterFailure) {
      stoppedBy = 'failure';
      break;
    }
    if (stoppedBy !== null) break;
    const now = performance.now();
    if (now - lastYield > YIELD_EVERY_MS) {
      await new Promise((r) => setImmediate(r));
      lastYield = performance.now();
      options.onProgress?.({ executions, elapsedMs: lastYield - start, bound: isBounded(mode) ? state.bound : null });
      if (options.shouldStop?.()) stoppedBy = 'interrupted';
      else if (options.timeLimitMs !== undefined && lastYield - start >= options.timeLimitMs) stoppedBy = 'time';
    }
  }

  if (late !== null && failure === null && (stoppedBy === 'exhausted' || stoppedBy === 'bound')) {
    const nd = await late.flush();
    if (nd !== null) {
      ({ failure, trace } = nd);
      stoppedBy = 'failure';
    }
  }
  let exhaustedAll = state.finished && !state.boundCut && depthLimited === 0 && (stoppedBy === 'exhausted' || (stoppedBy === 'failure' && options.continueAfterFailure === true));
  // "complete" is not said until random schedules agree: the reduction cannot see state outside t.*.
  let checked: CrossCheck | null = null;
  const schedules = options.crossCheck ?? (options.resume === undefined ? CROSS_CHECK_SCHEDULES : 0);
  if (exhaustedAll && reduces(state) && failure === null && schedules > 0) {
    const cc = await crossCheck(target, options.seed ?? budget.seed ?? 1, schedules, warnings);
    checked = cc.check;
    if (cc.failure !== null) {
      ({ failure, trace } = cc);
      exhaustedAll = false;
      stoppedBy = 'failure';
    }
  }
  const completeUpTo = !isBounded(mode) ? null : state.finished && stoppedBy !== 'failure' ? state.bound : state.bound > 0 ? state.bound - 1 : null;
  return {
    scenario: scenario.name,
    variant: target.variant,
    strategy: mode,
    por,
    executions,
    completeExecutions,
    sleepBlocked,
    depthLimited,
    pruned,
    races,
    maxDepth,
    steps,
    elapsedMs: performance.now() - start,
    failure,
    trace,
    complete: exhaustedAll,
    stoppedBy: stoppedBy!,
    crossCheck: checked,
    untracked: state.untracked === true,
    bound: isBounded(mode) ? { limit, reached: state.bound, completeUpTo, minimalFailing } : null,
    state: cloneState(state),
    warnings: [...warnings.values()],
  };
}

/** First step whose races are new: the step at the branch node (or holding the branched choice). */
function firstNewStep(runner: SearchRunner): number {
  if (runner.branch < 0) return 0;
  let first = 0;
  for (let i = 0; i < runner.steps.length; i++) if (runner.steps[i]!.node <= runner.branch) first = i;
  return first;
}
