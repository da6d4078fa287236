import { describeEvent, type TraceEvent } from './runtime/events.js';
import type { ExecutionResult } from './runtime/execution.js';
import type { Failure } from './runtime/failure.js';
import { makeTarget, runExecution, type Target } from './run.js';
import type { ScenarioDefinition } from './scenario.js';
import { ReplayStrategy } from './strategies/replay.js';
import { mapLocation, portablePath } from './trace/paths.js';
import type { Trace } from './trace/schema.js';

export interface StrategyInfo {
  readonly name: string;
  readonly seed?: number;
  readonly execution?: number;
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
    strategy: { name: strategy.name, ...(strategy.seed !== undefined ? { seed: strategy.seed } : {}), ...(strategy.execution !== undefined ? { execution: strategy.execution } : {}) },
    options: { ...target.settings },
    decisions: [...result.decisions],
    failure,
    counts: { steps: result.steps, preemptions: result.preemptions, tasks: result.tasks.length },
    tasks: [...result.tasks],
    events: (result.events ?? []) as TraceEvent[],
    ...(result.warnings.length > 0 ? { warnings: result.warnings.map((w) => ({ ...w, tasks: [...w.tasks], locks: [...w.locks] })) } : {}),
  };
}

/** Drops machine-specific facts (absolute paths, stacks) so a trace is the same on every machine. */
function portableFailure(f: Failure): Trace['failure'] {
  const { error, ...rest } = f;
  return {
    ...rest,
    tasks: [...f.tasks],
    ...(error !== undefined ? { error: { name: error.name, message: error.message, ...(error.location !== undefined ? { location: mapLocation(error.location, (p) => portablePath(p)) } : {}) } } : {}),
    ...(f.cycle !== undefined ? { cycle: f.cycle.map((e) => ({ ...e })) } : {}),
    ...(f.blocked !== undefined ? { blocked: f.blocked.map((b) => ({ ...b })) } : {}),
    ...(f.locks !== undefined ? { locks: [...f.locks] } : {}),
  } as Trace['failure'];
}

/** Same failure: kind, message and step. This is the bar for "reproduced". */
export function sameFailure(a: Pick<Failure, 'kind' | 'message' | 'step'> | null, b: Pick<Failure, 'kind' | 'message' | 'step'> | null): boolean {
  if (a === null || b === null) return a === b;
  return a.kind === b.kind && a.message === b.message && a.step === b.step;
}

/** Re-runs a decision list with recording on. Strict: an impossible decision is a divergence. */
export function replayDecisions(target: Target<object>, decisions: readonly number[], options: { lenient?: boolean; taskNames?: readonly string[] } = {}): Promise<ExecutionResult> {
  const strategy = new ReplayStrategy(decisions, options);
  return runExecution(target, strategy, 0, true);
}

export type ReplayOutcome =
  /** Same failure (kind, message, step) as recorded, or a recorded pass that still passes. */
  | 'reproduced'
  /** The trace recorded a failure; the scenario now runs that schedule to a clean end. */
  | 'passes-now'
  /** The schedule ran to the end but failed differently. */
  | 'different-failure'
  /** The scenario no longer allows the recorded schedule, or does different operations. */
  | 'diverged';

export interface ReplayReport {
  readonly outcome: ReplayOutcome;
  readonly message: string;
  readonly result: ExecutionResult;
  /** The trace of this replay (same shape as the recorded one). */
  readonly trace: Trace;
  /** For `diverged`: the step and both sides. */
  readonly divergence?: { readonly step: number; readonly expected: string; readonly actual: string };
}

/**
 * Replays a saved trace against a scenario definition and says what happened, comparing both
 * the decisions and the operations each step performed, so a changed scenario is reported at
 * the first step where it does something else.
 */
export async function replayTrace(scenario: ScenarioDefinition<object>, trace: Trace, file?: string): Promise<ReplayReport> {
  const target = makeTarget(scenario, {
    variant: trace.variant,
    params: trace.params,
    ...(file !== undefined ? { file } : {}),
    maxSteps: trace.options.maxSteps,
    allowLeaks: trace.options.allowLeaks,
    failOnLockOrder: trace.options.failOnLockOrder,
  });
  const result = await replayDecisions(target, trace.decisions, { taskNames: trace.tasks });
  const replayed = traceOf(target, trace.strategy, result);
  const build = (outcome: ReplayOutcome, message: string, divergence?: ReplayReport['divergence']): ReplayReport => ({
    outcome,
    message,
    result,
    trace: replayed,
    ...(divergence !== undefined ? { divergence } : {}),
  });

  const opDiff = firstEventDifference(trace.events, result.events ?? []);
  if (opDiff !== null) {
    return build('diverged', `diverged at step ${opDiff.step}: expected ${opDiff.expected}; the scenario did ${opDiff.actual}`, opDiff);
  }
  if (trace.unfinished === true && trace.failure === null && result.divergence?.expected === '(end of trace)') {
    return build('reproduced', `replayed the recorded prefix: ${trace.decisions.length} decisions, the same operations (the trace was saved before the run ended)`);
  }
  if (result.divergence !== null) {
    const d = result.divergence;
    return build('diverged', d.message, { step: d.step, expected: d.expected, actual: `[${d.actual.join(', ')}]` });
  }
  if (result.decisions.length !== trace.decisions.length) {
    return build('diverged', `diverged at step ${result.steps}: the trace has ${trace.decisions.length} decisions, the scenario ended after ${result.decisions.length}`, {
      step: result.steps,
      expected: `${trace.decisions.length} decisions`,
      actual: `${result.decisions.length} decisions`,
    });
  }
  if (sameFailure(trace.failure, result.failure)) {
    return build('reproduced', trace.failure === null ? 'passes, as recorded' : `reproduced: ${trace.failure.message}`);
  }
  if (result.failure === null) return build('passes-now', `passes now: the recorded ${trace.failure!.kind} no longer happens on this schedule`);
  return build('different-failure', `different failure: recorded ${trace.failure?.message ?? 'a pass'}; now ${result.failure.message}`);
}

const identity = (e: TraceEvent): string => `${e.task}: ${describeEvent(e)}`;

/** First step whose operation differs (task, verb, object, key), ignoring results. */
function firstEventDifference(expected: readonly TraceEvent[], actual: readonly TraceEvent[]): { step: number; expected: string; actual: string } | null {
  const a = expected.filter((e) => e.note !== 'blocked' && e.note !== 'time');
  const b = actual.filter((e) => e.note !== 'blocked' && e.note !== 'time');
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (identity(a[i]!) !== identity(b[i]!)) return { step: a[i]!.step, expected: identity(a[i]!), actual: identity(b[i]!) };
  }
  return null;
}

export { makeTarget };
