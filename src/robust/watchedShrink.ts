import { performance } from 'node:perf_hooks';
import { UsageError } from '../runtime/errors.js';
import type { ScenarioDefinition } from '../scenario.js';
import { DEFAULT_SHRINK_TIME_MS, shrinkTrace, type Runaway, type ShrinkResult } from '../shrink/shrinkTrace.js';
import type { Trace } from '../trace/schema.js';
import { WatchdogThread, type PortableShrinkOptions } from './watchdog.js';

/**
 * Shrinking under the watchdog. The shrinker runs schedules near the failure, and one of them
 * may make a task spin without a scheduling point (what the watchdog guards against), which
 * would hang this thread for good. So the shrink runs in the watched thread; when an attempt
 * spins, that thread is ended and the shrink starts again in a new one, told the attempt and
 * the step at which its runaway task was chosen. The shrinker is deterministic: it repeats the
 * attempts before that one, cuts that one short before the task runs, takes it as not the bug,
 * and goes on. The same scenario and trace give the same shrunk trace, however many times the
 * shrink had to start again (unless the time limit stops it, as unwatched).
 *
 * The time limit counts the work of every start, not the seconds spent waiting for a verdict.
 * After `MAX_RUNAWAYS` spins the shrink runs once more, to stop just before the last one.
 */
export interface WatchedShrinkResult extends ShrinkResult {
  /** The attempts that spun, in the order met, with the runaway task's name. */
  readonly runaways: readonly SpunAttempt[];
  /** Set when the input is returned as found: why (Ctrl-C, or a cut attempt that spun again). */
  readonly unshrunk: string | null;
}

export interface SpunAttempt extends Runaway {
  readonly task: string;
}

/** Spins tolerated before the shrink stops just short of the next one. */
export const MAX_RUNAWAYS = 5;

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
  const { shouldStop, maxRunaways = MAX_RUNAWAYS, ...shrinkOptions } = options;
  if (seconds === undefined) return { ...(await shrinkTrace(loaded.scenario, trace, shrinkOptions)), runaways: [], unshrunk: null };
  const own = thread ?? new WatchdogThread();
  const started = performance.now();
  const limit = options.timeLimitMs ?? DEFAULT_SHRINK_TIME_MS;
  const spun: SpunAttempt[] = [];
  let waited = 0;
  let maxAttempts = options.maxAttempts;
  const asFound = (why: string): WatchedShrinkResult => ({ trace, attempts: 0, others: [], elapsedMs: performance.now() - started, stoppedBy: 'time', runaways: spun, unshrunk: why });
  try {
    for (;;) {
      const left = Math.max(0, limit - (performance.now() - started - waited));
      const runaways = spun.map(({ attempt, step }) => ({ attempt, step }));
      const r = await own.shrink(loaded.file, trace, { ...shrinkOptions, runaways, timeLimitMs: left, ...(maxAttempts !== undefined ? { maxAttempts } : {}) }, { seconds, ...(shouldStop !== undefined ? { shouldStop } : {}) });
      if ('interrupted' in r) return asFound('interrupted');
      if (!('spun' in r)) return { ...r, elapsedMs: performance.now() - started, runaways: spun, unshrunk: null };
      waited += seconds * 1000;
      const attempt = r.spun.execution;
      const where = `task "${r.task}" ran for more than ${seconds} s without reaching a scheduling point`;
      // The first attempt replays the input: it spinning means the trace no longer reproduces.
      if (attempt <= 1) throw new UsageError(`the trace does not reproduce, so it cannot be shrunk: recorded ${trace.failure?.message ?? 'a pass'}; the scenario now spins (${where})`);
      if (spun.some((s) => s.attempt === attempt)) return asFound(`attempt ${attempt} spun again after it was cut short before its runaway task ran (${where}): does the scenario depend on something outside it?`);
      spun.push({ attempt, step: Math.max(0, r.spun.step), task: r.task });
      // Enough restarts: once more, stopping just before the attempt that spun last.
      if (spun.length >= maxRunaways) maxAttempts = Math.min(maxAttempts ?? Infinity, attempt - 1);
    }
  } finally {
    if (thread === undefined) await own.close();
  }
}

/** One line per attempt that spun while shrinking, for stderr. */
export function runawayLines(label: string, seconds: number, r: WatchedShrinkResult): string {
  let out = '';
  for (const s of r.runaways) {
    out += `interleave: shrinking ${label}: attempt ${s.attempt} spun (task "${s.task}" ran for more than ${seconds} s without a scheduling point after step ${s.step}); it was cut short there and taken as not the bug\n`;
  }
  if (r.unshrunk !== null) out += `interleave: shrinking ${label} stopped (${r.unshrunk}); the failure is kept as found\n`;
  return out;
}
