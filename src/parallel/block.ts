import type { Failure, Warning } from '../runtime/failure.js';
import { NondeterminismGuard, type Target, type TargetOptions } from '../run.js';
import { checkedExecution, recordFailure } from '../verdict/determinism.js';
import { LateReplays, type LateDifference } from '../verdict/lateReplays.js';
import { RejectionPauses } from '../verdict/rejectionPauses.js';
import { UnhandledRejections } from '../runtime/unhandled.js';
import { runSeries, type SeriesResult } from '../series.js';
import type { Strategy } from '../runtime/strategy.js';
import { createStrategy, usesShape } from '../strategies/index.js';
import type { ScenarioShape } from '../strategies/pct.js';
import { scenarioShape } from '../shape.js';
import { failureStrategy } from '../samplingReport.js';
import type { Trace } from '../trace/schema.js';
import { learningBlock, type Block } from '../partition.js';
import { blockCoverage, type BlockCoverage } from '../strategies/fuzz.js';
import type { Outcome } from './outcome.js';

/** Executions run back to back between two looks at the message queue. */
const SERIES = 64;

/** How the executions of every block are chosen: a sampling strategy by name and its seed. */
export interface SamplingSpec {
  readonly strategy: string;
  readonly seed: number;
  readonly depth?: number;
  /**
   * pct, portfolio: the tasks and steps PCT draws change points over, measured once by the
   * coordinator (src/shape.ts) so no block measures again; a block without it measures the same.
   */
  readonly shape?: ScenarioShape;
  /** `--check-determinism`: every execution recorded and replayed once more (src/verdict/determinism.ts). */
  readonly checkDeterminism?: boolean;
}

/**
 * What one block produced (its outcome: executions run, `count` or up to and including the first
 * failing one; the failure's trace recorded by replay, as explore does). Plain data: crosses
 * worker boundaries and goes into shard files.
 */
export interface BlockResult extends Outcome {
  readonly index: number;
  readonly start: number;
  readonly count: number;
  /** Execution index of the block's first failure, or null. */
  readonly failureAt: number | null;
  /** False when the block was cancelled before its end (its executions do not count). */
  readonly complete: boolean;
  /** fuzz: what the block's fuzzer learnt (it starts afresh at every block), for the run's coverage. */
  readonly fuzz?: BlockCoverage;
  /** The shape this block measured, when the spec brought none (a watched split run, exploreParallel.ts). */
  readonly shape?: ScenarioShape;
}

/**
 * Runs the executions of one block in order and stops at the block's first failure. Each block
 * starts a fresh strategy from the spec: execution i of a random, pct or portfolio exploration
 * depends only on (seed, shape, i), so a block gives the same executions wherever and whenever
 * it runs, and the blocks together are exactly one unbroken `explore`. A promise the scenario
 * leaves rejected fails the execution that left it, found at the pause after each series as
 * `explore` finds it (src/verdict/rejectionPauses.ts): the same index, counts and trace.
 *
 * Called by the worker (worker.ts) and, for one worker, by the coordinator itself.
 */
export async function runBlock(target: Target<object>, spec: SamplingSpec, block: Block, shouldStop: () => boolean = () => false): Promise<BlockResult> {
  const rejections = new UnhandledRejections().start();
  try {
    if (spec.shape !== undefined || !usesShape(spec.strategy)) return await blockExecutions(target, spec, block, shouldStop, rejections);
    const shape = await scenarioShape(target);
    return { ...(await blockExecutions(target, { ...spec, shape }, block, shouldStop, rejections)), shape };
  } finally {
    rejections.stop();
  }
}

/** `runBlock`, watching for promises the scenario leaves rejected. */
async function blockExecutions(target: Target<object>, spec: SamplingSpec, block: Block, shouldStop: () => boolean, rejections: UnhandledRejections): Promise<BlockResult> {
  const shape = spec.shape;
  const fresh = (): Strategy => createStrategy(spec.strategy, { seed: spec.seed, ...(spec.depth !== undefined ? { depth: spec.depth } : {}), ...(shape !== undefined ? { shape } : {}) });
  const strategy = fresh();
  const guard = new NondeterminismGuard();
  const warnings = new Map<string, Warning>();
  let steps = 0;
  let executions = 0;
  const late = spec.checkDeterminism === true ? new LateReplays(target, (execution) => failureStrategy(strategy.name, spec.seed, execution)) : null;
  // A rejection is found at the pause after each series, as explore finds it (src/verdict/rejectionPauses.ts).
  const pauses = new RejectionPauses(target, fresh, block.start, rejections, learningBlock(spec.strategy));
  const end = block.start + block.count;
  for (let i = block.start; i < end; ) {
    // The pause after each series let messages (a cancel) and timers in.
    if (i > block.start && shouldStop()) return { ...block, executions, steps, failureAt: null, failure: null, trace: null, warnings: [...warnings.values()], complete: false };
    const count = Math.min(SERIES, end - i);
    let series: SeriesResult;
    let nondeterminism: LateDifference | null = null;
    if (late !== null) ({ series, nondeterminism } = await checkedSeries(target, strategy, spec.seed, i, count, guard, warnings, late));
    else series = await runSeries(target, strategy, i, count, guard, warnings);
    executions += series.executions;
    steps += series.steps;
    i += series.executions;
    const done = (failureAt: number, failure: Failure, trace: Trace): BlockResult => ({ ...block, executions, steps, failureAt, failure, trace, warnings: [...warnings.values()], complete: true, ...learnt(strategy) });
    // As in explore, a nondeterminism found by the check is reported before any pause.
    if (nondeterminism !== null) return done(nondeterminism.index, nondeterminism.failure, nondeterminism.trace);
    let failed = series.failed;
    const rejected = await pauses.pause(failed, i, steps);
    if (rejected !== null) ({ failed, executions, steps } = rejected);
    if (failed !== null) {
      const { index, result } = failed;
      const recorded = await recordFailure(target, failureStrategy(strategy.name, spec.seed, index), result.decisions, result.failure!);
      return done(index, recorded.failure, recorded.trace);
    }
  }
  const found = late !== null ? await late.flush() : null;
  if (found !== null) return { ...block, executions, steps, failureAt: found.index, failure: found.failure, trace: found.trace, warnings: [...warnings.values()], complete: true, ...learnt(strategy) };
  return { ...block, executions, steps, failureAt: null, failure: null, trace: null, warnings: [...warnings.values()], complete: true, ...learnt(strategy) };
}

/** `{ fuzz }` with what a fuzzer learnt in its block, else nothing. */
function learnt(strategy: Strategy): { fuzz?: BlockCoverage } {
  const fuzz = blockCoverage(strategy);
  return fuzz === undefined ? {} : { fuzz };
}

/** A series with the determinism check on: each execution checked (and its window replayed late), up to the first failure or nondeterminism. */
async function checkedSeries(
  target: Target<object>,
  strategy: Strategy,
  seed: number,
  start: number,
  count: number,
  guard: NondeterminismGuard,
  warnings: Map<string, Warning>,
  late: LateReplays,
): Promise<{ series: SeriesResult; nondeterminism: LateDifference | null }> {
  let steps = 0;
  for (let n = 0; n < count; n++) {
    const index = start + n;
    const one = await checkedExecution(target, strategy, index, seed, guard, warnings);
    steps += one.steps;
    // The window's executions come first by index: replayed late before a failure is reported.
    const earlier = one.passed !== null ? await late.add(index, one.passed) : await late.flush();
    const nondeterminism = earlier ?? (one.nondeterminism !== null ? { index, ...one.nondeterminism } : null);
    if (nondeterminism !== null) return { series: { executions: n + 1, steps, failed: null }, nondeterminism };
    if (one.failed !== null) return { series: { executions: n + 1, steps, failed: one.failed }, nondeterminism: null };
  }
  return { series: { executions: count, steps, failed: null }, nondeterminism: null };
}

/** What exploreParallel.ts gives every worker at start (worker.ts runs its blocks). */
export interface WorkerSetup {
  readonly kind: 'blocks';
  readonly file: string;
  readonly target: TargetOptions<object>;
  readonly spec: SamplingSpec;
  /** Watched (`--watchdog`): the heartbeat wraps every execution's strategy (watchedWorker.ts). */
  readonly watched?: boolean;
}
