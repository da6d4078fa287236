import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeTrace, defineScenario, encodeTrace, explore, InternalError, replayTrace, TraceFileError, UsageError, type ScenarioDefinition, type Trace } from 'interleave';
import { checkTraceTarget } from '../../src/robust/traceTarget.js';
import { isPrototypeKey } from '../../src/names.js';
import lockOrder from '../fixtures/scenarios/lock-order.js';
import lostUpdate from '../fixtures/scenarios/lost-update.js';

/** Self-tests with fast-check: the codec, the runtime's determinism, and the loader under abuse. */

const name = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/);
/** A variant or parameter name a trace may hold (src/names.ts): plain, and no key of Object.prototype. */
const plainName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/).filter((n) => !isPrototypeKey(n));
const nat = fc.nat({ max: 10_000 });
const task = fc.constantFrom('main', 'worker-1', 'worker-2', 'x');
const failureArb = fc.record(
  {
    kind: fc.constantFrom('exception', 'assertion', 'deadlock', 'stuck', 'livelock', 'leak', 'potential-deadlock', 'nondeterminism'),
    message: fc.string(),
    step: nat,
    task,
    tasks: fc.array(task, { maxLength: 3 }),
    error: fc.record({ name: fc.string(), message: fc.string(), location: fc.string() }, { requiredKeys: ['name', 'message'] }),
    cycle: fc.array(fc.record({ task, resource: fc.string(), holder: task }), { maxLength: 3 }),
    blocked: fc.array(fc.record({ task, waitsOn: fc.string() }), { maxLength: 3 }),
    locks: fc.array(fc.string(), { maxLength: 2 }),
  },
  { requiredKeys: ['kind', 'message', 'step', 'tasks'] },
);
const eventArb = fc.record(
  {
    step: nat,
    task,
    op: fc.constantFrom('get', 'set', 'acquire', 'join', 'start', 'finish', 'spawn', 'choose', 'time'),
    obj: fc.string({ maxLength: 8 }),
    key: fc.string({ maxLength: 8 }),
    result: fc.string({ maxLength: 8 }),
    note: fc.constantFrom('blocked', 'woke', 'timeout', 'finished', 'time'),
    preempted: fc.boolean(),
    time: fc.nat(),
  },
  { requiredKeys: ['step', 'task', 'op'] },
);
/** Any trace the schema accepts (field order as the schema's, counts consistent with the task list). */
const traceArb: fc.Arbitrary<Trace> = fc
  .record({
    scenario: fc.record({ name, file: fc.string() }, { requiredKeys: ['name'] }),
    variant: plainName,
    params: fc.dictionary(plainName, fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 6 }))),
    strategy: fc.record({ name: fc.constantFrom('random', 'pct', 'replay'), seed: fc.integer(), execution: nat }, { requiredKeys: ['name'] }),
    options: fc.record({ maxSteps: fc.integer({ min: 1, max: 1_000_000 }), allowLeaks: fc.boolean(), failOnLockOrder: fc.boolean() }),
    decisions: fc.array(fc.nat({ max: 20 }), { maxLength: 40 }),
    failure: fc.option(failureArb, { nil: null }),
    steps: nat,
    preemptions: nat,
    tasks: fc.uniqueArray(task, { minLength: 1, maxLength: 4 }),
    events: fc.array(eventArb, { maxLength: 10 }),
  })
  .map(({ steps, preemptions, tasks, ...rest }) => ({
    format: 'interleave-trace' as const,
    version: 1 as const,
    scenario: rest.scenario,
    variant: rest.variant,
    params: rest.params,
    strategy: rest.strategy,
    options: rest.options,
    decisions: rest.decisions,
    failure: rest.failure,
    counts: { steps, preemptions, tasks: tasks.length },
    tasks,
    events: rest.events,
  })) as fc.Arbitrary<Trace>;

/** A scenario with every source of nondeterminism interleave controls: task order, t.choose, virtual time. */
const choosy = defineScenario({
  name: 'choosy',
  description: 'choices, timers and a shared map',
  variants: { only: { expect: 'pass' } },
  async run(t) {
    const m = t.map<string, number>('m');
    const work = (id: number) => async (): Promise<void> => {
      const k = `k${t.choose(3, 'key')}`;
      await t.sleep(t.choose(4, 'delay') * 10);
      await m.set(k, ((await m.get(k)) ?? 0) + id);
    };
    const a = t.spawn('a', work(1));
    const b = t.spawn('b', work(2));
    await a.join();
    await b.join();
    t.assert(true, 'never fails');
  },
}) as ScenarioDefinition<object>;

describe('properties', () => {
  it('the trace codec round-trips any valid trace, byte for byte', () => {
    fc.assert(
      fc.property(traceArb, (trace) => {
        const text = encodeTrace(trace);
        const back = decodeTrace(text, 'p.json');
        expect(back).toEqual(trace);
        expect(encodeTrace(back)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('the runtime gives the same trace for the same seed (strategies, params, choices, virtual time)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom('random', 'pct'),
        fc.constantFrom<[ScenarioDefinition<object>, string, Record<string, unknown>][]>(
          [lostUpdate as ScenarioDefinition<object>, 'buggy', { workers: 3 }],
          [lockOrder as ScenarioDefinition<object>, 'buggy', {}],
          [choosy, 'only', {}],
        ),
        async (seed, strategy, [scenario, variant, params]) => {
          const run = () => explore(scenario, { variant, params, seed, strategy, iterations: 20, checkDeterminism: true });
          const a = await run();
          const b = await run();
          expect(a.failure?.kind ?? 'pass').not.toBe('nondeterminism');
          expect(a.executions).toBe(b.executions);
          expect(a.steps).toBe(b.steps);
          expect(a.trace === null ? null : encodeTrace(a.trace)).toBe(b.trace === null ? null : encodeTrace(b.trace));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('mutated and truncated traces: the loader and replay fail only with user errors, never internal ones', async () => {
    const base = (await explore(lostUpdate, { variant: 'buggy', seed: 9 })).trace!;
    const json = JSON.parse(encodeTrace(base)) as Record<string, unknown>;
    const paths: string[][] = [];
    const walk = (v: unknown, path: string[]): void => {
      paths.push(path);
      if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    };
    walk(json, []);
    const value = fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 12 }), fc.boolean(), fc.string({ maxLength: 4 }), fc.constant([]), fc.constant({}));
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...paths), value }),
      fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...paths) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        let doc: unknown = structuredClone(json);
        let text: string | null = null;
        for (const m of mutations) {
          if (m.kind === 'truncate') {
            const full: string = text ?? JSON.stringify(doc ?? null, null, 2);
            text = full.slice(0, m.at % (full.length + 1));
            continue;
          }
          if (text !== null) continue;
          // A copy of the value: fc.constant({}) is one object for every run, and setting it twice
          // (the whole document, then a key of it) made a cycle that JSON cannot write.
          if (m.path.length === 0) {
            doc = m.kind === 'set' ? structuredClone(m.value) : undefined;
            continue;
          }
          let parent = doc as Record<string, unknown> | null;
          for (const k of m.path.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? (parent[k] as Record<string, unknown> | null) : null;
          if (parent === null || typeof parent !== 'object') continue;
          const last = m.path[m.path.length - 1]!;
          if (m.kind === 'set') parent[last] = structuredClone(m.value);
          else if (Array.isArray(parent)) parent.splice(Number(last), 1);
          else delete parent[last];
        }
        const input = text ?? JSON.stringify(doc ?? null);
        let trace: Trace;
        try {
          trace = decodeTrace(input, 'm.json');
        } catch (e) {
          expect(e).toBeInstanceOf(TraceFileError);
          return;
        }
        try {
          checkTraceTarget(trace, lostUpdate as unknown as Parameters<typeof checkTraceTarget>[1], 'm.json');
          const report = await replayTrace(lostUpdate as ScenarioDefinition<object>, trace);
          expect(['reproduced', 'passes-now', 'different-failure', 'diverged']).toContain(report.outcome);
        } catch (e) {
          expect(e).not.toBeInstanceOf(InternalError);
          expect(e instanceof TraceFileError || e instanceof UsageError).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
