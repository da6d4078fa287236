import type { ExploreResult } from '../explore.js';
import { isRunaway, loadLimitMs, type Pulse } from '../heartbeat/heartbeat.js';
import { runawayFailureOf, runawayTrace } from '../heartbeat/runawayTrace.js';
import type { StrategyInfo } from '../replay.js';
import type { Target } from '../run.js';
import type { Failure } from '../runtime/failure.js';
import { OwnTime } from '../runtime/ownTime.js';
import type { Outcome } from './outcome.js';
import type { ScenarioDefinition } from '../scenario.js';
import { budgetSampling } from '../strategies/index.js';

/**
 * The runaway, handled once for every watched explorer: the watched pool workers
 * (watchedWorker.ts) that run sampling blocks, search pieces and calls (calls.ts: `ci`'s whole
 * variants, and one exploration, shrink, replay or session run: src/robust/watchdog.ts). A task that loops
 * without reaching a scheduling point cannot be interrupted in its own thread; its heartbeat
 * (src/heartbeat/heartbeat.ts) freezes. Here: when the watching side ends that thread
 * (`FrozenThread`), what the unit's failure is (`runawayFailure`), and its trace, rebuilt in
 * this thread from the heartbeat's decision log once the unit's result is in (`Runaways`).
 */

/** After Ctrl-C (or a failure that makes the unit's result not count), a thread frozen this long is ended without the watchdog's verdict. */
const GRACE_MS = 1000;

/** What the watching side decides of a thread, at each look: go on (null), or end it because its module never loaded, it was cut short, or its task ran away. */
export type FrozenVerdict = 'load' | 'hurry' | 'runaway' | null;

/**
 * The restart decision of one watched thread, asked every poll by its watching side. It counts
 * the thread's own time since its last sign of life (src/runtime/ownTime.ts): a loaded machine
 * gives the same verdicts. A thread that has not loaded its module, or whose unit has not begun
 * an execution, gets the load limit (default max(30, 5 × seconds)); a unit frozen while it
 * executes is a runaway after `seconds` of its thread's CPU time (`isRunaway`); one that should
 * stop anyway (Ctrl-C) is ended after a second without waiting for that verdict.
 */
export class FrozenThread {
  private readonly still: OwnTime;
  private readonly loadLimit: number;

  constructor(
    private readonly seconds: number,
    loadSeconds: number | undefined,
    thread: () => number,
    private lastBeats = 0,
  ) {
    this.still = new OwnTime(thread);
    this.loadLimit = loadLimitMs(seconds, loadSeconds);
  }

  /** Milliseconds a thread may take to load its scenario (the load error names them). */
  get loadLimitMs(): number {
    return this.loadLimit;
  }

  /** A sign of life other than a decision: a message, a load, or a new thread (whose counter starts at `beats`). */
  mark(beats?: number): void {
    if (beats !== undefined) this.lastBeats = beats;
    this.still.mark();
  }

  /**
   * The verdict at one look. `beats`: the heartbeat's counter, null while the module loads;
   * `busy`: the thread holds a unit; `executing`: the unit has begun an execution; `hurry`: the
   * unit should stop anyway (Ctrl-C).
   */
  judge(beats: number | null, s: { readonly busy: boolean; readonly executing: boolean; readonly hurry: boolean }): FrozenVerdict {
    if (beats === null) return this.still.atLeast(this.loadLimit) ? 'load' : null;
    if (!s.busy || beats !== this.lastBeats) {
      this.lastBeats = beats;
      this.still.mark();
      return null;
    }
    if (s.hurry && this.still.wallMs() > Math.min(GRACE_MS, this.seconds * 1000)) return 'hurry';
    if (!s.executing) return this.still.atLeast(this.loadLimit) ? 'load' : null;
    return isRunaway(this.still, this.seconds, this.loadLimit) ? 'runaway' : null;
  }
}

/**
 * The `livelock` failure of a task that stopped reaching scheduling points, from its frozen
 * heartbeat (`names`: the names the thread announced, by index). Before the execution's first
 * decision no task has run yet: the scenario's own code (its `run` function) spins, as main.
 * `execution` names the execution (a split search numbers them within a piece of a unit).
 */
export function runawayFailure(seconds: number, pulse: Pulse, names: readonly string[], execution = `execution ${pulse.execution}`): Failure {
  return runawayFailureOf(names[pulse.task] ?? 'main', seconds, pulse.step, execution);
}

/** A frozen thread as its watcher last read it: the heartbeat, the task names it announced, and how long its item ran. */
export interface Frozen {
  readonly pulse: Pulse;
  readonly names: readonly string[];
  readonly elapsedMs: number;
}

/**
 * The units of one job that ran away, by key (the supervisor's: the unit itself): `caught` gives the unit's failure when its thread is ended, `traced` adds its trace
 * once the pool has ended (rebuilding it runs the schedule again in this thread, which the
 * pool's synchronous hand-over of results cannot wait for).
 */
export class Runaways<K> {
  private readonly spun = new Map<K, Pulse>();

  constructor(readonly seconds: number) {}

  /** The `livelock` of unit `key`, whose thread was ended on its frozen `pulse`; remembered for its trace. */
  caught(key: K, pulse: Pulse, names: readonly string[], execution?: string): Failure {
    this.spun.set(key, pulse);
    return runawayFailure(this.seconds, pulse, names, execution);
  }

  /**
   * `r` with its trace when unit `key` ran away and `r` still carries that failure without one:
   * the schedule up to the runaway pick (src/heartbeat/runawayTrace.ts), run on `target`, with
   * `strategy` (given the pulse) as the trace's strategy.
   */
  async traced<R extends Pick<Outcome, 'failure' | 'trace'>>(key: K, r: R, target: () => Target<object>, strategy: (pulse: Pulse) => StrategyInfo): Promise<R> {
    const pulse = this.spun.get(key);
    if (pulse === undefined || r.failure === null || r.trace !== null) return r;
    return { ...r, trace: await runawayTrace(target(), strategy(pulse), pulse, r.failure, this.seconds) };
  }
}

/** What names an exploration's strategy in its result: the options, else the variant's budget. */
export interface ExploreNaming {
  readonly variant?: string;
  readonly strategy?: string;
  readonly seed?: number;
  readonly firstExecution?: number;
}

/** The `livelock` result of a runaway: the executions and steps up to it, as explore counts them. */
export function runawayResult(scenario: ScenarioDefinition<object>, options: ExploreNaming, failure: Failure | null, elapsedMs: number, pulse: Pulse): ExploreResult {
  const variant = options.variant ?? Object.keys(scenario.variants)[0]!;
  const budget = { ...scenario.budget, ...scenario.variants[variant]?.budget };
  return {
    scenario: scenario.name,
    variant,
    strategy: { name: options.strategy ?? budgetSampling(budget.strategy), seed: options.seed ?? budget.seed ?? 1 },
    executions: pulse.execution - (options.firstExecution ?? 0) + 1,
    steps: pulse.steps,
    failure,
    trace: null,
    stoppedBy: 'failure',
    elapsedMs,
    warnings: [],
  } as ExploreResult;
}

/**
 * An exploration cut short by Ctrl-C while its task spun (`frozen`): the executions that ended
 * before, their steps, and what was spinning; or before it began (no `frozen`): none.
 */
export function interruptedResult(scenario: ScenarioDefinition<object>, options: ExploreNaming, elapsedMs: number, frozen?: Frozen): ExploreResult {
  const pulse = frozen?.pulse ?? { beats: 0, execution: (options.firstExecution ?? 0) - 1, step: -1, task: -1, steps: 0, log: [] };
  const r = { ...runawayResult(scenario, options, null, elapsedMs, pulse), stoppedBy: 'interrupted' as const };
  if (frozen === undefined) return r;
  const spinning = `task "${frozen.names[pulse.task] ?? 'main'}" was running without reaching a scheduling point after step ${pulse.step} of execution ${pulse.execution}`;
  return { ...r, executions: Math.max(0, r.executions - 1), steps: pulse.steps - (pulse.step + 1), spinning };
}
