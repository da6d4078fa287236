import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { explore, param, resolveParams, UsageError, validateScenario, type ParamSpec, type ScenarioDefinition } from 'interleave';
import { isPrototypeKey, nameProblem } from '../../src/names.js';
import { describeArbitrary, paramValueProblem } from '../../src/paramValues.js';
import { expectNoFailure } from 'interleave/vitest';
import lostUpdate from '../fixtures/scenarios/lost-update.js';

describe('paramValueProblem', () => {
  it('any value an integer arbitrary generates is accepted; any whole number outside its range is refused, naming the range', () => {
    const bounds = fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 50 })).map(([min, width]) => [min, min + width] as const);
    fc.assert(
      fc.property(
        bounds.chain(([min, max]) => fc.tuple(fc.constant(min), fc.constant(max), fc.integer({ min, max }), fc.integer({ min: 1, max: 1_000_000 }))),
        ([min, max, inside, distance]) => {
          const spec = param(min, fc.integer({ min, max }));
          expect(paramValueProblem(spec, inside)).toBeNull();
          const refusal = `not a value of its arbitrary (an integer from ${min} to ${max}; the default is ${min})`;
          expect(paramValueProblem(spec, max + distance)).toBe(refusal);
          expect(paramValueProblem(spec, min - distance)).toBe(refusal);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the default type first: a string, an array or a missing value for a number is refused', () => {
    const spec = param(2, fc.integer({ min: 1, max: 3 }));
    expect(paramValueProblem(spec, 'abc')).toBe('expected a number (the default is 2)');
    expect(paramValueProblem(spec, '')).toBe('expected a number (the default is 2)');
    expect(paramValueProblem(spec, [2])).toBe('expected a number (the default is 2)');
    expect(paramValueProblem(spec, null)).toBe('expected a number (the default is 2)');
    expect(paramValueProblem(param('s'), 3)).toBe('expected a string (the default is "s")');
  });

  it('without an arbitrary: finite numbers only, whole and safe when the default is whole', () => {
    expect(paramValueProblem(param(3), 1.5)).toBe('expected a whole number (the default is 3)');
    expect(paramValueProblem(param(3), Infinity)).toBe('expected a finite number (the default is 3)');
    expect(paramValueProblem(param(3), NaN)).toBe('expected a finite number (the default is 3)');
    expect(paramValueProblem(param(3), 2 ** 53)).toBe('expected a whole number of at most 9007199254740991 in size (the default is 3)');
    expect(paramValueProblem(param(3), 1e9)).toBeNull();
    expect(paramValueProblem(param(0.5), 0.25)).toBeNull();
    expect(paramValueProblem(param(0.5), -Infinity)).toBe('expected a finite number (the default is 0.5)');
  });

  it('an arbitrary that cannot tell its values (mapped, no unmapper) falls back to the type rules', () => {
    const spec = param(10, fc.integer({ min: 1, max: 4 }).map((n) => n * 10));
    expect(paramValueProblem(spec, 7)).toBeNull();
    expect(paramValueProblem(spec, 'x')).toBe('expected a number (the default is 10)');
    expect(describeArbitrary(spec.arbitrary!)).toBeNull();
  });

  it('other arbitraries that can tell refuse values they never generate, naming the default', () => {
    expect(paramValueProblem(param('a', fc.constantFrom('a', 'b')), 'c')).toBe('not a value of its arbitrary (one of "a", "b"; the default is "a")');
    const many = Array.from({ length: 13 }, (_, i) => i);
    expect(paramValueProblem(param(0, fc.constantFrom(...many)), 13)).toBe('not a value of its arbitrary (the default is 0)');
    expect(paramValueProblem(param('a', fc.constantFrom('a', 'b')), 'b')).toBeNull();
    expect(paramValueProblem(param(0, fc.nat({ max: 5 })), 6)).toBe('not a value of its arbitrary (an integer from 0 to 5; the default is 0)');
    expect(paramValueProblem(param(true, fc.boolean()), false)).toBeNull();
  });
});

describe('the bundled scenarios', () => {
  it('every parameter has an integer arbitrary that can tell its values and accepts its default; every definition is valid', async () => {
    const dir = new URL('../../scenarios/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const scenario = ((await import(new URL(f, dir).href)) as { default: ScenarioDefinition<object> }).default;
      expect(validateScenario(scenario)).toEqual([]);
      for (const spec of Object.values(scenario.params ?? {}) as ParamSpec<unknown>[]) {
        expect(describeArbitrary(spec.arbitrary!)).toMatch(/^an integer from \d+ to \d+$/);
        expect(paramValueProblem(spec, spec.default)).toBeNull();
        expect(paramValueProblem(spec, 1_000_000_000)).toMatch(/^not a value of its arbitrary \(an integer from /);
      }
    }
  });
});

describe('names', () => {
  it('every key of Object.prototype (and prototype) is refused, as are names that are not plain', () => {
    for (const k of [...Object.getOwnPropertyNames(Object.prototype), 'prototype']) {
      expect(isPrototypeKey(k)).toBe(true);
      expect(nameProblem(k)).toBe(`${JSON.stringify(k)} is a key of every object (Object.prototype), not a usable name`);
    }
    for (const k of ['a b', '../x', '', '1st', 'x.y']) expect(nameProblem(k)).toBe(`${JSON.stringify(k)} is not a plain name (a letter or _, then letters, digits, _ or -)`);
    for (const k of ['workers', 'lock-order-warning', '_x', 'maxSize2']) expect(nameProblem(k)).toBeNull();
  });

  it('validateScenario refuses prototype and odd names, bad budgets and a default outside its integer arbitrary', () => {
    const base = { name: 'x', description: 'd', variants: { ok: { expect: 'pass' } }, run: async () => {} };
    expect(validateScenario({ ...base, name: 'constructor' })).toEqual(['name "constructor" is a key of every object (Object.prototype), not a usable name']);
    expect(validateScenario({ ...base, variants: { constructor: { expect: 'pass' } } })).toEqual(['variants: "constructor" is a key of every object (Object.prototype), not a usable name']);
    expect(validateScenario({ ...base, params: { ['__proto__']: param(1) } })).toEqual(['params: "__proto__" is a key of every object (Object.prototype), not a usable name']);
    expect(validateScenario({ ...base, params: { 'a b': param(1) } })).toEqual(['params: "a b" is not a plain name (a letter or _, then letters, digits, _ or -)']);
    expect(validateScenario({ ...base, params: { w: param(70, fc.integer({ min: 10, max: 60 })) } })).toEqual(['params.w: the default 70 is not a value of its arbitrary (an integer from 10 to 60)']);
    expect(validateScenario({ ...base, params: { w: param(NaN) } })).toEqual(['params.w: the default NaN is not a finite number']);
    expect(validateScenario({ ...base, params: { w: { default: 1, arbitrary: 3 } } })).toEqual(['params.w: arbitrary must be a fast-check arbitrary (e.g. fc.integer({ min: 1, max: 3 }))']);
    expect(validateScenario({ ...base, budget: { iterations: 0, strategy: 'bfs' } })).toEqual([
      'budget.iterations must be a whole number from 1 to 9007199254740991, got 0',
      'budget.strategy must be one of random, pct, portfolio, pos, fuzz, dfs, pb, db, first-enabled, round-robin',
    ]);
    expect(validateScenario({ ...base, variants: { ok: { expect: 'pass', budget: { seed: -1, maxStep: 3 } } } })).toEqual([
      'variants.ok.budget.seed must be a whole number from 0 to 9007199254740991, got -1',
      'variants.ok.budget.maxStep is not a budget field (strategy, iterations, maxSteps, depth, seed, preemptionBound)',
    ]);
    expect(validateScenario(lostUpdate)).toEqual([]);
  });

  it('resolveParams never turns a __proto__ key into a prototype', () => {
    const overrides = JSON.parse('{"__proto__": {"workers": 9}}') as object;
    const p = resolveParams(lostUpdate, overrides) as Record<string, unknown>;
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(p.workers).toBe(2);
  });
});

describe('explore() and expectNoFailure() options are checked like --param', () => {
  const scenario = lostUpdate as ScenarioDefinition<{ workers: number }>;
  it('an out-of-range, mistyped or unknown parameter, or an inherited variant name, is a UsageError before anything runs', async () => {
    await expect(explore(scenario, { params: { workers: 1_000_000_000 }, iterations: 1 })).rejects.toThrow(
      new UsageError('scenario lost-update: param workers=1000000000: not a value of its arbitrary (an integer from 2 to 4; the default is 2)'),
    );
    await expect(explore(scenario, { params: { workers: 'many' as unknown as number }, iterations: 1 })).rejects.toThrow('scenario lost-update: param workers="many": expected a number (the default is 2)');
    await expect(explore(scenario, { params: { threads: 2 } as object, iterations: 1 })).rejects.toThrow('scenario lost-update: param threads=2: no such parameter; parameters are: workers');
    await expect(explore(scenario, { variant: 'constructor', iterations: 1 })).rejects.toThrow('scenario lost-update has no variant "constructor"; variants are: buggy, fixed');
    await expect(expectNoFailure(scenario, { variant: 'fixed', params: { workers: 5 }, iterations: 1, out: false })).rejects.toThrow(
      'scenario lost-update: param workers=5: not a value of its arbitrary (an integer from 2 to 4; the default is 2)',
    );
    const ok = await explore(scenario, { variant: 'fixed', params: { workers: 4 }, iterations: 2 });
    expect(ok.failure).toBeNull();
  });
});
