import type { ExploreResult } from '../explore.js';
import { showValue } from '../paramValues.js';
import type { SearchResult } from '../search/search.js';
import { crossCheckText } from '../search/crossCheck.js';
import type { ReplayReport } from '../replay.js';
import { displayLocation } from '../trace/paths.js';
import type { Trace } from '../trace/schema.js';
import { NO_COLOUR, type Colours } from './colour.js';
import { escapeControl } from './escape.js';
import { formatTimeline, type TimelineOptions } from './timeline.js';
import { learningBlock } from '../partition.js';
import { explainWaitEdge } from './waitEdge.js';
import { shellQuote } from './shellQuote.js';
import { isInconclusive } from '../verdict/inconclusive.js';
import { plural } from './plural.js';
import { whereLines } from './where.js';

/** The command that replays a saved trace, as a user would type it. */
export function replayCommand(file: string): string {
  return `npx interleave replay ${shellQuote(file)}`;
}

/** Failure block printed by `run`: kind first, then facts, the interleaving, then the replay command. */
export function formatFailureReport(trace: Trace, file: string | null, options: TimelineOptions = {}): string {
  const f = trace.failure;
  if (f === null) return 'no failure';
  const c = options.colours ?? NO_COLOUR;
  const out: string[] = [c.red(c.bold(escapeControl(f.message)))];
  for (const line of whereLines(f, displayLocation)) out.push(`  ${escapeControl(line)}`);
  for (const line of rootCause(trace)) out.push(`  ${escapeControl(line)}`);
  const n = trace.counts;
  const shrunk = trace.shrink !== undefined ? ` (shrunk from ${plural(trace.shrink.original.steps, 'step')}, ${plural(trace.shrink.original.preemptions, 'preemption')})` : '';
  out.push(`  ${countsText(n)}${shrunk}`);
  out.push('');
  out.push(formatTimeline(trace, options));
  if (file !== null) {
    out.push('');
    out.push(`replay: ${c.cyan(escapeControl(replayCommand(file)))}`);
  }
  return out.join('\n');
}

/**
 * The root cause where it is known, as lines to print: `root cause: <race>` for each pair of
 * racing operations (trace.races), else the wait cycle, one edge a line under its heading: what
 * each task waits for and why the next one holds it up (src/report/waitEdge.ts).
 */
export function rootCause(trace: Trace): string[] {
  const races = trace.races ?? [];
  if (races.length > 0) return races.map((r) => `root cause: ${r.message}`);
  const f = trace.failure;
  if (f?.cycle !== undefined && f.cycle.length > 0) {
    return ['root cause: each task of the cycle waits for the next, so none can go on:', ...f.cycle.map((e) => `  ${explainWaitEdge(e, trace.events)}`)];
  }
  return [];
}

/** `shard`: the run explored only this share (CI matrix); it never speaks for the whole search. */
export function formatExploreLine(r: ExploreResult, shard?: { readonly index: number; readonly of: number }, params?: Readonly<Record<string, unknown>>): string {
  const head = escapeControl(`${r.scenario} [${r.variant}]${paramsNote(params)} ${r.strategy.name}`);
  if (shard !== undefined) {
    const s = r.search;
    if (s !== undefined && s.failure === null) {
      const cut = s.stoppedBy === 'time' || s.stoppedBy === 'interrupted' ? ` (${SEARCH_STOPS[s.stoppedBy]}: its subtrees were not all explored)` : '';
      return `${head}: shard ${shard.index}/${shard.of}: ${searchCounts(s)} in this shard's subtrees, no failure${cut}${shardNote(r, shard)}`;
    }
    return `${formatExploreLine(r, undefined, params)}${shardNote(r, shard)}`;
  }
  const rate = r.elapsedMs > 0 ? Math.round((r.executions / r.elapsedMs) * 1000) : 0;
  if (r.search !== undefined) return `${head}: ${formatSearchOutcome(r.search)}`;
  const what = isInconclusive(r)
    ? 'no execution completed: inconclusive (stopped: time)'
    : r.failure === null
      ? `no failure (${r.stoppedBy === 'iterations' ? 'budget used' : `stopped: ${r.stoppedBy}`})`
      : `${r.failure.kind}${foundBy(r)}${pastCounted(r.stoppedBy)}`;
  return `${head} seed ${r.strategy.seed}: ${executionCount(r.executions)}, ${rate}/s: ${what}`;
}

/**
 * A split run stopped by the time limit or an interrupt counts only a prefix of whole blocks
 * (src/parallel/prefix.ts); a failure a worker found past that prefix is still reported, and
 * the line must not suggest it lies within the executions counted.
 */
/** "1 execution", "2 executions". */
export function executionCount(n: number): string {
  return `${n} execution${n === 1 ? '' : 's'}`;
}

/** ` found by pct (depth 2) at execution 17`: the portfolio member whose execution failed (its trace's `strategy.member`). */
function foundBy(r: ExploreResult): string {
  const s = r.trace?.strategy;
  return s?.member === undefined ? '' : ` found by ${s.member}${s.execution !== undefined ? ` at execution ${s.execution}` : ''}`;
}

/**
 * The lines under a sampling run's summary line that say what its strategy did (none for
 * random): the portfolio's members with the executions each ran, PCT's parameters with the
 * probability per execution it guarantees for a bug of each depth it ran (docs/search.md), and
 * fuzz's coverage.
 */
export function samplingLines(r: Pick<ExploreResult, 'sampling'>): string {
  const s = r.sampling;
  if (s === undefined) return '';
  const lines: string[] = [];
  if (s.members !== undefined) lines.push(`  members: ${s.members.map((m) => `${m.name} ${m.executions}`).join(', ')} (executions each)`);
  const pct = s.pct ?? [];
  if (pct.length > 0) {
    const { tasks, steps } = pct[0]!;
    const bounds = pct.map((b) => `depth ${b.depth} >= 1/${denominator(b.guarantee)}`).join(', ');
    lines.push(`  pct: n = ${plural(tasks, 'task')}, k = ${plural(steps, 'step')} (the first-enabled schedule): per execution, a bug of ${bounds}`);
  }
  if (s.fuzz !== undefined) lines.push(`  fuzz: ${plural(s.fuzz.pairs, 'reads-from pair')} seen (hand-overs included), ${plural(s.fuzz.corpus, 'schedule')} kept for the pairs they added (learnt per block of ${learningBlock('fuzz').toLocaleString('en-US')} executions)`);
  return lines.map((l) => `${escapeControl(l)}\n`).join('');
}

/** n·k^(d−1) from PCT's guarantee, as a whole number up to a billion, else in exponent form. */
function denominator(guarantee: number): string {
  const d = 1 / guarantee;
  return d < 1e9 ? String(Math.round(d)) : d.toExponential(1);
}

function pastCounted(stoppedBy: string): string {
  if (stoppedBy === 'time') return ' (found past the executions counted; stopped by the time limit)';
  if (stoppedBy === 'interrupted') return ' (found past the executions counted; interrupted)';
  return '';
}

/**
 * ` (params: workers=2, maxSize=3)`: the parameter values a run used, for its header line, so a
 * result always says what it ran; empty for a scenario without parameters (or when unknown).
 */
export function paramsNote(params: Readonly<Record<string, unknown>> | undefined): string {
  const entries = Object.entries(params ?? {});
  return entries.length === 0 ? '' : ` (params: ${entries.map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : showValue(v)}`).join(', ')})`;
}

function searchCounts(s: SearchResult): string {
  return `${s.completeExecutions} complete execution${s.completeExecutions === 1 ? '' : 's'}` + (s.sleepBlocked > 0 ? ` (+${s.sleepBlocked} sleep-blocked)` : '');
}

function shardNote(r: ExploreResult, shard: { readonly index: number; readonly of: number }): string {
  const whole = r.search !== undefined ? 'whether the whole search is complete' : 'the whole result';
  return ` (shard ${shard.index}/${shard.of} only: interleave merge of every shard's file tells ${whole})`;
}

/** How an unfinished search without a failure says why it stopped. */
const SEARCH_STOPS: Partial<Record<SearchResult['stoppedBy'], string>> = {
  executions: 'stopped at budget',
  time: 'stopped at the time limit',
  interrupted: 'interrupted',
};

/**
 * What a complete search says of partial-order reduction: nothing without it; that it was not
 * used where the scenario may share state it does not report (never "with" on footprints the
 * code does not give); else that it was, and how random schedules cross-checked it.
 */
function reductionClaim(s: SearchResult): string {
  if (!s.por) return '';
  if (s.untracked === true) return ', without partial-order reduction: untracked state';
  return `, with partial-order reduction; ${s.crossCheck !== null ? crossCheckText(s.crossCheck, null) : 'not cross-checked with random schedules'}`;
}

/** What a bounded search's bound counts: preemptions (pb) or delays (db). */
function boundWord(s: SearchResult): 'preemption' | 'delay' {
  return s.strategy === 'db' ? 'delay' : 'preemption';
}

/**
 * What an exhaustive search established, never more: `complete` only when every execution (up to
 * partial-order reduction) was explored; a bound or a budget is always named.
 */
export function formatSearchOutcome(s: SearchResult): string {
  const counts = searchCounts(s);
  const bound = s.bound;
  if (s.crossCheck !== null && s.crossCheck.failedAt !== null) return crossCheckText(s.crossCheck, s.failure?.kind ?? null);
  if (s.failure !== null) {
    const at = bound !== null && bound.minimalFailing !== null ? ` at ${boundWord(s)} bound ${bound.minimalFailing} (the smallest)` : '';
    return `${s.failure.kind} found${at} after ${executionCount(s.executions)}${pastCounted(s.stoppedBy)}`;
  }
  if (s.complete) return `exhaustive: ${counts}, no failure (complete${reductionClaim(s)})`;
  if (bound !== null && s.stoppedBy === 'bound') {
    return `no failure with at most ${plural(bound.completeUpTo ?? bound.limit, boundWord(s))} (complete up to that bound; ${executionCount(s.executions)})`;
  }
  if (s.stoppedBy === 'exhausted') return `every branch explored, but executions were cut at the depth limit (${counts}): no failure so far, not complete`;
  return `${SEARCH_STOPS[s.stoppedBy] ?? `stopped (${s.stoppedBy})`} after ${executionCount(s.executions)} (${counts}): no failure so far, not complete`;
}

export function formatReplay(report: ReplayReport, options: TimelineOptions = {}): string {
  const mark = report.continuedFrom === undefined ? undefined : { step: report.continuedFrom, text: `end of the recorded decisions: first-enabled from step ${report.continuedFrom}` };
  const lines = [formatTimeline(report.trace, mark === undefined ? options : { ...options, mark }), '', escapeControl(report.message)];
  if (report.divergence !== undefined) {
    lines.push(`  recorded: ${escapeControl(report.divergence.expected)}`);
    lines.push(`  now:      ${escapeControl(report.divergence.actual)}`);
  }
  return lines.join('\n');
}

/** A plain table: columns padded to their widest cell, control characters in cells escaped. */
export function formatTable(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const rows = cells.map((r) => r.map(escapeControl));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export { plural } from './plural.js';

/** `9 steps, 1 preemption, 3 tasks` */
export function countsText(n: { readonly steps: number; readonly preemptions: number; readonly tasks: number }): string {
  return `${plural(n.steps, 'step')}, ${plural(n.preemptions, 'preemption')}, ${plural(n.tasks, 'task')}`;
}

/**
 * A result's warnings, one `warning:` line each, for under the variant's own line (not after its
 * report's replay: line, where it reads as the next variant's); a warning that is the failure
 * itself (failOnLockOrder) is not repeated.
 */
export function warningLines(r: Pick<ExploreResult, 'warnings' | 'failure'>, c: Colours): string {
  return r.warnings.filter((w) => w.message !== r.failure?.message).map((w) => `${c.yellow(`warning: ${escapeControl(w.message)}`)}\n`).join('');
}
