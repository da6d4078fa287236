import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, replayTrace, search, type ScenarioDefinition } from 'interleave';
import { loadScenario } from '../../../src/loader.js';
import { shrinkTrace } from '../../../src/shrink/shrinkTrace.js';
import { cli, ROOT } from '../../robust/cli.js';

/**
 * The deep-bug fixtures (test/fixtures/deep/): each bug's minimal preemption count, proved by
 * the preemption-bounded search (every schedule with fewer preemptions explored, none fails),
 * and found by POS, shrunk to exactly that many preemptions, replayed.
 */
const FIXTURES = [
  // `pos`: executions to the first failure with seed 1 (bench/deep.mjs, docs/bench.md).
  // `fixedUpTo`: the fixed variant's pb proof kept here (the longer ones: test/long/deep.test.ts).
  // aba-stack's pb proof (15,000 executions, seconds) and elided-lock's (39,475) are in test/long/deep.test.ts.
  { file: 'aba-stack.ts', preemptions: 3, pos: 179, fixedUpTo: null },
  { file: 'hit-counter.ts', preemptions: 4, pos: 1112, fixedUpTo: 4 },
  { file: 'torn-snapshot.ts', preemptions: 5, pos: 2632, fixedUpTo: 3 },
  { file: 'elided-lock.ts', preemptions: 7, pos: 467, fixedUpTo: null },
] as const;

const load = async (file: string): Promise<ScenarioDefinition<object>> => (await loadScenario(join(ROOT, 'test/fixtures/deep', file))).scenario;

describe('deep-bug fixtures', () => {
  for (const f of FIXTURES) {
    if (f.fixedUpTo !== null) it(`${f.file}: pb is complete and clean below ${f.preemptions} preemptions and fails at ${f.preemptions}; the fixed variant holds`, async () => {
      const scenario = await load(f.file);
      const buggy = await search(scenario, { variant: 'buggy', strategy: 'pb', preemptionBound: f.preemptions });
      expect(buggy.failure?.kind).toBe('assertion');
      expect(buggy.bound).toMatchObject({ completeUpTo: f.preemptions - 1, minimalFailing: f.preemptions });
      expect(buggy.trace!.counts.preemptions).toBe(f.preemptions);
      const fixed = await search(scenario, { variant: 'fixed', strategy: 'pb', preemptionBound: f.fixedUpTo! });
      expect(fixed.failure).toBeNull();
      expect(fixed.bound).toMatchObject({ completeUpTo: f.fixedUpTo, minimalFailing: null });
    });

    it(`${f.file}: pos finds the bug (seed 1, execution ${f.pos}); it shrinks to exactly ${f.preemptions} preemptions and replays`, async () => {
      const scenario = await load(f.file);
      const found = await explore(scenario, { variant: 'buggy', strategy: 'pos', seed: 1, iterations: 5000 });
      expect(found.failure?.kind).toBe('assertion');
      expect(found.executions).toBe(f.pos);
      const shrunk = await shrinkTrace(scenario, found.trace!);
      expect(shrunk.trace.failure?.kind).toBe('assertion');
      expect(shrunk.trace.counts.preemptions).toBe(f.preemptions);
      expect((await replayTrace(scenario, shrunk.trace)).outcome).toBe('reproduced');
    });
  }

  it('elided-lock: the bug needs 2·retries + 1 preemptions (pb: 3 with 1 retry, 5 with 2); the fixed variant holds up to 3 preemptions', async () => {
    const scenario = await load('elided-lock.ts');
    for (const retries of [1, 2]) {
      const buggy = await search(scenario, { variant: 'buggy', strategy: 'pb', preemptionBound: 2 * retries + 1, params: { retries } });
      expect(buggy.failure?.kind).toBe('assertion');
      expect(buggy.bound).toMatchObject({ completeUpTo: 2 * retries, minimalFailing: 2 * retries + 1 });
      expect(buggy.trace!.counts.preemptions).toBe(2 * retries + 1);
      if (retries === 1) expect(buggy.failure?.message).toContain('id 2 was handed out twice: ids [0, 1, 2, 2]');
    }
    const fixed = await search(scenario, { variant: 'fixed', strategy: 'pb', preemptionBound: 3 });
    expect(fixed.failure).toBeNull();
    expect(fixed.bound).toMatchObject({ completeUpTo: 3, minimalFailing: null });
    expect(fixed.executions).toBe(856);
  });

  it('interleave run --strategy pos finds torn-snapshot, prints 5 preemptions, saves a trace that replays (built binary)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'deep-'));
    const run = await cli(['run', join(ROOT, 'test/fixtures/deep/torn-snapshot.ts'), '--variant', 'buggy', '--strategy', 'pos', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('torn-snapshot [buggy] (params: fields=4) pos seed 1: 2632 executions');
    expect(run.stdout).toContain('assertion: AssertionFailure: the monitor accepted a copy spanning all 4 versions: [0, 1, 2, 3] in task "monitor"');
    expect(run.stdout).toMatch(/\d+ steps, 5 preemptions, 3 tasks \(shrunk from/);
    const replay = await cli(['replay', join(out, 'torn-snapshot.buggy.assertion.json')]);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain('reproduced: assertion: AssertionFailure: the monitor accepted a copy spanning all 4 versions');
  });
});
