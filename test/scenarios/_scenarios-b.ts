import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { explore, readTrace, replayTrace, search, type ExploreResult, type Failure, type ScenarioDefinition, type SearchResult } from 'interleave';
import { expect } from 'vitest';

/** Helpers for the scenario tests of issue 5, scenarios 7-13 (docs/scenarios-b.md). */

const TRACES = join(import.meta.dirname, '..', '..', 'traces');

type Scenario = ScenarioDefinition<object>;

/**
 * Explores `variant` with the budget the scenario declares (the default random strategy and
 * seed) and checks it fails with the declared kind. Returns the failure and the exploration.
 */
export async function expectDeclaredFailure(scenario: Scenario, variant: string): Promise<{ failure: Failure; result: ExploreResult }> {
  const declared = scenario.variants[variant]!.expect;
  expect(declared).not.toBe('pass');
  const result = await explore(scenario, { variant });
  expect(result.failure?.kind, result.failure?.message ?? 'no failure within the declared budget').toBe(declared);
  return { failure: result.failure!, result };
}

/** Explores `variant` (with `params` over the defaults) with several seeds and `iterations` random executions each: no failure. */
export async function expectClean(scenario: Scenario, variant: string, iterations: number, seeds: readonly number[] = [1, 2], params?: Record<string, unknown>): Promise<number> {
  expect(scenario.variants[variant]!.expect).toBe('pass');
  let executions = 0;
  for (const seed of seeds) {
    const r = await explore(scenario, { variant, seed, iterations, ...(params !== undefined ? { params } : {}) });
    expect(r.failure?.message ?? null).toBeNull();
    executions += r.executions;
  }
  return executions;
}

/** The committed trace `traces/<scenario>.<variant>.<kind>.json` replays to its recorded failure. */
export async function expectCommittedTraceReplays(scenario: Scenario, variant: string): Promise<Failure> {
  const kind = scenario.variants[variant]!.expect;
  const file = join(TRACES, `${scenario.name}.${variant}.${kind}.json`);
  expect(existsSync(file), `${file} is missing: run node bin/interleave.js run ${scenario.name} --variant ${variant}`).toBe(true);
  const trace = readTrace(file);
  expect(trace.failure?.kind).toBe(kind);
  const report = await replayTrace(scenario, trace);
  expect(report.outcome, report.message).toBe('reproduced');
  return report.result.failure!;
}

/**
 * Exhaustive check of a variant that must pass: `dfs` (source-DPOR) must explore every execution
 * (complete), or `pb` must finish every schedule with at most `bound` preemptions.
 */
export async function expectExhaustivelyClean(
  scenario: Scenario,
  variant: string,
  how: { strategy: 'dfs' } | { strategy: 'pb'; bound: number },
  params?: Record<string, unknown>,
): Promise<SearchResult> {
  expect(scenario.variants[variant]!.expect).toBe('pass');
  const r = await search(scenario, {
    variant,
    strategy: how.strategy,
    ...(how.strategy === 'pb' ? { preemptionBound: how.bound } : {}),
    maxExecutions: 50_000,
    ...(params !== undefined ? { params } : {}),
  });
  expect(r.failure?.message ?? null).toBeNull();
  if (how.strategy === 'dfs') expect(r.complete).toBe(true);
  else expect(r.bound?.completeUpTo).toBe(how.bound);
  return r;
}
