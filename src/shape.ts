import { runExecution, type Target } from './run.js';
import { DEFAULT_SHAPE, type ScenarioShape } from './strategies/pct.js';
import { FirstEnabledStrategy } from './strategies/roundRobin.js';

/**
 * Measures what PCT draws its change points over (docs/search.md, "PCT's parameters"): the tasks
 * and steps of the scenario's first-enabled schedule (no preemption, the lowest task id when the
 * current one blocks or ends), run once, recording off. Deterministic: the same scenario,
 * variant, parameters and settings give the same shape, in any thread or on any machine, so a
 * run split in blocks or shards draws the same schedules as a whole one.
 *
 * Called by explore (src/explore.ts), by the coordinator of a split run
 * (src/parallel/exploreParallel.ts, which hands the shape to its blocks) and by a block run on
 * its own, for the strategies that draw change points (`usesShape`). The measuring run is not
 * one of the exploration's executions and its verdict is ignored; a scenario that throws
 * outside any task there (a misuse the exploration reports) gets DEFAULT_SHAPE.
 */
export async function scenarioShape(target: Target<object>): Promise<ScenarioShape> {
  try {
    const r = await runExecution(target, new FirstEnabledStrategy(), 0, false);
    return { tasks: Math.max(1, r.tasks.length), steps: Math.max(1, r.steps) };
  } catch {
    return DEFAULT_SHAPE;
  }
}
