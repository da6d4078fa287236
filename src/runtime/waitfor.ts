import type { WaitEdge } from './failure.js';
import type { WaitInfo } from './operation.js';
import type { Task } from './operation.js';

/**
 * The wait-for graph, derived on demand from the tasks' pending operations: a task whose
 * pending operation is not enabled waits on a resource, which its holders hold. Nothing is
 * stored, so the graph can never disagree with the state it describes.
 */
export function waitOf(task: Task): WaitInfo | null {
  const op = task.pending;
  if (task.finished || op === null || op.waits === null || op.enabled()) return null;
  return op.waits(op);
}

/**
 * Called when `start` has just blocked. Returns a cycle if `start` can never run again: every
 * task it (transitively) waits on is blocked without a timeout on a resource that only its
 * holders can release. That is a deadlock now, even while unrelated tasks keep running.
 * Multi-holder resources (pool slots) make this a knot check rather than a plain cycle check:
 * a waiter of a full pool is only stuck if every worker is.
 */
export function permanentDeadlock(start: Task): WaitEdge[] | null {
  // Fast path, the common case (a join on a task that still runs): a direct holder can still
  // move, so no knot. The walk below would reach the same answer at its first holder.
  if (canMove(start)) return null;
  const first = start.pending!.waits!(start.pending!);
  if (!first.owned || first.holders.length === 0) return null;
  for (const h of first.holders) if (canMove(h)) return null;
  const seen = new Set<Task>([start]);
  const queue: Task[] = [start];
  for (let i = 0; i < queue.length; i++) {
    const t = queue[i]!;
    if (canMove(t)) return null;
    const w = t.pending!.waits!(t.pending!);
    if (!w.owned || w.holders.length === 0) return null;
    for (const h of w.holders) {
      if (!seen.has(h)) {
        seen.add(h);
        queue.push(h);
      }
    }
  }
  return findCycle([start], waitOf);
}

/** Whether `t` may still make progress on its own: finished, enabled, waiting with a timeout, or on nothing owned. */
function canMove(t: Task): boolean {
  const op = t.pending;
  return t.finished || op === null || op.enabled() || op.deadline !== Infinity || op.waits === null;
}

/**
 * A cycle in the wait-for graph reachable from `starts`, as edges in order, or null.
 * Holders are visited other-tasks-first so a pool deadlock is shown through every worker
 * rather than as one worker waiting on its own slot.
 */
export function findCycle(starts: readonly Task[], edges: (t: Task) => WaitInfo | null): WaitEdge[] | null {
  const onPath = new Map<Task, number>();
  const done = new Set<Task>();
  const path: { task: Task; resource: string; holder: Task }[] = [];

  const visit = (t: Task): WaitEdge[] | null => {
    onPath.set(t, path.length);
    const w = edges(t);
    if (w !== null) {
      const holders = [...w.holders].sort((a, b) => (a === t ? 1 : 0) - (b === t ? 1 : 0));
      for (const h of holders) {
        path.push({ task: t, resource: w.resource, holder: h });
        const at = onPath.get(h);
        if (at !== undefined) {
          return path.slice(at).map((e) => ({ task: e.task.name, resource: e.resource, holder: e.holder.name }));
        }
        if (!done.has(h)) {
          const c = visit(h);
          if (c !== null) return c;
        }
        path.pop();
      }
    }
    onPath.delete(t);
    done.add(t);
    return null;
  };

  for (const s of starts) {
    if (done.has(s)) continue;
    const c = visit(s);
    if (c !== null) return c;
  }
  return null;
}

/**
 * For a stall report: each resource a blocked task waits on whose holders have all finished,
 * as `lock "x" is held by t1, which finished`. A finished task can never release what it
 * holds, so that holder, not the waiter, is the bug. One clause per resource, in task order;
 * an un-owned wait (a semaphore) names the finished tasks holding its permits the same way.
 */
export function heldByFinished(blocked: readonly Task[]): string[] {
  const clauses = new Map<string, string>();
  for (const t of blocked) {
    const w = waitOf(t);
    if (w === null || w.holders.length === 0 || !w.holders.every((h) => h.finished)) continue;
    const resource = w.resource.replace(/ \([^()]*\)$/, '');
    if (clauses.has(resource)) continue;
    const names = [...new Set(w.holders.map((h) => h.name))];
    const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
    clauses.set(resource, `${resource} is held by ${list}, which finished`);
  }
  return [...clauses.values()];
}
