/**
 * Failures form a closed set of kinds, each with its own facts. Results and traces carry
 * these as plain data; formatting for people lives in the report modules.
 */
export type FailureKind =
  | 'exception'
  | 'assertion'
  | 'deadlock'
  | 'stuck'
  | 'livelock'
  | 'leak'
  | 'potential-deadlock'
  | 'nondeterminism';

export const FAILURE_KINDS: readonly FailureKind[] = [
  'exception',
  'assertion',
  'deadlock',
  'stuck',
  'livelock',
  'leak',
  'potential-deadlock',
  'nondeterminism',
];

/** One edge of a wait-for cycle: `task` waits on `resource`, which `holder` holds. */
export interface WaitEdge {
  readonly task: string;
  readonly resource: string;
  readonly holder: string;
}

/** A task blocked at the end of a run and what it waited on. */
export interface BlockedTask {
  readonly task: string;
  readonly waitsOn: string;
}

export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  /** First stack frame outside interleave: where in the scenario it was thrown. */
  readonly location?: string;
  readonly stack?: string;
  /** The failing task's own frames, innermost first (`file:line`): the shrinker's identity of the bug. Not saved in traces. */
  readonly frames?: readonly string[];
}

export interface Failure {
  readonly kind: FailureKind;
  /** One line, kind first: `deadlock: a -[lock "x"]-> b -[join a]-> a`. */
  readonly message: string;
  /** Step (number of scheduling decisions taken) at which it was detected. */
  readonly step: number;
  /** The task that failed or detected it, when there is one. */
  readonly task?: string;
  /** Every task involved. */
  readonly tasks: readonly string[];
  readonly error?: ErrorInfo;
  readonly cycle?: readonly WaitEdge[];
  readonly blocked?: readonly BlockedTask[];
  /**
   * Real code, stuck or leak: the line of each await of the scenario's code that never resumed
   * (`file:line`, innermost of a chain when the stack shows it; src/primitives/awaitSites.ts).
   * Known only in a run that locates waits (the recording of the failure and its replay), so not
   * part of the message, which exploring runs compare.
   */
  readonly awaits?: readonly string[];
  /** Two locks taken in opposite orders (potential-deadlock). */
  readonly locks?: readonly string[];
}

/** A finding that is not a failure unless asked for (lock-order inversion). */
export interface Warning {
  readonly kind: 'potential-deadlock';
  readonly message: string;
  readonly step: number;
  readonly tasks: readonly string[];
  readonly locks: readonly string[];
}

/**
 * Adds to `into` each warning of `found` whose message it does not hold yet: the first of each
 * message is kept (explorations report every distinct warning once). Indexed: it runs after every
 * execution, and a `for of` there stayed an iterator call.
 */
export function keepFirstWarnings(into: Map<string, Warning>, found: readonly Warning[]): void {
  for (let i = 0; i < found.length; i++) {
    const w = found[i]!;
    if (!into.has(w.message)) into.set(w.message, w);
  }
}

export function formatCycle(cycle: readonly WaitEdge[]): string {
  if (cycle.length === 0) return '';
  let s = cycle[0]!.task;
  for (const e of cycle) s += ` -[${e.resource}]-> ${e.holder}`;
  return s;
}
