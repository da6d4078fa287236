import type { SchedulingView } from '../strategies/strategy.js';

/**
 * What this thread's engine shows the main-thread guard (src/cli/mainThreadGuard.ts) while a
 * task spins through promise reactions alone (`while (...) await Promise.resolve()`): no engine
 * code runs then, so the guard reads it here.
 *
 * - `steps` counts scheduling decisions in this thread, all executions together (Execution's
 *   `dispatch` adds one per step). The guard's promise hook, installed only while the thread has
 *   not returned to its event loop for a second, counts promise creations since it last moved.
 * - `running` is the execution that made the last decision: the spinning task is its `current`.
 *
 * Process-wide (one per thread) on purpose, as the engine's `parking`: the guard cannot reach
 * the running execution otherwise. Only `dispatch` writes it: one store and one increment a step.
 */
export const spinMark: { steps: number; running: SchedulingView | null } = { steps: 0, running: null };

/** Promise creations without a scheduling decision after which a task is a microtask runaway. */
export const SPIN_REACTIONS = 1_000_000;
