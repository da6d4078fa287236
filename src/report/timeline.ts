import { describeEvent, type TraceEvent } from '../runtime/events.js';
import type { Trace } from '../trace/schema.js';
import { NO_COLOUR, type Colours } from './colour.js';

export interface TimelineOptions {
  /** Column width per task. */
  readonly width?: number;
  /** Show every event (spawn, start) instead of the operations only. */
  readonly verbose?: boolean;
  readonly colours?: Colours;
  /** Print the legend line under the table (default true). */
  readonly legend?: boolean;
}

/** What a column shows between its own events. */
type Lane = 'idle' | 'waiting' | 'done';

export const TIMELINE_LEGEND = 'legend: >> preempted (the previous task could have continued)  .. blocks  :  waiting  (woke) ran after waiting  !! failure';

/**
 * The interleaving as text: one column per task, time going down. Each row is one event; a row
 * with a step number is a scheduling decision. `>>` marks a preemption, `.. waits` the moment a
 * task blocks, `:` the rows it spends waiting, `(woke)` the step it ran again, and the last row
 * shows the failure in the failing task's column (for a deadlock, what every task of the cycle
 * waits on).
 */
export function formatTimeline(trace: Trace, options: TimelineOptions = {}): string {
  const c = options.colours ?? NO_COLOUR;
  const tasks = trace.tasks;
  const width = options.width ?? Math.max(18, Math.min(34, Math.floor(110 / Math.max(1, tasks.length))));
  const col = new Map(tasks.map((t, i) => [t, i]));
  const fit = (s: string): string => (s.length > width - 1 ? `${s.slice(0, width - 2)}…` : s).padEnd(width);
  const lanes: Lane[] = tasks.map(() => 'idle');
  const row = (step: string, cells: readonly string[]): string => `${step.padStart(5)}  ${cells.join('')}`.trimEnd();
  const idleCells = (): string[] => lanes.map((l) => (l === 'waiting' ? c.dim(fit(':')) : fit('')));

  const lines: string[] = [];
  lines.push(row('step', tasks.map((t) => c.bold(fit(t)))));
  lines.push(row('', tasks.map(() => fit('-'.repeat(Math.min(width - 1, 16))))));
  const failStep = trace.failure?.step;
  for (const e of trace.events) {
    if (!options.verbose && e.preempted !== true && (e.op === 'start' || e.op === 'spawn')) continue;
    if (e.note === 'time') {
      lines.push(row('', [c.cyan(`-- virtual time ${e.result ?? ''} --`)]));
      continue;
    }
    const i = col.get(e.task);
    if (i === undefined) continue;
    const isStep = e.note !== 'blocked' && e.note !== 'finished' && e.op !== 'spawn' && e.op !== 'choose';
    let text = cell(e);
    if (e.preempted === true) text = `>> ${text}`;
    const cells = idleCells();
    let painted = fit(text);
    if (e.note === 'blocked') painted = c.yellow(painted);
    else if (e.note === 'woke' || e.note === 'timeout') painted = c.green(painted);
    else if (e.preempted === true) painted = c.bold(painted);
    cells[i] = painted;
    lines.push(row(isStep ? String(e.step) : '', cells));
    lanes[i] = e.note === 'blocked' ? 'waiting' : e.note === 'finished' ? 'done' : 'idle';
    if (failStep !== undefined && isStep && e.step === failStep - 1) lines[lines.length - 1] += c.dim('   <- last step');
  }
  const f = trace.failure;
  if (f !== null) {
    const cells = idleCells();
    const waits = new Map<string, string>();
    for (const e of f.cycle ?? []) waits.set(e.task, `waits ${e.resource} -> ${e.holder}`);
    for (const b of f.blocked ?? []) if (!waits.has(b.task)) waits.set(b.task, `waits ${b.waitsOn}`);
    for (const [task, what] of waits) {
      const i = col.get(task);
      if (i !== undefined) cells[i] = c.red(fit(`!! ${what}`));
    }
    const failing = f.task !== undefined ? col.get(f.task) : undefined;
    if (failing !== undefined && !waits.has(f.task!)) cells[failing] = c.red(fit(`!! ${f.kind}`));
    if (waits.size > 0 || failing !== undefined) lines.push(row(String(f.step), cells));
    lines.push(row('', [c.red(`!! ${f.message}`)]));
  }
  if (options.legend !== false) lines.push(c.dim(TIMELINE_LEGEND));
  return lines.join('\n');
}

function cell(e: TraceEvent): string {
  if (e.note === 'finished') return '(done)';
  if (e.op === 'choose') return `choose ${e.obj} = ${e.result}`;
  const base = describeEvent(e);
  const res = e.result === undefined ? '' : ` -> ${e.result}`;
  const note = e.note === 'blocked' ? ' .. waits' : e.note === 'woke' ? ' (woke)' : e.note === 'timeout' ? ' (timeout)' : '';
  return `${base}${res}${note}`;
}
