/**
 * What this thread's engine shows the main-thread guard (src/cli/mainThreadGuard.ts) while a
 * task spins through promise reactions alone (`while (...) await Promise.resolve()`): no engine
 * code runs then, so the guard reads it here.
 *
 * `running` is the execution begun last in this thread (Execution's `begin` sets it, once per
 * execution): the spinning task is its `current`, and its `step` moves with every scheduling
 * decision. The guard's promise hook, installed only while the thread has not returned to its
 * event loop for a second, counts promise creations while neither `running` nor its `step`
 * moves. Nothing is written per step (a store and an increment per step in `dispatch` cost 9% of
 * the instructions of a schedule on the long workload).
 *
 * Process-wide (one per thread) on purpose, as the engine's `parking`: the guard cannot reach
 * the running execution otherwise.
 */
export interface SpinView {
  readonly step: number;
  readonly current: { readonly name: string } | null;
  /** Its index in its exploration, and its decisions so far (`chosenAt`: which of them are `t.choose` values). */
  readonly index: number;
  readonly decisions: readonly number[];
  readonly chosenAt: readonly number[] | null;
}

/**
 * What another thread needs to run the spinning execution's target again (src/cli/spinTrace.ts):
 * plain data, set by `interleave run` once per unwatched exploration in this thread, and by
 * `ci` for each variant it explores here; null outside one (then a spin is reported without a
 * trace). `out`: where its trace is saved.
 */
export interface SpinTarget {
  readonly file: string;
  readonly variant: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly strategy?: string;
  readonly seed?: number;
  readonly maxSteps?: number;
  /** Null: `ci` without --out (its report says how to save the trace). */
  readonly out: string | null;
  /** Set by `ci`: the spin is reported as its item's row (src/cli/commands/ci.ts `ciSpinReport`), not as `run`'s report. */
  readonly ci?: unknown;
}

/**
 * What the command does when a signal comes while a task keeps this thread from its event loop
 * (the guard calls it then, inside the spin: it must be synchronous): prints what its interrupt
 * prints, the work so far and what was stopped, and returns the exit code. Set by `interleave
 * run` while it listens for Ctrl-C; null otherwise (the signal then ends the process by Node's
 * default action).
 */
export type SpinInterrupt = (signal: string) => number;

export const spinMark: { running: SpinView | null; target: SpinTarget | null; interrupted: SpinInterrupt | null } = { running: null, target: null, interrupted: null };

/** Promise creations without a scheduling decision after which a task is a microtask runaway. */
export const SPIN_REACTIONS = 1_000_000;
