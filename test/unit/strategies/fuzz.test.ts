import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTrace, explore, replayTrace, type ScenarioDefinition } from 'interleave';
import { loadScenario } from '../../../src/loader.js';
import { FuzzStrategy } from '../../../src/strategies/fuzz.js';
import { shrinkTrace } from '../../../src/shrink/shrinkTrace.js';
import { samplingLines } from '../../../src/report/text.js';
import { inProcess, ROOT } from '../../robust/cli.js';

const load = async (file: string): Promise<ScenarioDefinition<object>> => (await loadScenario(join(ROOT, 'test/fixtures/deep', file))).scenario;

/** Executions to the first failure of `strategy` objects made by `make`, one per block of `block` executions (explore never restarts an object). */
async function inBlocks(scenario: ScenarioDefinition<object>, make: () => FuzzStrategy, block: number, cap: number): Promise<number | null> {
  for (let start = 0; start < cap; start += block) {
    const r = await explore(scenario, { variant: 'buggy', strategy: make(), seed: 1, iterations: block, firstExecution: start });
    if (r.failure !== null) return start + r.executions;
  }
  return null;
}

describe('fuzz (reads-from coverage-guided schedules with energy)', () => {
  it('is deterministic: the same seed gives the same corpus, the same first failing execution and the same trace bytes', async () => {
    const scenario = await load('torn-snapshot.ts');
    const run = () => explore(scenario, { variant: 'buggy', strategy: 'fuzz', seed: 3, iterations: 5000 });
    const [a, b] = [await run(), await run()];
    expect(a.failure?.kind).toBe('assertion');
    // Past the first block of 1,000: what the second block learnt is repeated too.
    expect([a.executions, b.executions]).toEqual([1159, 1159]);
    expect(encodeTrace(b.trace!)).toBe(encodeTrace(a.trace!));
    expect(a.trace!.strategy).toMatchObject({ name: 'fuzz', seed: 3, execution: 1158 });
    const corpus = async (seed: number) => {
      const strategy = new FuzzStrategy(seed);
      await explore(scenario, { variant: 'fixed', strategy, seed, iterations: 300 });
      return { coverage: strategy.coverage, kept: strategy.kept };
    };
    const first = await corpus(3);
    expect(first.kept.length).toBeGreaterThan(5);
    expect(await corpus(3)).toEqual(first);
    expect((await corpus(4)).kept).not.toEqual(first.kept);
  });

  it('keeps the schedules that add reads-from pairs; on a small program coverage levels off', async () => {
    const scenario = await load('hit-counter.ts');
    const strategy = new FuzzStrategy(1);
    await explore(scenario, { variant: 'fixed', strategy, seed: 1, iterations: 100 });
    expect(strategy.coverage).toEqual({ pairs: 25, corpus: 11 });
    await explore(scenario, { variant: 'fixed', strategy, seed: 1, iterations: 2000, firstExecution: 100 });
    // Two handlers' 3 increments: 26 pairs, by 12 kept schedules (each kept schedule added at
    // least one pair); the last within 2,100 executions, and then none.
    expect(strategy.coverage).toEqual({ pairs: 26, corpus: 12 });
    await explore(scenario, { variant: 'fixed', strategy, seed: 1, iterations: 1000, firstExecution: 2100 });
    expect(strategy.coverage).toEqual({ pairs: 26, corpus: 12 });
  });

  it('finds the deep fixtures with seed 1 and the traces replay; the 4- and 5-preemption failures shrink to exactly that many and replay', async () => {
    for (const [file, executions, preemptions] of [
      ['aba-stack.ts', 238, 3],
      ['hit-counter.ts', 62, 4],
      ['torn-snapshot.ts', 146, 5],
    ] as const) {
      const scenario = await load(file);
      const r = await explore(scenario, { variant: 'buggy', strategy: 'fuzz', seed: 1, iterations: 5000 });
      expect(`${file}: ${r.failure?.kind} at ${r.executions}`).toBe(`${file}: assertion at ${executions}`);
      expect((await replayTrace(scenario, r.trace!)).outcome).toBe('reproduced');
      // The acceptance: the 4- and 5-preemption bugs (aba-stack's shrinking: deep.test.ts).
      if (preemptions < 4) continue;
      const shrunk = await shrinkTrace(scenario, r.trace!);
      expect(`${file}: ${shrunk.trace.failure?.kind}, ${shrunk.trace.counts.preemptions} preemptions`).toBe(`${file}: assertion, ${preemptions} preemptions`);
      expect((await replayTrace(scenario, shrunk.trace)).outcome).toBe('reproduced');
    }
  });

  it('keeps the fuzzer before energy behind its options (bench/deep.mjs compares them): flip only, entries picked uniformly, restarted every 250', async () => {
    // The executions the fuzzer found these with before energy (seed 1), pinned then.
    for (const [file, executions] of [
      ['aba-stack.ts', 104],
      ['hit-counter.ts', 178],
      ['torn-snapshot.ts', 711],
    ] as const) {
      const scenario = await load(file);
      expect(`${file}: ${await inBlocks(scenario, () => new FuzzStrategy(1, { mutations: ['flip'], energy: false }), 250, 5000)}`).toBe(`${file}: ${executions}`);
    }
  });

  it("reports its coverage over the run: the union of its blocks' pairs and the sum of their corpora, in the summary and --json", async () => {
    const scenario = await load('hit-counter.ts');
    // One block: what the strategy itself learnt.
    const strategy = new FuzzStrategy(1);
    await explore(scenario, { variant: 'fixed', strategy, seed: 1, iterations: 1000 });
    const one = await explore(scenario, { variant: 'fixed', strategy: 'fuzz', seed: 1, iterations: 1000 });
    expect(one.sampling?.fuzz).toEqual(strategy.coverage);
    // Two blocks (each learns afresh, as a split run's do): the same 26 pairs, two corpora.
    const two = await explore(scenario, { variant: 'fixed', strategy: 'fuzz', seed: 1, iterations: 2000 });
    expect(two.sampling?.fuzz).toEqual({ pairs: 26, corpus: 12 + 8 });
    expect(samplingLines(two)).toBe('  fuzz: 26 reads-from pairs seen (hand-overs included), 20 schedules kept for the pairs they added (learnt per block of 1,000 executions)\n');
    const r = await inProcess(['run', join(ROOT, 'test/fixtures/deep/hit-counter.ts'), '--variant', 'fixed', '--strategy', 'fuzz', '-n', '2000', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { sampling: unknown }[])[0]!.sampling).toEqual({ fuzz: two.sampling!.fuzz });
  });
});
