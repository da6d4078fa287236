import type { Operation } from './operation.js';

/**
 * One line of the human-readable event list stored in traces. Only built when an execution
 * records (replays and saved traces), never while exploring at full speed.
 */
export interface TraceEvent {
  /** Step of the scheduling decision that ran it (block/finish/time notes carry the current step). */
  step: number;
  task: string;
  /** Verb: get, set, acquire, join, start, finish, spawn, choose, time... */
  op: string;
  obj?: string;
  key?: string;
  result?: string;
  /** blocked: announced but could not run; woke: ran after waiting; timeout; finished; time: clock advanced. */
  note?: 'blocked' | 'woke' | 'timeout' | 'finished' | 'time';
  /** This step preempted the previous task, which could have continued. */
  preempted?: boolean;
  /** Virtual time (ms) when it ran, once the clock has moved. */
  time?: number;
  /** A controlled call's, or a timer fire's: the line of the code under test that made the call or set the timer (`path:line`, relative to the project root), when recorded. */
  site?: string;
}

export function describeOp(op: Operation): string {
  if (op.obj === null) return op.kind;
  const key = op.key === undefined ? '' : `[${formatValue(op.key)}]`;
  return `${op.kind} ${op.obj.name}${key}`;
}

export function describeEvent(e: TraceEvent): string {
  const key = e.key === undefined ? '' : `[${e.key}]`;
  const obj = e.obj === undefined ? '' : ` ${e.obj}${key}`;
  return `${e.op}${obj}`;
}

/** Compact, deterministic rendering of a value for events and messages. */
export function formatValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'function';
    case 'symbol':
      return v.toString();
    default:
      if (v === null) return 'null';
      try {
        if (typeof (v as { then?: unknown }).then === 'function') return 'promise';
        if (Array.isArray(v)) return v.length <= 5 ? `[${v.map(formatValue).join(', ')}]` : `[${v.length} items]`;
        if (typeof (v as { name?: unknown }).name === 'string' && typeof (v as { type?: unknown }).type === 'string') {
          return `${(v as { type: string }).type} ${(v as { name: string }).name}`;
        }
      } catch {
        // A revoked Proxy, or a getter that throws: the value is shown, not inspected.
        return '<uninspectable value>';
      }
      return 'object';
  }
}
