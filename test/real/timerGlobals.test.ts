import { createRequire, syncBuiltinESMExports } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { defineScenario, explore, type ScenarioDefinition } from 'interleave';
import * as here from '../../src/primitives/timerGlobals.js';

const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;
const timersPromises = createRequire(import.meta.url)('node:timers/promises') as { setTimeout: unknown };
const REAL_CJS_DELAY = timersPromises.setTimeout;

/** A scenario whose body awaits 1,000 ms of node:timers/promises (imported as ESM) on the virtual clock. */
const sleeper = defineScenario({
  name: 'esm-delay',
  description: 'awaits an ESM-imported delay under virtual timers',
  variants: { only: { expect: 'pass' } },
  timers: 'virtual',
  async run(t) {
    await delay(1_000);
    t.assert(t.now() === 1_000, `virtual time is ${t.now()} ms after a 1,000 ms delay`);
  },
});

describe('timer globals installed once per execution, synced only when needed', () => {
  it('an ESM-imported delay is virtual in every execution, also after the builtins were synced back to the real functions between two', async () => {
    // A real delay would be a real timer pending at a stall: nondeterminism, a failure.
    expect((await explore(s(sleeper), { iterations: 3 })).failure).toBeNull();
    expect(timersPromises.setTimeout).toBe(REAL_CJS_DELAY);
    // Somebody syncs the builtins while no execution runs: the ESM binding is the real delay again.
    syncBuiltinESMExports();
    expect(delay).toBe(REAL_CJS_DELAY);
    const r = await explore(s(sleeper), { iterations: 2 });
    expect(r.failure).toBeNull();
    expect(r.executions).toBe(2);
  });

  it('between executions the ESM binding left in place behaves as the real delay: it resolves in real time with its value', async () => {
    await explore(s(sleeper), { iterations: 1 });
    expect(timersPromises.setTimeout).toBe(REAL_CJS_DELAY);
    await expect(delay(1, 'done')).resolves.toBe('done');
  });

  it('two copies of interleave in one process (the sources and the built package) share one switch: one copy ending its execution does not put the real timers back under the other', async () => {
    // The built copy, as a scenario loaded from a file imports it beside a test runner's copy of the sources.
    const built = (await import(new URL('../../dist/primitives/timerGlobals.js', import.meta.url).href)) as typeof here;
    expect(built).not.toBe(here);
    const realSetTimeout = globalThis.setTimeout;
    here.install();
    built.install();
    here.uninstall();
    // Before: the sources' copy counted alone and put the real function back here.
    expect(globalThis.setTimeout).not.toBe(realSetTimeout);
    built.uninstall();
    expect(globalThis.setTimeout).toBe(realSetTimeout);
    // And the other order, with a clock active in between: a timer set in a step goes to it.
    built.install();
    here.install();
    built.uninstall();
    const fired: string[] = [];
    const clock = { ...built.realClock(), setTimeout: (fn: () => void) => (fired.push('virtual'), fn(), 0) };
    here.activate(clock);
    globalThis.setTimeout(() => fired.push('ran'), 1);
    here.activate(null);
    here.uninstall();
    expect(fired).toEqual(['virtual', 'ran']);
    expect(globalThis.setTimeout).toBe(realSetTimeout);
  });
});
