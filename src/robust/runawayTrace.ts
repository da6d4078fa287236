import { replayDecisions, traceOf, type StrategyInfo } from '../replay.js';
import type { Failure } from '../runtime/failure.js';
import type { Target } from '../run.js';
import type { Trace } from '../trace/schema.js';
import type { Pulse } from './heartbeat.js';

/**
 * The trace of a runaway: the schedule up to and including the pick of the task that then ran
 * without reaching a scheduling point, so that the bug replays like any other (under the
 * watchdog: `trace.runaway`). Its thread was ended, but the heartbeat logged the execution's
 * decisions as they were made (heartbeat.ts). The events come from running those decisions
 * again in this thread, cut just before the runaway pick (it cannot spin: the original run got
 * that far); the pick, and any `t.choose` values the task drew before it spun, close the
 * decision list.
 *
 * Null when the log overflowed or does not match the pulse (then the runaway is reported
 * without a trace, as before).
 */
export async function runawayTrace(target: Target<object>, strategy: StrategyInfo, pulse: Pulse, failure: Failure, seconds: number): Promise<Trace | null> {
  const log = pulse.log;
  if (log === null || pulse.step < 0) return null;
  const decisions = log.map((e) => (e < 0 ? -e - 1 : e));
  // The pick is the last task decision; the values after it were drawn by the runaway task.
  let pick = log.length - 1;
  while (pick >= 0 && log[pick]! < 0) pick--;
  if (pick < 0) return null;
  const tasksBefore = log.slice(0, pick).filter((e) => e >= 0).length;
  if (tasksBefore !== pulse.step) return null;
  const cut = { ...target, settings: { ...target.settings, maxSteps: pulse.step } };
  const result = await replayDecisions(cut, decisions.slice(0, pick));
  if (result.divergence !== null) return null;
  const trace = traceOf(target, strategy, { ...result, decisions, failure, steps: pulse.step + 1, warnings: [] });
  return { ...trace, runaway: { seconds } };
}

/** A failure is a runaway's when its trace says so: it replays only under the watchdog. */
export function isRunaway(trace: Trace): boolean {
  return trace.runaway !== undefined;
}
