import { describeEvent, type TraceEvent } from '../runtime/events.js';
import type { Announcement } from '../strategies/announcementLog.js';

/** Where a replay first departs from the recorded run, with both sides as `task: operation`. */
export interface Difference {
  readonly step: number;
  /** One line, kind first: `diverged at step 6: closer announced set sessions["y"] where the trace recorded finish`. */
  readonly message: string;
  readonly expected: string;
  readonly actual: string;
}

/** One thing a task did or announced: an operation, a spawn, a choice, its end. */
interface Act {
  readonly step: number;
  readonly what: string;
  /** An operation dated by its announcement (else by when it ran, or a spawn, choice or end). */
  readonly announced: boolean;
  readonly ran: boolean;
}

/**
 * The first place where the replayed run does something other than the recorded one. Two
 * comparisons, the earlier step wins (the per-task one on a tie, as it names the cause):
 *
 * - per task: each task's own sequence (operations, spawns, choices, its end) against the
 *   recorded one, so a task that now announces another operation, or ends early, or goes on
 *   where it ended, is named at the step where it does so, even when the run stopped before that
 *   operation ran (`announced`, from an AnnouncementLog, has those);
 * - in order: the operations of both runs step by step (task, verb, object, key; results are
 *   ignored), which catches a schedule that picks another task.
 *
 * Only what was recorded is compared: what the replay does past the end of the recorded events
 * is not a difference. Null when the replay did what the trace recorded.
 */
export function firstDifference(recorded: readonly TraceEvent[], now: readonly TraceEvent[], announced: readonly Announcement[] = []): Difference | null {
  const perTask = firstTaskDifference(recorded, now, announced);
  const inOrder = firstOrderDifference(recorded, now);
  if (perTask === null) return inOrder;
  if (inOrder === null) return perTask;
  return inOrder.step < perTask.step ? inOrder : perTask;
}

function firstTaskDifference(recorded: readonly TraceEvent[], now: readonly TraceEvent[], announced: readonly Announcement[]): Difference | null {
  const before = actsByTask(recorded, []);
  const after = actsByTask(now, announced);
  let best: Difference | null = null;
  for (const [task, was] of before) {
    const is = after.get(task);
    if (is === undefined) continue;
    const n = Math.min(was.length, is.length);
    for (let i = 0; i < n; i++) {
      const a = was[i]!;
      const b = is[i]!;
      if (a.what === b.what) continue;
      if (best === null || b.step < best.step) best = { step: b.step, message: `diverged at step ${b.step}: ${task} ${doing(b)} where the trace recorded ${a.what}`, expected: `${task}: ${a.what}`, actual: `${task}: ${b.what}` };
      break;
    }
  }
  return best;
}

function doing(b: Act): string {
  if (b.what === 'finish') return 'finished';
  if (b.what.startsWith('spawn ') || b.what.startsWith('choose ')) return `did ${b.what}`;
  return b.announced ? `announced ${b.what}` : `did ${b.what}`;
}

/**
 * Each task's acts in order. An operation appears once: where it was announced if it blocked
 * first (its `blocked` event), else where it ran; an operation that ran is dated by its
 * announcement when `announced` has it, and an announcement that never ran closes the list.
 */
function actsByTask(events: readonly TraceEvent[], announced: readonly Announcement[]): Map<string, Act[]> {
  const byTask = new Map<string, Act[]>();
  const blocked = new Map<string, string>();
  const lastRun = new Map<string, number>();
  const log = new Map<string, Announcement[]>();
  for (const a of announced) (log.get(a.task) ?? log.set(a.task, []).get(a.task)!).push(a);
  for (const e of events) {
    if (e.note === 'time') continue;
    const acts = byTask.get(e.task) ?? byTask.set(e.task, []).get(e.task)!;
    const what = describeEvent(e);
    if (e.note === 'blocked') {
      acts.push({ step: e.step, what, announced: true, ran: false });
      blocked.set(e.task, what);
      continue;
    }
    const wasBlocked = blocked.get(e.task);
    blocked.delete(e.task);
    const isOp = e.note !== 'finished' && e.op !== 'spawn' && e.op !== 'choose';
    if (isOp) lastRun.set(e.task, e.step);
    if (wasBlocked === what && isOp) {
      acts[acts.length - 1] = { ...acts[acts.length - 1]!, ran: true };
      continue;
    }
    const at = isOp ? announcedAt(log.get(e.task), e.step, what) : undefined;
    acts.push({ step: at ?? e.step, what, announced: at !== undefined, ran: isOp });
  }
  for (const [task, entries] of log) {
    const last = entries[entries.length - 1]!;
    const ranSince = (lastRun.get(task) ?? -1) >= last.step;
    const acts = byTask.get(task);
    const tail = acts?.[acts.length - 1];
    if (ranSince || (tail !== undefined && !tail.ran && tail.step === last.step && tail.what === last.op)) continue;
    (acts ?? byTask.set(task, []).get(task)!).push({ step: last.step, what: last.op, announced: true, ran: false });
  }
  return byTask;
}

/** The step where a task announced the operation it ran at `ranAt`: its last announcement up to then. */
function announcedAt(entries: readonly Announcement[] | undefined, ranAt: number, what: string): number | undefined {
  if (entries === undefined) return undefined;
  for (let i = entries.length - 1; i >= 0; i--) {
    const a = entries[i]!;
    if (a.step <= ranAt) return a.op === what ? a.step : undefined;
  }
  return undefined;
}

const identity = (e: TraceEvent): string => `${e.task}: ${describeEvent(e)}`;

/** First step whose operation differs (task, verb, object, key), ignoring results. */
function firstOrderDifference(recorded: readonly TraceEvent[], now: readonly TraceEvent[]): Difference | null {
  const a = recorded.filter((e) => e.note !== 'blocked' && e.note !== 'time');
  const b = now.filter((e) => e.note !== 'blocked' && e.note !== 'time');
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = identity(a[i]!);
    const y = identity(b[i]!);
    if (x !== y) return { step: a[i]!.step, message: `diverged at step ${a[i]!.step}: expected ${x}; the scenario did ${y}`, expected: x, actual: y };
  }
  return null;
}
