/**
 * Operations on shared state and the tasks that perform them: one module, since each refers to
 * the other (a task's pending operation; the tasks an operation's wait is held by).
 */

/**
 * What an operation does to shared state, as partial-order reduction sees it. Two operations are
 * dependent when they touch the same object, at least one writes, and their keys overlap
 * (`key === undefined` means the whole object: a map's key set, a lock, a queue).
 */
export type Access = 'none' | 'read' | 'write';

/** Anything tasks share. Ids are given in creation order, so they are stable across executions. */
export interface SharedObject {
  readonly id: number;
  readonly name: string;
  /** 'map', 'lock', 'queue', ... shown in events and wait-for edges. */
  readonly type: string;
}

/** What a blocked operation waits for: the wait-for graph's edge from the task to the holders. */
export interface WaitInfo {
  /** Human-readable resource, e.g. `lock "streams"` or `join worker-1`. */
  readonly resource: string;
  /** Tasks whose progress can unblock the waiter. */
  readonly holders: readonly Task[];
  /**
   * True when only the holders can ever unblock it (a lock owner, a join target, the worker
   * running a future). Then a cycle of owned waits is a deadlock the moment it forms; an
   * un-owned wait (a semaphore anyone may release, a queue anyone may fill) is judged only
   * when every task has stalled.
   */
  readonly owned: boolean;
  /**
   * Set by waits of real-code chains (drop-in locks, src/primitives/asyncMutex.ts), for the
   * deadlock message in words: the function whose call waits ('' when unnamed), and the task(s)
   * whose step took the resource (where the holding chain began).
   */
  readonly waiter?: string;
  readonly chain?: string;
}

/**
 * One announced operation of a task. A task announces its next operation at a scheduling point;
 * the operation runs atomically when the strategy picks the task, so the strategy and the
 * explorer always see what every task will do next. Blocking is not a state: a task is blocked
 * exactly when its pending operation is not enabled.
 */
export class Operation {
  /** Set when virtual time reached `deadline` while the operation was still not ready. */
  timedOut = false;
  /** Step at which the operation was first seen blocked (-1: never), for the timeline. */
  blockedAt = -1;
  /** Where the scenario called it (only while recording): the location of an error it raises. */
  /**
   * Captured where the scenario called it (only while recording or shrinking): the location of
   * an error it raises. An Error captures frames cheaply; its text is only built when read.
   */
  site: Error | undefined = undefined;

  constructor(
    /** Verb: 'get', 'acquire', 'join', 'sleep', 'start', ... */
    readonly kind: string,
    readonly obj: SharedObject | null,
    readonly key: unknown,
    readonly access: Access,
    /** null: always enabled. Receives the operation, like `run`, so it can be a shared function. */
    readonly ready: ((op: Operation) => boolean) | null,
    /**
     * Runs the operation; `timedOut` is true when it ends by its timeout instead. May throw.
     * It receives the operation itself, so a hot primitive can pass one shared function that
     * reads `obj` and `arg` instead of a fresh closure per step (src/primitives/variable.ts).
     */
    readonly run: (timedOut: boolean, op: Operation) => unknown,
    /** Virtual time at which a blocked operation gives up (Infinity: never). */
    readonly deadline: number = Infinity,
    readonly waits: ((op: Operation) => WaitInfo) | null = null,
    /** An idle pool worker waiting for work: not a leak, not stuck. */
    readonly idle: boolean = false,
    /** The operation's argument for a shared `run` function (the value to set, the update function). */
    readonly arg: unknown = undefined,
  ) {}

  enabled(): boolean {
    return this.timedOut || this.ready === null || this.ready(this);
  }

  /** Its virtual deadline passed while it could not run: run now, it ends by its timeout. */
  endsByTimeout(): boolean {
    return this.timedOut && this.ready !== null && !this.ready(this);
  }
}

/** The `held` list of every task that has taken no lock yet; never written (Execution.lockAcquired replaces it). */
export const NO_LOCKS: SharedObject[] = Object.freeze([]) as unknown as SharedObject[];

/** Read-only view of a task, what strategies and detectors may see. */
export interface TaskView {
  readonly id: number;
  readonly name: string;
  /** The operation the task will perform when picked (null once finished). */
  readonly pending: Operation | null;
  /** The task whose step spawned this one (null for main), and the step counter then (Task.parent). */
  readonly parent: TaskView | null;
  readonly bornAt: number;
  /** Real code: a controlled call's task, or a continuation of another task's chain (Task.call, Task.transient). */
  readonly call: boolean;
  readonly transient: boolean;
}

/**
 * A task of the scenario: a plain async function driven by the execution. Only the execution
 * mutates these fields; everything else reads them through TaskView.
 */
export class Task implements TaskView {
  pending: Operation | null = null;
  finished = false;
  result: unknown = undefined;
  /** The task's function until it is first picked and started. */
  body: (() => Promise<unknown> | unknown) | null = null;
  /** Set while the task waits at a scheduling point; the execution calls it to hand control over. */
  resume: ((value: unknown) => void) | null = null;
  fail: ((error: unknown) => void) | null = null;
  /** The task that last handed control to this one (null: none, or the execution's start). */
  handedBy: Task | null = null;
  /** Step stamp of the last enabled-set computation that found this task enabled. */
  enabledAt = -1;
  /**
   * Real-code mode: the task only carries operations of chains that belong to others (a
   * continuation, or a body that ended with an operation pending); it finishes once quiet with
   * nothing pending.
   */
  transient = false;
  /** The task of one controlled call (`t.io`): it delivers the call's result and ends. */
  call = false;
  /**
   * The task whose step spawned this one (null for main), and the step counter then: a real-code
   * lock is held by the chain of code that took it, which goes on in the tasks its step and its
   * descendants' steps spawn (Execution.chainOf).
   */
  parent: Task | null = null;
  bornAt = 0;
  /** Locks held, in acquisition order, for the lock-order detector. Shared and empty until the first acquisition (most tasks take none). */
  held: SharedObject[] = NO_LOCKS;

  constructor(
    readonly id: number,
    readonly name: string,
    /** Pool workers: abandoned, not leaked, when the scenario ends. */
    readonly daemon: boolean,
  ) {}
}
