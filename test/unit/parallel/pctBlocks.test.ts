import { describe, expect, it } from 'vitest';
import { defineScenario, encodeTrace, explore, type ScenarioDefinition } from 'interleave';
import { exploreParallel } from '../../../src/parallel/index.js';

/**
 * PCT learns its step estimate (the longest execution so far) from the executions before; a
 * split run starts a fresh strategy per block of 250. `explore` starts afresh at the same
 * boundaries, so whole and split agree. The readers' step counts depend on the schedule (a
 * reader that sees an odd value writes), so any difference in decisions shows in the total
 * steps; runs are longer than PCT's first estimate (50 steps), so the estimate does change.
 */
const branching = defineScenario({
  name: 'branching',
  description: 'a counter and readers that write when they see an odd value',
  variants: { passes: { expect: 'pass' }, fails: { expect: 'assertion' } },
  async run(t) {
    const x = t.variable('x', 0);
    const y = t.variable('y', 0);
    const tasks = [
      t.spawn('counter', async () => {
        for (let i = 0; i < 12; i++) await x.update((v) => v + 1);
      }),
    ];
    for (let r = 0; r < 3; r++) {
      tasks.push(
        t.spawn(`reader-${r}`, async () => {
          for (let i = 0; i < 12; i++) if ((await x.get()) % 2 === 1) await y.update((v) => v + 1);
        }),
      );
    }
    for (const task of tasks) await task.join();
    // A middle count is rare under PCT, which tends to run a task far: seed 16 first meets it at execution 303.
    if (t.variant === 'fails') t.assert(y.peek() !== 17, `the readers saw an odd value ${y.peek()} times`);
  },
}) as unknown as ScenarioDefinition<object>;

describe('PCT split in blocks', () => {
  it('explore and the block runner give the same executions: same steps, same first failure and trace', async () => {
    for (const [variant, seed] of [
      ['passes', 4],
      ['fails', 16],
    ] as const) {
      const whole = await explore(branching, { variant, strategy: 'pct', seed, iterations: 1000 });
      const split = await exploreParallel({ file: 'spin.ts', variant, strategy: 'pct', seed, iterations: 1000, workers: 1 }, branching);
      expect({ executions: split.executions, steps: split.steps }).toEqual({ executions: whole.executions, steps: whole.steps });
      expect(split.failure?.message ?? null).toBe(whole.failure?.message ?? null);
      if (variant === 'fails') {
        expect(whole.executions).toBeGreaterThan(250);
        expect(encodeTrace(split.trace!)).toBe(encodeTrace({ ...whole.trace!, scenario: split.trace!.scenario }));
      }
    }
  });
});
