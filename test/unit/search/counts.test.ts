import { describe, expect, it } from 'vitest';
import { search } from 'interleave';
import { disjoint, lastzero, program, readers } from './programs.js';

describe('dfs without reduction', () => {
  it('gives the multinomial count on disjoint tasks', async () => {
    // main's start runs alone; then 3 tasks x (start + 1 set) interleave freely: 6!/(2!2!2!) = 90.
    const r = await search(disjoint(3, 1), { por: false });
    expect([r.executions, r.completeExecutions, r.sleepBlocked, r.complete, r.stoppedBy]).toEqual([90, 90, 0, true, 'exhausted']);
  });

  it('counts the joins of main as scheduling points', async () => {
    // chains (w0 start, w0 set, main join w0) and (w1 start, w1 set) interleave, then main joins w1: C(5,2) = 10.
    const r = await search(disjoint(2, 1, true), { por: false });
    expect(r.completeExecutions).toBe(10);
  });

  it('branches on every t.choose value', async () => {
    // choose(3) then 1..3 readers and a writer, with DPOR: 2^1 + 2^2 + 2^3 traces.
    const body = program('choose-readers', async (t) => {
      const n = t.choose(3) + 1;
      const x = t.variable('x', 0);
      for (let i = 0; i < n; i++) t.spawn(`r${i}`, async () => void (await x.get()));
      t.spawn('w', async () => x.set(1));
    });
    const r = await search(body);
    expect([r.completeExecutions, r.sleepBlocked, r.complete]).toEqual([14, 0, true]);
  });
});

describe('dfs with source-DPOR and sleep sets', () => {
  it('runs one execution when tasks touch disjoint objects', async () => {
    for (const [tasks, ops, join] of [[3, 1, false], [3, 2, true], [5, 2, true]] as const) {
      const r = await search(disjoint(tasks, ops, join));
      expect([r.executions, r.completeExecutions, r.sleepBlocked, r.complete]).toEqual([1, 1, 0, true]);
    }
  });

  it('readers: N readers and one writer give exactly 2^N executions', async () => {
    for (let n = 2; n <= 6; n++) {
      const r = await search(readers(n));
      expect([r.completeExecutions, r.sleepBlocked, r.complete]).toEqual([2 ** n, 0, true]);
    }
  });

  it('lastzero(5): 64 complete executions (one per Mazurkiewicz trace), sleep-set-blocked ones apart', async () => {
    const r = await search(lastzero(5));
    // 64 is the trace count GenMC and Concuerror's optimal DPOR report. Source-DPOR also runs
    // 33 partial executions that end sleep-set blocked (measured); optimal DPOR would run none.
    expect([r.completeExecutions, r.sleepBlocked, r.executions, r.complete, r.failure]).toEqual([64, 33, 97, true, null]);
  });

  it('lastzero(N) for smaller N', async () => {
    const counts = [];
    for (let n = 2; n <= 4; n++) {
      const r = await search(lastzero(n));
      counts.push([r.completeExecutions, r.sleepBlocked]);
    }
    expect(counts).toEqual([
      [5, 0],
      [12, 1],
      [28, 7],
    ]);
  });
});

describe('dfs with virtual time', () => {
  /** `n` workers: wait (sleep 10 or yield), then one critical section under a shared lock. */
  const waiters = (n: number, wait: 'sleep' | 'yield', stagger = false) =>
    program(`waiters-${n}-${wait}${stagger ? '-staggered' : ''}`, async (t) => {
      const lock = t.lock('l');
      const x = t.variable('x', 0);
      const hs = [];
      for (let i = 0; i < n; i++) {
        hs.push(
          t.spawn(`w${i}`, async () => {
            if (wait === 'sleep') await t.sleep(stagger ? 10 * (i + 1) : 10);
            else await t.yield();
            await lock.acquire();
            await x.update((v) => v + 1);
            await lock.release();
          }),
        );
      }
      for (const h of hs) await h.join();
    });

  it('sleeps that end at the same instant commute like yields: one execution per lock order', async () => {
    for (const n of [2, 3]) {
      const slept = await search(waiters(n, 'sleep'));
      const yielded = await search(waiters(n, 'yield'));
      expect(slept.complete).toBe(true);
      // n! orders of the critical sections, nothing else.
      expect(slept.completeExecutions).toBe(n === 2 ? 2 : 6);
      expect(slept.completeExecutions).toBe(yielded.completeExecutions);
    }
  });

  it('sleeps ending at different instants order the workers: one execution', async () => {
    const r = await search(waiters(3, 'sleep', true));
    expect([r.completeExecutions, r.sleepBlocked, r.complete]).toEqual([1, 0, true]);
  });

  it('a timed acquire races with the holder: both outcomes, one execution each', async () => {
    const outcomes: string[] = [];
    const body = program('timed-holder', async (t) => {
      const lock = t.lock('l');
      const holder = t.spawn('holder', async () => {
        await lock.acquire();
        await t.sleep(5);
        await lock.release();
      });
      const waiter = t.spawn('waiter', async () => {
        const got = await lock.acquire({ timeout: 3 });
        if (got) await lock.release();
        return `${got}@${t.now()}`;
      });
      await holder.join();
      await waiter.join();
      outcomes.push(String(waiter.result));
    });
    // (outcomes are kept outside t.*: no random schedules cross-checking the search may add to them)
    const r = await search(body, { crossCheck: 0 });
    expect([r.completeExecutions, r.complete]).toEqual([2, true]);
    // Either the waiter gets the lock at once, or the holder has it and the wait gives up at t=3.
    expect(outcomes.sort()).toEqual(['false@3', 'true@0']);
  });
});
