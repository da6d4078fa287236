import type { Arbitrary } from 'fast-check';
import type { ScenarioContext } from './context.js';
import { noteDefinition } from './definedIn.js';
import { isPrototypeKey, nameProblem } from './names.js';
import { paramSpecProblem, type ParamSpec } from './paramValues.js';

export type { ParamSpec } from './paramValues.js';
import { expectationProblem, type Expectation } from './expectation.js';

export type { Expectation } from './expectation.js';

export type StrategyName = 'random' | 'pct' | 'portfolio' | 'pos' | 'fuzz' | 'dfs' | 'pb' | 'db' | 'first-enabled' | 'round-robin';

/** How much exploring a variant needs: used by `interleave run`, `ci` and `npm start`. */
export interface Budget {
  readonly strategy?: StrategyName;
  readonly iterations?: number;
  readonly seed?: number;
  readonly maxSteps?: number;
  /** For `pb`: the largest preemption bound to try; for `db`, the largest delay bound. */
  readonly preemptionBound?: number;
  /** PCT bug depth d. */
  readonly depth?: number;
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
  /**
   * Timers of real code (docs/real-code.md): 'virtual' runs setTimeout, setInterval,
   * setImmediate, Date, performance.now, AbortSignal.timeout and node:timers/promises on the
   * execution's virtual clock from the body's first line; 'real' leaves them real (a real timer
   * is then nondeterminism). Unset: virtual from the first `t.io`.
   */
  readonly timers?: 'virtual' | 'real';
  /**
   * Where the state the tasks share lives, as the author vouches for it. 'tracked': all of it in
   * interleave's objects (`t.map`, `t.variable`, ...) or in `t.track`ed values, so dfs may prune
   * by partial-order reduction on what they report. 'untracked': tasks also share plain state,
   * so dfs explores every schedule. Unset: reduction for a model (only `t.*` objects), none once
   * the scenario calls `t.track` (its code may share more). docs/real-code.md.
   */
  readonly sharedState?: 'tracked' | 'untracked';
  /** The body: creates shared objects and spawns tasks. Runs as the task "main". */
  run(t: ScenarioContext<P>): Promise<void>;
}

/**
 * A scenario module's default export. Returns `definition` itself, with the calling module's
 * file noted on it (src/definedIn.ts), so a trace the vitest helpers save can name it.
 */
export function defineScenario<P extends object = Record<string, never>>(definition: ScenarioDefinition<P>): ScenarioDefinition<P> {
  noteDefinition(definition);
  return definition;
}

/** Shorthand for a parameter spec. */
export function param<T>(defaultValue: T, arbitrary?: Arbitrary<T>, description?: string): ParamSpec<T> {
  return { default: defaultValue, ...(arbitrary !== undefined ? { arbitrary } : {}), ...(description !== undefined ? { description } : {}) };
}

/**
 * Default parameter values, overridden by `overrides` (own keys only). Built as own data
 * properties (Object.fromEntries), so even a key `__proto__` could never become the object's
 * prototype; makeTarget refuses unknown names and bad values before this runs.
 */
export function resolveParams<P extends object>(def: ScenarioDefinition<P>, overrides?: Partial<P>): P {
  const defaults = Object.entries(def.params ?? {}).map(([k, spec]) => [k, (spec as ParamSpec<unknown>).default] as const);
  return Object.fromEntries([...defaults, ...Object.entries(overrides ?? {})]) as P;
}

/** Whole-number budget fields and their least value (as the matching command-line options). */
const BUDGET_MINIMUM: Readonly<Record<string, 0 | 1>> = { iterations: 1, maxSteps: 1, depth: 1, seed: 0, preemptionBound: 0 };
/** Every strategy a budget (or `run --strategy`) may name. */
export const STRATEGY_NAMES: readonly StrategyName[] = ['random', 'pct', 'portfolio', 'pos', 'fuzz', 'dfs', 'pb', 'db', 'first-enabled', 'round-robin'];

/** Problems of a definition's budget (`where`: 'budget' or 'variants.x.budget'), as the command-line options would report them. */
function budgetProblems(budget: unknown, where: string): string[] {
  if (budget === undefined) return [];
  if (typeof budget !== 'object' || budget === null) return [`${where} must be an object`];
  const problems: string[] = [];
  for (const [k, v] of Object.entries(budget)) {
    if (k === 'strategy') {
      if (v !== undefined && !STRATEGY_NAMES.includes(v as StrategyName)) problems.push(`${where}.strategy must be one of ${STRATEGY_NAMES.join(', ')}`);
      continue;
    }
    const min = Object.hasOwn(BUDGET_MINIMUM, k) ? BUDGET_MINIMUM[k] : undefined;
    if (min === undefined) problems.push(`${where}.${k} is not a budget field (${['strategy', ...Object.keys(BUDGET_MINIMUM)].join(', ')})`);
    else if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)) problems.push(`${where}.${k} must be a whole number from ${min} to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(v) ?? String(v)}`);
  }
  return problems;
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
  else if (isPrototypeKey(d.name)) problems.push(`name ${JSON.stringify(d.name)} is a key of every object (Object.prototype), not a usable name`);
  if (typeof d.description !== 'string') problems.push('description must be a string');
  if (typeof d.run !== 'function') problems.push('run must be an async function (t) => {...}');
  if (typeof d.variants !== 'object' || d.variants === null || Object.keys(d.variants).length === 0) {
    problems.push('variants must name at least one variant, e.g. { buggy: { expect: "exception" } }');
  } else {
    for (const [name, v] of Object.entries(d.variants as Record<string, unknown>)) {
      const bad = nameProblem(name);
      if (bad !== null) problems.push(`variants: ${bad}`);
      problems.push(...budgetProblems((v as { budget?: unknown } | null)?.budget, `variants.${name}.budget`));
      const expect = expectationProblem(`variants.${name}.expect`, (v as { expect?: unknown } | null)?.expect);
      if (expect !== null) problems.push(expect);
    }
  }
  if (d.params !== undefined) {
    if (typeof d.params !== 'object' || d.params === null) problems.push('params must be an object of { default, arbitrary? }');
    else
      for (const [k, p] of Object.entries(d.params as Record<string, unknown>)) {
        const bad = nameProblem(k);
        if (bad !== null) problems.push(`params: ${bad}`);
        else if (typeof p !== 'object' || p === null || !('default' in p)) problems.push(`params.${k} must have a default`);
        else {
          const spec = paramSpecProblem(p as ParamSpec<unknown>);
          if (spec !== null) problems.push(`params.${k}: ${spec}`);
        }
      }
  }
  problems.push(...budgetProblems(d.budget, 'budget'));
  if (d.timers !== undefined && d.timers !== 'virtual' && d.timers !== 'real') problems.push(`timers must be "virtual" or "real", got ${JSON.stringify(d.timers)}`);
  if (d.sharedState !== undefined && d.sharedState !== 'tracked' && d.sharedState !== 'untracked') problems.push(`sharedState must be "tracked" or "untracked", got ${JSON.stringify(d.sharedState) ?? String(d.sharedState)}`);
  return problems;
}
