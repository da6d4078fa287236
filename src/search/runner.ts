import type { TaskView } from '../runtime/operation.js';
import { Divergence, type SchedulingView, type Strategy } from '../runtime/strategy.js';
import { delayOrder, delaysOf } from '../strategies/delayOrder.js';
import type { Operation } from '../runtime/operation.js';
import { ANY_TRACKED, dependent, endAccess, footprintOf, trackedAccessOf, type Access } from '../runtime/footprint.js';
import { preemptionsWith, reduces, sleeps, type SearchState, type TaskNode } from './state.js';

/** One executed step: a task's operation plus the local code after it (up to its next operation or its end). */
export interface StepRecord {
  readonly task: number;
  /** Index of its task node in the path; -1 for an operation announced and never run (`unrun`). */
  readonly node: number;
  /** Grows by the task-end access once the step is known to have ended the task. */
  readonly fp: Access[];
  /** The operation can block (lock acquire, join, queue get, wait, sleep, ...): see races.ts. */
  readonly blocking: boolean;
  /** Clock advances (timer firings) before this step: steps of one epoch all see the same virtual time. */
  readonly epoch: number;
}

/** What the last step of an execution that ended with operations still pending does to them: stops them (`unrun`). */
const HALT: Access = { o: '*halt', k: null, w: true };

/** Why the runner stopped an execution early (it stops by throwing a Divergence the driver recognizes). */
export type StopReason = 'sleep-blocked' | 'depth' | 'nondeterminism';

export interface RunnerOptions {
  /** Steps after which an execution is cut (counted, and the search is then not complete). */
  readonly maxDepth?: number;
}

/**
 * The strategy of one execution of the exhaustive search. It replays the path of `state`, takes
 * the branch at its last node, then extends the path with fresh nodes (preferring the current
 * task, so the first execution never preempts), and records each step's footprint for the race
 * analysis run after the execution (races.ts).
 *
 * Bounded modes: pb counts preemptions (a switch away from a task still enabled); db counts
 * delays against a non-preemptive round-robin base scheduler (strategies/delayOrder.ts), whose
 * choice a fresh db node takes first, then the later tasks in round-robin order while their
 * delays fit the bound. A node's `preemptions` holds the count (of either) before it. pb with
 * reduction gives a fresh node no alternatives: they come from races (races.ts, bpor.ts), and it
 * keeps no sleep sets (`sleeps` in state.ts).
 *
 * Sleep sets (Godefroid 1996): a fresh node's sleep set is the previous task node's sleep set
 * plus its explored alternatives, minus the task that ran and every task whose next operation
 * is dependent with the step that ran. A sleeping task's next step is read from its announced
 * operation, conservatively assuming it may end the task. When every enabled task sleeps, the
 * execution is sleep-set blocked and stopped.
 *
 * Tracked objects (`t.track`): a step's footprint is its announced operation plus the tracked
 * accesses its code made after it (`observeAccess`), known once it ran; races.ts sees them all.
 * A sleeping task's next step has not run, so it is assumed to touch every tracked object:
 * it wakes after any step that touched one (docs/real-code.md, "Tracked state and honest reduction").
 *
 * Virtual time: the clock advances only when no task is enabled, so an advance (a tick) is not
 * a choice but a function of the state, and the state is a function of the Mazurkiewicz trace
 * so far. The runner only numbers the epochs between ticks (`epoch` of each step); races.ts uses
 * them to skip races that no schedule can reverse. See docs/search.md, "Virtual time".
 */
export class SearchRunner implements Strategy {
  readonly name: string;
  readonly steps: StepRecord[] = [];
  /** Step index that spawned each task (-1: main). */
  readonly spawnedBy: number[] = [];
  stop: StopReason | null = null;
  stopMessage = '';
  /** pb, db: some alternative was left out because it exceeded the bound. */
  boundCut = false;
  /** Path index of the branch taken by this execution (-1: first execution). */
  readonly branch: number;
  /** Ticks seen so far in this execution. */
  epoch = 0;

  private pos = 0;
  private readonly tasks: TaskView[] = [];
  private lastTaskNode = -1;
  /** Preemptions (pb) or delays (db) taken so far in this execution. */
  private preemptions = 0;
  /** db: the task chosen at the last scheduling point (-1 before the first), where the round-robin continues. */
  private lastRun = -1;
  private finalized = true;
  /** Operations already seen timed out: a newly timed-out one means the clock advanced. */
  private readonly timedOut = new WeakSet<Operation>();

  constructor(
    private readonly state: SearchState,
    private readonly options: RunnerOptions = {},
  ) {
    this.name = state.mode;
    this.branch = state.fresh ? -1 : state.path.length - 1;
  }

  beginExecution(): void {}

  chooseTask(view: SchedulingView): number {
    this.finishStep();
    for (const t of view.enabled) {
      if (this.tasks[t.id] === undefined) {
        this.tasks[t.id] = t;
        this.spawnedBy[t.id] = this.steps.length - 1;
      }
    }
    this.noteTick(view);
    const enabled = view.enabled.map((t) => t.id);
    const current = view.current?.id ?? -1;
    const currentEnabled = current >= 0 && enabled.includes(current);
    const path = this.state.path;
    let node: TaskNode;
    if (this.pos < path.length) {
      const n = path[this.pos]!;
      if (n.kind !== 'task' || n.enabled.length !== enabled.length || n.enabled.some((id, i) => id !== enabled[i])) {
        const was = n.kind === 'task' ? `tasks [${n.enabled.join(', ')}] enabled` : `a choice of ${n.n} values`;
        return this.halt('nondeterminism', view, `the scenario did something else on the same schedule: at step ${view.step} the search expected ${was}, now tasks [${enabled.join(', ')}] are`);
      }
      node = n;
    } else {
      if (this.options.maxDepth !== undefined && this.steps.length >= this.options.maxDepth) return this.halt('depth', view, `depth limit ${this.options.maxDepth}`);
      const sleep = this.sleepSetHere(enabled);
      const awake = enabled.filter((id) => !sleep.includes(id));
      if (awake.length === 0) return this.halt('sleep-blocked', view, 'every enabled task sleeps');
      const chosen = this.state.mode === 'db' ? delayOrder(enabled, this.lastRun)[0]! : currentEnabled && awake.includes(current) ? current : awake[0]!;
      const todo: number[] = [];
      const fresh: TaskNode = { kind: 'task', enabled, current, chosen: chosen, todo, done: [], sleep, preemptions: this.preemptions };
      if (this.state.mode === 'db') {
        // Delay bounding: the j-th task after the base choice in round-robin order costs j delays.
        delayOrder(enabled, this.lastRun).forEach((id, j) => {
          if (j === 0) return;
          if (this.preemptions + j > this.state.bound) this.boundCut = true;
          else todo.push(id);
        });
      } else if (!reduces(this.state)) {
        for (const id of awake) {
          if (id === chosen) continue;
          if (this.state.mode === 'pb' && preemptionsWith(fresh, id) > this.state.bound) this.boundCut = true;
          else todo.push(id);
        }
      }
      node = fresh;
      path.push(node);
    }
    const index = this.pos++;
    this.lastTaskNode = index;
    this.preemptions = node.preemptions + (this.state.mode === 'db' ? delaysOf(enabled, this.lastRun, node.chosen) : currentEnabled && node.chosen !== current ? 1 : 0);
    this.lastRun = node.chosen;
    const i = enabled.indexOf(node.chosen);
    const task = view.enabled[i]!;
    const op = task.pending!;
    this.steps.push({ task: task.id, node: index, fp: footprintOf(op), blocking: op.ready !== null, epoch: this.epoch });
    this.finalized = false;
    return i;
  }

  chooseValue(n: number, view: SchedulingView): number {
    const path = this.state.path;
    if (this.pos < path.length) {
      const node = path[this.pos]!;
      if (node.kind !== 'value' || node.n !== n) {
        const was = node.kind === 'task' ? `a scheduling point with tasks [${node.enabled.join(', ')}]` : `a choice of ${node.n} values`;
        return this.halt('nondeterminism', view, `the scenario did something else on the same schedule: at step ${view.step} the search expected ${was}, now a choice of ${n} values`);
      }
      this.pos++;
      return node.chosen;
    }
    path.push({ kind: 'value', n, chosen: 0, todo: Array.from({ length: n - 1 }, (_, v) => v + 1) });
    this.pos++;
    return 0;
  }

  /**
   * The operations tasks announced and never ran, because the execution ended first (a failure,
   * a deadlock, a cut): one record each, with node -1, after the last step. Bounded reduction
   * (bpor.ts) races them with the steps that ran, as Flanagan & Godefroid's DPOR looks at every
   * task's next operation, so an execution that stops early still asks for its reversals. The
   * last step stopped them all (a failure ends the execution: the other tasks never run on), so
   * it is made dependent with each of them, as dejafu does: the schedules where they run first.
   */
  unrun(): StepRecord[] {
    const out: StepRecord[] = [];
    for (const t of this.tasks) {
      const op = t?.pending;
      if (t === undefined || op === null || op === undefined) continue;
      out.push({ task: t.id, node: -1, fp: [...footprintOf(op), endAccess(t.name), ANY_TRACKED, HALT], blocking: op.ready !== null, epoch: this.epoch });
    }
    const last = this.steps[this.steps.length - 1];
    if (out.length > 0 && last !== undefined) last.fp.push(HALT);
    return out;
  }

  /**
   * A tracked access by the code of the running task: part of the footprint of the step that
   * resumed it, which is the last step recorded (Execution.access). Not needed without reduction.
   */
  observeAccess(_task: TaskView, op: Operation): void {
    const last = this.steps[this.steps.length - 1];
    if (last !== undefined && reduces(this.state)) last.fp.push(trackedAccessOf(op));
  }

  /** Completes the last step's footprint: did it end its task? Called at each scheduling point and once after the run. */
  finishStep(): void {
    if (this.finalized) return;
    this.finalized = true;
    const last = this.steps[this.steps.length - 1]!;
    const task = this.tasks[last.task]!;
    if (task.pending === null) last.fp.push(endAccess(task.name));
  }

  /**
   * Counts a tick when an enabled task's operation has newly timed out. Execution.advanceTime
   * marks at least one pending operation timed out per tick (the one with the earliest deadline,
   * which was not enabled, or there would have been no tick), that operation's task is then
   * enabled, and chooseTask is called before any further tick. So between two scheduling points
   * there is at most one tick, and this sees it.
   */
  private noteTick(view: SchedulingView): void {
    let ticked = false;
    for (const t of view.enabled) {
      const op = t.pending;
      if (op !== null && op.timedOut && !this.timedOut.has(op)) {
        this.timedOut.add(op);
        ticked = true;
      }
    }
    if (ticked) this.epoch++;
  }

  /** Sleep set of a fresh node: inherited from the previous task node, filtered by the step that ran since. */
  private sleepSetHere(enabled: readonly number[]): number[] {
    if (!sleeps(this.state) || this.lastTaskNode < 0) return [];
    const prev = this.state.path[this.lastTaskNode] as TaskNode;
    const ran = this.steps[this.steps.length - 1]!;
    const out: number[] = [];
    for (const id of [...prev.sleep, ...prev.done]) {
      if (id === ran.task || out.includes(id) || !enabled.includes(id)) continue;
      const t = this.tasks[id]!;
      // Its next step may also touch any tracked object (footprint.ts, ANY_TRACKED).
      const fp: Access[] = [...footprintOf(t.pending!), endAccess(t.name), ANY_TRACKED];
      if (!dependent(fp, ran.fp)) out.push(id);
    }
    return out.sort((a, b) => a - b);
  }

  private halt(reason: StopReason, view: SchedulingView, message: string): never {
    this.stop = reason;
    this.stopMessage = message;
    throw new Divergence(view.step, reason, view.enabled.map((t) => t.name), message);
  }
}
