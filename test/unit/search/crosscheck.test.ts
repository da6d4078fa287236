import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { search, type ScenarioContext } from 'interleave';
import { program } from './programs.js';

/**
 * Soundness and optimality against plain DFS on small generated programs. Each task runs a few
 * operations on two variables and a lock; every operation records what it observed (a read its
 * version, a write the version it made, a critical section the turn it got, a sleep or a timed
 * acquire the virtual time), and the log ends with the order of every operation on the lock
 * (a timed-out acquire changes nothing, but it is ordered with the lock's other operations), so
 * two executions are in the same Mazurkiewicz trace exactly when their observation logs are equal.
 * Checked: DPOR reaches every outcome plain DFS reaches, and its complete executions are
 * exactly one per distinct trace of plain DFS.
 */
type Op =
  | { kind: 'read' | 'write'; v: number }
  | { kind: 'locked'; v: number }
  | { kind: 'yield' }
  | { kind: 'timed'; ms?: number }
  | { kind: 'sleepy'; ms?: number }
  | { kind: 'sleep'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), v: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('write' as const), v: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('locked' as const), v: fc.integer({ min: 0, max: 1 }) }),
  fc.constant({ kind: 'yield' as const }),
);

/** Adds virtual time: sleeps (also while holding the lock), lock acquires with a timeout. */
const timedOpArb: fc.Arbitrary<Op> = fc.oneof(
  opArb,
  fc.record({ kind: fc.constant('sleep' as const), ms: fc.constantFrom(0, 1, 3, 5) }),
  fc.record({ kind: fc.constant('timed' as const), ms: fc.constantFrom(0, 2, 4) }),
  fc.record({ kind: fc.constant('sleepy' as const), ms: fc.constantFrom(1, 3) }),
);

function body(tasks: Op[][], log: string[]): (t: ScenarioContext) => Promise<void> {
  return async (t) => {
    const vars = [t.variable('x', 0), t.variable('y', 0)];
    const lock = t.lock('l');
    const turns = t.variable('turns', 0);
    const seen: string[][] = tasks.map(() => []);
    const onLock: string[] = [];
    const handles = tasks.map((ops, i) =>
      t.spawn(`t${i}`, async () => {
        for (const op of ops) {
          if (op.kind === 'read') seen[i]!.push(`r${op.v}=${await vars[op.v]!.get()}`);
          else if (op.kind === 'write') seen[i]!.push(`w${op.v}=${await vars[op.v]!.update((x) => x + 1)}`);
          else if (op.kind === 'locked') {
            await lock.acquire();
            onLock.push(`${i}+`);
            seen[i]!.push(`turn=${await turns.update((x) => x + 1)}`);
            seen[i]!.push(`l${op.v}=${await vars[op.v]!.update((x) => x + 1)}`);
            await lock.release();
            onLock.push(`${i}-`);
          } else if (op.kind === 'yield') await t.yield();
          else if (op.kind === 'sleep') {
            await t.sleep(op.ms);
            seen[i]!.push(`slept@${t.now()}`);
          } else if (op.kind === 'sleepy') {
            await lock.acquire();
            onLock.push(`${i}+`);
            seen[i]!.push(`turn=${await turns.update((x) => x + 1)}`);
            await t.sleep(op.ms ?? 5);
            seen[i]!.push(`sleepy=${await vars[0]!.update((x) => x + 1)}@${t.now()}`);
            await lock.release();
            onLock.push(`${i}-`);
          } else {
            const got = await lock.acquire({ timeout: 'ms' in op && op.ms !== undefined ? op.ms : 3 });
            seen[i]!.push(`timed=${got}@${t.now()}`);
            onLock.push(`${i}${got ? '+' : 'x'}`);
            if (got) {
              seen[i]!.push(`turn=${await turns.update((x) => x + 1)}`);
              await lock.release();
              onLock.push(`${i}-`);
            }
          }
        }
      }),
    );
    for (const h of handles) await h.join();
    log.push(`${seen.map((s) => s.join(',')).join(' | ')} || lock ${onLock.join(' ')}`);
  };
}

/** Also checks one complete DPOR execution per trace (observation log). */
async function compare(tasks: Op[][], budget = 600): Promise<string[]> {
  const plainLog: string[] = [];
  const plain = await search(program('gen', body(tasks, plainLog)), { por: false, maxExecutions: budget });
  fc.pre(plain.complete);
  const porLog: string[] = [];
  // The log is kept outside t.*: random schedules cross-checking the complete search would add to it.
  const por = await search(program('gen', body(tasks, porLog)), { crossCheck: 0 });
  expect(por.complete).toBe(true);
  expect(por.failure).toBe(null);
  const traces = new Set(plainLog);
  expect(new Set(porLog)).toEqual(traces);
  expect(por.completeExecutions).toBe(traces.size);
  expect(porLog.length).toBe(traces.size);
  return [...traces];
}

describe('DPOR against plain DFS', () => {
  it('same outcomes, one complete execution per trace (generated programs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }), async (tasks) => void (await compare(tasks))),
      { numRuns: 15, seed: 7 },
    );
  });

  it('two critical sections and racing reads/writes', async () => {
    await compare([
      [{ kind: 'locked', v: 0 }, { kind: 'read', v: 1 }],
      [{ kind: 'write', v: 1 }, { kind: 'locked', v: 0 }],
    ]);
  });

  it('same outcomes, one complete execution per trace, with sleeps and timeouts (generated programs)', async () => {
    // CROSSCHECK_RUNS / CROSSCHECK_SEED widen the check by hand (docs/search.md gives the numbers run).
    const runs = Number(process.env.CROSSCHECK_RUNS ?? 40);
    let compared = 0;
    let timedOut = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(timedOpArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }), async (tasks) => {
        const outcomes = await compare(tasks);
        compared++;
        if (outcomes.some((o) => o.includes('timed=false'))) timedOut++;
      }),
      { numRuns: runs, seed: Number(process.env.CROSSCHECK_SEED ?? 11) },
    );
    // Not vacuous: the programs were compared, and in some of them a timeout fired on some schedule.
    expect(compared).toBe(runs);
    expect(timedOut).toBeGreaterThan(0);
    if (process.env.CROSSCHECK_RUNS !== undefined) console.log(`crosscheck: ${compared} programs compared, ${timedOut} with a timeout firing`);
  });

  it('a lock acquire with a timeout: DPOR still reaches both outcomes, one execution per trace', async () => {
    // The timeout fires only while the other task sleeps holding the lock.
    const tasks: Op[][] = [[{ kind: 'read', v: 0 }, { kind: 'timed' }], [{ kind: 'sleepy' }, { kind: 'read', v: 1 }], [{ kind: 'write', v: 0 }]];
    const outcomes = await compare(tasks, 20_000);
    expect(outcomes.some((o) => o.includes('timed=false'))).toBe(true);
    expect(outcomes.some((o) => o.includes('timed=true'))).toBe(true);
  });
});
