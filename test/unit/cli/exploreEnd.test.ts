import { describe, expect, it } from 'vitest';
import { defineScenario, makeTarget, type ScenarioDefinition } from 'interleave';
import { ExploreSession } from '../../../src/cli/explorer/session.js';
import { waitGraphOfFailure } from '../../../src/report/waitGraph.js';
import { formatSnapshot } from '../../../src/cli/commands/explore.js';
import { NO_COLOUR } from '../../../src/report/colour.js';

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

const timed = defineScenario({
  name: 'timed',
  description: 'an acquire that gives up after 10 virtual ms',
  variants: { only: { expect: 'pass' } },
  async run(t) {
    const l = t.lock('l');
    await l.acquire();
    const w = t.spawn('w', async () => {
      await l.acquire({ timeout: 10 });
    });
    await t.sleep(50);
    await l.release();
    await w.join();
  },
}) as unknown as ScenarioDefinition<object>;

type Snapshot = Awaited<ReturnType<ExploreSession['state']>>;

/** Steps a session of `scenario` to its end, always taking the first enabled task; `see` reads each step's state. */
async function walkFirstEnabled<T>(scenario: ScenarioDefinition<object>, see: (s: Snapshot) => T): Promise<T[]> {
  const session = new ExploreSession(makeTarget(scenario));
  const seen: T[] = [];
  let s = await session.state();
  while (s.kind === 'task') {
    seen.push(see(s));
    s = await session.choose(s.enabled[0]!.id);
  }
  return seen;
}

describe('the explorer', () => {
  it('marks an enabled operation that will end by its timeout', async () => {
    const ops = (await walkFirstEnabled(timed, (s) => s.enabled.map((e) => `${e.name}: ${e.op}`))).flat();
    expect(ops).toContain('w: acquire l (times out)');
    expect(ops.filter((op) => op.includes('times out'))).toHaveLength(1);
  });
});

const chooser = defineScenario({
  name: 'chooser',
  description: 'a scenario-level choice',
  variants: { only: { expect: 'pass' } },
  async run(t) {
    const v = t.variable('v', 0);
    const n = t.choose(3, 'retries');
    for (let i = 0; i < n; i++) await v.update((x) => x + 1);
  },
}) as unknown as ScenarioDefinition<object>;

describe('the explorer at a t.choose', () => {
  it('names the choice by its label and says the value is what t.choose returns', async () => {
    const session = new ExploreSession(makeTarget(chooser));
    let s = await session.state();
    s = await session.choose(s.enabled[0]!.id);
    expect([s.kind, s.values, s.label]).toEqual(['value', 3, 'retries']);
    expect(formatSnapshot(s, NO_COLOUR)).toBe('step 1\n  a choice "retries": pick a value 0..2 (what t.choose returns)');
  });
});

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

const permits = defineScenario({
  name: 'permits',
  description: 'a lock and two permits of a semaphore held at once',
  variants: { only: { expect: 'pass' } },
  async run(t) {
    const l = t.lock('l');
    const s = t.semaphore('slots', 3);
    await l.acquire();
    await s.acquire();
    await s.acquire();
    await t.yield();
    await s.release();
    await s.release();
    await l.release();
  },
}) as unknown as ScenarioDefinition<object>;

describe('the explorer held: line', () => {
  it('lists semaphore permits with the locks, and drops them once released', async () => {
    const lines = await walkFirstEnabled(permits, (s) => s.held.map((h) => `${h.task} holds ${h.resources.join(', ')}`).join('; '));
    expect(lines).toContain('main holds lock "l", semaphore "slots" (1 permit)');
    expect(lines).toContain('main holds lock "l", semaphore "slots" (2 permits)');
    expect(lines.at(-1)).toBe('main holds lock "l"');
  });
});
