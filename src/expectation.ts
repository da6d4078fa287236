import { FAILURE_KINDS, type FailureKind } from './runtime/failure.js';

/**
 * What a variant is expected to do (`VariantSpec.expect`): `'pass'`; fail with this kind; fail
 * with one of these kinds (`['exception', 'assertion']`: a variant that throws a KeyError on some
 * schedules and fails an assertion on others, as strategies differ in which they meet first); or
 * `'fail'`, any failure but `nondeterminism`, which says the scenario is broken rather than the
 * code under test, and matches only where it is named.
 */
export type Expectation = 'pass' | 'fail' | FailureKind | readonly FailureKind[];

/**
 * What an exploration found: its failure's kind, `pass`, or `inconclusive` (the time limit ended
 * it before one execution counted: src/verdict/inconclusive.ts), which no expectation meets.
 */
export type Found = FailureKind | 'pass' | 'inconclusive';

/**
 * Whether `found` is what `expect` declares. Called by `run --check`, `ci`, `merge --check` and
 * `expectDeclared` (vitest): one rule for all of them.
 */
export function expectationMet(expect: Expectation, found: Found): boolean {
  if (found === 'inconclusive') return false;
  if (typeof expect !== 'string') return found !== 'pass' && expect.includes(found);
  if (expect === 'fail') return found !== 'pass' && found !== 'nondeterminism';
  return expect === found;
}

/**
 * Whether `expect` names `kind` itself (not through `'fail'`): a failure while setting up is
 * taken as expected only then (src/robust/setupError.ts), since `'fail'` would also cover a
 * scenario that is simply broken.
 */
export function expectationNames(expect: Expectation, kind: FailureKind): boolean {
  return typeof expect === 'string' ? expect === kind : expect.includes(kind);
}

/** The expectation as tables, JSON and JUnit show it: `pass`, `deadlock`, `exception|assertion`, `fail`. */
export function expectationText(expect: Expectation): string {
  return typeof expect === 'string' ? expect : expect.join('|');
}

/**
 * Why `value` is not an expectation (for validateScenario, naming the field), or null. A list
 * holds failure kinds only, at least one, none twice: `'pass'` in a list would accept a variant
 * that sometimes fails.
 */
export function expectationProblem(field: string, value: unknown): string | null {
  const kinds = FAILURE_KINDS.join(', ');
  if (Array.isArray(value)) {
    if (value.length === 0) return `${field} must list at least one failure kind`;
    const bad = value.find((k) => !FAILURE_KINDS.includes(k as FailureKind));
    if (bad !== undefined) return `${field} lists ${JSON.stringify(bad) ?? String(bad)}, which is not a failure kind (${kinds}); a list holds failure kinds only`;
    const twice = value.find((k, i) => value.indexOf(k) !== i);
    if (twice !== undefined) return `${field} lists "${String(twice)}" twice`;
    return null;
  }
  if (value === 'pass' || value === 'fail' || FAILURE_KINDS.includes(value as FailureKind)) return null;
  return `${field} must be "pass", "fail" (any failure), one of ${kinds}, or a list of them`;
}
