import type { Arbitrary } from 'fast-check';
import type { ParamSpec, ScenarioDefinition } from '../scenario.js';

/** How many shrink proposals of one parameter value are tried before giving up on it. */
export const PROPOSALS_PER_VALUE = 8;

/**
 * Smaller values for parameter `name`, from the scenario's own fast-check arbitrary
 * (`arb.shrink(value, undefined)`), in the arbitrary's order (the most aggressive first: for
 * integers, the minimum). Empty when the parameter has no arbitrary or the arbitrary cannot
 * shrink a value it did not generate itself.
 */
export function paramProposals(scenario: ScenarioDefinition<object>, name: string, value: unknown): unknown[] {
  const spec = (scenario.params as Record<string, ParamSpec<unknown>> | undefined)?.[name];
  const arb = spec?.arbitrary as Arbitrary<unknown> | undefined;
  if (arb === undefined || !arb.canShrinkWithoutContext(value)) return [];
  const out: unknown[] = [];
  for (const v of arb.shrink(value, undefined)) {
    out.push(v.value);
    if (out.length >= PROPOSALS_PER_VALUE) break;
  }
  return out;
}

/** Names of the parameters that can shrink, in declaration order. */
export function shrinkableParams(scenario: ScenarioDefinition<object>): string[] {
  const specs = (scenario.params ?? {}) as Record<string, ParamSpec<unknown>>;
  return Object.keys(specs).filter((k) => specs[k]!.arbitrary !== undefined);
}
