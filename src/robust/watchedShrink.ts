import { performance } from 'node:perf_hooks';
import { UsageError } from '../runtime/errors.js';
import type { ScenarioDefinition } from '../scenario.js';
import { DEFAULT_SHRINK_TIME_MS, shrinkTrace, type ShrinkResult } from '../shrink/shrinkTrace.js';
import type { Runaway } from '../shrink/spunAttempt.js';
import type { Trace } from '../trace/schema.js';
import { WatchdogThread, type PortableShrinkOptions } from './watchdog.js';

/**
 * Shrinking under the watchdog. The shrinker runs schedules near the failure, and one of them
 * may make a task spin without a scheduling point (what the watchdog guards against), which
 * would hang this thread for good. So the shrink runs in the watched thread; when an attempt
 * spins, that thread is ended and the shrink starts again in a new one, told the attempt, the
 * step at which its runaway task was chosen, the task and the decisions the heartbeat logged.
 * The shrinker is deterministic: it repeats the attempts before that one, rebuilds that one from
 * its log without running the spin (src/shrink/spunAttempt.ts; past the log's capacity, it cuts
 * it short before the task runs), and goes on: a `runaway <task>` failure, the bug only when the
 * input is that task's runaway. The same scenario and trace give the same shrunk trace, however
 * many times the shrink had to start again (unless the time limit stops it, as unwatched).
 *
 * Each start has the whole time limit, counted by its shrinker in its thread's own time
 * (src/runtime/ownTime.ts) from its beginning, once the module is loaded: a start repeats every
 * attempt before the one that spun, so it does all the work so far itself, and the limit stops
 * the shrink exactly where it would stop an unwatched shrinker told the same spins. Starting
 * threads, loading modules and waiting for verdicts are not counted, nor is the machine's load:
 * they made a runaway's shrink, restarted at each spin, return its input on a loaded machine.
 * After `MAX_RUNAWAYS` spins the shrink runs once more, to stop just before the last one.
 */
export interface WatchedShrinkResult extends ShrinkResult {
  /** The attempts that spun, in the order met, with the runaway task's name. */
  readonly runaways: readonly SpunAttempt[];
  /** Set when the input is returned as found: why (Ctrl-C, or a rebuilt attempt that spun again). */
  readonly unshrunk: string | null;
}

export interface SpunAttempt extends Runaway {
  readonly task: string;
}

/** Spins tolerated before the shrink stops just short of the next one. */
export const MAX_RUNAWAYS = 5;
/** The same, when the input is itself a runaway (its every success spins). */
export const MAX_RUNAWAY_BUG_SPINS = 40;

export interface WatchedShrinkOptions extends PortableShrinkOptions {
  /** Ctrl-C: the shrink ends with the input trace as found. */
  readonly shouldStop?: () => boolean;
  /** Spins tolerated before the shrink stops just short of the next one (default MAX_RUNAWAYS). */
  readonly maxRunaways?: number;
}

/**
 * `shrinkTrace` with `seconds` unset; watched, as above, with it set, in `thread` when the
 * caller keeps one (else in a thread started for it and ended after).
 */
export async function shrinkWatched(
  seconds: number | undefined,
  loaded: { readonly file: string; readonly scenario: ScenarioDefinition<object> },
  trace: Trace,
  options: WatchedShrinkOptions = {},
  thread?: WatchdogThread,
): Promise<WatchedShrinkResult> {
  // A runaway's own shrink meets its spin at every attempt that shows the bug: each costs a
  // restart, so more are allowed, and a spin is judged after at most a second (the input's own
  // already showed what this scenario's spin looks like).
  const runawayInput = trace.runaway !== undefined;
  const { shouldStop, maxRunaways = runawayInput ? MAX_RUNAWAY_BUG_SPINS : MAX_RUNAWAYS, ...shrinkOptions } = options;
  if (seconds === undefined) return { ...(await shrinkTrace(loaded.scenario, trace, shrinkOptions)), runaways: [], unshrunk: null };
  const judge = runawayInput ? Math.min(seconds, 1) : seconds;
  const own = thread ?? new WatchdogThread();
  const started = performance.now();
  const limit = options.timeLimitMs ?? DEFAULT_SHRINK_TIME_MS;
  const spun: SpunAttempt[] = [];
  let maxAttempts = options.maxAttempts;
  const asFound = (why: string): WatchedShrinkResult => ({ trace, attempts: 0, others: [], elapsedMs: performance.now() - started, stoppedBy: 'time', runaways: spun, unshrunk: why });
  try {
    for (;;) {
      const r = await own.shrink(loaded.file, trace, { ...shrinkOptions, runaways: spun, timeLimitMs: limit, ...(maxAttempts !== undefined ? { maxAttempts } : {}) }, { seconds: judge, ...(shouldStop !== undefined ? { shouldStop } : {}) });
      if ('interrupted' in r) return asFound('interrupted');
      if (!('spun' in r)) return { ...r, elapsedMs: performance.now() - started, runaways: spun, unshrunk: null };
      const attempt = r.spun.execution;
      const where = `task "${r.task}" ran for more than ${judge} s without reaching a scheduling point`;
      // The first attempt replays the input: it spinning means the trace no longer reproduces
      // (unless the trace is that runaway's).
      if (attempt <= 1 && !(runawayInput && r.task === trace.failure?.task)) throw new UsageError(`the trace does not reproduce, so it cannot be shrunk: recorded ${trace.failure?.message ?? 'a pass'}; the scenario now spins (${where})`);
      if (spun.some((s) => s.attempt === attempt)) return asFound(`attempt ${attempt} spun again after it was rebuilt or cut short before its runaway task ran (${where}): does the scenario depend on something outside it?`);
      spun.push({ attempt, step: Math.max(0, r.spun.step), task: r.task, ...(r.spun.log !== null ? { log: r.spun.log } : {}) });
      // Enough restarts: once more, stopping just before the attempt that spun last.
      if (spun.length >= maxRunaways) maxAttempts = Math.min(maxAttempts ?? Infinity, attempt - 1);
    }
  } finally {
    if (thread === undefined) await own.close();
  }
}

/**
 * What stderr says about a shrink (run, shrink and merge print it): watched (`seconds` set), one
 * line per attempt that spun; one line when it stopped before its end and kept the failure as
 * found (Ctrl-C, an attempt that spun again, or the time limit).
 */
export function shrinkLines(label: string, seconds: number | undefined, r: WatchedShrinkResult): string {
  let out = '';
  // A runaway's own shrink spins at every success: those are not news.
  for (const s of seconds === undefined ? [] : r.runaways.filter((x) => r.trace.runaway === undefined || x.task !== r.trace.failure?.task)) {
    out += `interleave: shrinking ${label}: attempt ${s.attempt} spun (task "${s.task}" ran for more than ${seconds} s without a scheduling point after step ${s.step}); taken as not the bug\n`;
  }
  if (r.unshrunk !== null) out += `interleave: shrinking ${label} stopped (${r.unshrunk}); the failure is kept as found\n`;
  else if (r.stoppedBy === 'time') out += `interleave: shrinking ${label}: stopped by its time limit after ${r.attempts} attempts, before its attempt budget; the failure is kept as found (how far a shrink gets in time depends on the machine, and the same command must write the same trace)\n`;
  return out;
}
