import type { TraceEvent } from './runtime/events.js';
import type { ExecutionResult } from './runtime/execution.js';
import type { Failure, FailureKind } from './runtime/failure.js';
import { makeTarget, runExecution, type Target } from './run.js';
import type { ScenarioDefinition } from './scenario.js';
import { AnnouncementLog } from './strategies/announcementLog.js';
import { ReplayStrategy } from './strategies/replay.js';
import { FirstEnabledStrategy } from './strategies/roundRobin.js';
import { firstDifference } from './trace/firstDifference.js';
import { mapLocation, portablePath } from './trace/paths.js';
import type { Trace } from './trace/schema.js';

export interface StrategyInfo {
  readonly name: string;
  readonly seed?: number;
  readonly execution?: number;
  /** portfolio: the member that ran this execution (`pct (depth 2)`). */
  readonly member?: string;
}

/** Builds the trace value of a recorded execution (record must have been on). */
export function traceOf(target: Target<object>, strategy: StrategyInfo, result: ExecutionResult): Trace {
  const failure = result.failure === null ? null : portableFailure(result.failure);
  return {
    format: 'interleave-trace',
    version: 1,
    scenario: { name: target.scenario.name, ...(target.file !== undefined ? { file: portablePath(target.file) } : {}) },
    variant: target.variant,
    params: target.params as Record<string, unknown>,
    strategy: { name: strategy.name, ...(strategy.seed !== undefined ? { seed: strategy.seed } : {}), ...(strategy.execution !== undefined ? { execution: strategy.execution } : {}), ...(strategy.member !== undefined ? { member: strategy.member } : {}) },
    options: { ...target.settings },
    decisions: [...result.decisions],
    failure,
    counts: { steps: result.steps, preemptions: result.preemptions, tasks: result.tasks.length },
    tasks: [...result.tasks],
    events: ((result.events ?? []) as TraceEvent[]).map((e) => (e.site === undefined ? e : { ...e, site: mapLocation(e.site, (p) => portablePath(p)) })),
    ...(result.warnings.length > 0 ? { warnings: result.warnings.map((w) => ({ ...w, tasks: [...w.tasks], locks: [...w.locks] })) } : {}),
  };
}

/** Drops machine-specific facts (absolute paths, stacks) so a trace is the same on every machine. */
/** A failure as a trace records it: its error without stack or frames, its location relative to the project root. */
export function portableFailure(f: Failure): Trace['failure'] {
  const { error, ...rest } = f;
  return {
    ...rest,
    tasks: [...f.tasks],
    ...(error !== undefined ? { error: { name: error.name, message: error.message, ...(error.location !== undefined ? { location: mapLocation(error.location, (p) => portablePath(p)) } : {}) } } : {}),
    ...(f.cycle !== undefined ? { cycle: f.cycle.map((e) => ({ ...e })) } : {}),
    ...(f.blocked !== undefined ? { blocked: f.blocked.map((b) => ({ ...b })) } : {}),
    ...(f.locks !== undefined ? { locks: [...f.locks] } : {}),
    ...(f.awaits !== undefined ? { awaits: f.awaits.map((at) => mapLocation(at, (p) => portablePath(p))) } : {}),
  } as Trace['failure'];
}

/**
 * Whether the run that records a failure of this kind (and its replay) locates waits
 * (ExecutionOptions.locateWaits): the line an outside wait was started at (nondeterminism), the
 * line each unfinished chain awaits at (stuck, leak). Exploring runs never do: it costs every promise.
 */
export function locatesWaits(kind: FailureKind | undefined): boolean {
  return kind === 'nondeterminism' || kind === 'stuck' || kind === 'leak';
}

/** Same failure: kind, message and step. This is the bar for "reproduced". */
export function sameFailure(a: Pick<Failure, 'kind' | 'message' | 'step'> | null, b: Pick<Failure, 'kind' | 'message' | 'step'> | null): boolean {
  if (a === null || b === null) return a === b;
  return a.kind === b.kind && a.message === b.message && a.step === b.step;
}

/** Re-runs a decision list with recording on. Strict: an impossible decision is a divergence. */
export function replayDecisions(target: Target<object>, decisions: readonly number[], options: { lenient?: boolean; taskNames?: readonly string[]; locateWaits?: boolean } = {}): Promise<ExecutionResult> {
  const strategy = new ReplayStrategy(decisions, options);
  return runExecution(target, strategy, 0, options.locateWaits === true ? 'locate' : true);
}

export type ReplayOutcome =
  /** Same failure (kind, message, step) as recorded, or a recorded pass that still passes. */
  | 'reproduced'
  /** The trace recorded a failure; the scenario now runs that schedule (and on, first-enabled) to a clean end. */
  | 'passes-now'
  /** The recorded schedule ran (and on, first-enabled) to a failure other than the recorded one: another kind, or the same kind elsewhere. */
  | 'different-failure'
  /** Within the recorded decisions, the scenario does something else: a task announces another operation, or a recorded task is not enabled. */
  | 'diverged';

export interface ReplayReport {
  readonly outcome: ReplayOutcome;
  readonly message: string;
  readonly result: ExecutionResult;
  /** The trace of this replay (same shape as the recorded one). */
  readonly trace: Trace;
  /** For `diverged`: the step and both sides. */
  readonly divergence?: { readonly step: number; readonly expected: string; readonly actual: string };
  /**
   * The step at which the recorded decisions ran out and the run went on first-enabled (the task
   * that just ran continues if it can, else the lowest-id enabled task; every choice takes 0).
   * Absent when the run ended within the recorded decisions.
   */
  readonly continuedFrom?: number;
}

/**
 * Replays a saved trace against a scenario definition and says what happened (Coyote's
 * "replay the prefix, then keep choosing"):
 *
 * 1. The recorded decisions are replayed; where the scenario departs from them (a task announces
 *    another operation than recorded, a recorded task is not enabled) the outcome is `diverged`,
 *    naming the first such step and both sides (src/trace/firstDifference.ts).
 * 2. Past the recorded decisions, a changed scenario (typically a fix) runs on to its own end
 *    under the first-enabled rule, so the outcome is that end: `reproduced` (the recorded
 *    failure, same kind, message and step), `passes-now`, or `different-failure`.
 *
 * A trace saved mid-run by `explore` (`unfinished`) is only checked up to where it was saved.
 */
export async function replayTrace(scenario: ScenarioDefinition<object>, trace: Trace, file?: string, monitor?: Target<object>['monitor']): Promise<ReplayReport> {
  const target = makeTarget(scenario, {
    variant: trace.variant,
    params: trace.params,
    ...(file !== undefined ? { file } : {}),
    ...(monitor !== undefined ? { monitor } : {}),
    maxSteps: trace.options.maxSteps,
    allowLeaks: trace.options.allowLeaks,
    failOnLockOrder: trace.options.failOnLockOrder,
  });
  const prefixOnly = trace.unfinished === true && trace.failure === null;
  const replay = new ReplayStrategy(trace.decisions, { taskNames: trace.tasks, ...(prefixOnly ? {} : { then: new FirstEnabledStrategy() }) });
  const log = new AnnouncementLog(replay);
  const result = await runExecution(target, log, 0, locatesWaits(trace.failure?.kind) ? 'locate' : true);
  const replayed = traceOf(target, trace.strategy, result);
  const continuedFrom = replay.continuedAt;
  const build = (outcome: ReplayOutcome, message: string, divergence?: ReplayReport['divergence']): ReplayReport => ({
    outcome,
    message,
    result,
    trace: replayed,
    ...(divergence !== undefined ? { divergence } : {}),
    ...(continuedFrom !== null ? { continuedFrom } : {}),
  });

  const d = result.divergence;
  const diff = firstDifference(trace.events, result.events ?? [], log.announced);
  if (diff !== null && (d === null || diff.step <= d.step)) {
    return build('diverged', diff.message, { step: diff.step, expected: diff.expected, actual: diff.actual });
  }
  if (prefixOnly && d?.expected === '(end of trace)') {
    return build('reproduced', `replayed the recorded prefix: ${trace.decisions.length} decisions, the same operations (the trace was saved before the run ended)`);
  }
  if (d !== null) {
    return build('diverged', d.message, { step: d.step, expected: d.expected, actual: `[${d.actual.join(', ')}]` });
  }
  if (result.failure === null && result.decisions.length < trace.decisions.length) {
    return build('diverged', `diverged at step ${result.steps}: the scenario ended; the trace records ${trace.decisions.length} decisions, the scenario made ${result.decisions.length}`, {
      step: result.steps,
      expected: `${trace.decisions.length} decisions`,
      actual: `${result.decisions.length} decisions`,
    });
  }
  const recorded = trace.failure;
  const onward = continuedFrom === null ? '' : `; past the trace's ${trace.decisions.length} decisions the run went on first-enabled from step ${continuedFrom}`;
  if (sameFailure(recorded, result.failure)) {
    return build('reproduced', recorded === null ? `passes, as recorded${onward}` : `reproduced: ${recorded.message}`);
  }
  const now = result.failure;
  if (now === null) return build('passes-now', `passes now: the recorded ${recorded!.kind} no longer happens${continuedFrom === null ? ' on this schedule' : `${onward} to a clean end at step ${result.steps}`}`);
  if (recorded === null) return build('different-failure', `fails now: ${now.message}; the trace recorded a pass${onward}`);
  if (recorded.kind === now.kind) return build('different-failure', `still failing, elsewhere: ${now.message}; the trace recorded ${recorded.message}${onward}`);
  return build('different-failure', `different failure: ${now.message}; the trace recorded ${recorded.message}${onward}`);
}

export { makeTarget };
