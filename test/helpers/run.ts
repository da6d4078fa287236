import { defineScenario, explore, type ExploreOptions, type ExploreResult, type ScenarioContext, type ScenarioDefinition } from 'interleave';

/** A one-variant scenario around `body`, for unit tests. */
export function scenarioOf(body: (t: ScenarioContext) => Promise<void>, expect: ScenarioDefinition['variants'][string]['expect'] = 'pass'): ScenarioDefinition {
  return defineScenario({ name: 'unit', description: 'unit test body', variants: { only: { expect } }, run: body as never });
}

/** Explores `body` (random walk by default) and returns the result. */
export function exploreBody(body: (t: ScenarioContext) => Promise<void>, options: ExploreOptions = {}): Promise<ExploreResult> {
  return explore(scenarioOf(body), { iterations: 300, ...options });
}

/** Runs `body` once without preemption (first-enabled), for deterministic semantics checks. */
export function runSequential(body: (t: ScenarioContext) => Promise<void>, options: ExploreOptions = {}): Promise<ExploreResult> {
  return explore(scenarioOf(body), { iterations: 1, strategy: 'first-enabled', ...options });
}
