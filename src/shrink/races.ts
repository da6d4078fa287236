import { describeOp, formatValue } from '../runtime/events.js';
import { operationSite } from '../runtime/location.js';
import type { Operation } from '../runtime/operation.js';
import type { Race } from '../trace/schema.js';
import type { PreemptionInfo, StepOp, TaskOrigin } from './probe.js';

/**
 * Two operations conflict (are dependent, in the partial-order-reduction sense) when they touch
 * the same object, at least one writes, and their keys overlap (no key = the whole object).
 */
export function conflicts(a: Operation, b: Operation): boolean {
  if (a.obj === null || b.obj === null || a.obj.id !== b.obj.id) return false;
  if (a.access !== 'write' && b.access !== 'write') return false;
  if (a.key === undefined || b.key === undefined) return true;
  return Object.is(a.key, b.key) || formatValue(a.key) === formatValue(b.key);
}

/**
 * Names the race behind each remaining preemption of a (shrunk) execution. While the preempted
 * task C was switched out, another task ran an operation w; the race is w together with C's
 * operations on the same object and key around the switch: the last one C did before
 * (`preempted`) and the first one C did after (`next`, or the operation C was about to do if it
 * never ran again, e.g. in a deadlock). Among the operations that ran in the window, one that
 * conflicts with C's accesses on both sides wins over one that conflicts only after, which wins
 * over one that conflicts only before (shared data, maps and variables, first: a lock or queue
 * operation is named only when no data conflicts); then the one whose pair is closest to the
 * switch; then the earliest. Where a side has no conflicting access, C's operation right at the switch is
 * shown. A preemption with no conflicting operation in its window (it only changed timing or
 * blocking) yields no line. When no preemption yields a line (a bug reached without any), the
 * switches forced by blocking are examined instead, keeping only check-then-act windows on
 * shared data (C read a map key or variable, another task wrote it, C then wrote it), once per
 * distinct line.
 *
 * Real code (`origins` given) splits a check-then-act across tasks: a chain of code checks in one
 * step, awaits a controlled call, and acts in the step that delivers it, which is the call's task's
 * (src/primitives/io.ts). When neither of the above names a race, each write is read as such an
 * act: the check is a conflicting read in the step that spawned the writing task, by the task
 * that ran that step, and the race is a conflicting write of another task in between
 * (`load#2: set entries["k"] ran between main: has entries["k"] and load: set entries["k"]`).
 *
 * Called by the shrinker on its final, minimal schedule, where every preemption is needed, so
 * each line is part of the cause. `end` is the step count of the run, used as the step of an
 * operation that never ran.
 */
export function findRaces(ops: readonly StepOp[], switches: readonly PreemptionInfo[], end: number, origins?: ReadonlyMap<string, TaskOrigin>): Race[] {
  const races = racesAt(ops, switches.filter((s) => !s.forced), end, false);
  if (races.length > 0) return races;
  // A bug reached without preemption: the race is at switches forced by blocking (a task
  // sleeping or waiting between its check and its act).
  const seen = new Set<string>();
  const distinct = (r: Race): boolean => !seen.has(r.message) && seen.add(r.message) !== undefined;
  const forced = racesAt(ops, switches.filter((s) => s.forced), end, true).filter(distinct);
  if (forced.length > 0 || origins === undefined) return forced;
  return chainRaces(ops, origins).filter(distinct);
}

/** Check-then-act windows of real code's chains (see findRaces): one race per act, on shared data. */
function chainRaces(ops: readonly StepOp[], origins: ReadonlyMap<string, TaskOrigin>): Race[] {
  const races: Race[] = [];
  for (const act of ops) {
    if (act.op.access !== 'write' || !DATA_TYPES.has(act.op.obj?.type ?? '')) continue;
    const origin = origins.get(act.task);
    if (origin === undefined || origin.step >= act.step) continue;
    const check = ops.find((o) => o.step === origin.step && o.task === origin.parent && o.op.access === 'read' && conflicts(o.op, act.op));
    if (check === undefined) continue;
    const intruder = ops.find((w) => w.step > origin.step && w.step < act.step && w.task !== act.task && w.op.access === 'write' && conflicts(w.op, act.op));
    if (intruder === undefined) continue;
    races.push({
      object: act.op.obj!.name,
      preempted: { task: check.task, step: check.step, op: describeOp(check.op) },
      intruder: { task: intruder.task, step: intruder.step, op: describeOp(intruder.op) },
      next: { task: act.task, step: act.step, op: describeOp(act.op) },
      message: `${intruder.task}: ${describeOp(intruder.op)} ran between ${check.task}: ${describeOp(check.op)} and ${act.task}: ${describeOp(act.op)}`,
    });
  }
  return races;
}

/** Shared data (not locks, queues or other synchronisation): where a check-then-act lives. */
const DATA_TYPES: ReadonlySet<string> = new Set(['map', 'var']);

function racesAt(ops: readonly StepOp[], preemptions: readonly PreemptionInfo[], end: number, checkThenAct: boolean): Race[] {
  const races: Race[] = [];
  for (const p of preemptions) {
    if (p.pending === null) continue;
    const before: StepOp[] = [];
    const after: StepOp[] = [];
    for (const o of ops) {
      if (o.task !== p.task) continue;
      if (o.step < p.step) before.push(o);
      else after.push(o);
    }
    before.reverse(); // nearest first
    const never = after.length === 0;
    if (never) after.push({ step: end, task: p.task, op: p.pending });
    const until = never ? Infinity : after[0]!.step;
    let best: { w: StepOp; b: number; a: number; data: boolean; score: number; distance: number } | undefined;
    for (const w of ops) {
      if (w.step < p.step || w.step >= until || w.task === p.task) continue;
      if (checkThenAct && (w.op.access !== 'write' || !DATA_TYPES.has(w.op.obj?.type ?? ''))) continue;
      const b = before.findIndex((o) => conflicts(o.op, w.op) && (!checkThenAct || o.op.access === 'read'));
      const a = after.findIndex((o) => conflicts(o.op, w.op) && (!checkThenAct || o.op.access === 'write'));
      const score = (a >= 0 ? 2 : 0) + (b >= 0 ? 1 : 0);
      if (score < (checkThenAct ? 3 : 1)) continue;
      const distance = Math.max(a, 0) + Math.max(b, 0);
      const data = DATA_TYPES.has(w.op.obj?.type ?? '');
      if (best === undefined || rank(data, score, distance) < rank(best.data, best.score, best.distance)) best = { w, b, a, data, score, distance };
    }
    if (best === undefined) continue;
    const prev = best.b >= 0 ? before[best.b] : before[0];
    const next = after[Math.max(best.a, 0)]!;
    const prevText = prev !== undefined ? describeOp(prev.op) : 'start';
    const nextText = describeOp(next.op);
    // Two sides that read the same (`get m["k"]` ... `get m["k"]`) are told apart by where the
    // task made each call, when those differ.
    const [prevAt, nextAt] = prev !== undefined && prevText === nextText ? distinctSites(prev.op, next.op) : ['', ''];
    const tail = never ? ' (which never ran)' : '';
    races.push({
      object: best.w.op.obj!.name,
      preempted: { task: p.task, step: prev?.step ?? p.step, op: prevText },
      intruder: { task: best.w.task, step: best.w.step, op: describeOp(best.w.op) },
      next: { task: p.task, step: next.step, op: nextText },
      message: `${best.w.task}: ${describeOp(best.w.op)} ran between ${p.task}: ${prevText}${prevAt} and ${p.task}: ${nextText}${nextAt}${tail}`,
    });
  }
  return races;
}

/** ` (at x.ts:12)` for each of two operations whose call sites are known and differ, else nothing. */
function distinctSites(a: Operation, b: Operation): [string, string] {
  const sa = operationSite(a);
  const sb = operationSite(b);
  if (sa === undefined || sb === undefined || sa === sb) return ['', ''];
  const short = (site: string): string => ` (at ${site.slice(Math.max(site.lastIndexOf('/'), site.lastIndexOf('\\')) + 1)})`;
  return [short(sa), short(sb)];
}

/** Smaller is better: shared data before locks and queues, then more sides conflicting, then nearer. */
function rank(data: boolean, score: number, distance: number): number {
  return (data ? 0 : 1_000_000) - score * 10_000 + distance;
}

/** One printable line per race, e.g. `race: cleanup: delete streams["B"] ran between ...`. */
export function formatRace(race: Race): string {
  return `race: ${race.message}`;
}
