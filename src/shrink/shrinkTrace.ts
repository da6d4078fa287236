import { performance } from 'node:perf_hooks';
import { InternalError, UsageError } from '../runtime/errors.js';
import { ownTimeHere } from '../runtime/ownTime.js';
import { locatesWaits, replayDecisions, traceOf } from '../replay.js';
import { makeTarget, runExecution, type Target } from '../run.js';
import type { ScenarioDefinition } from '../scenario.js';
import type { Strategy } from '../runtime/strategy.js';
import { BoundedRandomStrategy } from '../strategies/boundedRandom.js';
import { RandomStrategy } from '../strategies/random.js';
import { ReplayStrategy } from '../strategies/replay.js';
import type { Trace } from '../trace/schema.js';
import { better, runAttempt, type Attempt } from './attempt.js';
import { boundedSearch } from './boundedSearch.js';
import { decisionEdits } from './candidates.js';
import { paramProposals, shrinkableParams } from './params.js';
import { ProbeStrategy } from './probe.js';
import { findRaces } from './races.js';
import { spunAttempt, type Runaway } from './spunAttempt.js';
import { runawayFailureOf, runawayTrace } from '../heartbeat/runawayTrace.js';

export interface ShrinkOptions {
  /** Executions the shrinker may run (default 5000). Shrinking is deterministic while this is what stops it. */
  readonly maxAttempts?: number;
  /**
   * Time limit in ms (default 10000), a safety net only: the attempt budget decides what the
   * shrink gives. It counts this thread's own time (src/runtime/ownTime.ts: wall time less its
   * waiting for a CPU), so load alone does not reach it. When the time limit stops it first,
   * the input trace is returned as found (`stoppedBy: 'time'`), since how far the shrink got
   * depends on the machine's speed: the same command still writes the same bytes.
   */
  readonly timeLimitMs?: number;
  /** The scenario module's path, stored in the shrunk trace (default: the input trace's). */
  readonly file?: string;
  /** Shrink parameters through their arbitraries (default true). */
  readonly params?: boolean;
  /** Random executions tried per proposed parameter value when the old schedule no longer fails (default 50). */
  readonly searchRuns?: number;
  /** Wraps the strategy of every attempt, told the attempt's number (the watched shrinker's heartbeat). */
  readonly monitor?: (strategy: Strategy, attempt: number) => Strategy;
  /**
   * Attempts known to spin (a watched shrinker's earlier tries, src/robust/watchedShrink.ts):
   * each runs only up to the decision at which its runaway task was chosen, and is taken as
   * not showing the bug. With the same list, the shrinker repeats the same attempts.
   */
  readonly runaways?: readonly Runaway[];
}


export interface ShrinkResult {
  /** The minimal trace found: same bug, replays strictly, with `shrink` counts and `races`; the input itself when stopped by the time limit. */
  readonly trace: Trace;
  /** Executions run. */
  readonly attempts: number;
  /** Different bugs met on the way (a different failure kind, error, location or resource set), one trace each; none when stopped by the time limit. */
  readonly others: Trace[];
  readonly elapsedMs: number;
  /** 'minimal': no edit improves it any more; 'attempts': the budget ran out (the trace is the best found); 'time': the time limit stopped it (the trace is the input). */
  readonly stoppedBy: 'minimal' | 'attempts' | 'time';
}

export const DEFAULT_SHRINK_ATTEMPTS = 5000;
export const DEFAULT_SHRINK_TIME_MS = 10_000;
const MAX_OTHERS = 10;

/** A failing schedule of one parameter assignment. */
interface Candidate {
  readonly params: Record<string, unknown>;
  readonly attempt: Attempt;
}

/**
 * Shrinks a failing trace to a minimal schedule that fails the same way (see
 * `failureSignature`): fewest preemptions, then fewest steps, then fewest tasks and smallest
 * parameters, never growing any of these counts. Greedy: it tries edits of the decision list
 * (`decisionEdits`) by lenient replay and takes the first that is better, until none is or the
 * budget runs out; then it shrinks each parameter through its arbitrary, re-finding a failing
 * schedule for the new value (the old schedule replayed leniently, else a short seeded random
 * search) and shrinking that. Between the two, a preemption-bounded search checks that no
 * schedule with fewer preemptions fails the same way (see `fewerPreemptions`). A candidate that fails differently is kept in `others`, never
 * taken. The result is re-recorded by a strict replay of its own decisions and checked; a
 * shrunk trace that does not replay would be an interleave bug and throws InternalError.
 *
 * Called by `interleave run` (unless --no-shrink), `interleave shrink`, and `explore({ shrink })`.
 * Same scenario, trace and options ⇒ same trace: the attempt budget, never the clock, decides
 * how far it gets; a shrink the time limit stops gives back its input (see `timeLimitMs`).
 */
export async function shrinkTrace(scenario: ScenarioDefinition<object>, trace: Trace, options: ShrinkOptions = {}): Promise<ShrinkResult> {
  if (trace.failure === null) throw new UsageError('nothing to shrink: the trace records a passing run');
  if (trace.failure.kind === 'nondeterminism') throw new UsageError('cannot shrink a nondeterminism failure: its schedule does not replay');
  if (trace.runaway !== undefined && options.monitor === undefined) throw new UsageError('cannot shrink a runaway unwatched: its schedule spins (shrink it under the watchdog)');
  const shrinker = new Shrinker(scenario, trace, options);
  return shrinker.run();
}

/**
 * Whether `trace` is one the shrinker takes: a failure whose schedule replays (not a
 * nondeterminism), and a runaway only when shrinking under the watchdog (every attempt that
 * shows it spins). `run`, `merge` and `expectNoFailure` ask before they shrink what they found.
 */
export function shrinkable(trace: Trace, watched: boolean): boolean {
  return trace.failure !== null && trace.failure.kind !== 'nondeterminism' && (trace.runaway === undefined || watched);
}

/** Executions per preemption bound spent on schedules longer than the input. */
const LONGER_SEARCH_BUDGET = 1500;
/** Exhaustive runs per bound tried before sampling (many bounds are settled within it). */
const QUICK_SEARCH_BUDGET = 300;
/** Bounded random walks per bound, tried when the quick exhaustive search did not settle it. */
const SAMPLES_PER_BOUND = 500;

class Shrinker {
  private readonly start = performance.now();
  /** What the time limit counts: this thread's own time since the shrink began, not the load's share of the wall clock. */
  private readonly clock = ownTimeHere();
  private readonly maxAttempts: number;
  private readonly timeLimitMs: number;
  /** The bug's signature, taken from the lenient replay of the input. */
  private signature = '';
  private readonly livelock: boolean;
  private attempts = 0;
  private stoppedBy: ShrinkResult['stoppedBy'] = 'minimal';
  private readonly tried = new Set<string>();
  private readonly others = new Map<string, { params: Record<string, unknown>; decisions: readonly number[] }>();
  /** Attempts known to spin, by number (ShrinkOptions.runaways). */
  private readonly runaways: ReadonlyMap<number, Runaway>;

  constructor(
    private readonly scenario: ScenarioDefinition<object>,
    private readonly input: Trace,
    private readonly options: ShrinkOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_SHRINK_ATTEMPTS;
    this.timeLimitMs = options.timeLimitMs ?? DEFAULT_SHRINK_TIME_MS;
    this.livelock = input.failure!.kind === 'livelock';
    this.runaways = new Map((options.runaways ?? []).map((r) => [r.attempt, r]));
  }

  async run(): Promise<ShrinkResult> {
    const params = this.input.params;
    this.attempts++;
    const first = await this.replay(this.target(params), this.input.decisions);
    const f = first.failure;
    const want = this.input.failure!;
    if (f === null || f.kind !== want.kind || f.step !== want.step || f.error?.name !== want.error?.name) {
      const now = first.failure?.message ?? 'a pass';
      throw new UsageError(`the trace does not reproduce, so it cannot be shrunk: recorded ${this.input.failure!.message}; the scenario now gives ${now}`);
    }
    this.signature = first.signature!;
    let best: Candidate = { params, attempt: first };
    best = await this.shrinkDecisions(best);
    best = await this.fewerPreemptions(best);
    if (this.options.params !== false) best = await this.shrinkParams(best);
    // How far a shrink got before the clock stopped it depends on the machine: nothing of it is kept.
    if (this.stoppedBy === 'time') return { trace: this.input, attempts: this.attempts, others: [], elapsedMs: performance.now() - this.start, stoppedBy: 'time' };
    const trace = await this.finalTrace(best);
    const others: Trace[] = [];
    for (const o of this.others.values()) others.push((await this.record(o.params, o.decisions)).trace);
    return { trace, attempts: this.attempts, others, elapsedMs: performance.now() - this.start, stoppedBy: this.stoppedBy };
  }

  // ---- the two phases ----------------------------------------------------------------------

  /** Greedy first-improvement over decision edits, restarting after every improvement. */
  private async shrinkDecisions(from: Candidate): Promise<Candidate> {
    let best = from;
    this.tried.add(this.key(best.params, best.attempt.decisions));
    improving: for (;;) {
      for (const edit of decisionEdits(best.attempt)) {
        const key = this.key(best.params, edit);
        if (this.tried.has(key)) continue;
        this.tried.add(key);
        const a = await this.attempt(best.params, edit, best.attempt.steps);
        if (a === null) return best;
        if (this.isBug(a) && better(a, best.attempt)) {
          best = { params: best.params, attempt: a };
          this.tried.add(this.key(best.params, a.decisions));
          continue improving;
        }
      }
      return best;
    }
  }

  /**
   * Greedy edits can stop at a local minimum. This proves the preemption count minimal, or
   * improves it: for bounds 0, 1, ... below `from`'s count, on `from`'s parameters and never
   * with more tasks than the input, it looks for the bug with at most that many preemptions;
   * what it finds is shrunk again. Runs before parameter shrinking, which never raises the
   * count, so the count is minimal for the input's parameters (unless the budget ran out).
   *
   * Per bound: exhaustive preemption-bounded search among schedules no longer than the input,
   * on a small budget first, since it is often tiny. If that does not settle the bound,
   * seeded random walks under the bound (`BoundedRandomStrategy`): exhaustive search spends
   * most of its runs on non-preemptive choices that cannot matter, and sampling finds the
   * bug at its bound much sooner (multi-client-disconnect websocket-manager: tens to a few
   * hundred samples where pb runs ~10,000). Then the exhaustive search in full. Last, on a
   * small budget, schedules longer than the input: fewer preemptions come first in the order,
   * so a sequential explanation may take more steps than the input.
   */
  private async fewerPreemptions(from: Candidate): Promise<Candidate> {
    const input = this.input.counts;
    const within = (a: Attempt): boolean => a.steps <= input.steps;
    const any = (): boolean => true;
    const withinCap = input.steps + 1;
    const longerCap = 2 * input.steps + 10;
    for (let bound = 0; bound < from.attempt.preemptions && this.stoppedBy === 'minimal'; bound++) {
      let r = await this.exhaustive(from, bound, withinCap, within, QUICK_SEARCH_BUDGET);
      if (r.found === null && !r.exhausted) {
        const sampled = (await this.sample(from, bound, withinCap, within)) ?? (await this.sample(from, bound, longerCap, any));
        r = sampled !== null ? { found: sampled, exhausted: true } : await this.exhaustive(from, bound, withinCap, within, Infinity);
      }
      if (r.found === null) r = await this.exhaustive(from, bound, longerCap, any, LONGER_SEARCH_BUDGET);
      if (r.found !== null) return this.shrinkDecisions({ params: from.params, attempt: r.found });
    }
    return from;
  }

  /** Exhaustive preemption-bounded search at `bound` (within `cap` steps, `budget` runs); `exhausted`: the bound holds no such bug. */
  private async exhaustive(from: Candidate, bound: number, cap: number, fits: (a: Attempt) => boolean, budget: number): Promise<{ found: Attempt | null; exhausted: boolean }> {
    let spent = 0;
    const target = this.target(from.params, this.livelock ? undefined : cap);
    return boundedSearch((prefix) => this.replay(target, prefix), {
      bound,
      isBug: (a) => this.showsBug(a, fits),
      spend: () => spent++ < budget && this.spend(),
      seen: (a) => {
        if (!this.isBug(a)) this.noteOther(from.params, a);
      },
    });
  }

  /** The bug, in a schedule that `fits`, with no more tasks than the input: what both searches of `fewerPreemptions` look for. */
  private showsBug(a: Attempt, fits: (a: Attempt) => boolean): boolean {
    return this.isBug(a) && fits(a) && a.tasks <= this.input.counts.tasks;
  }

  /** Seeded random walks with at most `bound` preemptions (within `cap` steps): the first that shows the bug. */
  private async sample(from: Candidate, bound: number, cap: number, fits: (a: Attempt) => boolean): Promise<Attempt | null> {
    const input = this.input.counts;
    const target = this.target(from.params, this.livelock ? undefined : cap);
    const strategy = new BoundedRandomStrategy(1, bound, input.steps);
    for (let i = 0; i < SAMPLES_PER_BOUND; i++) {
      if (!this.spend()) return null;
      const a = await this.execute(target, strategy, i);
      if (this.showsBug(a, fits) && a.preemptions < from.attempt.preemptions) return a;
      this.noteOther(from.params, a);
    }
    return null;
  }

  /** Each shrinkable parameter in turn, through its arbitrary's proposals, as long as one is accepted. */
  private async shrinkParams(from: Candidate): Promise<Candidate> {
    let best = from;
    for (const name of shrinkableParams(this.scenario)) {
      let improved = true;
      while (improved && this.stoppedBy === 'minimal') {
        improved = false;
        for (const value of paramProposals(this.scenario, name, best.params[name])) {
          const params = { ...best.params, [name]: value };
          const found = await this.refind(params, best);
          if (found === null) continue;
          const shrunk = await this.shrinkDecisions(found);
          if (notWorse(shrunk.attempt, best.attempt)) {
            best = shrunk;
            improved = true;
            break;
          }
        }
      }
    }
    return best;
  }

  /** A failing schedule for new parameters: the current one replayed leniently, else a seeded random search. */
  private async refind(params: Record<string, unknown>, best: Candidate): Promise<Candidate | null> {
    const replayed = await this.attempt(params, best.attempt.decisions, best.attempt.steps);
    if (replayed === null) return null;
    if (this.isBug(replayed)) return { params, attempt: replayed };
    const target = this.target(params);
    const runs = this.options.searchRuns ?? 50;
    for (let i = 0; i < runs; i++) {
      if (!this.spend()) return null;
      const a = await this.execute(target, new RandomStrategy(1), i);
      if (this.isBug(a)) return { params, attempt: a };
      this.noteOther(params, a);
    }
    return null;
  }

  // ---- running candidates --------------------------------------------------------------------

  /**
   * One lenient replay, counted against the budget (null: the budget ran out); runs longer
   * than `bestSteps` are cut short, since they could not be better.
   */
  private async attempt(params: Record<string, unknown>, decisions: readonly number[], bestSteps: number): Promise<Attempt | null> {
    if (!this.spend()) return null;
    const a = await this.replay(this.target(params, this.livelock ? undefined : bestSteps + 1), decisions);
    if (!this.isBug(a)) this.noteOther(params, a);
    return a;
  }

  /** A lenient replay of `decisions`: impossible ones keep the current task; past the end, no preemption. */
  private replay(target: Target<object>, decisions: readonly number[]): Promise<Attempt> {
    return this.execute(target, new ReplayStrategy(decisions, { lenient: true }), 0);
  }

  /**
   * Every execution the shrinker tries, as the attempt just counted: watched when asked; one
   * known to spin is cut short before its runaway task runs, and is not the bug.
   */
  private async execute(target: Target<object>, strategy: Strategy, index: number): Promise<Attempt> {
    const n = this.attempts;
    const spun = this.runaways.get(n);
    const monitor = this.options.monitor;
    if (spun?.task !== undefined && spun.log !== undefined) {
      const rebuilt = await spunAttempt(target, { ...spun, task: spun.task, log: spun.log });
      if (rebuilt !== null) return rebuilt;
    }
    let t = target;
    if (spun !== undefined) t = { ...t, settings: { ...t.settings, maxSteps: Math.min(t.settings.maxSteps, spun.step) } };
    if (monitor !== undefined) t = { ...t, monitor: (s) => monitor(s, n) };
    const a = await runAttempt(t, strategy, index);
    return spun === undefined ? a : { ...a, signature: `runaway ${n}` };
  }

  /** Takes one execution from the budget; false (and `stoppedBy` set) when it is spent. */
  private spend(): boolean {
    if (this.stoppedBy !== 'minimal') return false;
    if (this.attempts >= this.maxAttempts) this.stoppedBy = 'attempts';
    else if (this.clock.atLeast(this.timeLimitMs)) this.stoppedBy = 'time';
    else {
      this.attempts++;
      return true;
    }
    return false;
  }

  private isBug(a: Attempt): boolean {
    return a.signature === this.signature;
  }

  /** A different bug: kept once per signature. Livelocks are left out: cutting a run short or never preempting a spin loop makes them. */
  private noteOther(params: Record<string, unknown>, a: Attempt): void {
    const f = a.failure;
    if (f === null || f.kind === 'livelock' || f.kind === 'nondeterminism') return;
    const sig = a.signature!;
    if (sig === this.signature || this.others.has(sig) || this.others.size >= MAX_OTHERS) return;
    this.others.set(sig, { params, decisions: a.decisions });
  }

  private target(params: Record<string, unknown>, cap?: number, file?: string): Target<object> {
    const o = this.input.options;
    const maxSteps = cap === undefined ? o.maxSteps : Math.min(o.maxSteps, cap);
    return makeTarget(this.scenario, {
      variant: this.input.variant,
      params,
      maxSteps,
      allowLeaks: o.allowLeaks,
      failOnLockOrder: o.failOnLockOrder,
      ...(file !== undefined ? { file } : {}),
    });
  }

  private key(params: Record<string, unknown>, decisions: readonly number[]): string {
    return `${JSON.stringify(params)}|${decisions.join(',')}`;
  }

  // ---- the result ----------------------------------------------------------------------------

  /** A runaway's shrunk trace: rebuilt as a runaway's is (src/heartbeat/runawayTrace.ts), since its schedule spins. */
  private async runawayTrace(best: Candidate, runaway: NonNullable<Trace['runaway']>): Promise<Trace> {
    const target = this.target(best.params, undefined, this.options.file);
    const a = best.attempt;
    const step = a.steps - 1;
    const log = a.info.map((d) => (d.kind === 'value' ? -(d.value + 1) : d.value));
    const failure = runawayFailureOf(a.failure!.task!, runaway.seconds, step);
    const trace = await runawayTrace(target, this.input.strategy, { step, log }, failure, runaway.seconds);
    if (trace === null) throw new InternalError(`the shrunk runaway's schedule does not lead to its pick at step ${step}`);
    return trace;
  }

  /** Strict, recorded replay of the winner; checks it; adds shrink counts and races. */
  private async finalTrace(best: Candidate): Promise<Trace> {
    if (this.input.runaway !== undefined) return this.withShrinkCounts(await this.runawayTrace(best, this.input.runaway), best);
    const target = this.target(best.params, undefined, this.options.file);
    const probe = new ProbeStrategy(new ReplayStrategy(best.attempt.decisions), true);
    const result = await runExecution(target, probe, 0, locatesWaits(this.input.failure?.kind) ? 'locate' : true);
    const ok =
      result.divergence === null &&
      result.decisions.length === best.attempt.decisions.length &&
      result.failure !== null &&
      probe.signatureOf(result.failure, result.tasks) === this.signature;
    if (!ok) {
      const got = result.divergence?.message ?? result.failure?.message ?? 'a pass';
      throw new InternalError(`the shrunk schedule does not replay strictly: expected ${this.input.failure!.message}; got ${got}`);
    }
    return { ...this.withShrinkCounts(traceOf(target, this.input.strategy, result), best), races: findRaces(probe.ops, probe.preemptions, result.steps, probe.origins) };
  }

  /** The shrunk trace's scenario file and its `shrink` counts (before shrinking, attempts). */
  private withShrinkCounts(trace: Trace, best: Candidate): Trace {
    const file = this.options.file !== undefined ? trace.scenario.file : this.input.scenario.file;
    const original = this.input.shrink?.original ?? {
      steps: this.input.counts.steps,
      preemptions: this.input.counts.preemptions,
      ...(JSON.stringify(best.params) !== JSON.stringify(this.input.params) ? { params: this.input.params } : {}),
    };
    return {
      ...trace,
      scenario: { name: trace.scenario.name, ...(file !== undefined ? { file } : {}) },
      // No wall-clock time here: the same trace in must give the same bytes out (elapsedMs is in the result).
      shrink: { original, attempts: this.attempts },
    };
  }

  private async record(params: Record<string, unknown>, decisions: readonly number[]): Promise<{ trace: Trace }> {
    const target = this.target(params);
    const result = await replayDecisions(target, decisions);
    return { trace: traceOf(target, this.input.strategy, result) };
  }
}

function notWorse(a: Attempt, b: Attempt): boolean {
  return a.preemptions <= b.preemptions && a.steps <= b.steps && a.tasks <= b.tasks;
}
