import { performance } from 'node:perf_hooks';
import { explore, type ExploreOptions } from '../explore.js';
import type { ScenarioDefinition } from '../scenario.js';
import type { Race } from '../trace/schema.js';
import { shrinkTrace, type ShrinkOptions } from './shrinkTrace.js';

/** Before → after counts of one shrink, for the benchmark. */
export interface ShrinkMeasurement {
  readonly scenario: string;
  readonly variant: string;
  /** False when exploration found no failure (then nothing was shrunk and the counts are 0). */
  readonly found: boolean;
  readonly before: { readonly steps: number; readonly preemptions: number; readonly tasks: number; readonly params: Record<string, unknown> };
  readonly after: { readonly steps: number; readonly preemptions: number; readonly tasks: number; readonly params: Record<string, unknown> };
  readonly attempts: number;
  /** Wall time of the shrink alone (not of the exploration that found the failure). */
  readonly shrinkMs: number;
  readonly stoppedBy: 'minimal' | 'attempts' | 'time' | 'none';
  readonly races: readonly Race[];
}

/**
 * Explores `scenario`/`variant` (seeded, default random strategy) until a failure, then shrinks
 * it and reports steps/preemptions/tasks before → after and the shrink's wall time. For the
 * benchmark (`npm run bench`); deterministic except `shrinkMs`.
 */
export async function measureShrink(
  scenario: ScenarioDefinition<object>,
  variant: string,
  options: { readonly explore?: ExploreOptions<object>; readonly shrink?: ShrinkOptions } = {},
): Promise<ShrinkMeasurement> {
  const found = await explore(scenario, { ...options.explore, variant });
  const zero = { steps: 0, preemptions: 0, tasks: 0, params: {} };
  if (found.trace === null || found.failure === null || found.failure.kind === 'nondeterminism') {
    return { scenario: scenario.name, variant, found: false, before: zero, after: zero, attempts: 0, shrinkMs: 0, stoppedBy: 'none', races: [] };
  }
  const t = found.trace;
  const start = performance.now();
  const r = await shrinkTrace(scenario, t, options.shrink);
  const shrinkMs = performance.now() - start;
  return {
    scenario: scenario.name,
    variant,
    found: true,
    before: { ...t.counts, params: t.params },
    after: { ...r.trace.counts, params: r.trace.params },
    attempts: r.attempts,
    shrinkMs,
    stoppedBy: r.stoppedBy,
    races: r.trace.races ?? [],
  };
}
