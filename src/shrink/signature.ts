import type { Failure } from '../runtime/failure.js';

/** The facts of a failure the shrinker compares (a runtime Failure or a trace's portable one). */
export type FailureFacts = Pick<Failure, 'kind' | 'message'> & {
  readonly error?: { readonly name: string; readonly location?: string } | undefined;
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
 *   only when the location is unknown).
 * - deadlock: the set of resources on the wait-for cycle (`lock "a"`, `join w-1`), not who held them.
 * - stuck, leak: the set of resources the remaining tasks wait on.
 * - potential-deadlock: the pair of locks.
 * - livelock: the kind alone.
 */
export function failureSignature(f: FailureFacts): string {
  switch (f.kind) {
    case 'exception':
    case 'assertion':
      return `${f.kind}|${f.error?.name ?? '?'}|${f.error?.location ?? f.message}`;
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

/** Same bug, in the sense above. `null` (a pass) is never the same as a failure. */
export function sameBug(a: FailureFacts | null, b: FailureFacts | null): boolean {
  if (a === null || b === null) return a === b;
  return failureSignature(a) === failureSignature(b);
}

function uniqueSorted(xs: readonly string[]): string {
  return [...new Set(xs)].sort().join(',');
}

function lockOf(message: string): string {
  const m = /^leak: (\S+ "[^"]*")/.exec(message);
  return m === null ? message : m[1]!;
}
