/**
 * The round-robin order of delay bounding (Emmi, Qadeer & Rakamarić, "Delay-bounded
 * scheduling", POPL 2011), as SCTBench evaluates it (Thomson, Donaldson & Betts, PPoPP 2014):
 * the base scheduler is non-preemptive round-robin over task ids (creation order). It keeps
 * running the task that ran last while that task is enabled; when it blocks or ends, it runs the
 * next enabled task with a larger id, wrapping around to the smallest. A *delay* skips the task
 * the base scheduler would pick, moving to the next enabled one in the same cyclic order.
 *
 * So the enabled tasks are ordered cyclically starting from `last` itself (or, when `last` is not
 * enabled, from the first id after it), and choosing the task at position j costs j delays.
 * Blocked tasks are not in `enabled`, so skipping them costs nothing. With `last` = -1 (no task
 * ran yet) the order starts at the smallest id.
 *
 * Called by the delay-bounded search (src/search/runner.ts) at every scheduling point; pure.
 * `enabled` must be ascending (SchedulingView.enabled is).
 */
export function delayOrder(enabled: readonly number[], last: number): number[] {
  const from = enabled.findIndex((id) => id >= last);
  if (from <= 0) return [...enabled];
  return [...enabled.slice(from), ...enabled.slice(0, from)];
}

/** Delays it costs to run `chosen` when `last` ran last: its position in `delayOrder` (-1 when not enabled). */
export function delaysOf(enabled: readonly number[], last: number, chosen: number): number {
  return delayOrder(enabled, last).indexOf(chosen);
}
