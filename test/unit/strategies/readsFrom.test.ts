import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTrace, explore, type ScenarioDefinition } from 'interleave';
import { loadScenario } from '../../../src/loader.js';
import { FuzzStrategy } from '../../../src/strategies/fuzz.js';
import { coverageMonitor, ReadsFrom } from '../../../src/strategies/readsFrom.js';
import { ROOT } from '../../robust/cli.js';

const load = async (file: string): Promise<ScenarioDefinition<object>> => (await loadScenario(join(ROOT, 'test/fixtures/deep', file))).scenario;

describe('reads-from coverage of any strategy (coverageMonitor)', () => {
  it("measures what the fuzzer itself counts, and changes no decision: the same failure and trace bytes as unmeasured", async () => {
    const scenario = await load('hit-counter.ts');
    const fuzz = new FuzzStrategy(1);
    const measured = new ReadsFrom();
    await explore(scenario, { variant: 'fixed', strategy: fuzz, seed: 1, iterations: 200, monitor: coverageMonitor(measured) });
    expect([...measured.pairs].sort()).toEqual([...fuzz.pairs].sort());
    expect(measured.pairs.size).toBe(26);
    const random = new ReadsFrom();
    const [watched, plain] = [
      await explore(scenario, { variant: 'buggy', seed: 2, iterations: 5000, monitor: coverageMonitor(random) }),
      await explore(scenario, { variant: 'buggy', seed: 2, iterations: 5000 }),
    ];
    expect(watched.failure?.kind).toBe('assertion');
    expect(encodeTrace(watched.trace!)).toBe(encodeTrace(plain.trace!));
    expect(random.pairs.size).toBeGreaterThan(0);
  });
});
