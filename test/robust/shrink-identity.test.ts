import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineScenario, encodeTrace, explore, failureSignature, replayTrace, shrinkTrace, traceSignature, type ScenarioDefinition, type Trace } from 'interleave';
import { loadScenario } from '../../src/loader.js';
import { shrinkLines } from '../../src/robust/watchedShrink.js';
import { inProcess, ROOT, tempDir } from './cli.js';

/** Two bugs thrown from one line of one assertion helper (see the fixture). */
const HUB = join(ROOT, 'test/robust/fixtures/hub-helper.ts');
const CLOSED = 'hub closed after the last client left';
const OPEN = 'client2 reads an open channel';

async function hubFailure(seed: number): Promise<{ scenario: ScenarioDefinition<object>; trace: Trace }> {
  const { scenario } = await loadScenario(HUB);
  const r = await explore(scenario as ScenarioDefinition<object>, { variant: 'buggy', seed, iterations: 200, file: HUB });
  return { scenario: scenario as ScenarioDefinition<object>, trace: r.trace! };
}

describe('bug identity: the failing task\'s own frames and the message, not one line', () => {
  it('a bug thrown through an assertion helper stays that bug through shrinking; the other one, met on the way, is kept apart', async () => {
    // Seed 9: the lost update with 4 preemptions. Shrunk by file:line alone, it became the
    // other assertion, which needs no preemption (11 steps, 0 preemptions: issue #22).
    const { scenario, trace } = await hubFailure(9);
    expect(trace.failure!.message).toBe(`exception: AssertionError: ${CLOSED} in task "main" (step 9)`);
    expect(trace.counts.preemptions).toBe(4);
    const r = await shrinkTrace(scenario, trace);
    expect(r.stoppedBy).toBe('minimal');
    expect(r.trace.failure!.message).toBe(`exception: AssertionError: ${CLOSED} in task "main" (step 9)`);
    expect(r.trace.counts).toEqual({ steps: 9, preemptions: 1, tasks: 3 });
    expect((await replayTrace(scenario, r.trace, HUB)).outcome).toBe('reproduced');
    expect(r.others.map((o) => o.failure!.message)).toEqual([`exception: AssertionError: ${OPEN} in task "main" (step 11)`]);
    // Both are located at the helper's line: the location alone cannot tell them apart.
    expect(r.others[0]!.failure!.error!.location).toBe(r.trace.failure!.error!.location);
    expect(traceSignature(r.others[0]!)).not.toBe(traceSignature(r.trace));
  });

  it('through the CLI: run saves the shrunk trace of the bug it found, and it replays to that bug', async () => {
    const out = tempDir();
    const r = await inProcess(['run', HUB, '--seed', '9', '--json', '--out', out]);
    expect(r.code).toBe(1);
    const [row] = JSON.parse(r.stdout) as { failure: { message: string }; trace: string }[];
    expect(row!.failure.message).toBe(`exception: AssertionError: ${CLOSED} in task "main" (step 9)`);
    const replayed = await inProcess(['replay', row!.trace]);
    expect([replayed.code, replayed.stdout.trimEnd().split('\n').at(-1)]).toEqual([1, `reproduced: exception: AssertionError: ${CLOSED} in task "main" (step 9)`]);
  });

  it('the other way round: the assertion that needs no preemption stays itself too', async () => {
    const { scenario, trace } = await hubFailure(2);
    expect(trace.failure!.error!.message).toBe(OPEN);
    const r = await shrinkTrace(scenario, trace);
    expect(r.trace.failure!.error!.message).toBe(OPEN);
    expect(r.trace.counts.preemptions).toBe(0);
    expect((await replayTrace(scenario, r.trace, HUB)).outcome).toBe('reproduced');
  });

  it('one helper called from two places with the same message is two bugs; numbers, instance counters and the data after the message\'s headline are not part of the bug', () => {
    const at = (frames: string[], message: string) => failureSignature({ kind: 'assertion', message: `assertion: ${message}`, error: { name: 'AssertionFailure', message, location: frames[0]!, frames } });
    expect(at(['/p/s.ts:3', '/p/s.ts:20'], 'broken')).not.toBe(at(['/p/s.ts:3', '/p/s.ts:24'], 'broken'));
    expect(at(['/p/s.ts:3', '/p/s.ts:20'], 'broken')).not.toBe(at(['/p/s.ts:3', '/p/s.ts:20'], 'torn'));
    expect(at(['/p/s.ts:3'], 'counter is 3 after 4 increments in worker-4, future#7')).toBe(at(['/p/s.ts:3'], 'counter is 1 after 2 increments in worker-2, future#3'));
    expect(at(['/p/s.ts:3'], 'result of task-B1#4 not ready')).toBe(at(['/p/s.ts:3'], 'result of task-B2#3 not ready'));
    // The data after the headline (a key, the operations in this schedule's order) is not either.
    expect(at(['/p/s.ts:3'], 'duplicate computation: compute_fn(mean) ran 2 times')).toBe(at(['/p/s.ts:3'], 'duplicate computation: compute_fn(sum) ran 3 times'));
    expect(at(['/p/s.ts:3'], 'fails to trip (order [a, b])')).toBe(at(['/p/s.ts:3'], 'fails to trip (order [b, a])'));
  });

  it('a task that fails before its first await, inside the hand-over of another task, is identified by its own frames only', async () => {
    const fail = (ok: boolean): void => {
      if (!ok) throw new Error('refused');
    };
    const s = defineScenario({
      name: 'early-throw',
      description: 'a task throws at its very start',
      variants: { buggy: { expect: 'exception' } },
      async run(t) {
        const v = t.variable('v', 0);
        const h = t.spawn('early', async () => fail(false));
        await v.set(1);
        await h.join();
      },
    });
    const r = await explore(s as ScenarioDefinition<object>, { variant: 'buggy', seed: 1, iterations: 1 });
    // The helper's line, then the task body's line: nothing of main, whose await handed over.
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
    const line = (text: string) => `${fileURLToPath(import.meta.url)}:${lines.findIndex((l) => l.includes(text)) + 1}`;
    expect(r.failure!.error!.frames).toEqual([line("throw new Error('refused')"), line("t.spawn('early'")]);
  });
});

describe('a shrink the clock stops writes the same bytes: the attempt budget decides, time only stops early', () => {
  it('stopped by its time limit, the shrink keeps the failure as found and says so in one line', async () => {
    const { scenario, trace } = await hubFailure(9);
    const a = await shrinkTrace(scenario, trace, { timeLimitMs: 0 });
    const b = await shrinkTrace(scenario, trace, { timeLimitMs: 0 });
    expect([a.stoppedBy, b.stoppedBy]).toEqual(['time', 'time']);
    expect(encodeTrace(a.trace)).toBe(encodeTrace(trace));
    expect(encodeTrace(b.trace)).toBe(encodeTrace(trace));
    expect(a.others).toEqual([]);
    expect(shrinkLines('hub-helper [buggy]', undefined, { ...a, runaways: [], unshrunk: null })).toBe(
      `interleave: shrinking hub-helper [buggy]: stopped by its time limit after ${a.attempts} attempts, before its attempt budget; the failure is kept as found (how far a shrink gets in time depends on the machine, and the same command must write the same trace)\n`,
    );
    // A shrink that ends within its time limit prints nothing.
    const done = await shrinkTrace(scenario, trace);
    expect(shrinkLines('hub-helper [buggy]', undefined, { ...done, runaways: [], unshrunk: null })).toBe('');
  });

  it('property: whatever the time limit and attempt budget, the saved trace is the budget\'s result or the input, never something in between', async () => {
    const { scenario, trace } = await hubFailure(9);
    const byBudget = new Map<number, string>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 2, max: 60 }), async (ms, maxAttempts) => {
        if (!byBudget.has(maxAttempts)) byBudget.set(maxAttempts, encodeTrace((await shrinkTrace(scenario, trace, { maxAttempts, timeLimitMs: 60_000 })).trace));
        const r = await shrinkTrace(scenario, trace, { maxAttempts, timeLimitMs: ms });
        const bytes = encodeTrace(r.trace);
        if (r.stoppedBy === 'time') expect(bytes).toBe(encodeTrace(trace));
        else expect(bytes).toBe(byBudget.get(maxAttempts));
      }),
      { numRuns: 15 },
    );
  });
});
