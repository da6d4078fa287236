import { describe, expect, it } from 'vitest';
import { defineScenario, explore, type ScenarioDefinition } from 'interleave';
import { replayDecisions } from '../../src/replay.js';
import { makeTarget } from '../../src/run.js';
import { checkDeterminism, firstRunDifference } from '../../src/verdict/determinism.js';
import lostUpdate from '../fixtures/scenarios/lost-update.js';

/** Worker writes Math.random() and reads it back: the read's result differs between runs. */
function randomScenario(fails: boolean): ScenarioDefinition<object> {
  return defineScenario({
    name: 'uses-random',
    description: 'reads Math.random inside a task',
    variants: { only: { expect: fails ? 'assertion' : 'pass' } },
    async run(t) {
      const v = t.variable('v', 0);
      const w = t.spawn('worker', async () => {
        await v.set(Math.random());
        await v.get();
      });
      await w.join();
      t.assert(!fails, 'always fails');
    },
  }) as ScenarioDefinition<object>;
}

const STEP_MESSAGE = /^nondeterminism: two runs of the same schedule differ at step (\d+): first worker: read v -> 0\.\d+; then worker: read v -> 0\.\d+; does the scenario use Math\.random, Date\.now, real timers or state outside t\.\*\?$/;

describe('determinism check', () => {
  it('a deterministic scenario replays to the same event log', async () => {
    // (cast: the fixture is typed through the package name, the helpers come from src)
    const target = makeTarget(lostUpdate as unknown as Parameters<typeof makeTarget>[0], { variant: 'buggy' });
    const r = await explore(lostUpdate, { variant: 'buggy', seed: 5 });
    const check = await checkDeterminism(target, r.trace!.decisions, r.failure);
    expect(check.difference).toBeNull();
    const again = await replayDecisions(target, r.trace!.decisions);
    expect(firstRunDifference(check.result, again)).toBeNull();
  });

  it('--check-determinism: Math.random is reported as nondeterminism at the first step where two runs differ', async () => {
    const s = randomScenario(false);
    const plain = await explore(s, { iterations: 5 });
    expect(plain.failure).toBeNull();
    const r = await explore(s, { iterations: 5, checkDeterminism: true });
    expect(r.failure?.kind).toBe('nondeterminism');
    expect(r.failure?.message).toMatch(STEP_MESSAGE);
    // The named step is the worker's get: the first event whose result differs.
    const getEvent = r.trace!.events.find((e) => e.task === 'worker' && e.op === 'read')!;
    expect(r.failure?.step).toBe(getEvent.step);
    expect(Number(STEP_MESSAGE.exec(r.failure!.message)![1])).toBe(getEvent.step);
    expect(r.trace?.failure?.kind).toBe('nondeterminism');
  });

  it('a fresh failure is always replayed twice before it is saved: differing event logs make it nondeterminism', async () => {
    const r = await explore(randomScenario(true), { iterations: 5 });
    expect(r.failure?.kind).toBe('nondeterminism');
    expect(r.failure?.message).toMatch(STEP_MESSAGE);
    expect(r.trace?.failure?.message).toBe(r.failure?.message);
  });

  it('a failure that does not happen again on replay names both outcomes', async () => {
    let calls = 0;
    const s = defineScenario({
      name: 'flaky',
      description: 'fails only the first time it runs',
      variants: { only: { expect: 'pass' } },
      async run(t) {
        const v = t.variable('v', 0);
        await v.set(1);
        t.assert(calls++ > 0, 'first run only');
      },
    });
    const r = await explore(s, { iterations: 1 });
    expect(r.failure?.kind).toBe('nondeterminism');
    expect(r.failure?.message).toMatch(/^nondeterminism: two runs of the same schedule differ at step \d+: first assertion: AssertionFailure: first run only in task "main" .*; then a clean end; does the scenario use Math\.random/);
  });
});
