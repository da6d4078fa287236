import { traceOf } from '../../replay.js';
import type { Target } from '../../run.js';
import type { ExecutionResult } from '../../runtime/execution.js';
import { probeHere, RunawayPick, type Probe, type ProbeResult, type Snapshot } from '../../snapshot.js';
import type { Trace } from '../../trace/schema.js';


/**
 * An interactive exploration as data: the decisions chosen so far. Every question is answered by
 * re-running the scenario from the start along those decisions (executions run in microtasks
 * only, so one cannot be paused mid-way to wait for a person); determinism makes each re-run
 * reach the same state. No printing here: the `explore` command renders snapshots.
 */
export class ExploreSession {
  private readonly decisions: number[] = [];
  private current: Snapshot | null = null;

  constructor(
    readonly target: Target<object>,
    private readonly probe: Probe = probeHere(target),
  ) {}

  /** One run along `decisions`; a task that ran away (watched) is thrown as RunawayPick. */
  private async run(decisions: readonly number[], finishSeed: number | null): Promise<ProbeResult> {
    const r = await this.probe(decisions, finishSeed);
    if ('spun' in r) throw new RunawayPick(r.spun);
    return r;
  }

  get chosen(): readonly number[] {
    return this.decisions;
  }

  /** The state at the current decision point. */
  async state(): Promise<Snapshot> {
    if (this.current === null) this.current = (await this.run(this.decisions, null)).snapshot;
    return this.current;
  }

  /** Picks a task (by id) or a value for the pending decision; a pick whose task runs away is undone (RunawayPick). */
  async choose(value: number): Promise<Snapshot> {
    this.decisions.push(value);
    this.current = null;
    let s: Snapshot;
    try {
      s = await this.state();
    } catch (e) {
      this.decisions.pop();
      throw e;
    }
    if (s.kind === 'end' && s.result?.divergence !== null && s.result?.divergence !== undefined) {
      this.decisions.pop();
      this.current = null;
      throw new Error(`internal: choice ${value} diverged: ${s.result.divergence.message}`);
    }
    return s;
  }

  /** Undoes the last decision; false when there is none. */
  async back(): Promise<boolean> {
    if (this.decisions.length === 0) return false;
    this.decisions.pop();
    this.current = null;
    await this.state();
    return true;
  }

  /** Finishes the execution with seeded random choices; the decisions become the full run (unchanged after a RunawayPick). */
  async finishRandomly(seed: number): Promise<Snapshot> {
    const { result } = await this.run(this.decisions, seed);
    this.decisions.splice(0, this.decisions.length, ...result.decisions);
    this.current = null;
    return this.state();
  }

  /** The trace of the decisions so far: the full trace once the execution ended, else a prefix with failure null. */
  async trace(): Promise<Trace> {
    const { result, snapshot } = await this.run(this.decisions, null);
    const clean: ExecutionResult = { ...result, divergence: null, decisions: [...this.decisions] };
    const trace = traceOf(this.target, { name: 'explore' }, clean);
    return snapshot.kind === 'end' ? trace : { ...trace, unfinished: true };
  }
}
