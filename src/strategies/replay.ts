import { Divergence, type SchedulingView, type Strategy } from '../runtime/strategy.js';

export interface ReplayOptions {
  /** Task names by id, for divergence messages. */
  readonly taskNames?: readonly string[];
  /**
   * Lenient replay (for shrinking): an impossible decision falls back to keeping the current
   * task (or the lowest-id enabled one), and past the end of the list the run continues
   * without preemption. Strict replay reports a Divergence instead.
   */
  readonly lenient?: boolean;
  /**
   * Chooses once the recorded decisions are used up (Coyote's "replay a prefix, then keep
   * choosing"): `replayTrace` passes a FirstEnabledStrategy so a changed scenario runs on,
   * deterministically, to its own end. Without it, strict replay reports the end of the list
   * as a Divergence. A recorded decision that is impossible is a Divergence either way. Its
   * `observe` is not called (the continuation needs none: first-enabled does not look).
   */
  readonly then?: Strategy;
}

/** Replays a recorded decision list. Replay is just another strategy. */
export class ReplayStrategy implements Strategy {
  readonly name = 'replay';
  private pos = 0;
  private continued: number | null = null;

  constructor(
    private readonly decisions: readonly number[],
    private readonly options: ReplayOptions = {},
  ) {}

  beginExecution(index: number): void {
    this.pos = 0;
    this.continued = null;
    this.options.then?.beginExecution(index);
  }

  /** Decisions consumed so far. */
  get consumed(): number {
    return this.pos;
  }

  /** The step at which `then` took over, past the recorded decisions (null: it never did). */
  get continuedAt(): number | null {
    return this.continued;
  }

  /** Past the list, with a strategy to continue with: it chooses from here on. */
  private continuation(view: SchedulingView): Strategy | null {
    const then = this.options.then;
    if (then === undefined || this.pos < this.decisions.length) return null;
    this.continued ??= view.step;
    return then;
  }

  chooseTask(view: SchedulingView): number {
    const then = this.continuation(view);
    if (then !== null) return then.chooseTask(view);
    const at = this.pos++;
    const want = this.decisions[at];
    const enabled = view.enabled;
    if (want !== undefined) {
      for (let i = 0; i < enabled.length; i++) if (enabled[i]!.id === want) return i;
    }
    if (this.options.lenient) {
      const i = view.current === null ? -1 : enabled.indexOf(view.current);
      return i >= 0 ? i : 0;
    }
    const names = enabled.map((t) => t.name);
    if (want === undefined) {
      throw new Divergence(view.step, '(end of trace)', names, `the trace ended but the scenario continues; enabled were [${names.join(', ')}]`);
    }
    const name = this.options.taskNames?.[want] ?? `task #${want}`;
    throw new Divergence(view.step, name, names, `expected ${name} to be enabled; enabled were [${names.join(', ')}]`);
  }

  chooseValue(n: number, view: SchedulingView, label?: string): number {
    const then = this.continuation(view);
    if (then !== null) return then.chooseValue(n, view, label);
    const at = this.pos++;
    const want = this.decisions[at];
    if (want !== undefined && want < n) return want;
    if (this.options.lenient) return 0;
    throw new Divergence(
      view.step,
      want === undefined ? '(end of trace)' : `choice ${want}`,
      [`choice in [0, ${n})`],
      want === undefined ? `the trace ended at a choice of ${n} values` : `recorded choice ${want} but only ${n} values are offered now`,
    );
  }
}
