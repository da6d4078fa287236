import type { Trace } from '../trace/schema.js';
import { plural } from './plural.js';

/**
 * What part of a trace a timeline shows (the text one, src/report/timeline.ts, and the HTML
 * swimlanes, src/report/html.ts), so that any trace the schema accepts is drawn within bounds:
 * 7,000 tasks or a million events give a table of at most `MAX_COLUMNS` columns (else a list,
 * one event a line) and about `maxRows` rows, never a string too long to build. Pure functions of the trace.
 */

/**
 * The tasks a timeline draws: `ran`, the tasks that took a step (an event of their own, or named
 * by the failure), in trace order; `hidden`, the tasks of the trace that never ran (spawned, never
 * started), which get no column and are named in one line under the timeline (`neverRanText`).
 */
export interface TasksShown {
  readonly ran: readonly string[];
  readonly hidden: readonly string[];
}

export function tasksShown(trace: Trace): TasksShown {
  const ran = new Set<string>();
  for (const e of trace.events) if (e.note !== 'time') ran.add(e.task);
  const f = trace.failure;
  if (f !== null) for (const t of [...(f.task === undefined ? [] : [f.task]), ...(f.cycle ?? []).map((e) => e.task), ...(f.blocked ?? []).map((b) => b.task)]) ran.add(t);
  return { ran: trace.tasks.filter((t) => ran.has(t)), hidden: trace.tasks.filter((t) => !ran.has(t)) };
}

/**
 * The most tasks drawn one column each (text) or one lane each (HTML). Past it, a column per task
 * stops being readable (100 tasks made a table ~3,000 characters wide) and both timelines list
 * the events instead, one line each: `step  task  event` (a table of fixed width whatever the
 * number of tasks, where every event keeps its whole text).
 */
export const MAX_COLUMNS = 8;

/** `3 tasks never ran (no column): a, b, c`, naming at most 5; '' when every task ran. */
export function neverRanText(hidden: readonly string[]): string {
  if (hidden.length === 0) return '';
  const names = hidden.length <= 5 ? hidden.join(', ') : `${hidden.slice(0, 5).join(', ')} and ${hidden.length - 5} more`;
  return `${plural(hidden.length, 'task')} never ran (no column): ${names}`;
}

/** Rows `[0, head)` and `[count - tail, count)` of `count`; `skipped` rows between them are not drawn. */
export interface RowWindow {
  readonly head: number;
  readonly tail: number;
  readonly skipped: number;
}

/**
 * At most `max` rows: the first fifth and the last four fifths (the failure is at the end, and
 * what led to it just before), the middle skipped.
 */
export function rowWindow(count: number, max: number): RowWindow {
  if (count <= max) return { head: count, tail: 0, skipped: 0 };
  const head = Math.floor(max / 5);
  return { head, tail: max - head, skipped: count - max };
}

/** Whether row `i` of a window is drawn. */
export function inWindow(w: RowWindow, i: number, count: number): boolean {
  return i < w.head || i >= count - w.tail;
}

/** The line drawn where a window skips rows. */
export function skippedText(skipped: number): string {
  return `${plural(skipped, 'row')} not shown`;
}
