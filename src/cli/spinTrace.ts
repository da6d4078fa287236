import { loadScenario } from '../loader.js';
import { formatFailureReport } from '../report/text.js';
import { runawayTrace } from '../heartbeat/runawayTrace.js';
import { makeTarget } from '../run.js';
import type { Failure } from '../runtime/failure.js';
import type { SpinTarget, SpinView } from '../runtime/spinMark.js';
import { show } from './options.js';
import { saveTraceOrFallback, UNSAVED_HEADER } from '../trace/saveOrFallback.js';
import { encodeTrace } from '../trace/codec.js';
import { budgetSampling } from '../strategies/index.js';
import { failureStrategy } from '../samplingReport.js';
import { ciSpinReport, type CiSpinItem } from './commands/ci.js';

/**
 * The trace of a task that spun through promise reactions in an unwatched run's main thread,
 * which can no longer run JS of its own: the main-thread guard (mainThreadGuard.ts) hands its
 * worker this request from inside its promise hook and blocks until the answer comes.
 */
export interface SpinRequest {
  readonly target: SpinTarget;
  /** The spinning execution's index, and its decisions as the heartbeat logs them (a `t.choose` value v as -(v + 1)). */
  readonly execution: number;
  readonly log: readonly number[];
  /** Its last decision: the pick of the task that spun (`task`). */
  readonly step: number;
  readonly task: string;
  /** The verdict, as printed (microtaskRunawayMessage). */
  readonly message: string;
}

/** What the main thread prints before it exits: on stdout (the report), on stderr (a saving problem); null: no trace. */
export interface SpinAnswer {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Seconds recorded as the trace's `runaway`: the guard saw the thread away from its event loop
 * for a second before counting, so a replay watched that long sees the same runaway.
 */
const SPIN_SECONDS = 1;

/** The request of the spinning execution `run` (main thread, inside the guard's hook: plain reads, no promise). */
export function spinRequest(run: SpinView, target: SpinTarget, task: string, message: string): SpinRequest {
  const log = [...run.decisions];
  for (const i of run.chosenAt ?? []) log[i] = -log[i]! - 1;
  return { target, execution: run.index, log, step: run.step - 1, task, message };
}

/**
 * Called in the guard's worker thread: loads the scenario there, rebuilds the runaway's trace as
 * a watched runaway's is (src/heartbeat/runawayTrace.ts: replayed up to the runaway pick, marked
 * `runaway`), saves it in `out` as `run` saves every trace (its name, its atomic write, its
 * fallback folder) and answers the report `run` would print, `replay:` line included; for `ci`
 * (`target.ci`), its item's row, found `livelock`, with the trace's `replay:` line (no --out: no
 * trace, the command that saves one). Null when the schedule cannot be rebuilt (its trace would
 * not replay).
 */
export async function spinTrace(r: SpinRequest): Promise<SpinAnswer | null> {
  const { file, variant, params, strategy, seed, maxSteps, out } = r.target;
  const { scenario } = await loadScenario(file);
  const target = makeTarget(scenario, { file, variant, ...(params !== undefined ? { params } : {}), ...(maxSteps !== undefined ? { maxSteps } : {}) });
  const budget = { ...scenario.budget, ...scenario.variants[variant]?.budget };
  const info = failureStrategy(strategy ?? budgetSampling(budget.strategy), seed ?? budget.seed ?? 1, r.execution);
  const failure: Failure = { kind: 'livelock', message: r.message, step: r.step + 1, task: r.task, tasks: [r.task] };
  const ci = r.target.ci as CiSpinItem | undefined;
  // `ci` without --out saves no trace: its row says how to get one, as for any failure.
  if (out === null) return ci === undefined ? null : { stdout: ciSpinReport(ci, file, variant, failure, null, null), stderr: '' };
  const trace = await runawayTrace(target, info, { step: r.step, log: r.log }, failure, SPIN_SECONDS);
  if (trace === null) return null;
  const saved = saveTraceOrFallback(out, trace);
  const stderr = saved.error === null ? '' : `interleave: ${saved.error}\n`;
  if (ci !== undefined) return { stdout: ciSpinReport(ci, file, variant, failure, saved.file, saved.file === null ? encodeTrace(trace) : null), stderr };
  const report = `\n${formatFailureReport(trace, saved.file === null ? null : show(saved.file))}\n\n`;
  const unsaved = saved.file === null ? `${UNSAVED_HEADER}\n${encodeTrace(trace)}\n` : '';
  return { stdout: report + unsaved, stderr };
}
