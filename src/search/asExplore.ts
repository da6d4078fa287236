import type { ExploreOptions, ExploreResult } from '../explore.js';
import type { ScenarioDefinition } from '../scenario.js';
import { search, type SearchResult } from './search.js';
import type { SearchMode } from './state.js';

/**
 * `explore(scenario, { strategy: 'dfs' | 'pb' | 'db' })`: runs the exhaustive search and reports it in
 * explore's shape (`iterations` becomes the execution budget), with the full search result
 * (completeness, counts, bound, resumable state) in `search`. `stoppedBy: 'iterations'` then
 * also covers a finished search: read `search.complete` for whether the space was exhausted.
 */
export async function exploreBySearch<P extends object>(scenario: ScenarioDefinition<P>, options: ExploreOptions<P>, mode: SearchMode): Promise<ExploreResult & { search: SearchResult }> {
  const { onProgress, strategy: _strategy, iterations: _iterations, ...rest } = options;
  const r = await search(scenario, {
    ...rest,
    strategy: mode,
    ...(options.iterations !== undefined ? { maxExecutions: options.iterations } : {}),
    ...(onProgress !== undefined ? { onProgress: (p: { executions: number; elapsedMs: number }) => onProgress({ executions: p.executions, elapsedMs: p.elapsedMs, failures: 0 }) } : {}),
  });
  return {
    scenario: r.scenario,
    variant: r.variant,
    strategy: { name: mode },
    executions: r.executions,
    steps: r.steps,
    failure: r.failure,
    trace: r.trace,
    stoppedBy: r.stoppedBy === 'failure' || r.stoppedBy === 'time' || r.stoppedBy === 'interrupted' ? r.stoppedBy : 'iterations',
    elapsedMs: r.elapsedMs,
    warnings: r.warnings,
    search: r,
  };
}
