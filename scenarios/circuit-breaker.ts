import { defineScenario, param } from 'interleave';
import type { Mutex, ScenarioContext, SharedVar } from 'interleave';
import fc from 'fast-check';

/**
 * Seed 003 (Omnibase "Thread Safety in Omnibase Core"), NodeEffect > "Circuit Breakers":
 * `failure_count` increments are not atomic, `last_failure_time` updates race, and threads may
 * "fail to trip when they should (missed failures)", "trip prematurely (double-counted
 * failures)" or "reset incorrectly (race on success counter)". Mitigation "Option 3: Atomic
 * Counters with Locks": ThreadSafeCircuitBreaker, each method under one `_lock`.
 *
 * ModelCircuitBreaker's body is not in the audit; this is the usual three-state breaker, each
 * Python statement one step (`self.x += 1` is a read then a write; `if self.x >= ...` re-reads):
 *   can_execute:    if OPEN and now - last_failure_time >= recovery_timeout: HALF_OPEN, success_count = 0
 *                   return state != OPEN
 *   record_failure: failure_count += 1; last_failure_time = now; if HALF_OPEN or failure_count >= threshold: OPEN
 *   record_success: if HALF_OPEN: success_count += 1; if success_count >= success_threshold: CLOSED, counts = 0
 *                   elif CLOSED: failure_count = 0            (a success ends the failure streak)
 *
 * Oracle (Lincheck-style): every breaker call is logged with its invocation and response time;
 * the run is correct if some sequential order of the calls that respects real-time order gives
 * the same return values and the same final state. Each workload has effect threads
 * (`effect-N`), each calling `can_execute()` and then, if allowed, the service and
 * `record_failure()` / `record_success()`.
 */

type BreakerStateName = 'CLOSED' | 'OPEN' | 'HALF_OPEN';
type Outcome = 'fail' | 'ok';
type Workload = 'missed-failures' | 'double-count' | 'half-open-successes';
type Params = { callers: number };

const RECOVERY_TIMEOUT = 30_000;
const SUCCESS_THRESHOLD = 2;

interface Snapshot {
  state: BreakerStateName;
  failure_count: number;
  success_count: number;
  last_failure_time: number;
}

interface Setup {
  readonly initial: Snapshot;
  readonly threshold: number;
  /** One entry per effect thread: the outcomes of its service calls, in order. */
  readonly callers: readonly (readonly Outcome[])[];
}

function setupOf(workload: Workload, callers: number): Setup {
  switch (workload) {
    case 'missed-failures': // `callers` failures in a row must trip a breaker whose threshold is `callers`.
      return { initial: { state: 'CLOSED', failure_count: 0, success_count: 0, last_failure_time: -Infinity }, threshold: callers, callers: Array.from({ length: callers }, () => ['fail']) };
    case 'double-count': // one failure so far; effect-1 fails while effect-2 succeeds and then fails: never 3 in a row.
      return { initial: { state: 'CLOSED', failure_count: 1, success_count: 0, last_failure_time: 0 }, threshold: 3, callers: [['fail'], ['ok', 'fail']] };
    case 'half-open-successes': // open, recovery timeout elapsed: two probe successes must close it.
      return { initial: { state: 'OPEN', failure_count: 3, success_count: 0, last_failure_time: -RECOVERY_TIMEOUT }, threshold: 3, callers: [['ok'], ['ok']] };
  }
}

/** The sequential specification: the same breaker, one call at a time. */
function sequentialCall(s: Snapshot, call: Call['kind'], threshold: number, now: number): boolean | undefined {
  switch (call) {
    case 'can_execute':
      if (s.state === 'OPEN' && now - s.last_failure_time >= RECOVERY_TIMEOUT) {
        s.state = 'HALF_OPEN';
        s.success_count = 0;
      }
      return s.state !== 'OPEN';
    case 'record_failure':
      s.failure_count += 1;
      s.last_failure_time = now;
      if (s.state === 'HALF_OPEN' || s.failure_count >= threshold) s.state = 'OPEN';
      return undefined;
    case 'record_success':
      if (s.state === 'HALF_OPEN') {
        s.success_count += 1;
        if (s.success_count >= SUCCESS_THRESHOLD) Object.assign(s, { state: 'CLOSED', failure_count: 0, success_count: 0 });
      } else if (s.state === 'CLOSED') s.failure_count = 0;
      return undefined;
  }
}

interface Call {
  readonly caller: string;
  readonly kind: 'can_execute' | 'record_failure' | 'record_success';
  readonly inv: number;
  res: number;
  result: boolean | undefined;
}

const show = (s: Snapshot): string => `${s.state} failure_count=${s.failure_count} success_count=${s.success_count}`;

/** Final states of every sequential order of `calls` that respects real time and reproduces each result. */
function linearizations(calls: readonly Call[], setup: Setup, now: number, matchResults: boolean): Set<string> {
  const finals = new Set<string>();
  const used = new Array<boolean>(calls.length).fill(false);
  const go = (s: Snapshot, placed: number): void => {
    if (placed === calls.length) {
      finals.add(show(s));
      return;
    }
    for (let i = 0; i < calls.length; i++) {
      if (used[i]) continue;
      // i may go next only if no other unplaced call finished before i started.
      if (calls.some((c, j) => !used[j] && j !== i && c.res < calls[i]!.inv)) continue;
      const next = { ...s };
      const r = sequentialCall(next, calls[i]!.kind, setup.threshold, now);
      if (matchResults && r !== calls[i]!.result) continue;
      used[i] = true;
      go(next, placed + 1);
      used[i] = false;
    }
  };
  go({ ...setup.initial }, 0);
  return finals;
}

/** ModelCircuitBreaker with its fields as shared variables: every statement a scheduling point. */
class ModelCircuitBreaker {
  readonly state: SharedVar<BreakerStateName>;
  readonly failure_count: SharedVar<number>;
  readonly success_count: SharedVar<number>;
  readonly last_failure_time: SharedVar<number>;

  constructor(
    private readonly t: ScenarioContext<Params>,
    initial: Snapshot,
    private readonly failure_threshold: number,
  ) {
    this.state = t.variable('state', initial.state);
    this.failure_count = t.variable('failure_count', initial.failure_count);
    this.success_count = t.variable('success_count', initial.success_count);
    this.last_failure_time = t.variable('last_failure_time', initial.last_failure_time);
  }

  async can_execute(): Promise<boolean> {
    if ((await this.state.get()) === 'OPEN') {
      if (this.t.now() - (await this.last_failure_time.get()) < RECOVERY_TIMEOUT) return false;
      await this.state.set('HALF_OPEN');
      await this.success_count.set(0);
    }
    return (await this.state.get()) !== 'OPEN';
  }

  async record_failure(): Promise<void> {
    await this.failure_count.set((await this.failure_count.get()) + 1);
    await this.last_failure_time.set(this.t.now());
    if ((await this.state.get()) === 'HALF_OPEN' || (await this.failure_count.get()) >= this.failure_threshold) await this.state.set('OPEN');
  }

  async record_success(): Promise<void> {
    const state = await this.state.get();
    if (state === 'HALF_OPEN') {
      await this.success_count.set((await this.success_count.get()) + 1);
      if ((await this.success_count.get()) >= SUCCESS_THRESHOLD) {
        await this.state.set('CLOSED');
        await this.failure_count.set(0);
        await this.success_count.set(0);
      }
    } else if (state === 'CLOSED') {
      await this.failure_count.set(0);
    }
  }

  snapshot(): Snapshot {
    return { state: this.state.peek(), failure_count: this.failure_count.peek(), success_count: this.success_count.peek(), last_failure_time: this.last_failure_time.peek() };
  }
}

/** The audit's ThreadSafeCircuitBreaker: each method under `_lock`. */
class ThreadSafeCircuitBreaker {
  constructor(
    readonly _breaker: ModelCircuitBreaker,
    readonly _lock: Mutex,
  ) {}
  can_execute(): Promise<boolean> {
    return this._lock.withLock(() => this._breaker.can_execute());
  }
  record_failure(): Promise<void> {
    return this._lock.withLock(() => this._breaker.record_failure());
  }
  record_success(): Promise<void> {
    return this._lock.withLock(() => this._breaker.record_success());
  }
}

export default defineScenario<Params>({
  name: 'circuit-breaker',
  description: 'NodeEffect threads share a ModelCircuitBreaker: non-atomic failure_count/success_count and state transitions; fixed with ThreadSafeCircuitBreaker',
  source: 'seed 003, NodeEffect Thread Safety > Circuit Breakers (Option 3: ThreadSafeCircuitBreaker)',
  params: { callers: param(3, fc.integer({ min: 2, max: 4 }), 'failing effect threads in the missed-failures workload (= failure_threshold)') },
  variants: {
    buggy: { expect: 'assertion', description: 'missed failures: concurrent failure_count += 1 loses an increment, the breaker never trips' },
    'premature-trip': { expect: 'assertion', description: 'double count: a failure read before a success reset is written back after it, the breaker trips early' },
    'wrong-reset': { expect: 'assertion', description: 'half-open probes race on success_count (and on the OPEN -> HALF_OPEN reset): the breaker fails to close' },
    fixed: { expect: 'pass', description: 'ThreadSafeCircuitBreaker (every call under _lock), checked on all three workloads' },
  },
  budget: { iterations: 300 },
  async run(t) {
    const workload: Workload =
      t.variant === 'buggy'
        ? 'missed-failures'
        : t.variant === 'premature-trip'
          ? 'double-count'
          : t.variant === 'wrong-reset'
            ? 'half-open-successes'
            : t.pick<Workload>(['missed-failures', 'double-count', 'half-open-successes'], 'workload');
    const setup = setupOf(workload, t.params.callers);
    const model = new ModelCircuitBreaker(t, setup.initial, setup.threshold);
    const breaker = t.variant === 'fixed' ? new ThreadSafeCircuitBreaker(model, t.lock('_lock')) : model;

    // Ghost history (plain JS; one task runs at a time, so these updates are atomic).
    let clock = 0;
    const calls: Call[] = [];
    const logged = async <R extends boolean | void>(caller: string, kind: Call['kind'], fn: () => Promise<R>): Promise<R> => {
      const call: Call = { caller, kind, inv: ++clock, res: Infinity, result: undefined };
      calls.push(call);
      const r = await fn();
      call.res = ++clock;
      call.result = typeof r === 'boolean' ? r : undefined;
      return r;
    };

    const effects = setup.callers.map((outcomes, i) =>
      t.spawn(`effect-${i + 1}`, async () => {
        const me = `effect-${i + 1}`;
        for (const outcome of outcomes) {
          if (!(await logged(me, 'can_execute', () => breaker.can_execute()))) continue; // rejected: circuit open
          if (outcome === 'fail') await logged(me, 'record_failure', () => breaker.record_failure());
          else await logged(me, 'record_success', () => breaker.record_success());
        }
      }),
    );
    for (const e of effects) await e.join();

    const actual = show(model.snapshot());
    const finals = linearizations(calls, setup, t.now(), true);
    if (finals.has(actual)) return;
    const possible = finals.size > 0 ? finals : linearizations(calls, setup, t.now(), false);
    const states = [...possible].map((f) => f.split(' ')[0]);
    const hazard =
      actual.startsWith('OPEN') && !states.includes('OPEN')
        ? 'trips prematurely'
        : !actual.startsWith('OPEN') && states.length > 0 && states.every((s) => s === 'OPEN')
          ? 'fails to trip'
          : !actual.startsWith('CLOSED') && states.length > 0 && states.every((s) => s === 'CLOSED')
            ? 'fails to reset'
            : 'ends in a wrong state';
    // premature-trip demonstrates one hazard: its other anomalies (lost increments) are buggy's.
    if (t.variant === 'premature-trip' && hazard !== 'trips prematurely') return;
    const history = calls.map((c) => `${c.caller}.${c.kind}${c.result === undefined ? '' : `=${c.result}`}`).join(', ');
    t.assert(false, `circuit breaker ${hazard}: ended ${actual}; no sequential order of [${history}] does that (possible: ${[...possible].join(' | ')})`);
  },
});
