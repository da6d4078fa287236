import { ScenarioContext } from './context.js';
import { guardedRun, type Target } from './run.js';
import { describeOp, type TraceEvent } from './runtime/events.js';
import { Execution, type ExecutionResult } from './runtime/execution.js';
import type { Task } from './runtime/operation.js';
import { waitOf } from './runtime/waitfor.js';
import { Divergence, type SchedulingView, type Strategy } from './runtime/strategy.js';
import { RandomStrategy } from './strategies/random.js';
import type { Trace } from './trace/schema.js';
import { waitGraphOfFailure, type WaitForEdge } from './trace/waitGraph.js';

/*
 * One run of an interactive session (src/cli/explorer/session.ts): an execution followed along a
 * decision prefix and stopped at the next decision, with the state there (a Snapshot). A driver:
 * run in this thread, or in the watched thread (a call: src/parallel/calls.ts).
 */

/** The state of an execution at a decision point, as the interactive explorer shows it. */
export interface Snapshot {
  /** 'task': pick a task; 'value': a `t.choose(n)` awaits a value; 'end': the execution ended. */
  readonly kind: 'task' | 'value' | 'end';
  readonly step: number;
  /** Virtual time in ms. */
  readonly now: number;
  /** For 'task': enabled tasks with the operation each runs when picked. */
  readonly enabled: readonly { readonly id: number; readonly name: string; readonly op: string }[];
  /** For 'value': how many values are offered. */
  readonly values: number;
  /** For 'value': the scenario's name for the choice (`t.choose(n, label)`). */
  readonly label?: string;
  /** Tasks that cannot run, what they wait on and who holds it. */
  readonly blocked: readonly WaitForEdge[];
  /** Locks held, per task. */
  readonly held: readonly { readonly task: string; readonly resources: readonly string[] }[];
  readonly finished: readonly string[];
  /** For 'end': the recorded result (failure or pass). */
  readonly result: ExecutionResult | null;
  /** Events recorded up to this point. */
  readonly events: readonly TraceEvent[];
}

/** Private signal: the explorer's strategy reached the end of the chosen prefix. */
const STOP = '(explorer stop)';

/**
 * Follows `prefix`, then either stops (throws a Divergence the execution turns into a clean
 * end, after capturing the state) or, with `finish`, continues randomly.
 */
class PrefixStrategy implements Strategy {
  readonly name = 'explore';
  private pos = 0;
  snapshot: Omit<Snapshot, 'events' | 'result'> | null = null;

  constructor(
    private readonly prefix: readonly number[],
    private readonly tasks: () => readonly Task[],
    private readonly finish: RandomStrategy | null,
    private readonly permits: () => ReturnType<Execution['permits']> = () => [],
  ) {}

  beginExecution(): void {
    this.pos = 0;
  }

  chooseTask(view: SchedulingView): number {
    const want = this.prefix[this.pos++];
    if (want !== undefined) {
      const i = view.enabled.findIndex((t) => t.id === want);
      if (i < 0) throw new Divergence(view.step, `task #${want}`, view.enabled.map((t) => t.name), `task #${want} is not enabled`);
      return i;
    }
    if (this.finish !== null) return this.finish.chooseTask(view);
    this.capture('task', view, 0);
    throw new Divergence(view.step, STOP, [], 'stopped for the explorer');
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    const want = this.prefix[this.pos++];
    if (want !== undefined) {
      if (want >= n) throw new Divergence(view.step, `choice ${want}`, [`choice in [0, ${n})`], `value ${want} is not offered`);
      return want;
    }
    if (this.finish !== null) return this.finish.chooseValue(n);
    this.capture('value', view, n, label ?? '');
    throw new Divergence(view.step, STOP, [], 'stopped for the explorer');
  }

  private capture(kind: 'task' | 'value', view: SchedulingView, values: number, label = ''): void {
    const all = this.tasks();
    const enabledIds = new Set(view.enabled.map((t) => t.id));
    this.snapshot = {
      kind,
      step: view.step,
      now: view.now,
      enabled: kind === 'task' ? view.enabled.map((t) => ({ id: t.id, name: t.name, op: t.pending === null ? '?' : `${describeOp(t.pending)}${t.pending.endsByTimeout() ? ' (times out)' : ''}` })) : [],
      values,
      label,
      blocked: all
        .filter((t) => !t.finished && t.pending !== null && !enabledIds.has(t.id) && !t.pending.enabled())
        .map((t) => {
          const w = waitOf(t);
          return { task: t.name, resource: w?.resource ?? describeOp(t.pending!), holders: w === null ? [] : w.holders.map((h) => h.name) };
        }),
      held: heldBy(all, this.permits()),
      finished: all.filter((t) => t.finished).map((t) => t.name),
    };
  }
}

/** What each task holds: its locks, in the order taken, then its semaphore permits ("semaphore "s" (2 permits)"). */
function heldBy(tasks: readonly Task[], permits: ReturnType<Execution['permits']>): Snapshot['held'] {
  return tasks
    .map((t) => {
      const resources = t.held.map((o) => `${o.type} "${o.name}"`);
      for (const { obj, holders } of permits) {
        const n = holders.filter((h) => h === t).length;
        if (n > 0) resources.push(`${obj.type} "${obj.name}" (${n} permit${n === 1 ? '' : 's'})`);
      }
      return { task: t.name, resources };
    })
    .filter((h) => h.resources.length > 0);
}

/** One run of the session: its result and the state it stopped at. */
export interface ProbeResult {
  readonly result: ExecutionResult;
  readonly snapshot: Snapshot;
}

/** A run in a watched thread whose task ran away (src/robust/watchdog.ts): no result, the thread was ended. */
export interface SpunProbe {
  readonly spun: { readonly task: string; readonly step: number; readonly seconds: number; readonly interrupted?: boolean; readonly trace?: Trace | null };
}

/**
 * Where the session's runs happen: in this thread (`probeHere`), or in a watched worker thread
 * (`WatchdogThread.probe`), which answers `spun` when a task runs without reaching a scheduling
 * point, instead of freezing the session for good.
 */
export type Probe = (decisions: readonly number[], finishSeed: number | null) => Promise<ProbeResult | SpunProbe>;

/** The session's runs in this thread. */
export function probeHere(target: Target<object>): Probe {
  return (decisions, finishSeed) => probeExecution(target, decisions, finishSeed);
}

/** A pick (or the random finish) made a task run away; the session is as it was before it. */
export class RunawayPick extends Error {
  constructor(readonly spun: SpunProbe['spun']) {
    super(
      spun.interrupted === true
        ? `interrupted while task "${spun.task}" ran without reaching a scheduling point after step ${spun.step}`
        : `task "${spun.task}" ran for more than ${spun.seconds} s without reaching a scheduling point after step ${spun.step} (a runaway loop that never awaits an interleave operation?)`,
    );
    this.name = 'RunawayPick';
  }
}

/** Runs `target` following `decisions`, recording; stops at the next decision (or finishes randomly). */
export async function probeExecution(target: Target<object>, decisions: readonly number[], finishSeed: number | null): Promise<ProbeResult> {
  let exec: Execution | null = null;
  const prefix = new PrefixStrategy(decisions, () => exec?.tasks ?? [], finishSeed === null ? null : new RandomStrategy(finishSeed), () => exec?.permits() ?? []);
  // Watched, the heartbeat wraps the strategy (the snapshot stays the prefix strategy's).
  const strategy = target.monitor !== undefined ? target.monitor(prefix) : prefix;
  exec = new Execution({ strategy, index: 0, record: true, ...target.settings });
  const ctx = new ScenarioContext<object>(exec, target.variant, target.params, target.scenario.timers);
  const running = exec;
  const result = await guardedRun(running, running.run(() => target.scenario.run(ctx)));
  const events = result.events ?? [];
  if (result.divergence?.expected === STOP && prefix.snapshot !== null) return { result, snapshot: { ...prefix.snapshot, result: null, events } };
  const end: Snapshot = {
    kind: 'end',
    step: result.steps,
    now: result.time,
    enabled: [],
    values: 0,
    // The cycle of a deadlock, and the tasks a stuck, leaked or livelocked run left waiting.
    blocked: waitGraphOfFailure(result.failure).edges,
    held: [],
    finished: [],
    result,
    events,
  };
  return { result, snapshot: end };
}
