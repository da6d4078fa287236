import { describeOp, formatValue } from '../runtime/events.js';
import type { Operation } from '../runtime/operation.js';
import type { Race } from '../trace/schema.js';
import type { PreemptionInfo, StepOp } from './probe.js';

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
 * Names the race behind each remaining preemption of a (shrunk) execution: the preempted task's
 * last operation before the switch and the operation it was about to do, and the operation of
 * another task that ran in between and conflicts with them. An intruder conflicting with both
 * wins over one conflicting with the next operation only, which wins over one conflicting with
 * the previous only; ties go to the earliest. A preemption with no conflicting intruder (it only
 * changed timing or blocking) yields no line.
 *
 * Called by the shrinker on its final, minimal schedule, where every preemption is needed, so
 * each line is part of the cause. `end` is the step count of the run, used as the step of an
 * operation that never ran (a task left blocked by a deadlock).
 */
export function findRaces(ops: readonly StepOp[], preemptions: readonly PreemptionInfo[], end: number): Race[] {
  const races: Race[] = [];
  for (const p of preemptions) {
    if (p.pending === null) continue;
    let prev: StepOp | undefined;
    let resumed: StepOp | undefined;
    for (const o of ops) {
      if (o.task !== p.task) continue;
      if (o.step < p.step) prev = o;
      else {
        resumed = o;
        break;
      }
    }
    const until = resumed?.step ?? Infinity;
    let best: StepOp | undefined;
    let bestScore = 0;
    for (const o of ops) {
      if (o.step < p.step || o.step >= until || o.task === p.task) continue;
      const score = (conflicts(o.op, p.pending) ? 2 : 0) + (prev !== undefined && conflicts(o.op, prev.op) ? 1 : 0);
      if (score > bestScore) {
        best = o;
        bestScore = score;
      }
    }
    if (best === undefined) continue;
    const before = prev !== undefined ? describeOp(prev.op) : 'start';
    const next = describeOp(p.pending);
    const tail = resumed === undefined ? ' (which never ran)' : '';
    races.push({
      object: best.op.obj!.name,
      preempted: { task: p.task, step: prev?.step ?? p.step, op: before },
      intruder: { task: best.task, step: best.step, op: describeOp(best.op) },
      next: { task: p.task, step: resumed?.step ?? end, op: next },
      message: `${best.task}: ${describeOp(best.op)} ran between ${p.task}: ${before} and ${p.task}: ${next}${tail}`,
    });
  }
  return races;
}

/** One printable line per race, e.g. `race: cleanup: delete streams["B"] ran between ...`. */
export function formatRace(race: Race): string {
  return `race: ${race.message}`;
}
