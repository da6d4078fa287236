import { recordFailure } from '../verdict/determinism.js';
import type { Failure, Warning } from '../runtime/failure.js';
import { NondeterminismGuard, type Target } from '../run.js';
import { runSeries } from '../series.js';
import { RandomStrategy } from '../strategies/random.js';
import type { Trace } from '../trace/schema.js';

/**
 * The soundness guard of partial-order reduction. DPOR (Flanagan & Godefroid, POPL 2005; source
 * sets, Abdulla et al., POPL 2014) takes two steps for independent when their operations touch
 * different `t.*` objects: it cannot see a closure variable or a plain object the tasks share, and
 * when they do, it may explore one order of two steps that conflict through that state and call
 * the search complete. So a dfs search with reduction that ends complete without a failure is
 * not believed until a sample of random schedules agrees: executions 0..n-1 of the random
 * strategy with the run's seed, the same every time. A failure among them is the scenario's own
 * failure (recorded and checked as every fresh failure is); the search then reports it with
 * `CROSS_CHECK_CAUSE` instead of "complete".
 *
 * Called by `search` (an unsplit dfs search that started afresh) and by `searchParallel` (a
 * split dfs search run whole on this machine) once the search says complete. A schedule the
 * reduction pruned is found only if random sampling draws it: agreement is evidence, not proof.
 */

/** Random schedules run after a complete dfs search with reduction (each costs one execution). */
export const CROSS_CHECK_SCHEDULES = 300;

/** Why a random schedule can fail where the complete search found nothing. */
export const CROSS_CHECK_CAUSE =
  'the scenario shares state interleave cannot see (a closure variable or an object not made with t.*); partial-order reduction assumes every shared access goes through t.*';

/** What the cross-check ran and found. Plain data (it crosses threads inside search results). */
export interface CrossCheck {
  readonly schedules: number;
  readonly seed: number;
  /** The first failing random execution (0-based), or null when every schedule passed. */
  readonly failedAt: number | null;
}

export interface CrossCheckResult {
  readonly check: CrossCheck;
  readonly failure: Failure | null;
  readonly trace: Trace | null;
}

/** Runs `schedules` random executions of `target` with `seed`, up to the first failure, which is recorded and checked. */
export async function crossCheck(target: Target<object>, seed: number, schedules: number = CROSS_CHECK_SCHEDULES, warnings: Map<string, Warning> = new Map()): Promise<CrossCheckResult> {
  const strategy = new RandomStrategy(seed);
  const series = await runSeries(target, strategy, 0, schedules, new NondeterminismGuard(), warnings);
  if (series.failed === null) return { check: { schedules, seed, failedAt: null }, failure: null, trace: null };
  const { index, result } = series.failed;
  const recorded = await recordFailure(target, { name: strategy.name, seed, execution: index }, result.decisions, result.failure!);
  return { check: { schedules, seed, failedAt: index }, ...recorded };
}

/** The summary of a search that said complete, after its cross-check (formatSearchOutcome). */
export function crossCheckText(c: CrossCheck, kind: string | null): string {
  if (c.failedAt === null) return `${c.schedules} random schedules (seed ${c.seed}) agree`;
  return `${kind}: exhaustive search said complete, but random schedule ${c.failedAt + 1} of ${c.schedules} (seed ${c.seed}) fails: ${CROSS_CHECK_CAUSE}`;
}
