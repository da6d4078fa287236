import { readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { defineScenario, explore, replayTrace, search, type ScenarioDefinition } from 'interleave';
import { Mutex, lockName } from 'interleave/async-mutex';
import bank, { Account, ledgerOf, transfer } from '../fixtures/real/bank.js';
import counters from '../fixtures/real/counters.js';
import { tempProject } from '../helpers/project.js';
import { formatFailureReport } from '../../src/report/text.js';
import { cli } from '../robust/cli.js';

// The fixtures import async-mutex, unchanged; they get interleave's stand-in, as a user's tests would.
vi.mock('async-mutex', () => import('interleave/async-mutex'));

const ROOT = join(import.meta.dirname, '..', '..');
const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;
const BANK = join(ROOT, 'test/fixtures/real/bank.ts');

describe('async-mutex through interleave/async-mutex', () => {
  it('transfer(a, b) and transfer(b, a) under runExclusive deadlock: the cycle names both locks and where each chain began, and the trace replays', async () => {
    const r = await explore(s(bank), { variant: 'abba', seed: 1, file: BANK });
    expect(r.failure?.kind).toBe('deadlock');
    expect(r.failure?.message).toBe(
      'deadlock: transfer (from main+1) waits for mutex "a" held by transfer (from main), which waits for mutex "b" held by transfer (from main+1)',
    );
    // The tasks in the cycle are where the two chains wait now: after each one's ledger read.
    expect(r.failure?.cycle).toEqual([
      { task: 'ledger.get#2+2', resource: 'mutex "a"', holder: 'ledger.get+3' },
      { task: 'ledger.get+3', resource: 'mutex "b"', holder: 'ledger.get#2+2' },
    ]);
    expect((await replayTrace(s(bank), r.trace!)).outcome).toBe('reproduced');
  });

  it('the deadlock is what dfs finds first (never stuck or nondeterminism), and the lock-ordered fix is clean on all 2 schedules and 500 random ones', async () => {
    const d = await search(s(bank), { variant: 'abba', strategy: 'dfs' });
    expect([d.failure?.kind, d.executions]).toEqual(['deadlock', 1]);
    expect(d.failure?.message).toBe(
      'deadlock: transfer (from main) waits for mutex "b" held by transfer (from main+1), which waits for mutex "a" held by transfer (from main)',
    );
    // Both transfers first ask for lock "a": who gets it is the only choice, the rest is serialized.
    const fixed = await search(s(bank), { variant: 'ordered', strategy: 'dfs' });
    expect([fixed.failure, fixed.complete, fixed.executions]).toEqual([null, true, 2]);
    const sampled = await explore(s(bank), { variant: 'ordered', seed: 7, iterations: 500 });
    expect(sampled.failure).toBeNull();
  });

  it('withTimeout turns the deadlock into the library E_TIMEOUT rejection, after 50 virtual ms; the trace replays', async () => {
    const r = await explore(s(bank), { variant: 'timeout', seed: 1, file: BANK });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toBe('exception: Error: timeout while waiting for mutex to become available in task "main" (step 6)');
    expect(r.trace!.events.filter((e) => e.note === 'timeout').map((e) => [e.op, e.obj, e.result, e.time])).toEqual([['acquire', 'a', 'throws Error', 50]]);
    expect((await replayTrace(s(bank), r.trace!)).outcome).toBe('reproduced');
  });
});

describe('the stand-in alone', () => {
  it('without t.io its first use switches to real-code mode; anonymous callbacks are named by the nearest function that awaits them (here the scenario body)', async () => {
    const cross = defineScenario({
      name: 'cross-locks',
      description: 'two anonymous callbacks nest two locks in opposite orders',
      variants: { only: { expect: 'deadlock' } },
      async run() {
        const a = lockName(new Mutex(), 'a');
        const b = lockName(new Mutex(), 'b');
        const both = (x: Mutex, y: Mutex): Promise<void> => x.runExclusive(() => y.runExclusive(() => undefined));
        await Promise.all([both(a, b), both(b, a)]);
      },
    });
    const d = await search(s(cross), { strategy: 'dfs' });
    // The first schedule lets one caller take both locks before the other starts: no deadlock.
    expect([d.failure?.message, d.executions]).toEqual([
      'deadlock: Object.run (from main) waits for mutex "b" held by Object.run (from main+1), which waits for mutex "a" held by Object.run (from main)',
      2,
    ]);
  });
});

describe('the real async-mutex, injected instead (why the stand-in exists)', () => {
  it('its waits are promises interleave cannot see through: the same two transfers end stuck, not deadlock', async () => {
    const real = await vi.importActual<typeof import('async-mutex')>('async-mutex');
    const abba = defineScenario({
      name: 'real-async-mutex',
      description: 'transfer(a, b) and transfer(b, a) with the library itself',
      variants: { only: { expect: 'stuck' } },
      async run(t) {
        const { ledger } = ledgerOf(t);
        const a = new Account('a', new real.Mutex());
        const b = new Account('b', new real.Mutex());
        await Promise.all([transfer(ledger, a, b, 10), transfer(ledger, b, a, 20)]);
      },
    });
    const r = await explore(s(abba), { seed: 1 });
    expect(r.failure?.message).toBe('stuck: every task is blocked and none can wake another: main waits on a promise that no step left to run settles');
    // Where each transfer waits: holding its first lock (line 38), for the second (line 40). The
    // library chains with then, which hides line 38 from line 40's stack, so both are named.
    const lines = ['test/fixtures/real/bank.ts:38', 'test/fixtures/real/bank.ts:38', 'test/fixtures/real/bank.ts:40', 'test/fixtures/real/bank.ts:40'];
    expect(r.trace!.failure?.awaits).toEqual(lines);
    expect(formatFailureReport(r.trace!, null).split('\n').slice(0, 3)).toEqual([
      r.failure!.message,
      '  2 awaits never resumed at test/fixtures/real/bank.ts:38',
      '  2 awaits never resumed at test/fixtures/real/bank.ts:40',
    ]);
    const again = await replayTrace(s(abba), r.trace!);
    expect([again.outcome, again.trace.failure?.awaits]).toEqual(['reproduced', r.trace!.failure?.awaits]);
  });
});

describe('read-then-write under a lock library', () => {
  it('one shared Mutex is clean: dfs explores both orders of the two acquisitions, and 10,000 random schedules agree', async () => {
    const d = await search(s(counters), { variant: 'shared-mutex', strategy: 'dfs' });
    expect([d.failure, d.complete, d.executions]).toEqual([null, true, 2]);
    const r = await explore(s(counters), { variant: 'shared-mutex', seed: 1, iterations: 10_000 });
    expect([r.failure, r.executions]).toEqual([null, 10_000]);
  });

  it('p-limit(1), the real module unchanged, is clean: its FIFO queue leaves one schedule, and 10,000 random schedules agree', async () => {
    const d = await search(s(counters), { variant: 'p-limit', strategy: 'dfs' });
    expect([d.failure, d.complete, d.executions]).toEqual([null, true, 1]);
    const r = await explore(s(counters), { variant: 'p-limit', seed: 1, iterations: 10_000 });
    expect([r.failure, r.executions]).toEqual([null, 10_000]);
  });

  it('a Semaphore(1) taken with acquire and released by its releaser is clean; with 2 permits the update is lost', async () => {
    const d = await search(s(counters), { variant: 'semaphore', strategy: 'dfs' });
    expect([d.failure, d.complete, d.executions]).toEqual([null, true, 2]);
    const two = await explore(s(counters), { variant: 'semaphore-2', seed: 1 });
    expect(two.failure?.message).toBe('assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main" (step 7)');
  });

  it('a new Mutex per request guards nothing: the lost update, on the first dfs schedule, and a trace that replays', async () => {
    const d = await search(s(counters), { variant: 'mutex-per-call', strategy: 'dfs' });
    expect([d.failure?.kind, d.executions]).toEqual(['assertion', 1]);
    const r = await explore(s(counters), { variant: 'mutex-per-call', seed: 1, file: join(ROOT, 'test/fixtures/real/counters.ts') });
    expect(r.failure?.message).toBe('assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main" (step 7)');
    expect((await replayTrace(s(counters), r.trace!)).outcome).toBe('reproduced');
  });
});

describe('misuse of the stand-in', () => {
  it('a lock used outside any execution, and lockName on something else, are one clear line each', async () => {
    await expect(new Mutex().acquire()).rejects.toThrow(
      'interleave/async-mutex: mutex.acquire() was called outside an interleave execution (this module stands in for async-mutex only while a scenario runs)',
    );
    expect(() => lockName({}, 'x')).toThrow('lockName("x"): not a lock of interleave/async-mutex (does the code under test get it in place of async-mutex, by vi.mock or injection?)');
  });

  it('a lock left held by a chain that ended is stuck, naming the finished task whose step took it', async () => {
    const forgot = defineScenario({
      name: 'forgot-release',
      description: 'the first caller never releases',
      variants: { only: { expect: 'stuck' } },
      async run(t) {
        const io = t.io('io', async () => 1);
        const lock = lockName(new Mutex(), 'm');
        const take = async (): Promise<void> => {
          await io();
          await lock.acquire();
        };
        await Promise.all([take(), take()]);
      },
    });
    const r = await explore(s(forgot), { seed: 1 });
    expect(r.failure?.kind).toBe('stuck');
    expect(r.failure?.message).toBe(
      'stuck: every task is blocked and none can wake another: main waits on a promise that no step left to run settles; io+1 waits on mutex "m"; mutex "m" is held by io#2+2, which finished',
    );
  });
});

describe('from the command line (the built package, a CommonJS project with its own copy of interleave)', () => {
  it('the injected locks find the running execution: run reports the deadlock in words, exit 1, and its trace replays in a fresh process', async () => {
    const project = tempProject(['real/bank.ts']);
    symlinkSync(join(ROOT, 'node_modules/async-mutex'), join(project, 'node_modules/async-mutex'), 'dir');
    const run = await cli(['run', 'bank-transfer', '--dir', 'scen', '--variant', 'abba', '--out', 'traces'], { cwd: project });
    const line = 'deadlock: transfer (from main+1) waits for mutex "a" held by transfer (from main), which waits for mutex "b" held by transfer (from main+1)';
    expect([run.code, run.stdout.split('\n')[2]]).toEqual([1, line]);
    const [trace] = readdirSync(join(project, 'traces'));
    const replay = await cli(['replay', join('traces', trace!)], { cwd: project });
    expect([replay.code, replay.stdout.trimEnd().split('\n').at(-1)]).toEqual([1, `reproduced: ${line}`]);
  });
});
