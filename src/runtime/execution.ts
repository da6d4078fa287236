import { AssertionFailure, InternalError, ProcessEnded, UsageError } from './errors.js';
import { guardProcessEnd } from './processGuard.js';
import type { BlockedTask, ErrorInfo, Failure, WaitEdge, Warning } from './failure.js';
import { formatCycle } from './failure.js';
import { LockOrderDetector } from './lockOrder.js';
import { Operation, type SharedObject } from './operation.js';
import { NO_LOCKS, Task, type TaskView } from './operation.js';
import { findCycle, heldByFinished, permanentDeadlock, waitOf } from './waitfor.js';
import { describeOp, formatValue, type TraceEvent } from './events.js';
import { errorInfo, opErrorInfo, scenarioLinesHere } from './location.js';
import { usageErrorHere } from './usageSite.js';
import { describeThrown, isInstance } from './thrown.js';
import { spinMark } from './spinMark.js';
import { Divergence, type SchedulingView, type Strategy } from './strategy.js';
import { newAsyncId, Quiescence } from './quiescence.js';

/**
 * What real-code mode adds around the steps of an execution (virtual timers, the watch on the
 * outside world): told when each step starts and when the execution ends (whatever way), so
 * globals it replaced are put back.
 */
export interface RealCodeHooks {
  stepStarted(): void;
  /** The running step's microtasks have drained: what runs next, until the next step, is other code's or the step's macrotasks. */
  stepDrained(): void;
  /** Something the scenario's code started and still waits on outside interleave (a real timer, a socket), with its line; null when none. */
  outsideWait(): string | null;
  /** Something the scenario's code started that runs on wall-clock time (a real timer), described with its step and line; null when none. */
  outsideStarted(): string | null;
  /** Where the scenario's code awaits and never resumed (`file:line` each), when the execution locates waits (ExecutionOptions.locateWaits); else empty. */
  unfinishedAwaits(): readonly string[];
  end(): void;
}

export interface ExecutionOptions {
  readonly strategy: Strategy;
  /** Index of this execution in its exploration, passed to `strategy.beginExecution`. */
  readonly index?: number;
  /** Scheduling decisions after which the run is reported as a livelock. */
  readonly maxSteps?: number;
  /** Build the human-readable event list (costs time; on for traces, off while exploring). */
  readonly record?: boolean;
  /** Record where the scenario called each operation (error locations) without building events; implied by `record`. */
  readonly sites?: boolean;
  /**
   * Real code: keep the line that started each resource outside interleave (socket, file, real
   * timer), so a wait on one is named by its line, and the lines where the scenario's code awaits
   * and never resumed, for a stuck or leaking program. Hooks on every promise, on only for this: it costs every
   * promise, and changes an error's async stack frames. Used by the run that records a
   * nondeterminism, stuck or leak failure, and by its replay (`locatesWaits` in src/replay.ts).
   */
  readonly locateWaits?: boolean;
  /**
   * Check that a task awaits each operation before starting the next (`oneOperationAtATime`):
   * one microtask per operation. Implied by `sites`; on for every execution run on its own
   * (`runExecution`: replays, dfs/pb, the shrinker), off for the series of random exploration.
   */
  readonly oneAtATime?: boolean;
  /** Tasks still blocked after main returned, and locks held by finished tasks, are not failures. */
  readonly allowLeaks?: boolean;
  /** Turn a lock-order inversion into a `potential-deadlock` failure instead of a warning. */
  readonly failOnLockOrder?: boolean;
}

export interface DivergenceInfo {
  readonly step: number;
  readonly message: string;
  readonly expected: string;
  readonly actual: readonly string[];
}

/** Everything one execution produced. Plain data: safe to keep, compare and serialize. */
export interface ExecutionResult {
  readonly failure: Failure | null;
  readonly divergence: DivergenceInfo | null;
  /** One entry per decision: a task id at each scheduling point, a value at each `choose`. */
  readonly decisions: readonly number[];
  readonly steps: number;
  readonly preemptions: number;
  readonly tasks: readonly string[];
  /** Virtual time at the end, in ms. */
  readonly time: number;
  readonly events: readonly TraceEvent[] | null;
  readonly warnings: readonly Warning[];
  /**
   * The scenario ran real code whose shared state interleave may not see (it called `t.track`):
   * the search then reduces only when the scenario declares `sharedState: 'tracked'`.
   */
  readonly realCode?: boolean;
}

const DEFAULT_MAX_STEPS = 20_000;
const LIVELOCK_WINDOW = 200;
/** Task starts nested on one stack before the next starts on a fresh one (each costs a few frames). */
const MAX_NESTED_STARTS = 100;
const noop = (): void => {};

/**
 * Every task's first operation. One object for all: a `start` is never blocked, never times out
 * and is never performed (so none of its mutable fields is ever written).
 */
const START = new Operation('start', null, undefined, 'none', null, noop);

/**
 * What `schedule` hands back when no task waits on the result (the first pick, or a task that
 * just ended): its callers drop it, so one settled promise serves every execution.
 */
const UNAWAITED: Promise<unknown> = Promise.resolve();

const NO_WARNINGS: Warning[] = Object.freeze([]) as unknown as Warning[];

/** What waits on a promise the execution settles from outside: a parked task, or `run`'s caller. */
interface Waiter {
  resume: ((value: unknown) => void) | null;
  fail: ((error: unknown) => void) | null;
}

/** The waiter the next `new Promise(park)` is for: one executor for every such promise, no closure per step or per execution. */
let parking: Waiter | null = null;
function park(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  const waiter = parking!;
  parking = null;
  waiter.resume = resolve;
  waiter.fail = reject;
}

/**
 * One run of a scenario under a strategy. Exactly one task runs at a time; a task reaching a
 * scheduling point announces its next operation and hands control directly to the task the
 * strategy picks (resolving that task's promise), so a switch costs one promise resolution and
 * no central loop. An execution is used once and then dropped.
 */
export class Execution implements SchedulingView {
  readonly tasks: Task[] = [];
  /** The tasks' names, by id: kept as tasks are spawned, so the result needs no copy. */
  private readonly names: string[] = [];
  current: Task | null = null;
  step = 0;
  now = 0;
  preemptions = 0;
  readonly decisions: number[] = [];
  /** Locks, rwlocks and semaphores, for the end-of-run leak check (null until the first: most executions have none). */
  private locks: { obj: SharedObject; holders(): readonly Task[] }[] | null = null;
  /** Semaphores, for display (null until the first). */
  private permitHolders: { obj: SharedObject; holders(): readonly Task[] }[] | null = null;

  private readonly strategy: Strategy;
  private readonly maxSteps: number;
  readonly record: boolean;
  /** See ExecutionOptions.locateWaits. */
  readonly locateWaits: boolean;
  /**
   * When locating waits: the lines of the code that started this execution (a test's `await
   * replayTrace(...)`), whose own awaits wait for the execution, not in it.
   */
  readonly starterLines: readonly string[];
  private readonly sites: boolean;
  private readonly oneAtATime: boolean;
  private readonly allowLeaks: boolean;
  private readonly failOnLockOrder: boolean;
  /** Created on the first lock acquisition: most executions never take a lock. */
  private lockOrder: LockOrderDetector | null = null;
  /** Errors raised by operations, and by which (their stacks belong to another task). Lazy: rare. */
  private raisedBy: WeakMap<object, Operation> | null = null;
  /** Indices in `decisions` of `choose` values (null until the first: most scenarios never choose). */
  chosenAt: number[] | null = null;
  /** Index of this execution in its exploration (options.index). */
  readonly index: number;
  /** Shared and empty until the first warning. */
  private warnings: Warning[] = NO_WARNINGS;
  private readonly events: TraceEvent[] | null;
  /** Tasks that can run now (the strategy's view: the execution is its own SchedulingView, no wrapper to read through). */
  readonly enabled: Task[] = [];
  private nextObjectId = 0;
  private failure: Failure | null = null;
  private divergence: DivergenceInfo | null = null;
  private stopped = false;
  /** Set by `markRealCode`: reported in the result. */
  private realCode = false;
  /** Ended by a usage error (or an internal one): `run` rejected. */
  private usageError = false;
  /** Undoes the process.exit guard (src/runtime/processGuard.ts) while the execution runs; null before and after. */
  private restoreProcess: (() => void) | null = null;
  /** How `run`'s promise settles. */
  private readonly end: Waiter = { resume: null, fail: null };
  /**
   * Real-code mode (docs/real-code.md), entered at the first controlled call (`t.io`): the code
   * under test runs several promise chains at once, so a step no longer ends at the next
   * operation of one task but when the microtask queue has drained (the execution is quiet).
   * Then the strategy picks the next step among every pending operation and controlled call.
   */
  private real = false;
  /** Real-code hooks (virtual timers, resource tracking) told when a step starts and when the execution is quiet. */
  private realHooks: RealCodeHooks | null = null;

  constructor(options: ExecutionOptions) {
    this.strategy = options.strategy;
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.record = options.record ?? false;
    this.locateWaits = options.locateWaits ?? false;
    this.starterLines = this.locateWaits ? scenarioLinesHere() : [];
    this.sites = this.record || (options.sites ?? false);
    this.oneAtATime = this.sites || (options.oneAtATime ?? false);
    this.allowLeaks = options.allowLeaks ?? false;
    this.failOnLockOrder = options.failOnLockOrder ?? false;
    this.events = this.record ? [] : null;
    this.index = options.index ?? 0;
    this.strategy.beginExecution(this.index);
  }

  /** Called by lock primitives when created, for the end-of-run leak check. */
  registerLock(obj: SharedObject, holders: () => readonly Task[]): void {
    (this.locks ??= []).push({ obj, holders });
  }

  /**
   * Called by semaphores when created: who holds their permits, for display only (the explorer's
   * `held:` line). Not a leak when a task ends holding one: any task may release a permit.
   */
  registerPermits(obj: SharedObject, holders: () => readonly Task[]): void {
    (this.permitHolders ??= []).push({ obj, holders });
  }

  /** Semaphores and who holds their permits now (a task once per permit it holds). */
  permits(): readonly { readonly obj: SharedObject; readonly holders: readonly Task[] }[] {
    return (this.permitHolders ?? []).map(({ obj, holders }) => ({ obj, holders: holders() }));
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** In real-code mode: some step ran code under test whose shared state interleave cannot see. */
  get isRealCode(): boolean {
    return this.real;
  }

  /** SchedulingView: the scenario ran real code so far (`markRealCode`, real-code mode). */
  get realCodeSeen(): boolean {
    return this.realCode;
  }

  /**
   * Switches this execution to real-code mode (idempotent; called by `t.io` at its first call,
   * and by a scenario declared real). From here on every step lasts until the execution is quiet:
   * operations and controlled calls only announce themselves, and the next step is picked once
   * the microtask queue has drained (`onQuiet`). `hooks` are told when each step begins and when
   * the execution ends.
   */
  enterRealMode(hooks: RealCodeHooks | null = null): void {
    if (this.stopped) return;
    if (hooks !== null && this.realHooks === null) {
      this.realHooks = hooks;
      hooks.stepStarted();
    }
    if (this.real) return;
    this.real = true;
    // Controlled calls run code whose state interleave does not see: no reduction unless declared tracked.
    this.realCode = true;
    this.armQuiet();
  }

  /** Continuation tasks made so far (`main+1`, ...): see performReal. */
  private continuations = 0;
  /** Tells when a step of real code is over (made at `enterRealMode`). */
  private quietness: Quiescence | null = null;

  private armQuiet(): void {
    if (this.stopped) return;
    (this.quietness ??= new Quiescence(
      () => this.onQuiet(),
      () => this.mayStall(),
      this.startProbe,
      () => this.realHooks?.stepDrained(),
    )).arm();
  }

  /** Nothing can run and some task has not finished: the next step is judged after a turn of the event loop (outside callbacks first). */
  private mayStall(): boolean {
    return this.computeEnabled().length === 0 && !this.tasks.every(doneOrIdle);
  }

  /** The newest async id when the execution began (src/runtime/quiescence.ts: the first step of real code may end at the drain). */
  private startProbe = -2;

  /** How the steps of real code ended so far: at a microtask drain or at a macrotask (src/runtime/quiescence.ts). */
  get quietEnds(): { readonly atDrain: number; readonly atMacrotask: number } {
    return this.quietness?.ended ?? { atDrain: 0, atMacrotask: 0 };
  }

  /**
   * The microtask queue drained in real-code mode: the step is over. Every chain is either at a
   * scheduling point (a pending operation or controlled call) or awaiting a promise only a
   * later step can settle. The strategy picks the next step.
   */
  private onQuiet(): void {
    if (this.stopped) return;
    this.realHooks?.stepStarted();
    const started = this.realHooks?.outsideStarted() ?? null;
    if (started !== null) {
      this.failOutsideStart(started);
      return;
    }
    const from = this.current;
    // A continuation whose operation ran and whose chain now waits elsewhere has done its part.
    if (from !== null && from.transient && from.pending === null) from.finished = true;
    try {
      this.schedule(from);
    } catch (error) {
      // Here no task's code is on the stack to receive it: the run ends with it, as `run` would.
      this.misuse(error as UsageError);
      return;
    }
    if (!this.stopped) this.armQuiet();
  }

  /**
   * Spawns the task of one controlled call: its operation announces the call, and the task's body
   * (started when the strategy picks it) delivers the result to the caller. Called by `t.io`.
   */
  spawnCall(name: string, op: Operation, deliver: () => void): Task {
    const task = this.spawn(name, deliver, false);
    task.pending = op;
    task.call = true;
    if (this.sites) op.site = new Error();
    return task;
  }

  /**
   * Runs `body` as the task "main" and resolves when the execution ends: every non-daemon task
   * finished, a failure was found, or the replayed schedule diverged. Rejects only for a
   * scenario's misuse of the API (UsageError) or an interleave bug (InternalError).
   */
  run(body: () => Promise<unknown>): Promise<ExecutionResult> {
    parking = this.end;
    // Settled only by `complete` (an ExecutionResult) or a usage error.
    const done = new Promise(park) as Promise<ExecutionResult>;
    this.begin(body);
    return done;
  }

  /**
   * `run` without a promise: the end is reported to `onEnd` (or a usage error to `onError`),
   * called on the stack of the task that ended the execution. For executions run back to back
   * (src/series.ts), where the next one starts right there.
   */
  start(body: () => Promise<unknown>, onEnd: (result: ExecutionResult) => void, onError: (error: unknown) => void): void {
    this.end.resume = onEnd as (value: unknown) => void;
    this.end.fail = onError;
    this.begin(body);
  }

  private begin(body: () => Promise<unknown>): void {
    spinMark.running = this;
    (globalThis as Record<symbol, unknown>)[RUNNING] = this;
    this.restoreProcess = guardProcessEnd((call) => this.processEnded(call));
    this.startProbe = newAsyncId();
    this.spawn('main', body, false);
    this.schedule(null);
  }

  newObjectId(): number {
    return this.nextObjectId++;
  }

  /**
   * The event of the step running now, while recording (null otherwise): a controlled call's
   * result is written into it when the call's promise settles, within the step.
   */
  stepEvent(): TraceEvent | null {
    return this.events === null ? null : (this.events[this.events.length - 1] ?? null);
  }

  /** Id of "the outside world", the object every controlled call touches (created at the first call). */
  worldId(): number {
    return (this.world ??= this.newObjectId());
  }
  private world: number | undefined = undefined;

  /** Creates a task that starts at its first scheduling point. Spawning itself is not one. */
  spawn(name: string, fn: () => Promise<unknown> | unknown, daemon: boolean): Task {
    const task = new Task(this.tasks.length, this.uniqueName(name), daemon);
    task.parent = this.current;
    task.bornAt = this.step;
    task.pending = START;
    task.body = fn;
    this.tasks.push(task);
    this.names.push(task.name);
    if (this.events !== null) this.events.push({ step: this.step, task: this.current?.name ?? 'main', op: 'spawn', obj: task.name });
    return task;
  }

  /**
   * Starts a task's body the moment it is first picked (called by `dispatch`, on the stack of the
   * task handing over: there is no promise to park on before a task ever ran). Its end or error,
   * one microtask after its promise settles, hands control on.
   */
  private startTask(task: Task, fn: () => Promise<unknown> | unknown): void {
    if (this.nestedStarts >= MAX_NESTED_STARTS) {
      // Tasks first picked one after another start inside each other's first operation; past
      // this depth the next one starts on a fresh stack instead (a schedule like round-robin
      // over thousands of new tasks would overflow it). Still the same schedule: nothing else
      // can run in between, as `next` is the only task handed control.
      void Promise.resolve().then(() => {
        if (!this.stopped) this.startTask(task, fn);
      });
      return;
    }
    let result: unknown;
    this.nestedStarts++;
    try {
      result = fn();
    } catch (error) {
      this.onTaskError(task, error);
      return;
    } finally {
      this.nestedStarts--;
    }
    // A reaction pair instead of an async wrapper: no generator object and no promise of its own per task.
    Promise.resolve(result).then(
      (value) => this.onTaskEnd(task, value),
      (error: unknown) => this.onTaskError(task, error),
    );
  }

  /**
   * The one entry point for operations, called by primitives from the running task. The
   * operation runs when the strategy picks this task; the promise settles with its result.
   */
  perform<T>(op: Operation): Promise<T> {
    if (this.stopped) return this.afterEnd(op);
    const task = this.current;
    if (task === null) {
      throw new UsageError(`${describeOp(op)} was called outside any task of the scenario`);
    }
    if (this.real) return this.performReal<T>(task, op);
    if (this.oneAtATime) this.oneOperationAtATime(op);
    if (task.pending !== null) {
      // Also how an operation started by a task that already switched away (Promise.all over
      // operations of one task) is caught: it lands on the next task, whose own next operation
      // or end then finds this one pending.
      throw new UsageError(
        `task "${task.name}" started ${describeOp(op)} while ${describeOp(task.pending)} was still pending${this.orBefore(task)}: await every operation before the next (no Promise.all over operations of one task)`,
      );
    }
    task.pending = op;
    if (this.sites) op.site = new Error();
    if (op.ready !== null && !op.timedOut && !op.ready(op)) {
      op.blockedAt = this.step;
      if (this.events !== null) this.events.push({ ...eventOf(task, op, this.step), note: 'blocked' });
      if (op.deadline === Infinity && op.waits !== null) {
        const cycle = permanentDeadlock(task);
        if (cycle !== null) {
          this.failDeadlock(cycle, task);
          return this.forever();
        }
      }
    }
    const promise = this.schedule(task) as Promise<T>;
    // Until the microtask queue runs, whatever calls `perform` is `task` going on without awaiting.
    if (this.oneAtATime && !this.stopped) this.unawaited = task;
    return promise;
  }

  /** `perform` for `task` instead of the running task (real-code mode only): the `timers` task announcing its next firing. */
  performAs<T>(task: Task, op: Operation): Promise<T> {
    if (this.stopped) return this.forever();
    return this.performReal<T>(task, op);
  }

  /**
   * `perform` in real-code mode: the operation is announced and the caller gets a promise the
   * step that runs it settles; nothing is scheduled now (the step ends when the execution is
   * quiet). A chain whose task already has an operation pending (two chains of one task, as in
   * `Promise.all`) announces it on a task of its own, named after the task (`main+1`).
   */
  private performReal<T>(task: Task, op: Operation): Promise<T> {
    let owner = task;
    if (task.pending !== null || task.finished) {
      owner = this.spawn(`${task.name}+${++this.continuations}`, noop, false);
      owner.body = null;
      owner.transient = true;
    }
    owner.pending = op;
    if (this.sites) op.site = new Error();
    if (op.ready !== null && !op.timedOut && !op.ready(op)) {
      op.blockedAt = this.step;
      // An idle wait (the `timers` task with no timer pending) is not news for the timeline.
      if (this.events !== null && !op.idle) this.events.push({ ...eventOf(owner, op, this.step), note: 'blocked' });
      if (op.deadline === Infinity && op.waits !== null) {
        const cycle = permanentDeadlock(owner);
        if (cycle !== null) {
          this.failDeadlock(cycle, owner);
          return this.forever();
        }
      }
    }
    parking = owner;
    return new Promise(park) as Promise<T>;
  }

  /**
   * The rule that a task has one operation in flight: it awaits each before starting the next.
   * A second `perform` before the microtask queue ran since the first returned comes from the
   * same synchronous run of the task that started the first (`Promise.all([m.get('a'),
   * m.get('b')])`, or an operation started and not awaited): a usage error naming that task and
   * the line of the second operation, whichever task the scheduler is running now. The one
   * place to relax when tasks may run several operations at once.
   *
   * How the window is known: the first `perform` of a synchronous run queues one microtask that
   * closes it, before `schedule` hands control to anyone (so it runs before any task resumes),
   * and each `perform` opens it for its caller as it returns.
   *
   * Checked with `oneAtATime` (every execution run on its own, and the first execution of every
   * series, src/series.ts; not the others of a series): the microtask per operation cost half
   * again the instructions of a step (valgrind, 4 tasks x 250 steps: 3.0 M per schedule against
   * 2.0 M). A series' first execution has it on because a strategy that never switches at a
   * task's first operation (PCT, first-enabled) would otherwise never see the misuse. In the
   * other executions of a series the misuse is still caught whenever the scheduler switches at
   * the first operation: the second lands on the task handed control, which then finds it
   * pending (`perform`, `onTaskEnd`), and explore replays that execution with the check on to
   * name the line.
   */
  private oneOperationAtATime(op: Operation): void {
    const first = this.unawaited;
    if (first !== null) {
      const error = usageErrorHere(
        `task "${first.name}" started ${describeOp(op)} before its previous operation completed (await each operation before the next: no Promise.all over one task's operations)`,
      );
      this.misuse(error);
      throw error;
    }
    if (!this.windowQueued) {
      this.windowQueued = true;
      queueMicrotask(this.closeWindow);
    }
  }

  private windowQueued = false;
  /** The task whose `perform` returned in the synchronous run going on now (see oneOperationAtATime). */
  private unawaited: Task | null = null;
  private readonly closeWindow = (): void => {
    this.windowQueued = false;
    this.unawaited = null;
  };

  /**
   * An operation called once the execution has ended. After a failure or a divergence, the task
   * running then may go on to its next operation: it gets a promise that never settles, and goes
   * quiet. After a clean end every task has finished, so the call comes from code left behind (a
   * timer or callback the scenario started): a usage error at the calling line, thrown there.
   */
  private afterEnd<T>(op: Operation): Promise<T> {
    if (this.failure !== null || this.divergence !== null || this.usageError) return this.forever();
    throw usageErrorHere(`${describeOp(op)} was called after the execution ended (from a timer or callback left running by the scenario?): every operation must run inside a task, awaited`);
  }

  /** A misuse found while the execution runs: it ends, and `run` rejects with `error`. */
  private misuse(error: UsageError): void {
    if (this.stopped) return;
    if (!this.oneAtATime && isInstance(error, UsageError)) error.schedule = [...this.decisions];
    this.stopped = true;
    this.usageError = true;
    this.releaseProcess();
    this.realHooks?.end();
    this.end.fail!(error);
  }

  /** A scenario-level nondeterministic choice in [0, n): a decision like any other. */
  choose(n: number, label: string): number {
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`choose(${label}): n must be a positive integer, got ${n}`);
    if (this.stopped) return 0;
    let value: number;
    try {
      value = this.strategy.chooseValue(n, this, label);
    } catch (e) {
      if (e instanceof Divergence) {
        this.diverge(e);
        return 0;
      }
      throw e;
    }
    if (!(value >= 0 && value < n && Number.isInteger(value))) {
      throw new InternalError(`strategy ${this.strategy.name} chose ${value} outside [0, ${n})`);
    }
    // Which decisions are values, not task ids (the livelock report must not read them as tasks).
    (this.chosenAt ??= []).push(this.decisions.length);
    this.decisions.push(value);
    if (this.events !== null) {
      this.events.push({ step: this.step, task: this.current?.name ?? 'main', op: 'choose', obj: label, result: String(value) });
    }
    return value;
  }

  /**
   * The live tasks of the chain of code that `root`'s step ran from step `since` on (real-code
   * mode): `root` itself, the tasks spawned by its steps from `since` on, and, transitively, the
   * tasks spawned by theirs. A lock a drop-in primitive (src/primitives/asyncMutex.ts) gave to
   * `root` is held by that chain: the code that took it goes on in those tasks (a controlled
   * call's, a continuation's) after `root`'s own step ended. An over-approximation: another chain
   * resumed in the same steps counts too. Finished tasks are left out; empty when all finished.
   */
  chainOf(root: Task, since: number): Task[] {
    const members = new Set<Task>([root]);
    const live: Task[] = root.finished ? [] : [root];
    // Tasks are spawned in order, so a parent always comes before its children.
    for (let i = root.id + 1; i < this.tasks.length; i++) {
      const t = this.tasks[i]!;
      const p = t.parent;
      if (p === null || !members.has(p) || (p === root && t.bornAt < since)) continue;
      members.add(t);
      if (!t.finished) live.push(t);
    }
    return live;
  }

  /** Called by lock primitives after an acquisition; feeds the lock-order detector. */
  lockAcquired(task: Task, lock: SharedObject): void {
    const warning = (this.lockOrder ??= new LockOrderDetector()).onAcquire(task.name, lock, task.held, this.step);
    if (task.held === NO_LOCKS) task.held = [lock];
    else task.held.push(lock);
    if (warning !== null) {
      if (this.warnings === NO_WARNINGS) this.warnings = [];
      this.warnings.push(warning);
      if (this.failOnLockOrder) {
        this.fail({ kind: 'potential-deadlock', message: warning.message, step: warning.step, task: task.name, tasks: warning.tasks, locks: warning.locks });
      }
    }
  }

  lockReleased(task: Task, lock: SharedObject): void {
    const i = task.held.lastIndexOf(lock);
    if (i >= 0) task.held.splice(i, 1);
  }

  /**
   * A tracked object (src/primitives/tracked.ts) was read or written by the code running now.
   * Between its scheduling points a task's code belongs to the step that resumed it (the last
   * one dispatched, `step - 1`), so the access is handed to the strategy as part of that step.
   * Not a scheduling point. Only tracked objects call this: an ordinary scenario pays nothing,
   * and with no strategy listening nothing is allocated. Ignored outside any task and after the end.
   * The operation handed over carries `arg` true when the write adds a key (`inserts`).
   */
  access(obj: SharedObject, kind: string, key: unknown, write: boolean, inserts = false): void {
    const task = this.current;
    if (task === null || this.stopped || this.strategy.observeAccess === undefined) return;
    this.strategy.observeAccess(task, new Operation(kind, obj, key, write ? 'write' : 'read', null, noop, Infinity, null, false, inserts), this.step - 1);
  }

  /**
   * The scenario runs real code that may share state interleave does not see: called by
   * `t.track` (and by any boundary into unchanged code). Recorded in the result; the search
   * reads it (src/search/search.ts: no partial-order reduction unless declared tracked).
   */
  markRealCode(): void {
    this.realCode = true;
  }

  /** Called by the explorer when the microtask queue drained while a task was still running. */
  failNondeterminism(): void {
    // In real-code mode a drained queue ends a step (onQuiet); an outside wait is judged at the stall.
    if (this.stopped || this.real) return;
    const task = this.current;
    const name = task?.name ?? 'main';
    this.fail({
      kind: 'nondeterminism',
      message:
        `nondeterminism: task "${name}" awaited something the scheduler does not control ` +
        `(a real timer, I/O or a foreign promise) after step ${this.step}; use t.sleep for time and interleave primitives for shared state`,
      step: this.step,
      task: name,
      tasks: [name],
    });
  }

  // ---- scheduling ------------------------------------------------------------------------

  /** Picks and dispatches the next task. Returns the promise `from` waits on. */
  private schedule(from: Task | null): Promise<unknown> {
    for (;;) {
      if (this.stopped) return this.never(from);
      if (this.step >= this.maxSteps) {
        this.failLivelock();
        return this.never(from);
      }
      const enabled = this.computeEnabled();
      if (enabled.length === 0) {
        if (this.advanceTime()) continue;
        this.stall();
        return this.never(from);
      }
      let index: number;
      try {
        index = this.strategy.chooseTask(this);
      } catch (e) {
        if (e instanceof Divergence) {
          this.diverge(e);
          return this.never(from);
        }
        throw e;
      }
      const next = enabled[index];
      if (next === undefined) throw new InternalError(`strategy ${this.strategy.name} chose index ${index} of ${enabled.length} enabled tasks`);
      this.decisions.push(next.id);
      const preempted = from !== null && from !== next && from.enabledAt === this.step;
      if (preempted) this.preemptions++;
      return this.dispatch(from, next, preempted);
    }
  }

  private computeEnabled(): Task[] {
    const enabled = this.enabled;
    const tasks = this.tasks;
    const stamp = this.step;
    let n = 0;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      const op = t.pending;
      if (op === null || t.finished) continue;
      // op.enabled() inlined, cheapest test first: most operations can never block.
      if (op.ready === null || op.timedOut || op.ready(op)) {
        t.enabledAt = stamp;
        // The set rarely changes from one step to the next: skip the store when it is the same.
        if (enabled[n] !== t) enabled[n] = t;
        n++;
      } else if (op.blockedAt < 0) {
        op.blockedAt = stamp;
      }
    }
    // Setting `length` is a slow builtin call; the set shrinks by a task or two at a time.
    while (enabled.length > n) enabled.pop();
    return enabled;
  }

  /** Runs `next`'s pending operation and hands control to it. */
  private dispatch(from: Task | null, next: Task, preempted: boolean): Promise<unknown> {
    const op = next.pending!;
    next.pending = null;
    const timedOut = op.endsByTimeout();
    const step = this.step++;
    this.current = next;
    let value: unknown;
    let error: unknown;
    let threw = false;
    try {
      value = op.run(timedOut, op);
    } catch (e) {
      error = e;
      threw = true;
      // The error object was created on the stack of the task that handed over, not of `next`.
      if (typeof e === 'object' && e !== null) (this.raisedBy ??= new WeakMap()).set(e, op);
    }
    if (this.events !== null) this.recordStep(next, op, step, timedOut, threw ? error : undefined, threw, value, preempted);
    this.strategy.observe?.(next, op, step, threw);
    if (this.stopped) return this.never(from);
    if (next === from && !this.real) return threw ? Promise.reject(error) : Promise.resolve(value);
    next.handedBy = from;
    // `from` parks before `next` goes on: a task's first pick runs its body right here, up to
    // its first operation, which may hand control straight back to `from`.
    let parked: Promise<unknown>;
    if (from === null || from.finished || this.real) parked = UNAWAITED;
    else {
      parking = from;
      parked = new Promise(park);
    }
    const body = next.body;
    if (body !== null) {
      next.body = null;
      this.startTask(next, body);
      return parked;
    }
    const handOff = threw ? next.fail : next.resume;
    next.resume = null;
    next.fail = null;
    if (handOff === null) throw new InternalError(`task "${next.name}" was picked but is not waiting at a scheduling point`);
    handOff(threw ? error : value);
    return parked;
  }

  /**
   * An operation that a task starts without awaiting it lands on whichever task runs when it is
   * started: the task itself, or the one it just handed control to. Both are named.
   */
  private orBefore(task: Task): string {
    const other = task.handedBy;
    return other === null || other === task ? '' : ` (started by "${task.name}" itself, or by "${other.name}", which handed control to it)`;
  }

  /** Task bodies being started on the stack right now, one inside the other's first operation. */
  private nestedStarts = 0;

  /** Given to the tasks of a stopped execution, so they go quiet and get collected. One per execution. */
  private quiet: Promise<never> | null = null;
  private forever(): Promise<never> {
    return (this.quiet ??= new Promise<never>(noop));
  }

  /** What `from` waits on when nothing will ever hand control back to it. */
  private never(from: Task | null): Promise<unknown> {
    return from === null || from.finished ? UNAWAITED : this.forever();
  }

  /** Virtual time moves only when nothing can run: to the earliest deadline, firing every timer due then. */
  private advanceTime(): boolean {
    const tasks = this.tasks;
    let earliest = Infinity;
    // Indexed loops: this runs at the end of every execution, and `for of` stayed an iterator call there.
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      const op = t.pending;
      if (op !== null && !t.finished && op.deadline < earliest) earliest = op.deadline;
    }
    if (earliest === Infinity) return false;
    if (earliest > this.now) this.now = earliest;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      const op = t.pending;
      if (op !== null && !t.finished && op.deadline <= this.now) op.timedOut = true;
    }
    if (this.events !== null) this.events.push({ step: this.step, task: '', op: 'time', result: `${this.now}ms`, note: 'time' });
    return true;
  }

  // ---- task lifecycle ------------------------------------------------------------------------

  private onTaskEnd(task: Task, value: unknown): void {
    if (this.stopped) return;
    if (this.real) {
      // Real-code mode: a body ends inside whichever step settled its last promise; the step
      // goes on until the execution is quiet. An operation it started and left pending still runs.
      if (task.pending === null) task.finished = true;
      else task.transient = true;
      task.result = value;
      // A controlled call's task ends right after its delivery: its end says nothing to a reader.
      if (this.events !== null && !task.call) this.events.push({ step: this.step, task: task.name, op: 'finish', note: 'finished' });
      return;
    }
    if (task.pending !== null) {
      this.onTaskError(task, new UsageError(`task "${task.name}" ended with ${describeOp(task.pending)} still pending${this.orBefore(task)}: await every operation (no Promise.all over operations of one task)`));
      return;
    }
    task.finished = true;
    task.result = value;
    task.pending = null;
    if (this.events !== null) this.events.push({ step: this.step, task: task.name, op: 'finish', note: 'finished' });
    this.current = null;
    this.schedule(task);
  }

  /**
   * A task called process.exit/abort/kill on this process (the guard installed by `begin`): the
   * execution fails there, as an exception of the running task located at the call, even if the
   * task catches what is thrown at it. Returns that error, for the guard to throw.
   */
  private processEnded(call: string): Error {
    const error = new ProcessEnded(call);
    this.onTaskError(this.current ?? this.tasks[0]!, error);
    return error;
  }

  /** Puts back what `begin` replaced on `process`; called once, whichever way the execution ends. */
  private releaseProcess(): void {
    const restore = this.restoreProcess;
    this.restoreProcess = null;
    restore?.();
  }

  private onTaskError(task: Task, error: unknown): void {
    if (this.stopped) return;
    if (isInstance(error, UsageError) || isInstance(error, InternalError)) {
      this.misuse(error as UsageError);
      return;
    }
    const raisedBy = typeof error === 'object' && error !== null ? this.raisedBy?.get(error) : undefined;
    const info = raisedBy === undefined ? errorInfo(error) : opErrorInfo(error as Error, raisedBy);
    const kind = isInstance(error, AssertionFailure) ? 'assertion' : 'exception';
    this.fail({
      kind,
      message: `${kind}: ${info.name}: ${info.message} in task "${task.name}" (step ${this.step})`,
      step: this.step,
      task: task.name,
      tasks: [task.name],
      error: info,
    });
  }

  // ---- endings ---------------------------------------------------------------------------------

  /** Nothing enabled, no timer pending. Either a clean end or a failure naming who waits on what. */
  private stall(): void {
    if (this.tasks.every(doneOrIdle)) {
      this.endNormally();
      return;
    }
    const remaining = this.tasks.filter((t) => !doneOrIdle(t));
    const cycle = findCycle(remaining, waitOf);
    if (cycle !== null) {
      this.failDeadlock(cycle, null);
      return;
    }
    if (this.real) {
      const outside = this.realHooks?.outsideWait() ?? null;
      if (outside !== null) {
        this.failOutsideWait(remaining, outside);
        return;
      }
    }
    const blocked: BlockedTask[] = remaining.map((t) => ({ task: t.name, waitsOn: waitsOn(t) }));
    const awaits = this.realHooks?.unfinishedAwaits() ?? [];
    const at = awaits.length > 0 ? { awaits } : {};
    // A lock left held by a finished task is the bug: named after who waits on it.
    const list = [...blocked.map((b) => `${b.task} waits on ${b.waitsOn}`), ...heldByFinished(remaining)].join('; ');
    const mainDone = this.tasks[0]!.finished;
    if (mainDone) {
      if (this.allowLeaks) {
        this.endNormally();
        return;
      }
      this.fail({ kind: 'leak', message: `leak: main finished but tasks never did: ${list}`, step: this.step, tasks: blocked.map((b) => b.task), blocked, ...at });
    } else {
      this.fail({ kind: 'stuck', message: `stuck: every task is blocked and none can wake another: ${list}`, step: this.step, tasks: blocked.map((b) => b.task), blocked, ...at });
    }
  }

  /**
   * Real-code mode, nothing left to run, and code of the scenario waits on the outside world (a
   * real timer, a socket, a file): `outside` names it and the line that started it.
   */
  private failOutsideWait(remaining: readonly Task[], outside: string): void {
    const name = remaining[0]?.name ?? 'main';
    this.fail({
      kind: 'nondeterminism',
      message: `nondeterminism: task "${name}" awaited something the scheduler does not control after step ${this.step}: ${outside}; use t.io for calls to the outside world and virtual timers for time`,
      step: this.step,
      task: name,
      tasks: remaining.map((t) => t.name),
    });
  }

  /** Real-code mode, and a step started a real timer (`timers: 'real'`): from there on wall-clock time decides, not the strategy. */
  private failOutsideStart(started: string): void {
    const task = this.current?.name ?? 'main';
    this.fail({
      kind: 'nondeterminism',
      message: `nondeterminism: ${started}, which fires when wall-clock time says, not when the scheduler does; use virtual timers (drop timers: 'real') or t.io for calls to the outside world`,
      step: this.step,
      task,
      tasks: [task],
    });
  }

  private endNormally(): void {
    if (!this.allowLeaks && this.locks !== null) {
      for (const { obj, holders } of this.locks) {
        const dead = holders().filter((t) => t.finished);
        if (dead.length > 0) {
          const names = dead.map((t) => t.name);
          this.fail({
            kind: 'leak',
            message: `leak: ${obj.type} "${obj.name}" is still held by finished task${names.length > 1 ? 's' : ''} ${names.join(', ')}`,
            step: this.step,
            tasks: names,
          });
          return;
        }
      }
    }
    this.complete();
  }

  private failDeadlock(cycle: WaitEdge[], detectedBy: Task | null): void {
    const tasks = [...new Set(cycle.map((e) => e.task))];
    this.fail({
      kind: 'deadlock',
      message: `deadlock: ${this.chainCycle(cycle) ?? formatCycle(cycle)}`,
      step: this.step,
      ...(detectedBy !== null ? { task: detectedBy.name } : {}),
      tasks,
      cycle,
    });
  }

  /**
   * A cycle through waits of real-code chains (drop-in locks) in words: each waiter is named by
   * the function that waits and the task whose step took the lock the previous waiter waits on
   * (where its chain began): `transfer (from main+1) waits for mutex "a" held by transfer (from
   * main), which waits for mutex "b" held by transfer (from main+1)`. Null when no edge is such a
   * wait (then the arrow form).
   */
  private chainCycle(cycle: readonly WaitEdge[]): string | null {
    const waits = cycle.map((e) => {
      const t = this.tasks[this.names.indexOf(e.task)];
      return t === undefined ? null : waitOf(t);
    });
    if (waits.every((w) => w?.waiter === undefined)) return null;
    const n = cycle.length;
    const nameOf = (i: number): string => {
      const fn = waits[i % n]?.waiter;
      const from = waits[(i + n - 1) % n]?.chain;
      const task = cycle[i % n]!.task;
      if (fn === undefined || fn === '') return from === undefined ? task : `${task} (from ${from})`;
      return `${fn} (from ${from ?? task})`;
    };
    return cycle.map((e, i) => `${i === 0 ? `${nameOf(0)} waits for` : ', which waits for'} ${e.resource} held by ${nameOf(i + 1)}`).join('');
  }

  /**
   * The step bound is reached. Names as still running only the tasks picked in the last
   * LIVELOCK_WINDOW steps that can still run (most picked first), and separately the tasks
   * blocked now, with what they wait on: a task that ran in the window and then blocked (main
   * joining the spinner) is waiting, not running. `tasks` and `blocked` say the same as data.
   */
  private failLivelock(): void {
    const recent = new Map<Task, number>();
    const from = Math.max(0, this.decisions.length - LIVELOCK_WINDOW);
    const values = new Set(this.chosenAt ?? []);
    for (let i = from; i < this.decisions.length; i++) {
      if (values.has(i)) continue;
      const t = this.tasks[this.decisions[i]!];
      if (t !== undefined) recent.set(t, (recent.get(t) ?? 0) + 1);
    }
    const isBlocked = (t: Task): boolean => !doneOrIdle(t) && t.pending !== null && !t.pending.enabled();
    const names = [...recent.entries()]
      .filter(([t]) => !t.finished && (t.pending === null || t.pending.enabled()))
      .sort((a, b) => b[1] - a[1])
      .map(([t]) => t.name);
    const blocked: BlockedTask[] = this.tasks.filter(isBlocked).map((t) => ({ task: t.name, waitsOn: waitsOn(t) }));
    const waiting = blocked.length === 0 ? '' : `; waiting: ${blocked.map((b) => `${b.task} (${b.waitsOn})`).join(', ')}`;
    this.fail({
      kind: 'livelock',
      message: `livelock: no end after ${this.maxSteps} steps; still running: ${names.join(', ')}${waiting}`,
      step: this.step,
      tasks: names,
      ...(blocked.length > 0 ? { blocked } : {}),
    });
  }

  private diverge(d: Divergence): void {
    this.divergence = { step: d.step, message: d.message, expected: d.expected, actual: d.actual };
    this.complete();
  }

  private fail(failure: Failure): void {
    if (this.stopped) return;
    this.failure = failure;
    this.complete();
  }

  private complete(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.releaseProcess();
    this.realHooks?.end();
    this.end.resume!({
      failure: this.failure,
      divergence: this.divergence,
      decisions: this.decisions,
      steps: this.step,
      preemptions: this.preemptions,
      tasks: this.names,
      time: this.now,
      events: this.events,
      warnings: this.warnings,
      realCode: this.realCode,
    });
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private uniqueName(name: string): string {
    if (!this.names.includes(name)) return name;
    let i = 2;
    while (this.names.includes(`${name}#${i}`)) i++;
    return `${name}#${i}`;
  }

  private recordStep(task: Task, op: Operation, step: number, timedOut: boolean, error: unknown, threw: boolean, value: unknown, preempted: boolean): void {
    const ev: TraceEvent = eventOf(task, op, step);
    if (preempted) ev.preempted = true;
    if (threw) ev.result = `throws ${describeThrown(error).name}`;
    else if (timedOut) ev.result = 'timeout';
    else if (value !== undefined) ev.result = formatValue(value);
    if (op.blockedAt >= 0 && op.kind !== 'start') ev.note = timedOut ? 'timeout' : 'woke';
    if (this.now > 0) ev.time = this.now;
    this.events!.push(ev);
  }
}

/** What a task that cannot run waits on, for `blocked` lists. */
function waitsOn(t: Task): string {
  if (t.pending === null) return 'a promise that no step left to run settles';
  return waitOf(t)?.resource ?? describeOp(t.pending);
}

/** A task that no longer holds the execution up: finished, or an idle pool worker. */
function doneOrIdle(t: Task): boolean {
  return t.finished || (t.pending?.idle ?? false);
}

/** The event of `task` performing `op` at `step`, before its result is known. */
export function eventOf(task: TaskView, op: Operation, step: number): TraceEvent {
  const ev: TraceEvent = { step, task: task.name, op: op.kind };
  if (op.obj !== null) ev.obj = op.obj.name;
  if (op.key !== undefined) ev.key = formatValue(op.key);
  return ev;
}

/**
 * Where `begin` leaves the execution it starts, for `runningExecution`: a process-wide symbol
 * rather than module state, because a scenario loaded as CommonJS (tsx's require) gets its own
 * copy of interleave's modules, and the drop-in locks it imports must still find the execution
 * the command runs. One store per execution.
 */
const RUNNING = Symbol.for('interleave.runningExecution');

/**
 * The execution running in this thread now (the one begun last, while it has not ended), or
 * null. For drop-in modules whose objects the code under test creates outside any scenario, at
 * module load or per request (src/primitives/asyncMutex.ts): they act in the execution that runs
 * when they are used, whichever copy of interleave began it.
 */
export function runningExecution(): Execution | null {
  const e = (globalThis as Record<symbol, unknown>)[RUNNING] as Execution | undefined;
  return e === undefined || e.isStopped ? null : e;
}
