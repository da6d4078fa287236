import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTrace, explore, replayTrace, sameBug, shrinkTrace, traceSignature, formatRace, type ScenarioDefinition, type Trace } from 'interleave';
import { makeTarget } from 'interleave';
import { replayLeniently } from '../../../src/shrink/attempt.js';
import { checkThenAct, noisyAbba, noisyLostUpdate, twoBugs } from './scenarios.js';

const asDef = (s: unknown): ScenarioDefinition<object> => s as ScenarioDefinition<object>;

/** A failing trace from a seeded random exploration (not shrunk). */
async function failing(s: ScenarioDefinition<object>, seed: number, params?: Record<string, unknown>): Promise<Trace> {
  const r = await explore(s, { variant: 'buggy', seed, iterations: 500, ...(params !== undefined ? { params } : {}) });
  expect(r.trace).not.toBeNull();
  return r.trace!;
}

const SCENARIOS = [noisyLostUpdate, noisyAbba, checkThenAct].map(asDef);

describe('shrinkTrace', () => {
  it('property: the shrunk trace replays strictly to the same bug and is never worse than its input (fewer preemptions first, then fewer steps)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SCENARIOS), fc.integer({ min: 1, max: 100_000 }), async (s, seed) => {
        const input = await failing(s, seed);
        const { trace } = await shrinkTrace(s, input, { maxAttempts: 1500 });
        const replay = await replayTrace(s, trace);
        expect(replay.outcome).toBe('reproduced');
        expect(encodeTrace(replay.trace)).toBe(encodeTrace({ ...trace, shrink: undefined, races: undefined } as Trace));
        expect(sameBug(trace, input)).toBe(true);
        expect(trace.counts.preemptions).toBeLessThanOrEqual(input.counts.preemptions);
        // More steps only in exchange for fewer preemptions (the order the shrinker minimises in).
        if (trace.counts.preemptions === input.counts.preemptions) expect(trace.counts.steps).toBeLessThanOrEqual(input.counts.steps);
        expect(trace.counts.tasks).toBeLessThanOrEqual(input.counts.tasks);
        expect(trace.shrink!.original).toMatchObject({ steps: input.counts.steps, preemptions: input.counts.preemptions });
      }),
      { numRuns: 12 },
    );
  });

  it('property: shrinking is deterministic (same trace in, same bytes out)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SCENARIOS), fc.integer({ min: 1, max: 100_000 }), async (s, seed) => {
        const input = await failing(s, seed);
        const a = await shrinkTrace(s, input, { maxAttempts: 400 });
        const b = await shrinkTrace(s, input, { maxAttempts: 400 });
        expect(encodeTrace(a.trace)).toBe(encodeTrace(b.trace));
        expect(a.attempts).toBe(b.attempts);
        expect(a.others.map(encodeTrace)).toEqual(b.others.map(encodeTrace));
      }),
      { numRuns: 6 },
    );
  });

  it('a noisy lost update (4 workers, many preemptions) shrinks to 1 preemption and 2 workers', async () => {
    const input = await failing(asDef(noisyLostUpdate), 3);
    expect(input.params).toEqual({ workers: 4 });
    expect(input.counts.preemptions).toBeGreaterThan(5);
    const r = await shrinkTrace(asDef(noisyLostUpdate), input);
    expect(r.stoppedBy).toBe('minimal');
    expect(r.trace.counts.preemptions).toBe(1);
    expect(r.trace.params).toEqual({ workers: 2 });
    expect(r.trace.counts.tasks).toBe(3);
    expect(r.trace.shrink!.original.params).toEqual({ workers: 4 });
    expect(r.trace.failure!.message).toContain('counter is 1 after 2 increments');
    expect(r.trace.races!.map((x) => x.message)).toEqual([
      expect.stringMatching(/^worker-(\d): write counter ran between worker-(?!\1)\d: read counter and worker-\d: write counter$/),
    ]);
  });

  it('parameters stay when asked (params: false)', async () => {
    const input = await failing(asDef(noisyLostUpdate), 3);
    const r = await shrinkTrace(asDef(noisyLostUpdate), input, { params: false });
    expect(r.trace.params).toEqual({ workers: 4 });
    expect(r.trace.counts.preemptions).toBe(1);
    expect(r.trace.shrink!.original.params).toBeUndefined();
  });

  it('a noisy ABBA deadlock shrinks to 1 preemption over the same two locks', async () => {
    for (const seed of [1, 2, 5]) {
      const input = await failing(asDef(noisyAbba), seed);
      const r = await shrinkTrace(asDef(noisyAbba), input);
      expect(r.stoppedBy).toBe('minimal');
      expect(r.trace.counts.preemptions).toBe(1);
      expect(traceSignature(r.trace)).toBe('deadlock|lock "a",lock "b"');
      const [race] = r.trace.races!;
      // The preempted task holds its first lock and is about to take the second, which the other task takes.
      expect(race!.message).toMatch(/^(left|right): acquire (a|b) ran between (left|right): acquire (a|b) and (left|right): acquire (a|b) \(which never ran\)$/);
      expect(race!.intruder.op).toBe(race!.next!.op);
      expect(race!.preempted.task).not.toBe(race!.intruder.task);
    }
  });

  it('names the check-then-act race on a map key', async () => {
    const input = await failing(asDef(checkThenAct), 1);
    const r = await shrinkTrace(asDef(checkThenAct), input);
    expect(r.trace.counts.preemptions).toBe(1);
    expect(r.trace.failure!.error!.name).toBe('KeyError');
    expect(r.trace.races).toHaveLength(1);
    const race = r.trace.races![0]!;
    expect(race.message).toBe('cleanup: delete progress_streams["B"] ran between connect-B: has progress_streams["B"] and connect-B: get progress_streams["B"]');
    expect(formatRace(race)).toBe(`race: ${race.message}`);
    expect(race).toMatchObject({ object: 'progress_streams', preempted: { task: 'connect-B', op: 'has progress_streams["B"]' }, intruder: { task: 'cleanup', op: 'delete progress_streams["B"]' } });
  });

  it('a candidate failing differently is another bug: kept in others, never taken', async () => {
    let checked = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const input = await failing(asDef(twoBugs), seed);
      const r = await shrinkTrace(asDef(twoBugs), input);
      expect(traceSignature(r.trace)).toBe(traceSignature(input));
      for (const other of r.others) {
        expect(traceSignature(other)).not.toBe(traceSignature(input));
        expect((await replayTrace(asDef(twoBugs), other)).outcome).toBe('reproduced');
        checked++;
      }
    }
    // Both bugs are KeyErrors on m["k"], told apart by the raising operation.
    expect(checked).toBeGreaterThan(0);
  });

  it('an error an operation raised is located at the failing task\'s call, though attempts run without call sites', async () => {
    const input = await failing(asDef(twoBugs), 1);
    const target = makeTarget(asDef(twoBugs), { variant: 'buggy' });
    const a = await replayLeniently(target, input.decisions);
    expect(a.failure!.error!.name).toBe('KeyError');
    expect(a.failure!.error!.location).toMatch(/scenarios\.ts:(98|99)$/);
    expect(a.signature).toBe(`exception|KeyError|${a.failure!.error!.location}|`);
    expect(a.failure!.error!.frames![0]).toBe(a.failure!.error!.location);
  });

  it('refuses a passing trace and a trace that no longer reproduces', async () => {
    const input = await failing(asDef(checkThenAct), 1);
    await expect(shrinkTrace(asDef(checkThenAct), { ...input, failure: null })).rejects.toThrow(/nothing to shrink/);
    await expect(shrinkTrace(asDef(checkThenAct), { ...input, decisions: [0, 0, 0, 0, 0] })).rejects.toThrow(/does not reproduce/);
  });

  it('stops at the attempt budget and still returns a strictly replaying trace', async () => {
    const input = await failing(asDef(noisyLostUpdate), 3);
    const r = await shrinkTrace(asDef(noisyLostUpdate), input, { maxAttempts: 5 });
    expect(r.stoppedBy).toBe('attempts');
    expect(r.attempts).toBe(5);
    expect((await replayTrace(asDef(noisyLostUpdate), r.trace)).outcome).toBe('reproduced');
  });
});
