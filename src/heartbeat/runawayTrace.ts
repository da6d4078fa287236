import { replayDecisions, traceOf, type StrategyInfo } from '../replay.js';
import { eventOf, type ExecutionResult } from '../runtime/execution.js';
import type { Failure } from '../runtime/failure.js';
import { runExecution, type Target } from '../run.js';
import { ReplayStrategy } from '../strategies/replay.js';
import { StopAtPick } from '../strategies/stopAtPick.js';
import type { Trace } from '../trace/schema.js';
import { decodeLog, type Pulse } from './heartbeat.js';

/**
 * The trace of a runaway: the schedule up to and including the pick of the task that then ran
 * without reaching a scheduling point, so that the bug replays like any other (under the
 * watchdog: `trace.runaway`). Its thread was ended, but the heartbeat logged the execution's
 * decisions as they were made (heartbeat.ts). The events come from running those decisions
 * again in this thread, stopped just before the runaway pick runs (it cannot spin: the original
 * run got that far): the steps before it, then the operation the pick ran, whose result is
 * never seen. The pick, and any `t.choose` values the task drew before it spun, close the
 * decision list; the tasks blocked at that point are the failure's `blocked`.
 *
 * Null when the log overflowed or does not match the pulse (then the runaway is reported
 * without a trace).
 */
export async function runawayTrace(target: Target<object>, strategy: StrategyInfo, pulse: Pick<Pulse, 'step' | 'log'>, failure: Failure, seconds: number): Promise<Trace | null> {
  const spun = await runawayRun(target, pulse);
  if (spun === null) return null;
  const blocked = spun.cut.failure?.blocked;
  const withBlocked: Failure = { ...failure, ...(blocked !== undefined && blocked.length > 0 ? { blocked } : {}) };
  const result: ExecutionResult = { ...spun.cut, decisions: spun.decisions, failure: withBlocked, steps: pulse.step + 1, events: [...(spun.cut.events ?? []), spun.event], warnings: [] };
  return { ...traceOf(target, strategy, result), runaway: { seconds } };
}

/**
 * The recorded part of a runaway's run: the run cut just before its runaway pick (`cut`), the
 * event of the operation the pick ran, and the whole decision list.
 */
async function runawayRun(target: Target<object>, pulse: Pick<Pulse, 'step' | 'log'>): Promise<{ cut: ExecutionResult; event: ReturnType<typeof eventOf>; decisions: number[] } | null> {
  const log = pulse.log;
  if (log === null || pulse.step < 0) return null;
  const { decisions, pick } = decodeLog(log);
  if (pick < 0 || log.slice(0, pick).filter((e) => e >= 0).length !== pulse.step) return null;
  const cut = await replayDecisions({ ...target, settings: { ...target.settings, maxSteps: pulse.step } }, decisions.slice(0, pick));
  const stop = new StopAtPick(new ReplayStrategy(decisions.slice(0, pick + 1)), pulse.step);
  await runExecution(target, stop, 0, false);
  if (cut.divergence !== null || stop.picked === null) return null;
  return { cut, event: eventOf(stop.picked.task, stop.picked.op, pulse.step), decisions };
}

/**
 * The `livelock` failure of `task`, picked at `step` (-1: before any decision), that then ran
 * `seconds` without reaching a scheduling point, in `execution` (unnamed: a shrunk schedule).
 */
export function runawayFailureOf(task: string, seconds: number, step: number, execution?: string): Failure {
  const pulse = { step };
  const of = execution === undefined ? '' : ` of ${execution}`;
  const where = pulse.step < 0 ? `at the start${of}` : `after step ${pulse.step}${of}`;
  return {
    kind: 'livelock',
    message: `livelock: task "${task}" ran for more than ${seconds} s without reaching a scheduling point (a runaway loop that never awaits an interleave operation?) ${where}`,
    // Steps taken, the runaway one included (a failure's step counts the steps before it ends).
    step: pulse.step + 1,
    task,
    tasks: [task],
  };
}
