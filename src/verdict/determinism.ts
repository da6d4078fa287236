import { OUTSIDE_WAIT } from '../primitives/outsideWorld.js';
import type { TraceEvent } from '../runtime/events.js';
import { describeEvent } from '../runtime/events.js';
import type { ExecutionResult } from '../runtime/execution.js';
import { keepFirstWarnings, type Failure, type Warning } from '../runtime/failure.js';
import { locatesWaits, replayDecisions, sameFailure, traceOf, type StrategyInfo } from '../replay.js';
import { runExecution, type NondeterminismGuard, type Target } from '../run.js';
import type { Strategy } from '../runtime/strategy.js';
import type { Trace } from '../trace/schema.js';

/**
 * The determinism check: the same scenario, settings and decisions must give the same event
 * log and the same ending (ARCHITECTURE.md, Invariants). A scenario that reads `Math.random`,
 * `Date.now`, real timers or state kept outside `t.*` breaks that, and a trace of it would lie
 * on replay. Like Shuttle's replay-and-compare check and madsim's "run each seed twice", this
 * runs one schedule twice with recording on and names the first step where the runs differ.
 *
 * Called by `explore` on every fresh failure before it is reported or saved (always), and on
 * every execution with `checkDeterminism: true` (`interleave run --check-determinism`).
 */

/** Where two runs of one schedule first differ, and what each side did there. */
export interface RunDifference {
  readonly step: number;
  readonly first: string;
  readonly second: string;
}

const HINT = 'does the scenario use Math.random, Date.now, real timers or state outside t.*?';

/** One event as text, every field included (results too: a random value written differs here). */
export function eventText(e: TraceEvent): string {
  const result = e.result === undefined ? '' : ` -> ${e.result}`;
  const note = e.note === undefined ? '' : ` (${e.note})`;
  const time = e.time === undefined ? '' : ` @${e.time}ms`;
  return `${e.task === '' ? '' : `${e.task}: `}${describeEvent(e)}${result}${note}${time}`;
}

/** How a run ended, in words. */
export function outcomeOf(r: Pick<ExecutionResult, 'divergence' | 'failure'>): string {
  return r.divergence?.message ?? r.failure?.message ?? 'a clean end';
}

/**
 * The first difference between two recorded runs of the same schedule: first the event logs
 * (every field), then the decisions, then how they ended. Null when they are the same.
 */
export function firstRunDifference(a: ExecutionResult, b: ExecutionResult): RunDifference | null {
  const ea = a.events ?? [];
  const eb = b.events ?? [];
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    const x = eventText(ea[i]!);
    const y = eventText(eb[i]!);
    if (x !== y || ea[i]!.step !== eb[i]!.step) return { step: Math.min(ea[i]!.step, eb[i]!.step), first: x, second: y };
  }
  if (ea.length !== eb.length) {
    const longer = ea.length > eb.length ? ea : eb;
    const step = longer[n]!.step;
    const ended = `the run ended: ${outcomeOf(ea.length > eb.length ? b : a)}`;
    return ea.length > eb.length ? { step, first: eventText(ea[n]!), second: ended } : { step, first: ended, second: eventText(eb[n]!) };
  }
  const d = Math.min(a.decisions.length, b.decisions.length);
  for (let i = 0; i < d; i++) {
    if (a.decisions[i] !== b.decisions[i]) return { step: Math.min(a.steps, b.steps), first: `decision ${i} = ${a.decisions[i]}`, second: `decision ${i} = ${b.decisions[i]}` };
  }
  const aDiv = a.divergence?.message ?? null;
  const bDiv = b.divergence?.message ?? null;
  if (a.decisions.length !== b.decisions.length || aDiv !== bDiv || !sameFailure(a.failure, b.failure)) {
    return { step: Math.min(a.failure?.step ?? a.steps, b.failure?.step ?? b.steps), first: outcomeOf(a), second: outcomeOf(b) };
  }
  return null;
}

/**
 * The `nondeterminism` failure for a difference: kind first, the step, both sides, the likely
 * cause. `when`: how the second run came later than right after the first (lateReplays.ts).
 */
export function nondeterminismFailure(diff: RunDifference, tasks: readonly string[], when?: string): Failure {
  return {
    kind: 'nondeterminism',
    message: `nondeterminism: two runs of the same schedule differ at step ${diff.step}${when === undefined ? '' : ` (${when})`}: first ${diff.first}; then ${diff.second}; ${HINT}`,
    step: diff.step,
    tasks: [...tasks],
  };
}

export interface DeterminismCheck {
  /** The first recorded run (use it to build the trace). */
  readonly result: ExecutionResult;
  /** Null when both runs (and the expected failure, if given) agree. */
  readonly difference: RunDifference | null;
}

/**
 * Runs `decisions` twice with recording on and compares the two event logs. With `expected`
 * (the failure an unrecorded run reported for these decisions), the first replay must also end
 * with that failure, else the difference is between that run and the replay.
 */
export async function checkDeterminism(target: Target<object>, decisions: readonly number[], expected?: Failure | null): Promise<DeterminismCheck> {
  const first = await replayDecisions(target, decisions, { locateWaits: locatesWaits(expected?.kind) });
  // The exploring run blamed the process's activity on the execution: the recording run knows whose it is.
  if (expected?.kind === 'nondeterminism' && onlyOtherActivity(expected, first.failure)) expected = first.failure!;
  // A guard finding (an await the scheduler does not control) is already nondeterminism; its replay is racy.
  if (expected?.kind === 'nondeterminism') return { result: first, difference: null };
  if (expected !== undefined && (first.divergence !== null || !sameFailure(expected, first.failure))) {
    const step = first.divergence?.step ?? Math.min(expected?.step ?? first.steps, first.failure?.step ?? first.steps);
    return { result: first, difference: { step, first: expected?.message ?? 'a clean end', second: outcomeOf(first) } };
  }
  // Locating as the first did: a stall is judged the same way in both (src/primitives/outsideWorld.ts).
  const second = await replayDecisions(target, decisions, { locateWaits: locatesWaits(expected?.kind) });
  return { result: first, difference: firstRunDifference(first, second) };
}

/**
 * Whether `found`, an exploring run's `nondeterminism` at a stall of real code (the process
 * waits on something it did not have when the execution started), was only the rest of the
 * process's activity: the recording run, which counts only the resources the execution itself
 * started (src/primitives/outsideWorld.ts), ends at the same step stuck or leaking instead.
 */
function onlyOtherActivity(found: Failure, recorded: Failure | null): boolean {
  return found.message.includes(OUTSIDE_WAIT) && recorded !== null && (recorded.kind === 'stuck' || recorded.kind === 'leak') && recorded.step === found.step;
}

/**
 * For `checkDeterminism`: replays a recorded passing execution once and compares. Returns the
 * `nondeterminism` failure and its trace (of the first run) when they differ, else null.
 * `when`: said in the message when the replay does not come right after the recording.
 */
export async function compareWithReplay(target: Target<object>, info: StrategyInfo, recorded: ExecutionResult, when?: string): Promise<{ failure: Failure; trace: Trace } | null> {
  const again = await replayDecisions(target, recorded.decisions);
  const diff = firstRunDifference(recorded, again);
  if (diff === null) return null;
  const failure = nondeterminismFailure(diff, recorded.tasks, when);
  return { failure, trace: { ...traceOf(target, info, recorded), failure: failure as Trace['failure'] } };
}

/** One execution run with the determinism check on (`checkDeterminism`). */
export interface CheckedExecution {
  readonly steps: number;
  /** Its recording, when it passed and its replay agreed (for the late replays, lateReplays.ts). */
  readonly passed: ExecutionResult | null;
  /** It failed (its failure is recorded and checked as every failure is, by `recordFailure`). */
  readonly failed: { readonly index: number; readonly result: ExecutionResult } | null;
  /** It passed, but its replay did not run the same: the `nondeterminism` failure and its trace. */
  readonly nondeterminism: { readonly failure: Failure; readonly trace: Trace } | null;
}

/**
 * Execution `index` recorded, and when it passes replayed once more and compared. Used by
 * `explore` and by the blocks of a split run (src/parallel/block.ts), so both check alike.
 */
export async function checkedExecution(target: Target<object>, strategy: Strategy, index: number, seed: number, guard: NondeterminismGuard, warnings: Map<string, Warning>): Promise<CheckedExecution> {
  const result = await runExecution(target, strategy, index, true, guard);
  keepFirstWarnings(warnings, result.warnings);
  if (result.failure !== null) return { steps: result.steps, passed: null, failed: { index, result }, nondeterminism: null };
  const nondeterminism = await compareWithReplay(target, { name: strategy.name, seed, execution: index }, result);
  return { steps: result.steps, passed: nondeterminism === null ? result : null, failed: null, nondeterminism };
}

/**
 * Replays a failing decision list with recording on, twice, and checks both replays fail the
 * same way as the exploring run and have the same event log (checkDeterminism, above).
 * A failure that does not replay is turned into a `nondeterminism` failure naming the first
 * step where two runs differ and what each did there.
 */
export async function recordFailure(target: Target<object>, info: StrategyInfo, decisions: readonly number[], failure: Failure): Promise<{ failure: Failure; trace: Trace }> {
  const check = await checkDeterminism(target, decisions, failure);
  const trace = traceOf(target, info, check.result);
  // The guard's own finding (a task awaited something the scheduler does not control) replays racily by nature: keep it,
  // unless the recording run found it at the same step, where it also names the line that started the outside wait.
  if (failure.kind === 'nondeterminism' && !onlyOtherActivity(failure, check.result.failure)) {
    const recorded = check.result.failure;
    const kept = recorded !== null && recorded.kind === 'nondeterminism' && recorded.step === failure.step ? recorded : failure;
    return { failure: kept, trace: { ...trace, failure: { ...kept, tasks: [...kept.tasks] } as Trace['failure'] } };
  }
  if (check.difference === null) return { failure: check.result.failure!, trace };
  const nd = nondeterminismFailure(check.difference, failure.tasks);
  return { failure: nd, trace: { ...trace, failure: nd as Trace['failure'] } };
}
