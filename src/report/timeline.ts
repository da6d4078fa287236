import { describeEvent, type TraceEvent } from '../runtime/events.js';
import type { Trace } from '../trace/schema.js';

export interface TimelineOptions {
  /** Column width per task. */
  readonly width?: number;
  /** Show every event (spawn, start, finish) instead of the operations only. */
  readonly verbose?: boolean;
}

/**
 * The interleaving as text: one column per task, time going down. Each row is one step;
 * `>>` marks a preemption (the previous task could have continued), `..` a wait, `!!` the
 * failing step.
 */
export function formatTimeline(trace: Trace, options: TimelineOptions = {}): string {
  const tasks = trace.tasks;
  const width = options.width ?? Math.max(18, Math.min(34, Math.floor(110 / Math.max(1, tasks.length))));
  const col = new Map(tasks.map((t, i) => [t, i]));
  const pad = (s: string): string => (s.length > width - 1 ? `${s.slice(0, width - 2)}…` : s).padEnd(width);
  const lines: string[] = [];
  lines.push(`${'step'.padStart(5)}  ${tasks.map((t) => pad(t)).join('')}`.trimEnd());
  lines.push(`${''.padStart(5)}  ${tasks.map(() => pad('-'.repeat(Math.min(width - 1, 16)))).join('')}`.trimEnd());
  const failStep = trace.failure?.step;
  let lastFailRow = -1;
  for (const e of trace.events) {
    if (!options.verbose && (e.op === 'start' || e.op === 'spawn')) continue;
    if (e.note === 'time') {
      lines.push(`${''.padStart(5)}  -- virtual time ${e.result} --`);
      continue;
    }
    const i = col.get(e.task);
    if (i === undefined) continue;
    let text = cell(e);
    const isStep = e.note !== 'blocked' && e.note !== 'finished' && e.op !== 'spawn' && e.op !== 'choose';
    if (e.preempted === true) text = `>> ${text}`;
    const cells = tasks.map((_, j) => (j === i ? pad(text) : pad('')));
    lines.push(`${(isStep ? String(e.step) : '').padStart(5)}  ${cells.join('')}`.trimEnd());
    if (isStep && e.step === (failStep ?? -2) - 1) lastFailRow = lines.length - 1;
  }
  if (trace.failure !== null) {
    if (lastFailRow >= 0) lines[lastFailRow] = `${lines[lastFailRow]}   <- last step before the failure`;
    lines.push(`  !! ${trace.failure.message}`);
  }
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

