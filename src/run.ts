import { clearImmediate, setImmediate } from 'node:timers';
import { ScenarioContext } from './context.js';
import { UsageError } from './runtime/errors.js';
import { Execution, type ExecutionResult } from './runtime/execution.js';
import { usageAtSite } from './runtime/usageSite.js';
import { isInstance } from './runtime/thrown.js';
import { UnhandledRejections, withRejection } from './runtime/unhandled.js';
import { resolveParams, type ParamSpec, type ScenarioDefinition, type VariantSpec } from './scenario.js';
import { ownEntry } from './names.js';
import { overrideProblem, showValue } from './paramValues.js';
import type { Strategy } from './runtime/strategy.js';

/** Options that change what an execution does (and so are stored in traces). */
export interface RunSettings {
  readonly maxSteps: number;
  readonly allowLeaks: boolean;
  readonly failOnLockOrder: boolean;
}

export const DEFAULT_MAX_STEPS = 20_000;

/** A scenario, the variant and parameters to run it with, and where it came from. */
export interface Target<P extends object = Record<string, unknown>> {
  readonly scenario: ScenarioDefinition<P>;
  readonly variant: string;
  readonly params: P;
  /** The module path, stored in traces so `replay` can find the scenario again. */
  readonly file?: string;
  readonly settings: RunSettings;
  /** Wraps the strategy of every execution of this target (the watchdog's heartbeat); not stored in traces. */
  readonly monitor?: (strategy: Strategy) => Strategy;
}

export interface TargetOptions<P extends object> {
  readonly variant?: string;
  readonly params?: Partial<P>;
  readonly file?: string;
  readonly maxSteps?: number;
  readonly allowLeaks?: boolean;
  readonly failOnLockOrder?: boolean;
  readonly monitor?: (strategy: Strategy) => Strategy;
}

/**
 * Resolves variant, parameters and settings (explicit options win over the variant's
 * declaration). Every driver starts here, so a variant that is not the scenario's own (an
 * inherited key such as `constructor` included) and a parameter override that is unknown or not
 * a value of its parameter (src/paramValues.ts) are refused here, as UsageErrors, whatever the
 * caller: the CLI (which checks first, for messages naming the file), `explore()`,
 * `expectNoFailure()`, replays and worker threads.
 */
export function makeTarget<P extends object>(scenario: ScenarioDefinition<P>, options: TargetOptions<P> = {}): Target<P> {
  const names = Object.keys(scenario.variants);
  const variant = options.variant ?? names[0]!;
  const spec: VariantSpec | undefined = ownEntry(scenario.variants, variant);
  if (spec === undefined) {
    throw new UsageError(`scenario ${scenario.name} has no variant "${variant}"; variants are: ${names.join(', ')}`);
  }
  const bad = overrideProblem(scenario.params as Record<string, ParamSpec<unknown>> | undefined, options.params);
  if (bad !== null) throw new UsageError(`scenario ${scenario.name}: param ${bad[0]}=${showValue((options.params as Record<string, unknown>)[bad[0]])}: ${bad[1]}`);
  return {
    scenario,
    variant,
    params: resolveParams(scenario, options.params),
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.monitor !== undefined ? { monitor: options.monitor } : {}),
    settings: {
      maxSteps: options.maxSteps ?? spec.budget?.maxSteps ?? scenario.budget?.maxSteps ?? DEFAULT_MAX_STEPS,
      allowLeaks: options.allowLeaks ?? spec.allowLeaks ?? false,
      failOnLockOrder: options.failOnLockOrder ?? spec.failOnLockOrder ?? false,
    },
  };
}

/**
 * Runs one execution of `target` under `strategy`. `record`: build the event list (true), only
 * locate errors raised by operations ('sites', for the shrinker's judgement of "the same bug"),
 * or neither (false, exploring). Every task's awaits must settle within the
 * microtask queue; if it drains while the execution is unfinished, a task awaited something
 * interleave does not control, and the run ends as `nondeterminism` instead of hanging.
 */
export function runExecution<P extends object>(target: Target<P>, strategy: Strategy, index: number, record: boolean | 'sites' | 'locate', guard?: NondeterminismGuard): Promise<ExecutionResult> {
  const exec = newExecution(target, strategy, index, record, true);
  const t = new ScenarioContext<P>(exec, target.variant, target.params, target.scenario.timers);
  // A misuse of the API names the scenario line (or file) where it happened.
  const start = (): Promise<ExecutionResult> => exec.run(() => target.scenario.run(t)).catch((e: unknown) => Promise.reject(usageAtSite(e, target.file)));
  if (guard !== undefined) {
    const done = start();
    guard.watch(exec);
    return done;
  }
  return settledRun(exec, start).catch((e: unknown) => Promise.reject(usageAtSite(e, target.file)));
}

/**
 * One execution on its own: `guardedRun`, then one macrotask, for Node to report the promises
 * the scenario rejected and never handled (src/runtime/unhandled.ts); the first of them fails
 * an execution that ended cleanly. So a replay of such a failure finds it again.
 */
async function settledRun(exec: Execution, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
  const watch = new UnhandledRejections().start();
  try {
    const result = await guardedRun(exec, run());
    await new Promise((resolve) => setImmediate(resolve));
    const reasons = watch.take();
    // An operation called after the end from a promise callback: the misuse, not a rejection, is reported.
    const misuse = reasons.find((r) => isInstance(r, UsageError));
    if (misuse !== undefined) throw misuse;
    return withRejection(result, reasons);
  } finally {
    watch.stop();
  }
}

/**
 * Starts one exploring execution (no recording) and reports its end to `onEnd`, on the stack of
 * the task that ended it, with no promise in between (src/series.ts runs executions back to back).
 * `oneAtATime`: check that each task awaits its operations one at a time (src/runtime/execution.ts).
 */
export function startExecution<P extends object>(
  target: Target<P>,
  strategy: Strategy,
  index: number,
  guard: NondeterminismGuard,
  onEnd: (result: ExecutionResult) => void,
  onError: (error: unknown) => void,
  oneAtATime = false,
): void {
  const exec = newExecution(target, strategy, index, false, oneAtATime);
  const t = new ScenarioContext<P>(exec, target.variant, target.params, target.scenario.timers);
  guard.watch(exec);
  exec.start(() => target.scenario.run(t), onEnd, (e) => onError(usageAtSite(e, target.file)));
}

function newExecution<P extends object>(target: Target<P>, strategy: Strategy, index: number, record: boolean | 'sites' | 'locate', oneAtATime: boolean): Execution {
  const s = target.settings;
  // Spelled out, not spread: this runs once per execution, and a spread builds the object slowly.
  return new Execution({
    strategy: target.monitor !== undefined ? target.monitor(strategy) : strategy,
    index,
    record: record === true || record === 'locate',
    sites: record !== false,
    locateWaits: record === 'locate',
    oneAtATime,
    maxSteps: s.maxSteps,
    allowLeaks: s.allowLeaks,
    failOnLockOrder: s.failOnLockOrder,
  });
}

/**
 * Settles with `done`, unless the microtask queue drains first while `exec` is unfinished: then
 * some task awaited something interleave does not control, and the run ends as `nondeterminism`.
 */
export function guardedRun(exec: Execution, done: Promise<ExecutionResult>): Promise<ExecutionResult> {
  return new Promise<ExecutionResult>((resolve, reject) => {
    const guard = setImmediate(() => exec.failNondeterminism());
    done.then(
      (r) => {
        clearImmediate(guard);
        resolve(r);
      },
      (e: unknown) => {
        clearImmediate(guard);
        reject(e);
      },
    );
  });
}

/**
 * The nondeterminism guard of a whole exploration: one `setImmediate` watches the running
 * execution instead of one timer per execution. It fires only once the microtask queue has
 * drained; if the execution it watches is still unfinished then, a task awaited something
 * interleave does not control (the same rule as the per-execution guard, at a fraction of the
 * cost). Between executions it finds the last one finished and does nothing; the next
 * `watch` arms it again. Used by explore (src/explore.ts) and the parallel block runner.
 */
export class NondeterminismGuard {
  private exec: Execution | null = null;
  private armed = false;
  private readonly fire = (): void => {
    this.armed = false;
    const exec = this.exec;
    this.exec = null;
    if (exec !== null && !exec.isStopped) exec.failNondeterminism();
  };

  watch(exec: Execution): void {
    this.exec = exec;
    if (!this.armed) {
      this.armed = true;
      setImmediate(this.fire);
    }
  }
}
