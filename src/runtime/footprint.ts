import type { Operation } from './operation.js';

/**
 * One access of an event to shared state, as the dependency relation sees it.
 * `o` names the object: `o<id>` for a primitive (ids are stable across executions), `end:<task>`
 * for "task <task> has finished" (written by a task's last event, read by join and is-alive),
 * `k` is the map key (null: the whole object). `j` marks a join's read of a task's end: a join
 * is enabled only after the end, so that pair is ordered but never a reversible race.
 */
export interface Access {
  readonly o: string;
  readonly k: string | null;
  readonly w: boolean;
  readonly j?: true;
  /** A tracked object's access (`t.track`), reported by the code of the step after its operation ran. */
  readonly t?: true;
  /** A tracked write that adds a key: it changes the iteration order, so it conflicts with every other such write. */
  readonly n?: true;
}

export type Footprint = readonly Access[];

/** Stable text of a map key; object keys (identity differs per execution) become the whole map. */
function keyOf(key: unknown): string | null {
  if (key === undefined) return null;
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof key}:${String(key)}`;
    default:
      return key === null ? 'null' : null;
  }
}

/**
 * The footprint of an announced operation (ARCHITECTURE.md, "Operation footprint"): its object
 * access, plus the task-end accesses that make join and is-alive ordered after a task's end.
 * A join's wait-for holders (a task handle's target, a pool's worker) are the tasks it waits for.
 */
export function footprintOf(op: Operation): Access[] {
  const out: Access[] = [];
  const obj = op.obj;
  if (obj === null) return out;
  if (op.access !== 'none') out.push({ o: `o${obj.id}`, k: keyOf(op.key), w: op.access === 'write' });
  if (op.kind === 'join' && op.waits !== null) {
    for (const h of op.waits(op).holders) out.push({ o: `end:${h.name}`, k: null, w: false, j: true });
  } else if (obj.type === 'task') {
    // is-alive (and any other read of a handle) observes whether the task ended.
    out.push({ o: `end:${obj.name}`, k: null, w: false });
  }
  return out;
}

/** The footprint entry of a tracked object's read or write (`op` from Strategy.observeAccess). */
export function trackedAccessOf(op: Operation): Access {
  const access: Access = { o: `o${op.obj!.id}`, k: keyOf(op.key), w: op.access === 'write', t: true };
  return op.arg === true ? { ...access, n: true } : access;
}

/**
 * What a task's next step may do to tracked objects before it runs: anything. A step is its
 * operation and the code after it, whose tracked accesses are known only once it ran; so a
 * step not yet run (a sleeping task's, runner.ts) is taken to write every tracked object.
 */
export const ANY_TRACKED: Access = { o: '*tracked', k: null, w: true };

/** The access a task's last event adds: the task is finished. */
export function endAccess(taskName: string): Access {
  return { o: `end:${taskName}`, k: null, w: true };
}

function conflict(a: Access, b: Access): boolean {
  if (a.o !== b.o) return (a === ANY_TRACKED && b.t === true) || (b === ANY_TRACKED && a.t === true);
  return (a.w || b.w) && (a.k === null || b.k === null || a.k === b.k || (a.n === true && b.n === true));
}

/**
 * Dependent: some pair of accesses touches the same object, at least one writes, keys overlap.
 * Used for happens-before and for waking sleeping tasks. Symmetric.
 */
export function dependent(a: Footprint, b: Footprint): boolean {
  for (const x of a) for (const y of b) if (conflict(x, y)) return true;
  return false;
}

/**
 * Dependent in a way that could be reversed: as `dependent`, but a task's end against a join
 * of that task does not count (the join cannot run before the end).
 */
export function reversiblyDependent(a: Footprint, b: Footprint): boolean {
  for (const x of a) {
    for (const y of b) {
      if (!conflict(x, y)) continue;
      if ((x.j === true && y.w && y.o === x.o) || (y.j === true && x.w && x.o === y.o)) continue;
      return true;
    }
  }
  return false;
}
