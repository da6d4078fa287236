import type { Arbitrary } from 'fast-check';

/** A scenario parameter: its default, and the values it may take when varied and shrunk (`param(...)` in src/scenario.ts). */
export interface ParamSpec<T> {
  readonly default: T;
  /** Values to vary over and shrink through (e.g. `fc.integer({ min: 1, max: 5 })`). */
  readonly arbitrary?: Arbitrary<T>;
  readonly description?: string;
}

/**
 * Whether a value may be a scenario parameter's: of the type of its default, a finite number
 * for numeric parameters, and a value of its fast-check arbitrary when it has one that can tell
 * (`canShrinkWithoutContext`); without one, a safe whole number when the default is whole. Checked
 * wherever a value enters: `--param`, trace files (`params`, `shrink.original.params`), and
 * `explore()`/`expectNoFailure()` options (through makeTarget), so an out-of-range value is
 * refused in one line instead of running something the scenario never meant (a false pass, or
 * 1e9 workers until the heap gives out).
 *
 * An arbitrary can tell when it accepts the parameter's own default: fast-check's integer,
 * constantFrom and most built-in arbitraries do; a mapped arbitrary without an unmapper
 * (`fc.integer().map(f)`) accepts nothing, and then only the type rules apply.
 */

/** `2`, `"x"`, `Infinity`, `-0`: a value as messages show it. */
export function showValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** 'a number', 'a string', 'null', 'an array', 'an object', ...: the type named in messages. */
export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}

/** `arb.canShrinkWithoutContext(v)`, false when the arbitrary throws on a value it did not expect. */
function accepts(arb: Arbitrary<unknown>, v: unknown): boolean {
  try {
    return arb.canShrinkWithoutContext(v);
  } catch {
    return false;
  }
}

/** How many of a constantFrom arbitrary's values a message lists (more: only the default is named). */
const LISTED_VALUES = 12;

/**
 * "an integer from 1 to 3" when `arb` behaves as fast-check's integer arbitrary with the
 * bounds it carries (`min`, `max`): both accepted, the numbers next to them and a fraction
 * refused. "one of "a", "b"" for a constantFrom of a few plain values (`values`, each accepted).
 * Probed, not trusted: anything else gets null and messages show only the default.
 */
export function describeArbitrary(arb: Arbitrary<unknown>): string | null {
  const { min, max, values } = arb as unknown as { min?: unknown; max?: unknown; values?: unknown };
  if (Array.isArray(values) && values.length > 0 && values.length <= LISTED_VALUES && values.every((v) => ['string', 'number', 'boolean'].includes(typeof v) && accepts(arb, v))) {
    return `one of ${values.map(showValue).join(', ')}`;
  }
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) return null;
  const integer = accepts(arb, min) && accepts(arb, max) && !accepts(arb, min - 1) && !accepts(arb, max + 1) && !accepts(arb, min + 0.5);
  return integer ? `an integer from ${min} to ${max}` : null;
}

/** The arbitrary of `spec` when it can tell its own values from others (it accepts the default). */
function tellingArbitrary(spec: ParamSpec<unknown>): Arbitrary<unknown> | null {
  const arb = spec.arbitrary;
  return arb !== undefined && typeof arb.canShrinkWithoutContext === 'function' && accepts(arb, spec.default) ? arb : null;
}

/**
 * Why `value` cannot be the value of the parameter `spec` describes, as a clause for a message
 * that names the parameter and shows the value (`expected a number (the default is 2)`,
 * `not a value of its arbitrary (an integer from 1 to 3; the default is 2)`), or null when it can.
 */
export function paramValueProblem(spec: ParamSpec<unknown>, value: unknown): string | null {
  const d = spec.default;
  const theDefault = `the default is ${showValue(d)}`;
  if (typeOf(value) !== typeOf(d)) return `expected ${typeOf(d)} (${theDefault})`;
  if (typeof value === 'number' && !Number.isFinite(value)) return `expected a finite number (${theDefault})`;
  const arb = tellingArbitrary(spec);
  if (arb === null) {
    if (typeof value !== 'number' || !Number.isInteger(d) || Number.isSafeInteger(value)) return null;
    return Number.isInteger(value) ? `expected a whole number of at most ${Number.MAX_SAFE_INTEGER} in size (${theDefault})` : `expected a whole number (${theDefault})`;
  }
  if (accepts(arb, value)) return null;
  const range = describeArbitrary(arb);
  return `not a value of its arbitrary (${range !== null ? `${range}; ` : ''}${theDefault})`;
}

/**
 * Why a parameter declaration cannot be used, or null: its default must pass the type rules,
 * and lie in its arbitrary's range when the arbitrary is an integer one (for other arbitraries,
 * a default the arbitrary does not accept means it cannot tell, and only types are checked).
 * Called by validateScenario.
 */
export function paramSpecProblem(spec: ParamSpec<unknown>): string | null {
  const d = spec.default;
  if (typeof d === 'number' && !Number.isFinite(d)) return `the default ${showValue(d)} is not a finite number`;
  const arb = spec.arbitrary as unknown;
  if (arb === undefined) return null;
  if (typeof arb !== 'object' || arb === null || typeof (arb as Arbitrary<unknown>).canShrinkWithoutContext !== 'function') return 'arbitrary must be a fast-check arbitrary (e.g. fc.integer({ min: 1, max: 3 }))';
  const range = describeArbitrary(arb as Arbitrary<unknown>);
  if (range !== null && !accepts(arb as Arbitrary<unknown>, d)) return `the default ${showValue(d)} is not a value of its arbitrary (${range})`;
  return null;
}

/**
 * The first override in `overrides` that `specs` does not allow: an unknown or prototype name, or
 * a value `paramValueProblem` refuses. `[name, clause]`, or null when every override is fine.
 */
export function overrideProblem(specs: Readonly<Record<string, ParamSpec<unknown>>> | undefined, overrides: object | undefined): [string, string] | null {
  if (overrides === undefined) return null;
  const known = Object.keys(specs ?? {});
  for (const [name, value] of Object.entries(overrides)) {
    const spec = specs !== undefined && Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) return [name, `no such parameter; parameters are: ${known.length > 0 ? known.join(', ') : '(none)'}`];
    const problem = paramValueProblem(spec, value);
    if (problem !== null) return [name, problem];
  }
  return null;
}
