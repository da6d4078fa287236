import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineScenario, replayTrace, search, shrinkTrace, validateScenario, type ScenarioContext, type ScenarioDefinition } from 'interleave';
import { formatSearchOutcome } from '../../../src/report/text.js';
import { lateTrack, plainCacheDeclared, plainCacheTrackedCounter, sessions, trackedCache } from './trackedScenarios.js';

const asDef = (s: unknown): ScenarioDefinition<object> => s as ScenarioDefinition<object>;

describe('t.track: tracked state as footprints of the step that touched it', () => {
  it('dfs with reduction finds the duplicate load of a get-or-load over a tracked Map, and the trace replays', async () => {
    const r = await search(asDef(trackedCache), { variant: 'buggy' });
    expect([r.failure?.kind, r.executions, r.untracked]).toEqual(['assertion', 2, false]);
    expect(r.failure?.message).toContain('duplicate load: "k" loaded 2 times');
    const replay = await replayTrace(asDef(trackedCache), r.trace!);
    expect(replay.outcome).toBe('reproduced');
  });

  it('the in-flight fix is complete with reduction: 4 executions where 6 schedules exist', async () => {
    const r = await search(asDef(trackedCache), { variant: 'fixed' });
    expect([r.failure, r.complete, r.executions, r.completeExecutions, r.sleepBlocked, r.untracked]).toEqual([null, true, 4, 4, 0, false]);
    expect(formatSearchOutcome(r)).toBe('exhaustive: 4 complete executions, no failure (complete, with partial-order reduction; 300 random schedules (seed 1) agree)');
    const all = await search(asDef(trackedCache), { variant: 'fixed', por: false });
    expect([all.complete, all.completeExecutions]).toEqual([true, 6]);
  });

  it('an untracked plain Map next to t.track, undeclared: dfs explores every schedule, finds the bug and claims no reduction', async () => {
    const buggy = await search(asDef(plainCacheTrackedCounter), { variant: 'buggy' });
    expect([buggy.failure?.kind, buggy.untracked]).toEqual(['assertion', true]);
    expect((await replayTrace(asDef(plainCacheTrackedCounter), buggy.trace!)).outcome).toBe('reproduced');
    const fixed = await search(asDef(plainCacheTrackedCounter), { variant: 'fixed' });
    expect([fixed.complete, fixed.completeExecutions, fixed.sleepBlocked, fixed.crossCheck]).toEqual([true, 6, 0, null]);
    expect(formatSearchOutcome(fixed)).toBe('exhaustive: 6 complete executions, no failure (complete, without partial-order reduction: untracked state)');
  });

  it("a plain Map declared sharedState: 'untracked': dfs finds the bug without reduction", async () => {
    const buggy = await search(asDef(plainCacheDeclared), { variant: 'buggy' });
    expect([buggy.failure?.kind, buggy.untracked]).toEqual(['assertion', true]);
    const fixed = await search(asDef(plainCacheDeclared), { variant: 'fixed' });
    expect(formatSearchOutcome(fixed)).toBe('exhaustive: 6 complete executions, no failure (complete, without partial-order reduction: untracked state)');
  });

  it('t.track first reached in a later execution: the search starts again without reduction and counts every schedule', async () => {
    const all = await search(asDef(lateTrack), { variant: 'fixed', por: false });
    const r = await search(asDef(lateTrack), { variant: 'fixed' });
    // Two executions ran with reduction before t.track was seen; then all 12 schedules.
    expect([r.complete, r.untracked, r.completeExecutions, r.executions, all.completeExecutions]).toEqual([true, true, 12, 14, 12]);
    expect((await search(asDef(lateTrack), { variant: 'buggy' })).failure?.kind).toBe('assertion');
  });

  it('pb: t.track first reached in a later execution starts the search again from bound 0, without reduction, with the unreduced verdict', async () => {
    for (const bound of [0, 1, 2]) {
      const all = await search(asDef(lateTrack), { variant: 'fixed', strategy: 'pb', por: false, preemptionBound: bound });
      const r = await search(asDef(lateTrack), { variant: 'fixed', strategy: 'pb', preemptionBound: bound });
      // What ran with reduction before t.track was seen is not counted; then exactly the unreduced search.
      expect([r.untracked, r.completeExecutions, r.pruned, r.bound, r.complete]).toEqual([true, all.completeExecutions, all.pruned, all.bound, all.complete]);
      expect(r.executions).toBeGreaterThan(all.executions);
    }
    const buggy = await search(asDef(lateTrack), { variant: 'buggy', strategy: 'pb' });
    expect([buggy.failure?.kind, buggy.bound?.minimalFailing]).toEqual(['assertion', (await search(asDef(lateTrack), { variant: 'buggy', strategy: 'pb', por: false })).bound?.minimalFailing]);
  });

  it('names the racing pair from tracked accesses', async () => {
    const r = await search(asDef(sessions), { variant: 'buggy' });
    expect(r.failure?.kind).toBe('assertion');
    const shrunk = await shrinkTrace(asDef(sessions), r.trace!, { params: false });
    expect(shrunk.trace.races?.map((race) => race.message)).toEqual(['logout: delete sessions["s1"] ran between refresh: has sessions["s1"] and refresh: get sessions["s1"]']);
  });

  it('sharedState accepts only "tracked" and "untracked"', () => {
    expect(validateScenario({ ...trackedCache, sharedState: 'tracked' })).toEqual([]);
    expect(validateScenario({ ...trackedCache, sharedState: 'all' })).toEqual(['sharedState must be "tracked" or "untracked", got "all"']);
  });

  it('an unsupported value is one usage error naming it', async () => {
    const bad = (value: unknown): ScenarioDefinition<object> =>
      asDef(
        defineScenario({
          name: 'bad-track',
          description: 'tracks what cannot be tracked',
          variants: { only: { expect: 'pass' } },
          async run(t) {
            t.track(value as object, 'it');
          },
        }),
      );
    class Account {
      #balance = 0;
      get balance(): number {
        return this.#balance;
      }
    }
    const cases: [unknown, string][] = [
      [42, 'a number'],
      [new Date(0), 'a Date'],
      [new Account(), 'an Account'],
      [Object.freeze({ a: 1 }), 'a frozen object'],
      [null, 'null'],
    ];
    for (const [value, what] of cases) {
      await expect(search(bad(value), { maxExecutions: 1 })).rejects.toThrow(`t.track: "it" (${what}) is not a Map, Set, array or plain object`);
    }
  });
});

/**
 * Small random programs over tracked state: each task runs steps (tracked reads and writes, some
 * choosing what to write by what they read), each reached by a yield, a 1 ms sleep or inside a
 * lock; every read's value goes into the task's log. dfs with reduction must
 * reach every outcome (final state and logs) that dfs without it reaches: the reduction prunes
 * only schedules equivalent to one it ran.
 */
type Op = readonly ['get' | 'has' | 'delete', string] | readonly ['set' | 'toggle', string, number] | readonly ['push', number] | readonly ['length'] | readonly ['prop', string, number] | readonly ['read', string] | readonly ['add', string] | readonly ['size'] | readonly ['keys'];
const key = fc.constantFrom('a', 'b');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(fc.constantFrom('get' as const, 'has' as const, 'delete' as const), key),
  fc.tuple(fc.constant('set' as const), key, fc.integer({ min: 1, max: 3 })),
  fc.tuple(fc.constant('push' as const), fc.integer({ min: 1, max: 3 })),
  fc.constant(['length'] as const),
  fc.tuple(fc.constant('prop' as const), key, fc.integer({ min: 1, max: 3 })),
  fc.tuple(fc.constant('read' as const), key),
  fc.tuple(fc.constant('add' as const), key),
  fc.constant(['size'] as const),
  fc.constant(['keys'] as const),
  fc.tuple(fc.constant('toggle' as const), key, fc.integer({ min: 1, max: 3 })),
);
/** A step: its operations, and how it is reached: after a yield, after a sleep of 1 ms, or inside a lock. */
interface ProgramStep {
  readonly ops: readonly Op[];
  readonly via: 'yield' | 'sleep' | 'lock';
}
const programStep: fc.Arbitrary<ProgramStep> = fc.record({ ops: fc.array(op, { minLength: 1, maxLength: 2 }), via: fc.constantFrom('yield' as const, 'sleep' as const, 'lock' as const) });
const program = fc.array(fc.array(programStep, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 3 });

function programScenario(tasks: readonly (readonly ProgramStep[])[], outcomes: Set<string>): ScenarioDefinition<object> {
  return asDef(
    defineScenario({
      name: 'tracked-program',
      description: 'random steps over tracked state',
      sharedState: 'tracked',
      variants: { only: { expect: 'pass' } },
      async run(t: ScenarioContext) {
        const map = t.track(new Map<string, number>(), 'map');
        const arr = t.track<number[]>([], 'arr');
        const obj = t.track<Record<string, number>>({}, 'obj');
        const set = t.track(new Set<string>(), 'set');
        const logs: unknown[][] = tasks.map(() => []);
        const run = (o: Op, log: unknown[]): void => {
          switch (o[0]) {
            case 'get': return void log.push(map.get(o[1]));
            case 'has': return void log.push(map.has(o[1]));
            case 'delete': return void log.push(map.delete(o[1]));
            case 'set': return void map.set(o[1], o[2]);
            case 'push': return void arr.push(o[1]);
            case 'length': return void log.push(arr.length);
            case 'prop': obj[o[1]] = o[2]; return;
            case 'read': return void log.push(obj[o[1]]);
            case 'add': return void set.add(o[1]);
            case 'size': return void log.push(set.size);
            case 'keys': return void log.push(Object.keys(obj).join());
            // Control flow on tracked state: what the step writes depends on what it read.
            case 'toggle': return void log.push(map.has(o[1]) ? map.delete(o[1]) : map.set(o[1], o[2]).size);
          }
        };
        const lock = t.lock('lock');
        const handles = tasks.map((steps, i) =>
          t.spawn(`t${i}`, async () => {
            for (const step of steps) {
              if (step.via === 'lock') await lock.acquire();
              else if (step.via === 'sleep') await t.sleep(1);
              else await t.yield();
              for (const o of step.ops) run(o, logs[i]!);
              if (step.via === 'lock') await lock.release();
            }
          }),
        );
        for (const h of handles) await h.join();
        outcomes.add(JSON.stringify([[...map], [...arr], Object.entries(obj), [...set], logs]));
      },
    }),
  );
}

describe('partial-order reduction over tracked footprints', () => {
  it('reaches every outcome the unreduced search reaches (random programs)', async () => {
    await fc.assert(
      fc.asyncProperty(program, async (tasks) => {
        const reduced = new Set<string>();
        const all = new Set<string>();
        const r = await search(programScenario(tasks, reduced), { crossCheck: 0 });
        await search(programScenario(tasks, all), { por: false });
        expect(r.complete).toBe(true);
        expect(r.untracked).toBe(false);
        expect([...reduced].sort()).toEqual([...all].sort());
      }),
      { numRuns: 25, seed: 21 },
    );
  });
});
