import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { explore, readTrace, replayTrace, search, type ExploreOptions, type ExploreResult, type ReplayReport, type ScenarioDefinition, type SearchResult, type Trace } from 'interleave';

/** Shared checks of the scenario tests for seeds 000, 001 and 004 (scenarios 1-6 of issue 5). */

const ROOT = join(import.meta.dirname, '..', '..');

/** Explores one variant with the budget the scenario declares (options override). */
export function exploreVariant<P extends object>(scenario: ScenarioDefinition<P>, variant: string, options: ExploreOptions<P> = {}): Promise<ExploreResult> {
  return explore(scenario, { variant, ...options });
}

/** Loads the committed trace `traces/<name>.<variant>.<kind>.json` and replays it against `scenario`. */
export async function replayCommitted(scenario: ScenarioDefinition<object>, variant: string, kind: string): Promise<{ trace: Trace; report: ReplayReport }> {
  const file = join(ROOT, 'traces', `${scenario.name}.${variant}.${kind}.json`);
  if (!existsSync(file)) throw new Error(`missing committed trace ${file}: run \`node bin/interleave.js run ${scenario.name} --variant ${variant}\``);
  const trace = readTrace(file);
  const report = await replayTrace(scenario, trace);
  return { trace, report };
}

/** Exhaustive DFS (source-DPOR) of one variant; the result must say `complete`. */
export function exhaust<P extends object>(scenario: ScenarioDefinition<P>, variant: string, params: Partial<P>, maxExecutions = 20_000): Promise<SearchResult> {
  return search(scenario, { variant, strategy: 'dfs', params, maxExecutions });
}

/** Every schedule with at most `bound` preemptions (pb). */
export function boundedSearch<P extends object>(scenario: ScenarioDefinition<P>, variant: string, params: Partial<P>, bound: number, maxExecutions = 50_000): Promise<SearchResult> {
  return search(scenario, { variant, strategy: 'pb', preemptionBound: bound, params, maxExecutions });
}
