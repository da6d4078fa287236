import type { StepRecord } from './runner.js';
import { preemptionsWith, type PathNode, type TaskNode } from './state.js';

/** The round's bound, and whether a reversal was left out for exceeding it (then a larger bound has more to see). */
export interface BoundedReversal {
  readonly bound: number;
  cut: boolean;
}

/**
 * Bounded partial-order reduction (Coons, Musuvathi & McKinley, "Bounded partial-order
 * reduction", OOPSLA 2013): how pb with reduction reverses a race. Called by races.ts for every
 * race e1 < e2, e1 the step at index `first` of `steps`, e2 a step of task `u`.
 *
 * Flanagan & Godefroid's DPOR (POPL 2005) asks, at the node before e1, for `u` (or, when `u` is
 * not enabled there, for every enabled task). With a preemption bound that branch may cost a
 * preemption the bound does not allow, while the reversal is still reachable within the bound by
 * switching to `u` earlier: at the start of the run of steps (of one task) that e1 belongs to,
 * or before it, the schedule already switched tasks, so taking `u` there costs no more
 * preemptions than the schedule being analysed paid. So the same request is also made, as
 * BPOR's conservative backtrack point, at the node of the latest step before e1 that began a
 * run (a step whose task differs from the step before it, or the first step).
 *
 * A requested task whose cost (preemptionsWith) exceeds `r.bound` is not added and sets
 * `r.cut`.
 * There are no sleep sets in pb's reduction: a task explored from a node, put to sleep for the
 * node's later branches, may be needed there after a run of other steps that the equivalent
 * schedule starting with it cannot afford within the bound (docs/search.md).
 */
export function bporBacktrack(path: PathNode[], steps: readonly StepRecord[], first: number, u: number, r: BoundedReversal): void {
  request(path[steps[first]!.node] as TaskNode, u, r);
  let start = first - 1;
  while (start > 0 && steps[start - 1]!.task === steps[start]!.task) start--;
  if (start >= 0) request(path[steps[start]!.node] as TaskNode, u, r);
}

/**
 * Adds `u` to the node's alternatives, or every enabled task when `u` is not enabled there,
 * within the bound. A sealed node (a split state's) was saturated within the bound (split.ts), so
 * it gets nothing new, but a request past the bound still counts as cut there.
 */
function request(node: TaskNode, u: number, r: BoundedReversal): void {
  for (const t of node.enabled.includes(u) ? [u] : node.enabled) {
    if (t === node.chosen || node.todo.includes(t) || node.done.includes(t)) continue;
    if (preemptionsWith(node, t) > r.bound) r.cut = true;
    else if (node.sealed !== true) node.todo.push(t);
  }
}
