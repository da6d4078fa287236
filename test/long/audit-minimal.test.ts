import { describe, it } from 'vitest';
import type { ScenarioDefinition } from 'interleave';
import { expectShrunkToMinimalBound, LONG_PB } from '../unit/shrink/minimalBound.js';

/** The audit variants whose pb search needs ~10,000 executions; test/unit/shrink/audit.test.ts compares the others. */
describe('audit scenarios, the long pb searches', () => {
  it.each(LONG_PB)('%s %s: the shrunk random trace has as many preemptions as the smallest bound at which pb finds the bug', async (file, variant) => {
    const s = (await import(new URL(`../../scenarios/${file}`, import.meta.url).href)).default as ScenarioDefinition<object>;
    await expectShrunkToMinimalBound(s, file, variant);
  });
});
