import type { Arbitrary } from 'fast-check';
import type { ScenarioContext } from './context.js';
import { expectationProblem, type Expectation } from './expectation.js';

export type { Expectation } from './expectation.js';

export type StrategyName = 'random' | 'pct' | 'dfs' | 'pb' | 'first-enabled' | 'round-robin';

/** How much exploring a variant needs: used by `interleave run`, `ci` and `npm start`. */
export interface Budget {
  readonly strategy?: StrategyName;
  readonly iterations?: number;
  readonly seed?: number;
  readonly maxSteps?: number;
  /** For `pb` (and `dfs` with a bound): the largest preemption bound to try. */
  readonly preemptionBound?: number;
  /** PCT bug depth d. */
  readonly depth?: number;
}

export interface ParamSpec<T> {
  readonly default: T;
  /** Values to vary over and shrink through (e.g. `fc.integer({ min: 1, max: 5 })`). */
  readonly arbitrary?: Arbitrary<T>;
  readonly description?: string;
}

export interface VariantSpec {
  readonly expect: Expectation;
  readonly description?: string;
  readonly budget?: Budget;
  /** Blocked tasks after main returned, and locks held by finished tasks, are not failures. */
  readonly allowLeaks?: boolean;
  /** Lock-order inversions fail the run (kind potential-deadlock) instead of warning. */
  readonly failOnLockOrder?: boolean;
}

export type ParamSpecs<P> = { readonly [K in keyof P]: ParamSpec<P[K]> };

export interface ScenarioDefinition<P extends object = Record<string, unknown>> {
  /** kebab-case identifier used on the command line and in trace file names. */
  readonly name: string;
  readonly description: string;
  /** Where the modelled design comes from (audit file and section). */
  readonly source?: string;
  readonly params?: ParamSpecs<P>;
  readonly variants: Readonly<Record<string, VariantSpec>>;
  /** Default budget for every variant (a variant's own budget wins). */
  readonly budget?: Budget;
  /** The body: creates shared objects and spawns tasks. Runs as the task "main". */
  run(t: ScenarioContext<P>): Promise<void>;
}

/** A scenario module's default export. Identity at run time; it exists for the types. */
export function defineScenario<P extends object = Record<string, never>>(definition: ScenarioDefinition<P>): ScenarioDefinition<P> {
  return definition;
}

/** Shorthand for a parameter spec. */
export function param<T>(defaultValue: T, arbitrary?: Arbitrary<T>, description?: string): ParamSpec<T> {
  return { default: defaultValue, ...(arbitrary !== undefined ? { arbitrary } : {}), ...(description !== undefined ? { description } : {}) };
}

/** Default parameter values, overridden by `overrides`. */
export function resolveParams<P extends object>(def: ScenarioDefinition<P>, overrides?: Partial<P>): P {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(def.params ?? {})) out[k] = (spec as ParamSpec<unknown>).default;
  return { ...out, ...(overrides ?? {}) } as P;
}

/**
 * Checks a module's default export. Returns a list of problems, each naming the field, so a
 * loader can print one clear line instead of failing deep inside a run.
 */
export function validateScenario(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['the default export is not a scenario object (use defineScenario({...}))'];
  const d = value as Record<string, unknown>;
  if (typeof d.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(d.name)) problems.push('name must be a kebab-case string');
  if (typeof d.description !== 'string') problems.push('description must be a string');
  if (typeof d.run !== 'function') problems.push('run must be an async function (t) => {...}');
  if (typeof d.variants !== 'object' || d.variants === null || Object.keys(d.variants).length === 0) {
    problems.push('variants must name at least one variant, e.g. { buggy: { expect: "exception" } }');
  } else {
    for (const [name, v] of Object.entries(d.variants as Record<string, unknown>)) {
      const expect = expectationProblem(`variants.${name}.expect`, (v as { expect?: unknown } | null)?.expect);
      if (expect !== null) problems.push(expect);
    }
  }
  if (d.params !== undefined) {
    if (typeof d.params !== 'object' || d.params === null) problems.push('params must be an object of { default, arbitrary? }');
    else
      for (const [k, p] of Object.entries(d.params as Record<string, unknown>)) {
        if (typeof p !== 'object' || p === null || !('default' in p)) problems.push(`params.${k} must have a default`);
      }
  }
  return problems;
}
