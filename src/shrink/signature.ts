import { describeEvent } from '../runtime/events.js';
import type { Failure } from '../runtime/failure.js';
import type { Trace } from '../trace/schema.js';

/** The facts of a failure the shrinker compares (a runtime Failure or a trace's portable one). */
export type FailureFacts = Pick<Failure, 'kind' | 'message'> & {
  readonly error?: { readonly name: string; readonly message?: string; readonly location?: string } | undefined;
  readonly cycle?: readonly { readonly resource: string }[] | undefined;
  readonly blocked?: readonly { readonly waitsOn: string }[] | undefined;
  readonly locks?: readonly string[] | undefined;
};

/**
 * What makes two failures "the same bug" for the shrinker, as one comparable string. Step
 * numbers, task counts and values in messages are left out on purpose: a shrunk schedule fails
 * earlier and with fewer tasks, and that is the point.
 *
 * - exception, assertion: kind, error class and the scenario line that threw (the message
 *   of the error only when the location is unknown). An error raised by an interleave operation
 *   (KeyError, QueueEmpty, ...: see OPERATION_ERRORS) is located at the line where the failing
 *   task called that operation (recorded while recording); without a location, the operation
 *   itself, e.g. `get streams["B"]`, stands for it.
 * - deadlock: the set of resources on the wait-for cycle (`lock "a"`, `join w-1`), not who held them.
 * - stuck, leak: the set of resources the remaining tasks wait on.
 * - potential-deadlock: the pair of locks.
 * - livelock: the kind alone.
 */
export function failureSignature(f: FailureFacts, raisedBy?: string): string {
  switch (f.kind) {
    case 'exception':
    case 'assertion':
      // Recorded traces locate operation errors at the failing task's own call (the runtime
      // records call sites while recording), so the line is the best identity when known.
      if (raisedBy !== undefined && f.error?.location === undefined && OPERATION_ERRORS.has(f.error?.name ?? '')) return `${f.kind}|${f.error!.name}|op ${withoutCounters(raisedBy)}`;
      return `${f.kind}|${f.error?.name ?? '?'}|${f.error?.location ?? f.error?.message ?? f.message}`;
    case 'deadlock':
      return `deadlock|${uniqueSorted((f.cycle ?? []).map((e) => e.resource))}`;
    case 'stuck':
      return `stuck|${uniqueSorted((f.blocked ?? []).map((b) => b.waitsOn))}`;
    case 'leak':
      // A lock held by a finished task has no `blocked`; its message names the lock.
      return f.blocked !== undefined ? `leak|${uniqueSorted(f.blocked.map((b) => b.waitsOn))}` : `leak|${lockOf(f.message)}`;
    case 'potential-deadlock':
      return `potential-deadlock|${uniqueSorted(f.locks ?? [])}`;
    case 'livelock':
      return 'livelock';
    case 'nondeterminism':
      return `nondeterminism|${f.message}`;
  }
}

/** Errors interleave's operations raise (map, queue, lock, pool, timeout operations). */
export const OPERATION_ERRORS: ReadonlySet<string> = new Set(['KeyError', 'IteratorInvalidated', 'QueueEmpty', 'QueueFull', 'QueueClosed', 'LockError', 'TimeoutError', 'PoolError']);

/** The signature of a recorded trace's failure (null for a passing trace), using its events to find the raising operation. */
export function traceSignature(trace: Trace): string | null {
  const f = trace.failure;
  if (f === null) return null;
  let raisedBy: string | undefined;
  for (let i = trace.events.length - 1; i >= 0; i--) {
    const e = trace.events[i]!;
    if (e.task === f.task && e.note !== 'blocked' && e.result?.startsWith('throws ')) {
      raisedBy = describeEvent(e);
      break;
    }
  }
  return failureSignature(f as FailureFacts, raisedBy);
}

/** Two traces show the same bug, in the sense of `failureSignature`. Two passing traces are the same. */
export function sameBug(a: Trace, b: Trace): boolean {
  return traceSignature(a) === traceSignature(b);
}

/**
 * Resources (and raising operations) compared without instance counters: `result of task-B1#4` and `result of task-B1#3`
 * are the same future of the same code, numbered by submission order, which a shorter schedule
 * changes.
 */
function uniqueSorted(xs: readonly string[]): string {
  return [...new Set(xs.map(withoutCounters))].sort().join(',');
}

function withoutCounters(resource: string): string {
  return resource.replace(/#\d+/g, '');
}

function lockOf(message: string): string {
  const m = /^leak: (\S+ "[^"]*")/.exec(message);
  return m === null ? message : m[1]!;
}
