import { describeEvent } from '../runtime/events.js';
import type { Failure } from '../runtime/failure.js';
import type { Trace } from '../trace/schema.js';

/** The facts of a failure the shrinker compares (a runtime Failure or a trace's portable one). */
export type FailureFacts = Pick<Failure, 'kind' | 'message'> & {
  readonly error?: { readonly name: string; readonly message?: string; readonly location?: string; readonly frames?: readonly string[] } | undefined;
  readonly cycle?: readonly { readonly resource: string }[] | undefined;
  readonly blocked?: readonly { readonly waitsOn: string }[] | undefined;
  readonly locks?: readonly string[] | undefined;
};

/**
 * What makes two failures "the same bug" for the shrinker, as one comparable string. Step
 * numbers, task counts and values in messages are left out on purpose: a shrunk schedule fails
 * earlier and with fewer tasks, and that is the point.
 *
 * - exception, assertion: kind, error class, where it was thrown and the error's message with
 *   its data left out (`messageHeadline`: `counter is N after N increments`). Where: for an
 *   error the scenario threw, the failing task's own frames (ErrorInfo.frames, several lines of
 *   scenario code, innermost first), so an assertion helper called from two places is two bugs,
 *   not one line; a trace's failure, which keeps no frames, gives its location. An error raised
 *   by an interleave operation (KeyError, QueueEmpty, ...: see OPERATION_ERRORS) is located at
 *   the failing task's call of that operation (recorded while recording, or with call sites);
 *   without a location, the operation itself, e.g. `get streams["B"]`, stands for it.
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
      return `${f.kind}|${f.error?.name ?? '?'}|${thrownAt(f, raisedBy)}|${messageHeadline(f.error?.message ?? f.message)}`;
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

/**
 * Where an exception or assertion was thrown, for its signature. An error the scenario threw:
 * its frames (else its location). An error an interleave operation raised: the line that called
 * the operation (else the operation), not its callers: that access is the bug, whichever task's
 * path led to it (rapid-create-delete's shared cleanup raises the same KeyError from two callers).
 */
function thrownAt(f: FailureFacts, raisedBy: string | undefined): string {
  const e = f.error;
  const operation = OPERATION_ERRORS.has(e?.name ?? '');
  if (!operation && e?.frames !== undefined && e.frames.length > 0) return e.frames.join(' < ');
  if (e?.location !== undefined) return e.location;
  if (raisedBy !== undefined && operation) return `op ${withoutCounters(raisedBy)}`;
  return '';
}

/**
 * The headline of a message, as compared: its text up to the first `:`, bracket, `=` or quote,
 * where the data usually starts, with every number (also in names: `task-B1`) read as N. A shorter schedule or
 * a smaller parameter changes the data, not the bug: `duplicate computation: compute_fn(mean)`
 * and `...(sum_numbers)` are one bug, as are the circuit breaker's `fails to trip: ended CLOSED
 * ...; no sequential order of [<the operations in the order this schedule ran them>]`.
 */
export function messageHeadline(message: string): string {
  const data = /[:([{=<"'`]/.exec(message);
  const head = data === null ? message : message.slice(0, data.index);
  return withoutCounters(head).replace(/\d+(?:\.\d+)?/g, 'N').trim();
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
