import { defineScenario } from 'interleave';
import { SafeStreamRegistry, StreamRegistry } from './src/stream-registry.js';

/**
 * Seed 001, scenarios 1 and 2: a plan runs with one SSE client watching; the user deletes the
 * plan just as the client disconnects. Both paths clean the plan up. The runner is wrapped
 * whole (`t.io`), and the join timeout is a virtual `setTimeout`, so the pipeline's exit and the
 * timeout race as the strategy chooses.
 */
export default defineScenario({
  name: 'stream-registry',
  description: 'the 001 audit registry: delete and the last SSE disconnect both clean up one plan',
  source: 'seed 001, scenarios 1-2 and issues 2 and 4',
  variants: {
    buggy: { expect: 'exception', description: 'StreamRegistry: has, await join (with timeout), get, close, delete' },
    fixed: { expect: 'pass', description: 'SafeStreamRegistry: get and delete before the await, as an atomic pop' },
    'hung-pipeline': { expect: 'pass', description: 'SafeStreamRegistry whose pipeline never exits: cleanup goes on after the 5 s join timeout' },
  },
  async run(t) {
    const runner = t.io('runner', {
      async start(_planId: string): Promise<void> {},
      async stop(_planId: string): Promise<void> {},
      async waitForExit(_planId: string): Promise<number> {
        // A hung pipeline (issue 4's slow thread): its exit never comes.
        return t.variant === 'hung-pipeline' ? new Promise<number>(() => undefined) : 0;
      },
    });
    const registry = t.variant === 'buggy' ? new StreamRegistry(runner) : new SafeStreamRegistry(runner);
    const started = Date.now();
    await registry.create('plan-A');
    const stream = registry.connect('plan-A');
    t.assert(stream !== undefined, 'the SSE client found no stream for plan-A');
    await Promise.all([registry.delete('plan-A'), registry.disconnect('plan-A')]);
    t.assert(registry.size === 0, `${registry.size} streams left after delete and disconnect`);
    if (t.variant === 'hung-pipeline') t.assert(Date.now() - started === 5000, `cleanup ended after ${Date.now() - started} ms, not at the 5000 ms join timeout`);
  },
});
