import { dependent, reversiblyDependent } from '../runtime/footprint.js';
import type { StepRecord } from './runner.js';
import type { PathNode, TaskNode } from './state.js';
import { bporBacktrack, type BoundedReversal } from './bpor.js';
import { get, joinInto, type VectorClock } from './vectorClock.js';

/**
 * Race analysis of one finished execution, source-DPOR style (Abdulla, Aronis, Jonsson,
 * Sagonas, "Optimal dynamic partial order reduction", POPL 2014, Algorithm 1).
 *
 * Happens-before is program order, spawn (a task's first step comes after the step that
 * spawned it) and dependency (footprint.ts), tracked with vector clocks. A race is a pair of
 * dependent steps e1 < e2 of different tasks with no step between them in happens-before. For
 * each race whose second step is new in this execution (step index >= `firstNew`; earlier ones
 * were analysed by an execution with the same prefix), let v be the steps after e1 that do not
 * happen after e1, followed by e2. If no initial of v (a task whose first step in v has no
 * happens-before predecessor in v) is already in the backtrack set or the sleep set of the node
 * before e1, one enabled initial is added to that node's `todo`.
 *
 * Blocking operations (those with a `ready` condition: lock acquire, join, queue get, waits)
 * are handled conservatively, in the spirit of Flanagan & Godefroid's co-enabledness. The
 * dependent step just before a blocking e2 is often what enabled it (a release before an
 * acquire), a race that cannot be reversed; the reversible race is with an earlier step on the
 * same object (the other task's acquire), which the release hides in happens-before. So for a
 * blocking e2 every earlier dependent step of another task that is not ordered before e2's
 * task by program order or spawn counts as a race, not only the last. And when no initial of v
 * is enabled at the node before e1, the initials are added at the latest earlier node where
 * they were enabled. Both rules only add branches: they err towards exploring more, and the
 * sleep sets keep the extra runs from being counted twice (they end sleep-set blocked).
 *
 * Virtual time (runner.ts numbers the epochs between clock advances): a race e1 < e2 with a
 * tick between them is reversible only when e2 is blocking and was already announced in e1's
 * epoch or before (its task was waiting at it when the clock moved); then e1 may be what kept
 * it disabled. Any other cross-tick pair is in the same order in every execution.
 *
 * Bounded (`bounded` given: pb with reduction), as Flanagan & Godefroid look at a task's next
 * operation in every state it stays pending in: a race is every dependent step of another task,
 * not happening before e2's task, that ran while e2's operation was pending (after the task's
 * previous step, or after its spawn), and the last such step before that; each is reversed the way
 * bpor.ts says (Coons, Musuvathi & McKinley, OOPSLA 2013), within the bound. Steps with node -1
 * (operations announced and never run, after the last step) are analysed as second steps only.
 *
 * Mutates `path` (adds to `todo` of unsealed task nodes). Returns the number of races seen.
 */
export function analyzeRaces(steps: readonly StepRecord[], spawnedBy: readonly number[], path: PathNode[], firstNew: number, bounded: BoundedReversal | null = null): number {
  const n = steps.length;
  const clocks: VectorClock[] = new Array<VectorClock>(n);
  const seq: number[] = new Array<number>(n);
  const taskClock: VectorClock[] = [];
  const count: number[] = [];
  /** Epoch of each task's latest step (the epoch in which it announced its next operation). */
  const lastEpoch: number[] = [];
  /** Index of each task's latest step: its next operation was announced during it. */
  const lastStep: number[] = [];
  let races = 0;
  for (let k = 0; k < n; k++) {
    const e = steps[k]!;
    const p = e.task;
    const parent = spawnedBy[p] ?? -1;
    const base: readonly number[] = taskClock[p] ?? (parent >= 0 ? clocks[parent]! : []);
    const c = base.slice();
    const deps: number[] = [];
    for (let j = 0; j < k; j++) {
      const f = steps[j]!;
      if (f.task !== p && f.node >= 0 && dependent(f.fp, e.fp)) {
        deps.push(j);
        joinInto(c, clocks[j]!);
      }
    }
    const s = (count[p] ?? 0) + 1;
    count[p] = s;
    while (c.length <= p) c.push(0);
    c[p] = s;
    clocks[k] = c;
    seq[k] = s;
    taskClock[p] = c;
    const announced = lastEpoch[p] ?? -1;
    lastEpoch[p] = e.epoch;
    // e's operation was pending from the end of this step on (the spawn, for a first step).
    const since = lastStep[p] ?? parent;
    lastStep[p] = k;
    if (k < firstNew) continue;
    let before = -1;
    for (const j of deps) {
      const q = steps[j]!.task;
      // Across a tick, only a blocking e2 that was already pending at that tick can be moved
      // before it, and only by not being disabled: see docs/search.md, "Virtual time".
      if (steps[j]!.epoch < e.epoch && !(e.blocking && announced <= steps[j]!.epoch)) continue;
      if (!reversiblyDependent(steps[j]!.fp, e.fp)) continue;
      if (get(base, q) >= seq[j]!) continue;
      if (bounded !== null) {
        if (j <= since) before = j;
        else {
          races++;
          bporBacktrack(path, steps, j, e.task, bounded);
        }
        continue;
      }
      if (!e.blocking && deps.some((m) => m > j && get(clocks[m]!, q) >= seq[j]!)) continue;
      races++;
      reverse(j, k);
    }
    if (before >= 0) {
      races++;
      bporBacktrack(path, steps, before, e.task, bounded!);
    }
  }
  return races;

  function hb(a: number, b: number): boolean {
    return get(clocks[b]!, steps[a]!.task) >= seq[a]!;
  }

  function reverse(j: number, k: number): void {
    const node = path[steps[j]!.node] as TaskNode;
    if (node.sealed) return;
    const v: number[] = [];
    for (let m = j + 1; m < k; m++) if (!hb(j, m)) v.push(m);
    v.push(k);
    const initials: number[] = [];
    const seen = new Set<number>();
    for (let x = 0; x < v.length; x++) {
      const t = steps[v[x]!]!.task;
      if (seen.has(t)) continue;
      seen.add(t);
      let free = true;
      for (let y = 0; y < x && free; y++) if (hb(v[y]!, v[x]!)) free = false;
      if (free) initials.push(t);
    }
    if (initials.some((t) => covered(node, t))) return;
    const enabled = initials.filter((t) => node.enabled.includes(t)).sort((a, b) => a - b);
    if (enabled.length > 0) {
      node.todo.push(enabled[0]!);
      return;
    }
    for (const t of initials) {
      for (let i = steps[j]!.node - 1; i >= 0; i--) {
        const earlier = path[i]!;
        if (earlier.kind !== 'task' || !earlier.enabled.includes(t)) continue;
        if (!earlier.sealed && !covered(earlier, t)) earlier.todo.push(t);
        break;
      }
    }
  }
}

function covered(node: TaskNode, t: number): boolean {
  return node.chosen === t || node.todo.includes(t) || node.done.includes(t) || node.sleep.includes(t);
}
