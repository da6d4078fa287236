import type { Operation } from '../runtime/operation.js';
import { currentThreadId, type OwnTime } from '../runtime/ownTime.js';
import type { TaskView } from '../runtime/operation.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/**
 * The exploring thread's side of the watchdog (src/parallel/watchedWorker.ts watches it, for
 * every watched thread). A strategy wrapper publishes, at every scheduling point, the
 * execution index, the step and the task about to run into a SharedArrayBuffer, and bumps a
 * beat counter. A task that never reaches its next scheduling point (a synchronous
 * `while (true) {}`) freezes the counter with its own name in the buffer, which the watching
 * thread can still read. Task names are sent once each, as messages, the first time they are seen.
 *
 * Cost: one wrapper call, one Map lookup and five Int32Array stores per step (see
 * docs/robustness.md for the measurement), and one Float64Array store per execution. Opt-in:
 * only `--watchdog` runs it.
 */

/** Cell indexes in the shared Int32Array. */
export const CELL = {
  /** Incremented at every decision (task or value). */
  BEATS: 0,
  /** The running execution's index (-1: a pool worker's item has not begun one yet). */
  EXECUTION: 1,
  /** The running execution's last decision (-1 before its first). */
  STEP: 2,
  /** Index of the running task's name (in the order names were announced; -1 before the first decision). */
  TASK: 3,
  /** The exploring thread's id (src/runtime/ownTime.ts): the watcher judges a runaway by that thread's own time (0: unknown, wall time). */
  THREAD: 4,
} as const;

export const CELLS = 5;
/** Byte offset of the one Float64 slot (the first 8-byte boundary after the cells): steps of the executions finished since the count began. */
const STEPS_OFFSET = 24;
/**
 * The running execution's decisions, so a runaway's schedule survives its thread (its trace is
 * rebuilt from them, src/heartbeat/runawayTrace.ts): a count, then one Int32 per decision, a task
 * id as itself and a `t.choose` value v as -(v + 1). Past the capacity only the count grows.
 */
const LOG_OFFSET = STEPS_OFFSET + Float64Array.BYTES_PER_ELEMENT;
export const LOG_CAPACITY = 1 << 16;

/** A buffer for one watched thread: the Int32 cells, the Float64 step count, the decision log. */
export function heartbeatBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(LOG_OFFSET + (1 + LOG_CAPACITY) * Int32Array.BYTES_PER_ELEMENT);
}

/** What the watching thread reads of a frozen heartbeat. */
export interface Pulse {
  readonly beats: number;
  readonly execution: number;
  /** The running execution's last decision, -1 before its first. */
  readonly step: number;
  /** Index of the running task's name, -1 when none was chosen yet. */
  readonly task: number;
  /** Steps up to the runaway one: the finished executions' since the count began, and this one's so far. */
  readonly steps: number;
  /** The running execution's decisions so far, as logged (task ids; a value v as -(v + 1)); null past the log's capacity. */
  readonly log: readonly number[] | null;
}

/**
 * Milliseconds a watched thread may take to load its scenario, or stay blocked in one step
 * without running: `loadSeconds`, by default max(30, 5 × the watchdog's seconds). The one rule
 * of the watching side (src/parallel/runaway.ts `FrozenThread`).
 */
export function loadLimitMs(seconds: number, loadSeconds?: number): number {
  return (loadSeconds ?? Math.max(30, 5 * seconds)) * 1000;
}

/**
 * The watchdog's verdict on a heartbeat frozen since `still`'s mark: the thread ran `seconds`
 * of CPU time, or stayed that long blocked for the load limit of its own time
 * (src/runtime/ownTime.ts; docs/robustness.md, "Watchdog verdicts under load").
 */
export function isRunaway(still: OwnTime, seconds: number, loadLimit: number): boolean {
  return still.ranAtLeast(seconds * 1000) || still.atLeast(loadLimit);
}

/** The id of the thread publishing into `buffer` (0 until it has begun, or where unknown). */
export function publisherThread(buffer: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(buffer, 0, CELLS), CELL.THREAD);
}

export function readPulse(buffer: SharedArrayBuffer): Pulse {
  const cells = new Int32Array(buffer, 0, CELLS);
  const step = Atomics.load(cells, CELL.STEP);
  return {
    beats: Atomics.load(cells, CELL.BEATS),
    execution: Atomics.load(cells, CELL.EXECUTION),
    step,
    task: Atomics.load(cells, CELL.TASK),
    steps: new Float64Array(buffer, STEPS_OFFSET, 1)[0]! + step + 1,
    log: readLog(buffer),
  };
}

/**
 * A decision log (see LOG_OFFSET) as an execution records its decisions, with the index of its
 * last task decision: the runaway pick, when the task then spun (-1 if none). The entries after
 * it are the values that task drew before it spun.
 */
export function decodeLog(log: readonly number[]): { readonly decisions: number[]; readonly pick: number } {
  let pick = log.length - 1;
  while (pick >= 0 && log[pick]! < 0) pick--;
  return { decisions: log.map((e) => (e < 0 ? -e - 1 : e)), pick };
}

function readLog(buffer: SharedArrayBuffer): number[] | null {
  const log = new Int32Array(buffer, LOG_OFFSET);
  const n = Atomics.load(log, 0);
  return n > LOG_CAPACITY ? null : Array.from(log.subarray(1, 1 + n));
}

export class Heartbeat {
  private names = new Map<string, number>();
  private lastInner: Strategy | null = null;
  private lastWrapper: Strategy | null = null;
  cells: Int32Array;
  private done: Float64Array;
  /** The decision log: [count, entries...]. */
  log: Int32Array;
  /** Steps of the finished executions since the count began, and of the running one so far. */
  private finished = 0;
  current = 0;
  /** Published instead of each execution's own index when set: the watched shrinker's attempt number (its replays all run as index 0). */
  attempt: number | null = null;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly announce: (index: number, name: string) => void,
  ) {
    this.cells = new Int32Array(buffer, 0, CELLS);
    this.done = new Float64Array(buffer, STEPS_OFFSET, 1);
    this.log = new Int32Array(buffer, LOG_OFFSET);
    Atomics.store(this.cells, CELL.THREAD, currentThreadId());
  }

  /** Publishes into another buffer (a split run's next watcher): names are announced afresh, to it. */
  listen(buffer: SharedArrayBuffer): void {
    this.cells = new Int32Array(buffer, 0, CELLS);
    this.done = new Float64Array(buffer, STEPS_OFFSET, 1);
    this.log = new Int32Array(buffer, LOG_OFFSET);
    Atomics.store(this.cells, CELL.THREAD, currentThreadId());
    this.names = new Map();
    this.restartCount();
  }

  /**
   * Counts steps from zero again, for a pool worker's next item (its result counts its own
   * steps), and marks no execution begun: the watcher gives the item's set-up (loading a
   * module) the load limit, not the runaway one, until its first execution begins.
   */
  restartCount(): void {
    this.finished = 0;
    this.current = 0;
    this.done[0] = 0;
    this.cells[CELL.EXECUTION] = -1;
    this.cells[CELL.STEP] = -1;
    this.cells[CELL.TASK] = -1;
    this.log[0] = 0;
  }

  /** Wraps `inner` (the same wrapper for the same strategy, so a long exploration allocates once). */
  wrap(inner: Strategy): Strategy {
    if (inner !== this.lastInner) {
      this.lastInner = inner;
      this.lastWrapper = new HeartbeatStrategy(inner, this);
    }
    return this.lastWrapper!;
  }

  beginExecution(index: number): void {
    this.finished += this.current;
    this.current = 0;
    this.done[0] = this.finished;
    const cells = this.cells;
    cells[CELL.EXECUTION] = this.attempt ?? index;
    cells[CELL.STEP] = -1;
    cells[CELL.TASK] = -1;
    this.log[0] = 0;
  }

  /** Logs one decision (see LOG_OFFSET). */
  record(entry: number): void {
    const log = this.log;
    const n = log[0]! + 1;
    if (n <= LOG_CAPACITY) log[n] = entry;
    log[0] = n;
  }

  nameIndex(name: string): number {
    let i = this.names.get(name);
    if (i === undefined) {
      i = this.names.size;
      this.names.set(name, i);
      this.announce(i, name);
    }
    return i;
  }
}

class HeartbeatStrategy implements Strategy {
  readonly name: string;
  readonly observe?: (task: TaskView, op: Operation, step: number) => void;
  readonly observeAccess?: (task: TaskView, op: Operation, step: number) => void;

  constructor(
    private readonly inner: Strategy,
    private readonly hb: Heartbeat,
  ) {
    this.name = inner.name;
    // Only when the inner strategy observes: the execution skips the call otherwise.
    if (inner.observe !== undefined) this.observe = inner.observe.bind(inner);
    if (inner.observeAccess !== undefined) this.observeAccess = inner.observeAccess.bind(inner);
  }

  beginExecution(index: number): void {
    this.hb.beginExecution(index);
    this.inner.beginExecution(index);
  }

  chooseTask(view: SchedulingView): number {
    const i = this.inner.chooseTask(view);
    const task = view.enabled[i];
    const hb = this.hb;
    const cells = hb.cells;
    if (task !== undefined) {
      cells[CELL.TASK] = hb.nameIndex(task.name);
      hb.record(task.id);
    }
    cells[CELL.STEP] = view.step;
    hb.current = view.step + 1;
    cells[CELL.BEATS] = (cells[CELL.BEATS]! + 1) | 0;
    return i;
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    const cells = this.hb.cells;
    cells[CELL.BEATS] = (cells[CELL.BEATS]! + 1) | 0;
    const value = this.inner.chooseValue(n, view, label);
    this.hb.record(-(value + 1));
    return value;
  }
}
