import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTrace, explore, replayTrace, type ScenarioDefinition } from 'interleave';
import { loadScenario } from '../../../src/loader.js';
import { FuzzStrategy } from '../../../src/strategies/fuzz.js';
import { samplingLines } from '../../../src/report/text.js';
import { inProcess, ROOT } from '../../robust/cli.js';

const load = async (file: string): Promise<ScenarioDefinition<object>> => (await loadScenario(join(ROOT, 'test/fixtures/deep', file))).scenario;

describe('fuzz (reads-from coverage-guided schedules, a start)', () => {
  it('is deterministic: the same seed gives the same first failure and trace bytes, and the same corpus and coverage', async () => {
    const scenario = await load('torn-snapshot.ts');
    const run = () => explore(scenario, { variant: 'buggy', strategy: 'fuzz', seed: 3, iterations: 5000 });
    const [a, b] = [await run(), await run()];
    expect(a.failure?.kind).toBe('assertion');
    expect(b.executions).toBe(a.executions);
    expect(encodeTrace(b.trace!)).toBe(encodeTrace(a.trace!));
    expect(a.trace!.strategy).toMatchObject({ name: 'fuzz', seed: 3 });
    const coverage = async () => {
      const strategy = new FuzzStrategy(3);
      await explore(scenario, { variant: 'fixed', strategy, seed: 3, iterations: 300 });
      return strategy.coverage;
    };
    expect(await coverage()).toEqual(await coverage());
  });

  it('keeps the schedules that add reads-from pairs; on a small program coverage levels off', async () => {
    const scenario = await load('hit-counter.ts');
    const strategy = new FuzzStrategy(1);
    await explore(scenario, { variant: 'fixed', strategy, seed: 1, iterations: 100 });
    const early = strategy.coverage;
    await explore(scenario, { variant: 'fixed', strategy, seed: 1, iterations: 2000, firstExecution: 100 });
    const late = strategy.coverage;
    // Two handlers' 3 increments: 26 pairs, all seen within 100 executions, by 12 kept schedules
    // (each kept schedule added at least one pair); 2,000 more add none.
    expect(early).toEqual({ pairs: 26, corpus: 12 });
    expect(late).toEqual(early);
  });

  it('finds the deep fixtures with seed 1 and the trace replays', async () => {
    for (const [file, executions] of [
      ['aba-stack.ts', 104],
      ['hit-counter.ts', 178],
      ['torn-snapshot.ts', 711],
    ] as const) {
      const scenario = await load(file);
      const r = await explore(scenario, { variant: 'buggy', strategy: 'fuzz', seed: 1, iterations: 5000 });
      expect(`${file}: ${r.failure?.kind} at ${r.executions}`).toBe(`${file}: assertion at ${executions}`);
      expect((await replayTrace(scenario, r.trace!)).outcome).toBe('reproduced');
    }
  });

  it("reports its coverage over the run: the union of its blocks' pairs and the sum of their corpora, in the summary and --json", async () => {
    const scenario = await load('hit-counter.ts');
    // One block: what the strategy itself learnt.
    const strategy = new FuzzStrategy(1);
    await explore(scenario, { variant: 'fixed', strategy, seed: 1, iterations: 250 });
    const one = await explore(scenario, { variant: 'fixed', strategy: 'fuzz', seed: 1, iterations: 250 });
    expect(one.sampling?.fuzz).toEqual(strategy.coverage);
    // Three blocks (each learns afresh, as a split run's do): the same 26 pairs, three corpora.
    const three = await explore(scenario, { variant: 'fixed', strategy: 'fuzz', seed: 1, iterations: 750 });
    expect(three.sampling?.fuzz?.pairs).toBe(26);
    expect(three.sampling!.fuzz!.corpus).toBeGreaterThan(2 * one.sampling!.fuzz!.corpus);
    expect(samplingLines(three)).toBe(`  fuzz: 26 reads-from pairs seen (hand-overs included), ${three.sampling!.fuzz!.corpus} schedules kept for the pairs they added (learnt per block of 250 executions)\n`);
    const r = await inProcess(['run', join(ROOT, 'test/fixtures/deep/hit-counter.ts'), '--variant', 'fixed', '--strategy', 'fuzz', '-n', '750', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { sampling: unknown }[])[0]!.sampling).toEqual({ fuzz: three.sampling!.fuzz });
  });
});
