import { describe, expect, it } from 'vitest';
import { defineScenario, makeTarget, type ScenarioDefinition } from 'interleave';
import { ExploreSession } from '../../../src/cli/explorer/session.js';
import { waitGraphOfFailure } from '../../../src/report/waitGraph.js';

const leaky = defineScenario({
  name: 'leaky',
  description: 'a worker waits on a queue nobody fills',
  variants: { buggy: { expect: 'leak' } },
  async run(t) {
    const q = t.queue<number>('jobs');
    t.spawn('worker', async () => {
      await q.get();
    });
    await t.yield();
  },
}) as unknown as ScenarioDefinition<object>;

describe('the explorer at the end of a run', () => {
  it('a leak leaves its blocked tasks in the wait-for graph (not "nobody waits")', async () => {
    const session = new ExploreSession(makeTarget(leaky, { variant: 'buggy' }));
    let s = await session.state();
    while (s.kind !== 'end') s = await session.choose(s.kind === 'task' ? s.enabled[0]!.id : 0);
    expect(s.result?.failure?.kind).toBe('leak');
    expect(s.blocked).toEqual([{ task: 'worker', resource: 'queue "jobs" (empty)', holders: [] }]);
  });

  it('a deadlock: the cycle first, then the other blocked tasks the failure names', () => {
    const graph = waitGraphOfFailure({
      cycle: [
        { task: 'a', resource: 'lock "x"', holder: 'b' },
        { task: 'b', resource: 'lock "y"', holder: 'a' },
      ],
      blocked: [
        { task: 'a', waitsOn: 'lock "x"' },
        { task: 'c', waitsOn: 'queue "q" (empty)' },
      ],
    });
    expect(graph.edges.map((e) => `${e.task} -> ${e.holders.join(',') || e.resource}`)).toEqual(['a -> b', 'b -> a', 'c -> queue "q" (empty)']);
    expect([...graph.cycle]).toEqual(['a', 'b']);
  });
});
