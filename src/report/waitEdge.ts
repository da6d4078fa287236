import type { TraceEvent } from '../runtime/events.js';
import type { WaitEdge } from '../runtime/failure.js';

/**
 * One edge of a wait-for cycle in words, for the root cause of a deadlock: what the waiter waits
 * for, then why the holder holds it up. A worker of a pool holds no "result": it is busy running
 * a job (so a queued job waits for it) or it runs the very job whose result is awaited.
 *
 * Reads the edge as the runtime labelled it (the primitives' `waits` functions; the labels are
 * stored in traces as they are, so the words are built here, at display time). `events`, the
 * trace's, tell which job a busy pool worker is running. A label this does not know reads
 * `a waits on <label>; only b can end that wait`.
 */
export function explainWaitEdge(edge: WaitEdge, events: readonly TraceEvent[] = []): string {
  const { task, resource, holder } = edge;
  // A one-task cycle: a task waiting on what it holds itself (a lock taken twice).
  const by = holder === task ? `${holder} itself` : holder;
  let m = /^result of (.+) \(queued: every worker of pool "(.*)" is busy\)$/.exec(resource);
  if (m !== null) {
    const job = runningJob(holder, events);
    return `${task} waits for the result of ${m[1]}, which is queued: every worker of pool "${m[2]}" is busy, and ${by} is one of them${job === null ? '' : `, running ${job}`}`;
  }
  m = /^result of (.+) \(running on (.+)\)$/.exec(resource);
  if (m !== null && m[2] === holder) return `${task} waits for the result of ${m[1]}, which ${holder} is running`;
  m = /^join (.+)$/.exec(resource);
  if (m !== null && m[1] === holder) return `${task} waits to join ${holder}, which has not finished`;
  m = /^(\w+ ".*") \(write-held\)$/.exec(resource);
  if (m !== null) return `${task} waits for ${m[1]}, which ${by} holds for writing`;
  m = /^(\w+ ".*") \(no permits\)$/.exec(resource);
  if (m !== null) return `${task} waits for a permit of ${m[1]}, which ${by} holds`;
  if (/^\w+ ".*"$/.test(resource)) return `${task} waits for ${resource}, which ${by} holds`;
  return `${task} waits on ${resource}; only ${holder} can end that wait`;
}

/**
 * A blocked task's wait in words, whoever can end it: one holder reads as a wait-for edge
 * (explainWaitEdge); several (the readers of an rwlock, the holders of a semaphore's permits,
 * the busy workers of a pool) are named together; none (a queue anyone may fill) is the wait alone.
 */
export function explainWait(task: string, resource: string, holders: readonly string[], events: readonly TraceEvent[] = []): string {
  if (holders.length === 1) return explainWaitEdge({ task, resource, holder: holders[0]! }, events);
  if (holders.length === 0) return `${task} waits on ${resource}`;
  // Not "only they can end it": a semaphore's permit or a queue's item may come from anyone.
  return `${task} waits on ${resource}, held by ${holders.slice(0, -1).join(', ')} and ${holders.at(-1)!}`;
}

/** The job a pool worker took last and has not completed (null: none, or no events). */
function runningJob(worker: string, events: readonly TraceEvent[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.task !== worker || e.note === 'blocked') continue;
    if (e.op === 'complete') return null;
    if (e.op === 'take') return e.result?.startsWith('job ') === true ? e.result.slice(4) : null;
  }
  return null;
}
