import type { TraceEvent } from '../runtime/events.js';
import { describeEvent } from '../runtime/events.js';
import type { Trace } from '../trace/schema.js';
import { plural } from './plural.js';
import { whereLines } from './where.js';
import { explainWaitEdge } from './waitEdge.js';
import { inWindow, MAX_COLUMNS, neverRanText, rowWindow, skippedText, tasksShown } from './window.js';
import { siteText } from './timeline.js';

export interface HtmlReportInput {
  readonly trace: Trace;
  /** The wait-for graph at the failure, already rendered to SVG (see svg.ts). */
  readonly waitGraphSvg: string;
  /** The command that replays the trace, as a user would type it. */
  readonly replayCommand: string;
  readonly title?: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * One self-contained HTML page (no script, no external resource) describing a trace: the
 * failure and its root cause, a swimlane timeline (one lane per task, time going down, one box
 * per operation; the failing step highlighted, preemptions marked, waits shaded), the wait-for
 * graph at the failure, and the replay command. Test hooks: `.lane-head` (one per task),
 * `.ev` (events), `.ev.preempted`, `.failing` (the failing step), `#waitgraph svg`.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { trace } = input;
  const f = trace.failure;
  const title = input.title ?? `${trace.scenario.name} [${trace.variant}]: ${f === null ? 'pass' : f.kind}`;
  // Only tasks that ran get a lane, at most MAX_COLUMNS (else the list of events); at most MAX_ROWS rows (src/report/window.ts).
  const shown = tasksShown(trace);
  const timeline = shown.ran.length <= MAX_COLUMNS ? swimlanes(trace, shown.ran) : eventList(trace, shown.ran);
  const never = neverRanText(shown.hidden);
  const races = trace.races ?? [];
  const cause =
    races.length > 0
      ? `<ul>${races.map((x) => `<li>${esc(x.message)}</li>`).join('')}</ul>`
      : f?.cycle !== undefined
        ? `<p>Each task of the cycle waits for the next, so none can go on (see the graph below):</p><ul>${f.cycle.map((e) => `<li>${esc(explainWaitEdge(e, trace.events))}</li>`).join('')}</ul>`
        : '<p class="muted">not determined for this trace</p>';
  const c = trace.counts;
  const shrunk = trace.shrink !== undefined ? `, shrunk from ${plural(trace.shrink.original.steps, 'step')} and ${plural(trace.shrink.original.preemptions, 'preemption')}` : '';
  // Where the failure was thrown, relative to the trace's project root (as the trace records it).
  const location = whereLines(f).map((line, i) => `\n<p class="location"${i === 0 ? ' id="location"' : ''}>${esc(line)}</p>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${CSS}</style></head>
<body>
<header><h1>${esc(trace.scenario.name)} <span class="variant">[${esc(trace.variant)}]</span></h1>
<p class="failure ${f === null ? 'ok' : ''}" id="failure">${esc(f === null ? 'pass: no failure on this schedule' : f.message)}</p>${location}
<p class="muted">${plural(c.steps, 'step')}, ${plural(c.preemptions, 'preemption')}, ${plural(c.tasks, 'task')}${shrunk}; strategy ${esc(trace.strategy.name)}${trace.strategy.seed !== undefined ? ` seed ${trace.strategy.seed}` : ''}</p></header>
<section id="cause"><h2>Root cause</h2>${cause}</section>
<section><h2>Replay</h2><pre id="replay">${esc(input.replayCommand)}</pre></section>
<section><h2>Interleaving</h2>
<p class="legend"><span class="ev sample preempted"><span class="badge">preempts</span>preemption</span> <span class="ev sample blocked">blocks</span> <span class="ev sample woke">wakes</span> <span class="wait sample"></span> waiting <span class="ev sample failing">✖ failure</span></p>
${timeline}${never === '' ? '' : `\n<p class="muted" id="never-ran">${esc(never)}</p>`}</section>
<section><h2>Wait-for graph at the failure</h2><div id="waitgraph">${input.waitGraphSvg}</div></section>
</body></html>
`;
}

/**
 * The swimlanes: one lane per task that ran (at most MAX_COLUMNS), time going down, one box per
 * event; waits shaded, the failing step highlighted, preemptions marked.
 */
function swimlanes(trace: Trace, ran: readonly string[]): string {
  const f = trace.failure;
  const col = new Map(ran.map((t, i) => [t, i + 2]));
  // Tasks that are waiting.
  const waiting = new Set<string>();
  const wait = (e: TraceEvent): void => {
    if (e.note === 'blocked') waiting.add(e.task);
    else waiting.delete(e.task);
  };
  const rows: string[] = [];
  let r = 2;
  const failRowStep = f === null ? -1 : f.step - 1;
  const drawn = (e: TraceEvent): boolean => e.op !== 'spawn' && (e.note === 'time' || col.has(e.task));
  const count = trace.events.reduce((n, e) => (drawn(e) ? n + 1 : n), 0);
  const window = rowWindow(count, MAX_ROWS);
  let n = -1;
  for (const e of trace.events) {
    // Every step is shown (a start too, so the numbers never skip); a spawn is not a step.
    if (!drawn(e)) continue;
    n++;
    if (n === window.head && window.skipped > 0) rows.push(`<div class="time" style="grid-row:${r++};grid-column:1/-1">${skippedText(window.skipped)}</div>`);
    if (!inWindow(window, n, count)) {
      if (e.note !== 'time') wait(e);
      continue;
    }
    if (e.note === 'time') {
      rows.push(`<div class="time" style="grid-row:${r};grid-column:1/-1">virtual time ${esc(e.result ?? '')}</div>`);
      r++;
      continue;
    }
    const c = col.get(e.task)!;
    const isStep = e.note !== 'blocked' && e.note !== 'finished' && e.op !== 'choose';
    rows.push(`<div class="step" style="grid-row:${r}">${isStep ? e.step : ''}</div>`);
    for (const w of waiting) if (w !== e.task) rows.push(`<div class="wait" style="grid-row:${r};grid-column:${col.get(w)}" title="${esc(w)} is waiting"></div>`);
    const classes = ['ev', kindClass(e)];
    if (e.preempted === true) classes.push('preempted');
    if (isStep && e.step === failRowStep) classes.push('last');
    rows.push(
      `<div class="${classes.join(' ')}" style="grid-row:${r};grid-column:${c}" title="step ${e.step}: ${esc(e.task)} ${esc(describeEvent(e))}">${e.preempted === true ? '<span class="badge">preempts</span>' : ''}${''}${esc(label(e))}</div>`,
    );
    wait(e);
    r++;
  }
  if (f !== null) {
    // In the waiter's own lane: what it waits for and why the next task holds it up, without its name.
    const at = failureAt(trace);
    rows.push(`<div class="step" style="grid-row:${r}">${f.step}</div>`);
    for (const [task, what] of at) {
      const c = col.get(task);
      if (c !== undefined) rows.push(`<div class="ev failing" style="grid-row:${r};grid-column:${c}">✖ ${esc(what)}</div>`);
    }
    if (at.size === 0) rows.push(`<div class="ev failing" style="grid-row:${r};grid-column:2/-1">✖ ${esc(f.kind)}</div>`);
  }
  const tasks = ran;
  const heads = tasks.map((t, i) => `<div class="lane-head" style="grid-row:1;grid-column:${i + 2}">${esc(t)}</div>`).join('');
  const lanes = tasks.map((_, i) => `<div class="lane" style="grid-row:1/${r + 1};grid-column:${i + 2}"></div>`).join('');
  return `<div class="timeline" id="timeline" style="grid-template-columns:3.5em repeat(${tasks.length}, minmax(11em, 1fr))">${heads}${lanes}${rows.join('\n')}</div>`;
}

/**
 * The list of events, for more tasks than lanes can show readably: a table `step  task  event`,
 * one event a row, whatever the number of tasks; the failure's rows last.
 */
function eventList(trace: Trace, ran: readonly string[]): string {
  const f = trace.failure;
  const tasks = new Set(ran);
  const drawn = (e: TraceEvent): boolean => e.op !== 'spawn' && (e.note === 'time' || tasks.has(e.task));
  const count = trace.events.reduce((n, e) => (drawn(e) ? n + 1 : n), 0);
  const window = rowWindow(count, MAX_ROWS);
  const failRowStep = f === null ? -1 : f.step - 1;
  const rows: string[] = [];
  let n = -1;
  for (const e of trace.events) {
    if (!drawn(e)) continue;
    n++;
    if (n === window.head && window.skipped > 0) rows.push(`<tr class="time"><td colspan="3">${skippedText(window.skipped)}</td></tr>`);
    if (!inWindow(window, n, count)) continue;
    if (e.note === 'time') {
      rows.push(`<tr class="time"><td colspan="3">virtual time ${esc(e.result ?? '')}</td></tr>`);
      continue;
    }
    const isStep = e.note !== 'blocked' && e.note !== 'finished' && e.op !== 'choose';
    const classes = ['ev', kindClass(e)];
    if (e.preempted === true) classes.push('preempted');
    if (isStep && e.step === failRowStep) classes.push('last');
    rows.push(`<tr><td class="step">${isStep ? e.step : ''}</td><td class="task">${esc(e.task)}</td><td><span class="${classes.join(' ')}">${e.preempted === true ? '<span class="badge">preempts</span>' : ''}${esc(label(e))}</span></td></tr>`);
  }
  if (f !== null) {
    const at = failureAt(trace);
    const entries = at.size === 0 ? [['', f.kind] as const] : [...at];
    for (const [k, [task, what]] of entries.slice(0, MAX_FAILURE_ROWS).entries()) rows.push(`<tr><td class="step">${k === 0 ? f.step : ''}</td><td class="task">${esc(task)}</td><td><span class="ev failing">✖ ${esc(what)}</span></td></tr>`);
    if (entries.length > MAX_FAILURE_ROWS) rows.push(`<tr><td></td><td></td><td><span class="ev failing">✖ and ${plural(entries.length - MAX_FAILURE_ROWS, 'more task')} waiting</span></td></tr>`);
  }
  return `<table class="list" id="timeline"><thead><tr><th>step</th><th>task</th><th>event</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** Each task of the failure with what it waits for and why the next task holds it up (without its name), or the failing task's kind. */
function failureAt(trace: Trace): Map<string, string> {
  const f = trace.failure;
  const at = new Map<string, string>();
  if (f === null) return at;
  for (const e of f.cycle ?? []) at.set(e.task, explainWaitEdge(e, trace.events).slice(e.task.length + 1));
  for (const b of f.blocked ?? []) if (!at.has(b.task)) at.set(b.task, `waits ${b.waitsOn}`);
  if (f.task !== undefined && !at.has(f.task)) at.set(f.task, f.kind);
  return at;
}

function kindClass(e: TraceEvent): string {
  switch (e.note) {
    case 'blocked':
      return 'blocked';
    case 'woke':
    case 'timeout':
      return 'woke';
    case 'finished':
      return 'done';
    default:
      return 'op';
  }
}

function label(e: TraceEvent): string {
  if (e.note === 'finished') return 'done';
  if (e.op === 'choose') return `choose ${e.obj ?? ''} = ${e.result ?? ''}`;
  const res = e.result === undefined ? '' : ` → ${e.result}`;
  const note = e.note === 'blocked' ? ' (blocks)' : e.note === 'woke' ? ' (woke)' : e.note === 'timeout' ? ' (timeout)' : '';
  return `${describeEvent(e)}${res}${note}${siteText(e)}`;
}

const MAX_ROWS = 10_000;
/** The list's failure rows (one per waiting task) past which the rest are counted. */
const MAX_FAILURE_ROWS = 40;

const CSS = `
body{font:14px/1.4 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px;margin:0 0 6px}h2{font-size:15px;margin:22px 0 8px;color:#444}
.variant{color:#777;font-weight:normal}.muted{color:#777}
.failure{font-family:ui-monospace,Menlo,Consolas,monospace;background:#fdecea;border-left:4px solid #c0392b;padding:8px 10px;margin:6px 0}
.location{font-family:ui-monospace,Menlo,Consolas,monospace;color:#555;margin:0 0 6px 14px}
.failure.ok{background:#eafaf1;border-color:#27ae60}
pre{background:#f5f5f5;padding:8px 10px;overflow-x:auto}
.timeline{display:grid;gap:3px 8px;align-items:stretch;position:relative}
.lane{background:#fafafa;border-radius:4px;z-index:0}
.lane-head{font-weight:600;text-align:center;padding:6px;background:#eceff1;border-radius:4px;z-index:1;position:sticky;top:0}
.step{grid-column:1;text-align:right;color:#999;font-family:ui-monospace,Menlo,monospace;padding:3px 0}
.ev{z-index:1;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;padding:3px 6px;border-radius:4px;background:#e3f2fd;border-left:3px solid #64b5f6}
.ev.blocked{background:#fff8e1;border-left-color:#f9a825}
.ev.woke{background:#e8f5e9;border-left-color:#43a047}
.ev.done{background:transparent;border-left-color:#bbb;color:#888}
.ev.preempted{border-left:3px solid #e67e22;box-shadow:inset 0 0 0 1px #e67e22}
.ev.last{outline:2px dashed #c0392b}
.ev.failing{background:#c0392b;color:#fff;border-left-color:#7b241c;font-weight:600}
.badge{display:inline-block;background:#e67e22;color:#fff;font-size:10px;border-radius:3px;padding:0 4px;margin-right:6px;font-family:Helvetica,Arial,sans-serif}
.wait{z-index:1;border-left:2px dotted #f9a825;margin-left:12px}
.list{border-collapse:collapse;font-size:12px}.list th{text-align:left;color:#444;padding:3px 8px;background:#eceff1}.list td{padding:2px 8px;vertical-align:top}
.list td.step{text-align:right;color:#999;font-family:ui-monospace,Menlo,monospace}.list td.task{font-weight:600;white-space:nowrap}.list .ev{display:inline-block}.list tr.time td{text-align:center}
.time{z-index:1;text-align:center;color:#00838f;font-size:12px;border-top:1px dashed #80deea}
.legend .sample{display:inline-block;margin-right:10px}.legend .wait.sample{height:1em;width:2px;margin:0 4px 0 10px}
#waitgraph svg{max-width:100%;height:auto}
`;
