import type { ExploreResult } from '../explore.js';
import { ScenarioLoadError } from '../loader.js';
import { expectationNames } from '../expectation.js';
import type { ScenarioDefinition } from '../scenario.js';
import { displayLocation } from '../trace/paths.js';

/**
 * A scenario whose body throws while setting up, before it spawned any task, fails the same way
 * on every schedule: no interleaving is involved, so it is a broken scenario (a user error, exit
 * 2, no trace saved), not a concurrency bug found in the code under test. The exception: a
 * variant that names that failure kind in its expectation (`'fail'`, any failure, is not enough:
 * it would also cover a scenario that is simply broken).
 *
 * Called by `interleave run` after exploring a variant; returns the error to throw, or null.
 */
export function setupError(file: string, scenario: ScenarioDefinition<object>, variant: string, r: Pick<ExploreResult, 'failure' | 'trace'>): ScenarioLoadError | null {
  const f = r.failure;
  if (f === null || (f.kind !== 'exception' && f.kind !== 'assertion') || f.task !== 'main') return null;
  if (r.trace === null || r.trace.tasks.length !== 1) return null;
  const expect = scenario.variants[variant]?.expect;
  if (expect !== undefined && expectationNames(expect, f.kind)) return null;
  const error = f.error === undefined ? f.message : `${f.error.name}: ${f.error.message}${f.error.location !== undefined ? ` at ${displayLocation(f.error.location)}` : ''}`;
  return new ScenarioLoadError(file, `scenario "${scenario.name}" [${variant}] threw while setting up, before spawning any task: ${error}`);
}
