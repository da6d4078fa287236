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
 * plain data, set by `interleave run` once per unwatched exploration in this thread, null
 * outside one (then a spin is reported without a trace). `out`: where its trace is saved.
 */
export interface SpinTarget {
  readonly file: string;
  readonly variant: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly strategy?: string;
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly out: string;
}

export const spinMark: { running: SpinView | null; target: SpinTarget | null } = { running: null, target: null };

/** Promise creations without a scheduling decision after which a task is a microtask runaway. */
export const SPIN_REACTIONS = 1_000_000;
