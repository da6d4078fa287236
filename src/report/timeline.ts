import { describeEvent, type TraceEvent } from '../runtime/events.js';
import type { Trace } from '../trace/schema.js';
import { NO_COLOUR, type Colours } from './colour.js';
import { escapeControl } from './escape.js';
import { plural } from './plural.js';
import { inWindow, MAX_COLUMNS, neverRanText, rowWindow, skippedText, tasksShown } from './window.js';

export interface TimelineOptions {
  /** Column width for every task: always the column layout (default: each column fits its longest cell, or a list when they do not fit). */
  readonly width?: number;
  /** Total width to fit in (e.g. the terminal's columns; default TIMELINE_WIDTH): columns that do not fit give way to the list layout. */
  readonly maxWidth?: number;
  /** Show every event (also spawns, which are not steps) instead of the steps and waits only. */
  readonly verbose?: boolean;
  readonly colours?: Colours;
  /** Print the legend under the table (default true). */
  readonly legend?: boolean;
  /** A line drawn above the first scheduling step at or after `step` (replay: where the recorded decisions ran out). */
  readonly mark?: { readonly step: number; readonly text: string };
}

/** What a column shows between its own events. */
type Lane = 'idle' | 'waiting' | 'done';

export const TIMELINE_LEGEND = [
  'legend: >> preempted (the previous task could have continued)  .. blocks  :  waiting  (woke) ran after waiting  !! failure',
  "        a number is a step (a scheduling decision, from 0); rows without one are not steps; the !! row's number counts the steps taken",
].join('\n');

/**
 * The widest a timeline's rows get when no `maxWidth` is given (the failure's message and the
 * never-ran line under the table are printed whole): a table of columns wider than this is
 * printed as a list instead.
 */
export const TIMELINE_WIDTH = 160;

/**
 * The interleaving as text, time going down. Each row is one event. A row with a number is a
 * scheduling decision, numbered as the trace's `step` fields (from 0), so every step from 0 to
 * the last is printed: a task's `start` is one too. Rows without a number are not decisions:
 * `.. waits` the moment a task blocks, `(done)`, a `choose`, virtual time. `>>` marks a
 * preemption, `(woke)` the step a task ran again. The last row, numbered with the failure's `step`
 * (the count of steps taken), shows the failure (for a deadlock, what every task of the cycle waits on).
 *
 * Two layouts, chosen from the trace (and the width to fit in):
 * - columns, one per task (`:` marks the rows a task spends waiting), when at most
 *   `MAX_COLUMNS` tasks ran and every cell fits whole within `maxWidth` (default `TIMELINE_WIDTH`);
 * - otherwise a list, `step  task  event`, one event a line: as wide as the longest task name
 *   and event, whatever the number of tasks (a call's text keeps its head and its site when cut).
 * Only tasks that ran are drawn; a line under the table names those that never ran. Any trace
 * the schema accepts is drawn within bounds: at most 5,000 event rows (the middle skipped and
 * counted; src/report/window.ts); trace text is escaped (src/report/escape.ts).
 */
export function formatTimeline(trace: Trace, options: TimelineOptions = {}): string {
  const c = options.colours ?? NO_COLOUR;
  const { ran, hidden } = tasksShown(trace);
  const widths = columnWidths(trace, ran, options);
  const lines = widths !== null ? columnLines(trace, ran, widths, options) : listLines(trace, ran, options);
  const never = neverRanText(hidden);
  if (never !== '') lines.push(c.dim(`       ${escapeControl(never)}`));
  if (options.legend !== false) for (const l of TIMELINE_LEGEND.split('\n')) lines.push(c.dim(l));
  return lines.join('\n');
}

/** At most 5,000 event rows (src/report/window.ts). */
const MAX_ROWS = 5000;
const LAST_STEP = '   <- last step';

/** One row of either layout: a line across the table (skipped rows, virtual time, a mark), or an event (`show`: inside the row window). */
type Row = { readonly kind: 'note'; readonly text: string } | { readonly kind: 'event'; readonly e: TraceEvent; readonly isStep: boolean; readonly show: boolean; readonly last: boolean };

/** The rows of a timeline in order, the same for both layouts: only events of `tasks`, within the row window. */
function rowsOf(trace: Trace, tasks: ReadonlySet<string>, options: TimelineOptions): Row[] {
  const drawn = (e: TraceEvent): boolean => (options.verbose === true || e.op !== 'spawn') && (e.note === 'time' || tasks.has(e.task));
  const count = trace.events.reduce((n, e) => (drawn(e) ? n + 1 : n), 0);
  const window = rowWindow(count, MAX_ROWS);
  const failStep = trace.failure?.step;
  let mark = options.mark;
  const rows: Row[] = [];
  let n = -1;
  for (const e of trace.events) {
    // A start is a step like any other (hiding it made the numbers skip); a spawn is not one.
    if (!drawn(e)) continue;
    n++;
    const show = inWindow(window, n, count);
    if (n === window.head && window.skipped > 0) rows.push({ kind: 'note', text: skippedText(window.skipped) });
    if (e.note === 'time') {
      if (show) rows.push({ kind: 'note', text: `virtual time ${escapeControl(e.result ?? '')}` });
      continue;
    }
    const isStep = e.note !== 'blocked' && e.note !== 'finished' && e.op !== 'spawn' && e.op !== 'choose';
    if (mark !== undefined && isStep && e.step >= mark.step) {
      if (show) rows.push({ kind: 'note', text: mark.text });
      mark = undefined;
    }
    rows.push({ kind: 'event', e, isStep, show, last: failStep !== undefined && isStep && e.step === failStep - 1 });
  }
  return rows;
}

/** `s` within `w` characters: cut at its end, but keeping `keep` (a call's site, its tail) when there is room for both. */
function clip(s: string, w: number, keep = ''): string {
  if (s.length <= w) return s;
  const room = w - 1 - keep.length;
  return room < MIN_COLUMN ? `${s.slice(0, Math.max(0, w - 1))}…` : `${s.slice(0, Math.min(room, s.length - keep.length))}…${keep}`;
}

/** A task's name within `w` characters: its head and its tail (`pool-wor…worker-12`), where names of one family differ. */
function clipName(s: string, w: number): string {
  if (s.length <= w) return s;
  const tail = Math.floor((w - 1) / 2);
  return `${s.slice(0, w - 1 - tail)}…${s.slice(s.length - tail)}`;
}

/** An event's text painted as its kind: waits yellow, wake-ups green, preemptions bold. */
function paint(e: TraceEvent, text: string, c: Colours): string {
  if (e.note === 'blocked') return c.yellow(text);
  if (e.note === 'woke' || e.note === 'timeout') return c.green(text);
  return e.preempted === true ? c.bold(text) : text;
}

/** The failure's cells: what each task of it waits on, or the failing task's kind; in task order of the failure. */
function failureCells(f: NonNullable<Trace['failure']>): Map<string, string> {
  const cells = failureWaits(f);
  if (f.task !== undefined && !cells.has(f.task)) cells.set(f.task, escapeControl(f.kind));
  return cells;
}

/** The column layout: one column per task that ran, each `widths[i]` wide. */
function columnLines(trace: Trace, ran: readonly string[], widths: readonly number[], options: TimelineOptions): string[] {
  const c = options.colours ?? NO_COLOUR;
  const heads = ran.map((t) => escapeControl(t));
  const col = new Map(ran.map((t, i) => [t, i]));
  const fitIn = (i: number, s: string, keep = ''): string => clip(s, widths[i]! - 1, keep).padEnd(widths[i]!);
  const lanes: Lane[] = heads.map(() => 'idle');
  const row = (step: string, cells: readonly string[]): string => `${step.padStart(5)}  ${cells.join('')}`.trimEnd();
  const idleCells = (): string[] => lanes.map((l, i) => (l === 'waiting' ? c.dim(fitIn(i, ':')) : fitIn(i, '')));
  const lines = [row('step', heads.map((t, i) => c.bold(fitIn(i, t)))), row('', heads.map((_, i) => fitIn(i, '-'.repeat(Math.min(widths[i]! - 1, 16)))))];
  for (const r of rowsOf(trace, new Set(ran), options)) {
    if (r.kind === 'note') {
      lines.push(row('', [c.cyan(`-- ${r.text} --`)]));
      continue;
    }
    const i = col.get(r.e.task)!;
    if (r.show) {
      const cells = idleCells();
      cells[i] = paint(r.e, fitIn(i, cellText(r.e), escapeControl(siteText(r.e))), c);
      lines.push(row(r.isStep ? String(r.e.step) : '', cells) + (r.last ? c.dim(LAST_STEP) : ''));
    }
    lanes[i] = r.e.note === 'blocked' ? 'waiting' : r.e.note === 'finished' ? 'done' : 'idle';
  }
  const f = trace.failure;
  if (f !== null) {
    const cells = idleCells();
    const failing = [...failureCells(f)].filter(([task]) => col.has(task));
    for (const [task, what] of failing) cells[col.get(task)!] = c.red(fitIn(col.get(task)!, `!! ${what}`));
    if (failing.length > 0) lines.push(row(String(f.step), cells));
    lines.push(row('', [c.red(`!! ${escapeControl(f.message)}`)]));
  }
  return lines;
}

/** The most failure rows a list prints (one per waiting task), the rest counted. */
const MAX_FAILURE_ROWS = 16;

/** The list layout: `step  task  event`, one event a line, as wide as the longest task name (up to 32) and event. */
function listLines(trace: Trace, ran: readonly string[], options: TimelineOptions): string[] {
  const c = options.colours ?? NO_COLOUR;
  const taskWidth = Math.min(MAX_TASK_NAME, Math.max(4, ...ran.map((t) => escapeControl(t).length)));
  const room = Math.max(MIN_EVENT, (options.maxWidth ?? TIMELINE_WIDTH) - 7 - taskWidth - 2);
  const row = (step: string, task: string, text: string): string => `${step.padStart(5)}  ${clipName(escapeControl(task), taskWidth).padEnd(taskWidth)}  ${text}`.trimEnd();
  const lines = [c.bold(row('step', 'task', 'event')), row('', '-'.repeat(taskWidth), '-'.repeat(16))];
  for (const r of rowsOf(trace, new Set(ran), options)) {
    if (r.kind === 'note') lines.push(`${' '.repeat(7)}${c.cyan(`-- ${r.text} --`)}`);
    else if (r.show) {
      const text = clip(cellText(r.e), room - (r.last ? LAST_STEP.length : 0), escapeControl(siteText(r.e)));
      lines.push(row(r.isStep ? String(r.e.step) : '', r.e.task, paint(r.e, text, c)) + (r.last ? c.dim(LAST_STEP) : ''));
    }
  }
  const f = trace.failure;
  if (f !== null) {
    const failing = [...failureCells(f)];
    for (const [k, [task, what]] of failing.slice(0, MAX_FAILURE_ROWS).entries()) lines.push(row(k === 0 ? String(f.step) : '', task, c.red(clip(`!! ${what}`, room))));
    if (failing.length > MAX_FAILURE_ROWS) lines.push(`${' '.repeat(7)}${c.red(`!! and ${plural(failing.length - MAX_FAILURE_ROWS, 'more task')} waiting`)}`);
    lines.push(`${' '.repeat(7)}${c.red(`!! ${escapeControl(f.message)}`)}`);
  }
  return lines;
}

const MIN_COLUMN = 12;
const FAILURE_CELL = 44;
/** A task's name in the list layout is cut past this; an event's text gets at least `MIN_EVENT` characters. */
const MAX_TASK_NAME = 32;
const MIN_EVENT = 40;

/** What each task of a failure waits on (deadlock cycle, stuck or leaked tasks). */
function failureWaits(f: NonNullable<Trace['failure']>): Map<string, string> {
  const waits = new Map<string, string>();
  for (const e of f.cycle ?? []) waits.set(e.task, escapeControl(`waits ${e.resource} -> ${e.holder}`));
  for (const b of f.blocked ?? []) if (!waits.has(b.task)) waits.set(b.task, escapeControl(`waits ${b.waitsOn}`));
  return waits;
}

/**
 * The column layout's widths, or null for the list layout: each column as wide as its longest
 * event (so no event is cut; a failure's cell is cut past 44), at least 12, plus its longest
 * site (` at cache.ts:9`); columns only
 * when at most MAX_COLUMNS tasks ran and the table (with its `<- last step`) fits in `maxWidth`
 * (default TIMELINE_WIDTH). `width` forces columns of that width.
 */
function columnWidths(trace: Trace, ran: readonly string[], options: TimelineOptions): number[] | null {
  if (options.width !== undefined) return ran.map(() => options.width!);
  if (ran.length > MAX_COLUMNS) return null;
  const col = new Map(ran.map((t, i) => [t, i]));
  const longest = ran.map((t) => escapeControl(t).length);
  const sites = ran.map(() => 0);
  const see = (task: string, text: string, site = 0): void => {
    const i = col.get(task);
    if (i === undefined) return;
    longest[i] = Math.max(longest[i]!, text.length - site);
    sites[i] = Math.max(sites[i]!, site);
  };
  for (const e of trace.events) if (e.note !== 'time' && (options.verbose === true || e.op !== 'spawn')) see(e.task, cellText(e), escapeControl(siteText(e)).length);
  // A failure's cell widens its column up to FAILURE_CELL only (the message under the table says it whole).
  if (trace.failure !== null) for (const [task, what] of failureCells(trace.failure)) see(task, `!! ${what}`.slice(0, FAILURE_CELL));
  const widths = longest.map((n, i) => Math.max(MIN_COLUMN, n + 2) + sites[i]!);
  return 7 + widths.reduce((a, b) => a + b, 0) + LAST_STEP.length <= (options.maxWidth ?? TIMELINE_WIDTH) ? widths : null;
}

/** An event's cell, control characters escaped (src/report/escape.ts). */
function cellText(e: TraceEvent): string {
  const text = escapeControl(cell(e));
  return e.preempted === true ? `>> ${text}` : text;
}

function cell(e: TraceEvent): string {
  if (e.note === 'finished') return '(done)';
  if (e.op === 'choose') return `choose ${e.obj} = ${e.result}`;
  const base = describeEvent(e);
  const res = e.result === undefined ? '' : ` -> ${e.result}`;
  const note = e.note === 'blocked' ? ' .. waits' : e.note === 'woke' ? ' (woke)' : e.note === 'timeout' ? ' (timeout)' : '';
  return `${base}${res}${note}${siteText(e)}`;
}

/** ` at cache.ts:9`: where the code under test made a controlled call (its file's name and line), when the trace has it; else empty. */
export function siteText(e: TraceEvent): string {
  if (e.site === undefined) return '';
  return ` at ${e.site.slice(e.site.lastIndexOf('/') + 1)}`;
}
