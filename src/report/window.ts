import type { Trace } from '../trace/schema.js';

/**
 * What part of a trace a timeline shows (the text one, src/report/timeline.ts, and the HTML
 * swimlanes, src/report/html.ts), so that any trace the schema accepts is drawn within bounds:
 * 7,000 tasks or a million events give a table of at most `maxColumns` columns and about
 * `maxRows` rows, never a string too long to build. Pure functions of the trace.
 */

/** The columns to draw: `shown`, tasks by name in trace order; `others` holds the events of every other task that ran. */
export interface Columns {
  readonly shown: readonly string[];
  /** The tasks that ran without a column of their own: their events go to one last, shared column. */
  readonly others: ReadonlySet<string>;
}

/** The column of each task that ran: its own, or the shared last one (index `shown.length`). */
export function columnIndex(c: Columns): Map<string, number> {
  const col = new Map(c.shown.map((t, i) => [t, i]));
  for (const t of c.others) col.set(t, c.shown.length);
  return col;
}

/**
 * Only tasks that ran (an event of their own, or named by the failure) get a column. Past
 * `max`, the failure's tasks come first, then the others in the order they first ran; `max - 1`
 * of them keep a column and the rest share the last one.
 */
export function pickColumns(trace: Trace, max: number): Columns {
  const ran = new Set<string>();
  for (const e of trace.events) if (e.note !== 'time') ran.add(e.task);
  const f = trace.failure;
  const named = f === null ? [] : [...(f.task === undefined ? [] : [f.task]), ...(f.cycle ?? []).map((e) => e.task), ...(f.blocked ?? []).map((b) => b.task)];
  for (const t of named) ran.add(t);
  const inTrace = trace.tasks.filter((t) => ran.has(t));
  if (inTrace.length <= max) return { shown: inTrace, others: new Set() };
  const known = new Set(inTrace);
  const first = [...new Set([...named, ...ran])].filter((t) => known.has(t));
  const keep = new Set(first.slice(0, max - 1));
  return { shown: inTrace.filter((t) => keep.has(t)), others: new Set(inTrace.filter((t) => !keep.has(t))) };
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
  return `${skipped} rows not shown`;
}
