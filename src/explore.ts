import { performance } from 'node:perf_hooks';
import { keepFirstWarnings, type Failure, type Warning } from './runtime/failure.js';
import { makeTarget, NondeterminismGuard, runExecution, type Target, type TargetOptions } from './run.js';
import { UnhandledRejections } from './runtime/unhandled.js';
import { UsageError } from './runtime/errors.js';
import { RejectionPauses } from './verdict/rejectionPauses.js';
import { isInstance } from './runtime/thrown.js';
import { traceOf, type StrategyInfo } from './replay.js';
import { checkedExecution, recordFailure } from './verdict/determinism.js';
import { LateReplays } from './verdict/lateReplays.js';
import type { ScenarioDefinition } from './scenario.js';
import { DEFAULT_BLOCK_SIZE, learningBlock } from './partition.js';
import { budgetSampling, createStrategy, usesShape } from './strategies/index.js';
import { scenarioShape } from './shape.js';
import { failureStrategy, samplingReport, type SamplingReport } from './samplingReport.js';
import { ReplayStrategy } from './strategies/replay.js';
import { RunCoverage } from './strategies/fuzz.js';
import type { Strategy } from './runtime/strategy.js';
import type { Trace } from './trace/schema.js';
import { runSeries, type SeriesResult } from './series.js';
import { search, type SearchResult } from './search/search.js';
import type { SearchMode } from './search/state.js';

export interface ExploreOptions<P extends object = Record<string, unknown>> extends TargetOptions<P> {
  /**
   * A strategy name or a Strategy object. Names (StrategyName): 'random' (the default: a uniform
   * choice at each step), 'pct' (probabilistic concurrency testing, Burckhardt et al., ASPLOS
   * 2010; `depth` is its bug depth; n and k measured from the scenario, src/shape.ts), 'portfolio'
   * (execution i by random or PCT at depth 1, 2, 3 in turn, src/strategies/portfolio.ts), 'pos' (partial order sampling, Yuan et al., CAV 2018), 'fuzz' (reads-from coverage-guided mutation of schedules, with energy; learns per block of 1,000 executions), 'dfs' (exhaustive depth-first search with partial-order
   * reduction, `por`; complete when it finishes), 'pb' (preemption-bounded search up to
   * `preemptionBound`), 'db' (delay-bounded search, Emmi et al., POPL 2011, up to the same
   * `preemptionBound`, counted in delays), 'first-enabled' and 'round-robin' (one fixed schedule each). Unset: the
   * variant's budget, else 'random'.
   */
  readonly strategy?: string | Strategy;
  readonly seed?: number;
  /** Executions to run (default: the variant's budget, else 1000). */
  readonly iterations?: number;
  /** Index of the first execution (for sharding seed ranges). */
  readonly firstExecution?: number;
  /** Stop after this much wall time, in ms. */
  readonly timeLimitMs?: number;
  /** PCT bug depth. */
  readonly depth?: number;
  /** Called every few hundred ms with progress (for progress lines). */
  readonly onProgress?: (p: Progress) => void;
  /** Checked between executions; return true to stop (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** Record every execution and replay it once more, comparing event logs (`--check-determinism`). */
  readonly checkDeterminism?: boolean;
  /** pb/db (src/search): the largest preemption bound for pb, delay bound for db. */
  readonly preemptionBound?: number;
  /** dfs: partial-order reduction (default true). */
  readonly por?: boolean;
  /** dfs/pb/db: cut executions longer than this many decisions (the search is then not complete). */
  readonly maxDepth?: number;
}

export interface Progress {
  readonly executions: number;
  readonly elapsedMs: number;
  readonly failures: number;
}

export interface ExploreResult {
  readonly scenario: string;
  readonly variant: string;
  readonly strategy: StrategyInfo;
  readonly executions: number;
  readonly steps: number;
  /** The first failure found, or null. */
  readonly failure: Failure | null;
  /** Its trace, recorded by replaying the failing schedule (not shrunk). */
  readonly trace: Trace | null;
  readonly stoppedBy: 'failure' | 'iterations' | 'time' | 'interrupted';
  readonly elapsedMs: number;
  readonly warnings: readonly Warning[];
  /** dfs/pb/db only: the exhaustive search's own result (complete, counts, bound, resumable state). */
  readonly search?: SearchResult;
  /** Interrupted (watched) while a task ran without reaching a scheduling point: which, and where. */
  readonly spinning?: string;
  /** pct and portfolio: PCT's parameters and bound, and the portfolio's members with their executions. */
  readonly sampling?: SamplingReport;
}

export const DEFAULT_ITERATIONS = 1000;
const YIELD_EVERY_MS = 25;
/** Executions run back to back between two readings of the clock (short ones take microseconds: reading it each time shows in profiles). */
const SERIES = 8;

/**
 * Samples executions of a scenario variant until a failure, the iteration budget, the time
 * limit or an interruption. A failure is replayed once with recording on before it is
 * reported: that builds its trace and checks it is reproducible (if not, the result is a
 * `nondeterminism` failure rather than a trace that lies).
 */
export async function explore<P extends object>(scenario: ScenarioDefinition<P>, options: ExploreOptions<P> = {}): Promise<ExploreResult> {
  const target = makeTarget(scenario, options);
  const budget = { ...scenario.budget, ...scenario.variants[target.variant]!.budget };
  const searchMode = typeof options.strategy === 'string' ? options.strategy : options.strategy === undefined ? budget.strategy : undefined;
  if (searchMode === 'dfs' || searchMode === 'pb' || searchMode === 'db') return exploreBySearch(scenario, options, searchMode);
  const rejections = new UnhandledRejections().start();
  try {
    return await sample(scenario, options, target, budget, rejections);
  } finally {
    rejections.stop();
  }
}

/** `explore` by sampling (random, pct, ...), watching for promises the scenario leaves rejected. */
async function sample<P extends object>(
  scenario: ScenarioDefinition<P>,
  options: ExploreOptions<P>,
  target: Target<P>,
  budget: ScenarioDefinition<P>['budget'] & object,
  rejections: UnhandledRejections,
): Promise<ExploreResult> {
  const seed = options.seed ?? budget.seed ?? 1;
  const named = typeof options.strategy === 'object' ? null : (options.strategy ?? budgetSampling(budget.strategy));
  const depth = options.depth ?? budget.depth;
  // PCT's n and k, measured once from the scenario (src/shape.ts): the same in every block and thread.
  const shape = named !== null && usesShape(named) ? await scenarioShape(target as Target<object>) : undefined;
  const fresh = (): Strategy => (named === null ? (options.strategy as Strategy) : createStrategy(named, { seed, ...(depth ? { depth } : {}), ...(shape !== undefined ? { shape } : {}) }));
  let strategy = fresh();
  // fuzz: what its blocks learnt, for the summary.
  const coverage = named === 'fuzz' ? new RunCoverage() : null;
  const iterations = options.iterations ?? budget.iterations ?? DEFAULT_ITERATIONS;
  const first = options.firstExecution ?? 0;
  const start = performance.now();
  let lastYield = start;
  let lastProgress = start;
  let steps = 0;
  const warnings = new Map<string, Warning>();
  let executions = 0;
  let stoppedBy: ExploreResult['stoppedBy'] = 'iterations';
  let failure: Failure | null = null;
  let trace: Trace | null = null;

  const guard = new NondeterminismGuard();
  const late = options.checkDeterminism === true ? new LateReplays(target as Target<object>, (execution) => failureStrategy(strategy.name, seed, execution)) : null;
  const last = first + iterations;
  // Promises the scenario rejected and never handled: Node reports them only at the pauses (below).
  // A named strategy's block (fuzz learns over more executions than the others).
  const blockSize = named === null ? DEFAULT_BLOCK_SIZE : learningBlock(named);
  const pauses = new RejectionPauses(target as Target<object>, named === null ? () => strategy : fresh, first, rejections, blockSize);
  for (let i = first; i < last; ) {
    // A named strategy starts afresh at every block boundary, as each block of a split run does
    // (src/parallel/block.ts): fuzz learns from the executions before, so this is what makes a
    // fuzz run give the same executions whole, on n workers or on n shards.
    const inBlock = (i - first) % blockSize;
    if (named !== null && i > first && inBlock === 0) {
      coverage?.add(strategy);
      strategy = fresh();
    }
    let failed: SeriesResult['failed'] = null;
    if (late !== null) {
      const earlier = i > first && inBlock === 0 ? await late.restart() : null;
      const one = earlier === null ? await checkedExecution(target as Target<object>, strategy, i, seed, guard, warnings) : null;
      if (one !== null) {
        executions++;
        steps += one.steps;
      }
      // The window's executions come first by index: replayed late before a failure is reported.
      const found = earlier ?? (one!.passed !== null ? await late.add(i, one!.passed) : await late.flush()) ?? one!.nondeterminism;
      if (found !== null) {
        ({ failure, trace } = found);
        stoppedBy = 'failure';
        break;
      }
      failed = one!.failed;
      i++;
    } else {
      // Executions run back to back up to the next clock reading, never across a block boundary.
      const count = Math.min(SERIES, last - i, blockSize - inBlock);
      const series = await runSeries(target as Target<object>, strategy, i, count, guard, warnings).catch((e: unknown) => locateMisuse(target as Target<object>, e));
      executions += series.executions;
      steps += series.steps;
      i += series.executions;
      failed = series.failed;
    }
    const now = performance.now();
    if (failed !== null || i === last || now - lastYield > YIELD_EVERY_MS) {
      // A pause, where Node reports the promises left rejected: before a failure is recorded,
      // at the end, and every YIELD_EVERY_MS. The first execution since the last pause that
      // left one is the failure, if it comes before the failure found.
      const rejected = await pauses.pause(failed, i, steps);
      if (rejected !== null) ({ failed, executions, steps } = rejected);
    }
    if (failed !== null) {
      const info: StrategyInfo = failureStrategy(strategy.name, seed, failed.index);
      ({ failure, trace } = await recordFailure(target as Target<object>, info, failed.result.decisions, failed.result.failure!));
      stoppedBy = 'failure';
      break;
    }
    if (now - lastYield > YIELD_EVERY_MS) {
      // Timers and signal handlers ran in the pause above: a long exploration must stay interruptible.
      lastYield = performance.now();
      if (options.onProgress && lastYield - lastProgress > 250) {
        options.onProgress({ executions, elapsedMs: lastYield - start, failures: 0 });
        lastProgress = lastYield;
      }
      if (options.shouldStop?.()) {
        stoppedBy = 'interrupted';
        break;
      }
      if (options.timeLimitMs !== undefined && lastYield - start >= options.timeLimitMs) {
        stoppedBy = 'time';
        break;
      }
    }
  }
  if (late !== null && stoppedBy === 'iterations') {
    const found = await late.flush();
    if (found !== null) {
      ({ failure, trace } = found);
      stoppedBy = 'failure';
    }
  }
  coverage?.add(strategy);
  return {
    scenario: scenario.name,
    variant: target.variant,
    strategy: { name: strategy.name, seed },
    executions,
    steps,
    failure,
    trace,
    stoppedBy,
    elapsedMs: performance.now() - start,
    warnings: [...warnings.values()],
    ...optional('sampling', named === null ? undefined : samplingReport(named, depth, shape, [{ start: first, executions }], coverage?.total)),
  };
}

/** `{ [key]: value }`, or nothing when value is undefined (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [k in K]: V });
}

/**
 * A usage error found exploring at full speed, without call sites (an operation left pending,
 * seen only by the task handed control next): its execution, replayed with call sites on,
 * names the task that misused the API and the line (`Execution.oneOperationAtATime`). Throws
 * that error, or `error` itself when the replay does not find it.
 */
async function locateMisuse(target: Target<object>, error: unknown): Promise<never> {
  const schedule = isInstance(error, UsageError) ? (error as UsageError).schedule : undefined;
  if (schedule === undefined) throw error;
  let located: unknown = error;
  try {
    await runExecution(target, new ReplayStrategy(schedule, { lenient: true }), 0, 'sites');
  } catch (e) {
    if (isInstance(e, UsageError)) located = e;
  }
  throw located;
}

/**
 * `explore(scenario, { strategy: 'dfs' | 'pb' | 'db' })`: runs the exhaustive search and reports it in
 * explore's shape (`iterations` becomes the execution budget), with the full search result
 * (completeness, counts, bound, resumable state) in `search`. `stoppedBy: 'iterations'` then
 * also covers a finished search: read `search.complete` for whether the space was exhausted.
 */
async function exploreBySearch<P extends object>(scenario: ScenarioDefinition<P>, options: ExploreOptions<P>, mode: SearchMode): Promise<ExploreResult & { search: SearchResult }> {
  const { onProgress, strategy: _strategy, iterations: _iterations, ...rest } = options;
  const r = await search(scenario, {
    ...rest,
    strategy: mode,
    ...(options.iterations !== undefined ? { maxExecutions: options.iterations } : {}),
    ...(onProgress !== undefined ? { onProgress: (p: { executions: number; elapsedMs: number }) => onProgress({ executions: p.executions, elapsedMs: p.elapsedMs, failures: 0 }) } : {}),
  });
  return {
    scenario: r.scenario,
    variant: r.variant,
    strategy: { name: mode },
    executions: r.executions,
    steps: r.steps,
    failure: r.failure,
    trace: r.trace,
    stoppedBy: r.stoppedBy === 'failure' || r.stoppedBy === 'time' || r.stoppedBy === 'interrupted' ? r.stoppedBy : 'iterations',
    elapsedMs: r.elapsedMs,
    warnings: r.warnings,
    search: r,
  };
}
