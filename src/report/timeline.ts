import { describeEvent, type TraceEvent } from '../runtime/events.js';
import type { Trace } from '../trace/schema.js';
import { NO_COLOUR, type Colours } from './colour.js';
import { escapeControl } from './escape.js';
import { columnIndex, inWindow, pickColumns, rowWindow, skippedText } from './window.js';

export interface TimelineOptions {
  /** Column width for every task (default: each column fits its longest cell, up to 44). */
  readonly width?: number;
  /** Total width to fit in (e.g. the terminal's columns): the widest columns give way first. */
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
 * The interleaving as text: one column per task, time going down. Each row is one event. A row
 * with a number is a scheduling decision, numbered as the trace's `step` fields (from 0), so
 * every step from 0 to the last is printed: a task's `start` is one too. Rows without a number
 * are not decisions: `.. waits` the moment a task blocks, `(done)`, a `choose`, virtual time.
 * `>>` marks a preemption, `:` the rows a task spends waiting, `(woke)` the step it ran again.
 * The last row, numbered with the failure's `step` (the count of steps taken), shows the failure
 * in the failing task's column (for a deadlock, what every task of the cycle waits on).
 * Any trace the schema accepts is drawn within bounds: only tasks that ran get a column, at
 * most 16 (the last shared by the rest), at most 5,000 event rows (the middle skipped and
 * counted; src/report/window.ts); trace text is escaped (src/report/escape.ts).
 */
export function formatTimeline(trace: Trace, options: TimelineOptions = {}): string {
  const c = options.colours ?? NO_COLOUR;
  const columns = pickColumns(trace, MAX_COLUMNS);
  const shown = columns.shown;
  const heads = (columns.others.size === 0 ? shown : [...shown, `(${columns.others.size} others)`]).map((t) => escapeControl(t));
  const col = columnIndex(columns);
  const widths = columnWidths(trace, heads, col, shown.length, options);
  // A cell too wide is cut at its end, but keeps `keep` (a call's site, its tail) when there is room for both.
  const fitIn = (i: number, s: string, keep = ''): string => {
    const w = widths[i]!;
    if (s.length <= w - 1) return s.padEnd(w);
    const room = w - 2 - keep.length;
    return (room < MIN_COLUMN ? `${s.slice(0, w - 2)}…` : `${s.slice(0, Math.min(room, s.length - keep.length))}…${keep}`).padEnd(w);
  };
  const lanes: Lane[] = heads.map(() => 'idle');
  const row = (step: string, cells: readonly string[]): string => `${step.padStart(5)}  ${cells.join('')}`.trimEnd();
  const idleCells = (): string[] => lanes.map((l, i) => (l === 'waiting' ? c.dim(fitIn(i, ':')) : fitIn(i, '')));

  const lines: string[] = [];
  lines.push(row('step', heads.map((t, i) => c.bold(fitIn(i, t)))));
  lines.push(row('', heads.map((_, i) => fitIn(i, '-'.repeat(Math.min(widths[i]! - 1, 16))))));
  const failStep = trace.failure?.step;
  let mark = options.mark;
  const drawn = (e: TraceEvent): boolean => (options.verbose === true || e.op !== 'spawn') && (e.note === 'time' || col.has(e.task));
  const count = trace.events.reduce((n, e) => (drawn(e) ? n + 1 : n), 0);
  const window = rowWindow(count, MAX_ROWS);
  let n = -1;
  for (const e of trace.events) {
    // A start is a step like any other (hiding it made the numbers skip); a spawn is not one.
    if (!drawn(e)) continue;
    n++;
    const show = inWindow(window, n, count);
    if (n === window.head && window.skipped > 0) lines.push(row('', [c.cyan(`-- ${skippedText(window.skipped)} --`)]));
    if (e.note === 'time') {
      if (show) lines.push(row('', [c.cyan(`-- virtual time ${escapeControl(e.result ?? '')} --`)]));
      continue;
    }
    const i = col.get(e.task)!;
    const isStep = e.note !== 'blocked' && e.note !== 'finished' && e.op !== 'spawn' && e.op !== 'choose';
    if (mark !== undefined && isStep && e.step >= mark.step) {
      if (show) lines.push(row('', [c.cyan(`-- ${mark.text} --`)]));
      mark = undefined;
    }
    if (show) {
      const cells = idleCells();
      let painted = fitIn(i, cellOf(e, i, shown.length), escapeControl(siteText(e)));
      if (e.note === 'blocked') painted = c.yellow(painted);
      else if (e.note === 'woke' || e.note === 'timeout') painted = c.green(painted);
      else if (e.preempted === true) painted = c.bold(painted);
      cells[i] = painted;
      lines.push(row(isStep ? String(e.step) : '', cells));
      if (failStep !== undefined && isStep && e.step === failStep - 1) lines[lines.length - 1] += c.dim('   <- last step');
    }
    if (i < shown.length) lanes[i] = e.note === 'blocked' ? 'waiting' : e.note === 'finished' ? 'done' : 'idle';
  }
  const f = trace.failure;
  if (f !== null) {
    const cells = idleCells();
    const waits = failureWaits(f);
    for (const [task, what] of waits) {
      const i = col.get(task);
      if (i !== undefined && i < shown.length) cells[i] = c.red(fitIn(i, `!! ${what}`));
    }
    const failing = f.task !== undefined ? col.get(f.task) : undefined;
    if (failing !== undefined && failing < shown.length && !waits.has(f.task!)) cells[failing] = c.red(fitIn(failing, `!! ${f.kind}`));
    if (waits.size > 0 || failing !== undefined) lines.push(row(String(f.step), cells));
    lines.push(row('', [c.red(`!! ${escapeControl(f.message)}`)]));
  }
  if (options.legend !== false) for (const l of TIMELINE_LEGEND.split('\n')) lines.push(c.dim(l));
  return lines.join('\n');
}

/** At most 16 task columns (the 16th shared by the rest, when more tasks ran) and 5,000 event rows (src/report/window.ts). */
const MAX_COLUMNS = 16;
const MAX_ROWS = 5000;

/** A cell's text; in the shared column, prefixed with its task's name. */
function cellOf(e: TraceEvent, i: number, shared: number): string {
  return i === shared ? `${escapeControl(e.task)}: ${cellText(e)}` : cellText(e);
}

const MIN_COLUMN = 12;
const MAX_COLUMN = 44;

/** What each task of a failure waits on (deadlock cycle, stuck or leaked tasks). */
function failureWaits(f: NonNullable<Trace['failure']>): Map<string, string> {
  const waits = new Map<string, string>();
  for (const e of f.cycle ?? []) waits.set(e.task, escapeControl(`waits ${e.resource} -> ${e.holder}`));
  for (const b of f.blocked ?? []) if (!waits.has(b.task)) waits.set(b.task, escapeControl(`waits ${b.waitsOn}`));
  return waits;
}

/**
 * Each column as wide as its longest cell (so nothing is cut when it fits), between 12 and 44,
 * plus the longest site (` at cache.ts:9`) shown in it;
 * with `maxWidth`, the widest columns shrink first until the table fits.
 */
function columnWidths(trace: Trace, heads: readonly string[], col: ReadonlyMap<string, number>, shared: number, options: TimelineOptions): number[] {
  if (options.width !== undefined) return heads.map(() => options.width!);
  const longest = heads.map((t) => t.length);
  // A call's or timer's site (its tail) widens its column beyond MAX_COLUMN by its own length.
  const sites = heads.map(() => 0);
  const see = (task: string, text: string, site = 0): void => {
    const i = col.get(task);
    if (i === undefined) return;
    longest[i] = Math.max(longest[i]!, text.length - site);
    sites[i] = Math.max(sites[i]!, site);
  };
  for (const e of trace.events) if (e.note !== 'time' && col.has(e.task)) see(e.task, cellOf(e, col.get(e.task)!, shared), escapeControl(siteText(e)).length);
  if (trace.failure !== null) for (const [task, what] of failureWaits(trace.failure)) see(task, `!! ${what}`);
  const widths = longest.map((n, i) => Math.min(MAX_COLUMN, Math.max(MIN_COLUMN, n + 2)) + sites[i]!);
  if (options.maxWidth !== undefined) {
    const room = options.maxWidth - 7;
    while (widths.reduce((a, b) => a + b, 0) > room) {
      const widest = widths.indexOf(Math.max(...widths));
      if (widths[widest]! <= MIN_COLUMN) break;
      widths[widest]!--;
    }
  }
  return widths;
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
