import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { search, type ScenarioContext, type ScenarioDefinition } from 'interleave';
import { disjoint, program } from './programs.js';

/**
 * pb with reduction (bounded partial-order reduction, src/search/bpor.ts) against pb without, on
 * small generated programs: 2-4 tasks of reads, writes, checks (an assertion on a value read) and
 * critical sections under one of two locks, over three variables; main joins every task or not.
 * Each operation records what it observed (a read its value's version, a write the version it
 * made, a critical section the turn it got on its lock), and the last task to finish logs every
 * task's observations, so two complete executions are in the same Mazurkiewicz trace exactly
 * when their logs are equal. A failing check logs its task and what that task saw, then fails
 * (what other tasks did meanwhile is independent of it, and a reduction runs one order of it). For every bound k = 0, 1, 2 the two searches must reach the same set of logs
 * (failing ones included) and the reduced one must run no more executions.
 */
type Op = { kind: 'read' | 'write' | 'check'; v: number } | { kind: 'locked'; v: number; l: number } | { kind: 'yield' } | { kind: 'sleep'; ms: number } | { kind: 'timed' | 'sleepy'; l: number; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('read' as const, 'write' as const), v: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('check' as const), v: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('locked' as const), v: fc.integer({ min: 0, max: 2 }), l: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'yield' as const }) },
);

/** Adds virtual time: sleeps (also holding a lock), and lock acquires with a timeout (their outcome and the time are observed). */
const timedOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: opArb },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sleep' as const), ms: fc.constantFrom(0, 1, 3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('timed' as const), l: fc.integer({ min: 0, max: 1 }), ms: fc.constantFrom(0, 2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sleepy' as const), l: fc.integer({ min: 0, max: 1 }), ms: fc.constantFrom(1, 3) }) },
);

interface Program {
  readonly tasks: Op[][];
  readonly join: boolean;
}

/** Steps of a program (a critical section takes 3), to keep the unreduced search small. */
const stepsOf = (p: Program): number => (p.join ? 1 + p.tasks.length : 1) + p.tasks.reduce((n, ops) => n + 1 + ops.reduce((m, op) => m + (op.kind === 'locked' || op.kind === 'sleepy' ? 3 : op.kind === 'timed' ? 2 : 1), 0), 0);

const programsOf = (ops: fc.Arbitrary<Op>): fc.Arbitrary<Program> =>
  fc.record({ tasks: fc.array(fc.array(ops, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 4 }), join: fc.boolean() }).filter((p) => stepsOf(p) <= 13);

function generated(p: Program, logs: Set<string>): ScenarioDefinition {
  return program('generated', async (t: ScenarioContext) => {
    const vars = [t.variable('x', 0), t.variable('y', 0), t.variable('z', 0)];
    const locks = [t.lock('l0'), t.lock('l1')];
    const turns = [t.variable('turns0', 0), t.variable('turns1', 0)];
    const seen: string[][] = p.tasks.map(() => []);
    const line = (): string => seen.map((s) => s.join(',')).join(' | ');
    let finished = 0;
    const handles = p.tasks.map((ops, i) =>
      t.spawn(`t${i}`, async () => {
        for (const op of ops) {
          if (op.kind === 'read') seen[i]!.push(`r${op.v}=${await vars[op.v]!.get()}`);
          else if (op.kind === 'write') seen[i]!.push(`w${op.v}=${await vars[op.v]!.update((x) => x + 1)}`);
          else if (op.kind === 'check') {
            const value = await vars[op.v]!.get();
            seen[i]!.push(`c${op.v}=${value}`);
            if (value === 1) logs.add(`t${i} failed having seen ${seen[i]!.join(',')}`);
            t.assert(value !== 1, `t${i} saw ${op.v} = 1`);
          } else if (op.kind === 'yield') await t.yield();
          else if (op.kind === 'sleep') {
            await t.sleep(op.ms);
            seen[i]!.push(`slept@${t.now()}`);
          } else if (op.kind === 'timed') {
            const got = await locks[op.l]!.acquire({ timeout: op.ms });
            seen[i]!.push(`timed${op.l}=${got}@${t.now()}`);
            if (got) {
              seen[i]!.push(`turn${op.l}=${await turns[op.l]!.update((x) => x + 1)}`);
              await locks[op.l]!.release();
            }
          } else if (op.kind === 'sleepy') {
            await locks[op.l]!.acquire();
            seen[i]!.push(`turn${op.l}=${await turns[op.l]!.update((x) => x + 1)}`);
            await t.sleep(op.ms);
            seen[i]!.push(`sleepy@${t.now()}`);
            await locks[op.l]!.release();
          } else if (op.kind === 'locked') {
            await locks[op.l]!.acquire();
            seen[i]!.push(`turn${op.l}=${await turns[op.l]!.update((x) => x + 1)}`);
            seen[i]!.push(`l${op.v}=${await vars[op.v]!.update((x) => x + 1)}`);
            await locks[op.l]!.release();
          }
        }
        if (++finished === p.tasks.length) logs.add(line());
      }),
    );
    if (p.join) for (const h of handles) await h.join();
  });
}

const BUDGET = 4000;

/** Runs pb up to `bound` with and without reduction; returns both log sets and execution counts. */
async function compare(p: Program, bound: number): Promise<{ plain: Set<string>; reduced: Set<string>; plainExecutions: number; reducedExecutions: number }> {
  const plain = new Set<string>();
  const a = await search(generated(p, plain), { strategy: 'pb', por: false, preemptionBound: bound, continueAfterFailure: true, maxExecutions: BUDGET });
  fc.pre(a.stoppedBy !== 'executions');
  const reduced = new Set<string>();
  const b = await search(generated(p, reduced), { strategy: 'pb', preemptionBound: bound, continueAfterFailure: true, crossCheck: 0 });
  expect(b.por).toBe(true);
  // Both stop at the same bound, unless the reduced search saw no race cut by the bound: then it
  // is complete (every schedule up to reduction) from an earlier round on.
  if (!b.complete) expect(b.bound?.completeUpTo).toBe(a.bound?.completeUpTo);
  else expect(b.bound!.completeUpTo!).toBeLessThanOrEqual(a.bound!.completeUpTo!);
  expect(b.executions).toBeLessThanOrEqual(a.executions);
  return { plain, reduced, plainExecutions: a.executions, reducedExecutions: b.executions };
}

/**
 * Checks `ops`' generated programs at bounds 0, 1 and 2 (runs and seed from BPOR_RUNS and
 * BPOR_SEED when set, to widen the check by hand); returns how many (program, bound) pairs saved
 * executions, and how many reached a log `seen` accepts.
 */
async function agreeOn(ops: fc.Arbitrary<Op>, runs: number, seed: number, seen: (log: string) => boolean): Promise<{ fewer: number; seen: number }> {
  const count = { fewer: 0, seen: 0 };
  await fc.assert(
    fc.asyncProperty(programsOf(ops), async (p) => {
      for (const bound of [0, 1, 2]) {
        const r = await compare(p, bound);
        expect([...r.reduced].sort()).toEqual([...r.plain].sort());
        if (r.reducedExecutions < r.plainExecutions) count.fewer++;
        if ([...r.plain].some(seen)) count.seen++;
      }
    }),
    { numRuns: Number(process.env.BPOR_RUNS ?? runs), seed: Number(process.env.BPOR_SEED ?? seed) },
  );
  return count;
}

describe('pb with reduction (BPOR) against pb without', () => {
  it('same logs, failures included, at bounds 0, 1 and 2, never more executions (generated programs)', async () => {
    const r = await agreeOn(opArb, 25, 3, (l) => l.includes('failed'));
    // Not vacuous: the reduction saved executions, and some programs failed on some schedule.
    expect(r.fewer).toBeGreaterThan(0);
    expect(r.seen).toBeGreaterThan(0);
  });

  it('the same with sleeps and lock acquires that time out (generated programs)', async () => {
    // Not vacuous: a timeout fired on some schedule of some program.
    expect((await agreeOn(timedOpArb, 15, 6, (l) => l.includes('=false@'))).seen).toBeGreaterThan(0);
  });

  it('n tasks writing one variable once: exactly n! executions at bound 0, every order', async () => {
    // Every order of the writes is its own trace and needs no preemption (a task's end is a free
    // switch), and each of the n! schedules of bound 0 is one order: so a sound reduction runs
    // them all, and, running each schedule at most once, no more.
    for (const [n, orders] of [[3, 6], [4, 24]] as const) {
      const seen = new Set<string>();
      const writers = program(`writers-${n}`, async (t) => {
        const v = t.variable('v', '');
        let done = 0;
        for (let i = 0; i < n; i++) {
          t.spawn(`w${i}`, async () => {
            await v.update((s) => s + i);
            if (++done === n) seen.add(await v.get());
          });
        }
      });
      const r = await search(writers, { strategy: 'pb', preemptionBound: 0, crossCheck: 0 });
      expect({ executions: r.executions, orders: seen.size, completeUpTo: r.bound?.completeUpTo }).toEqual({ executions: orders, orders, completeUpTo: 0 });
    }
  });

  it('independent tasks: one execution, complete at bound 0', async () => {
    for (const [tasks, ops] of [[3, 2], [10, 1], [20, 2]] as const) {
      const r = await search(disjoint(tasks, ops), { strategy: 'pb', crossCheck: 0 });
      expect({ executions: r.executions, complete: r.complete, bound: r.bound }).toEqual({ executions: 1, complete: true, bound: { limit: 2, reached: 0, completeUpTo: 0, minimalFailing: null } });
    }
  });
});
