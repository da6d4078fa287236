import { describe, expect, it } from 'vitest';
import { IteratorInvalidated, KeyError, LockError, QueueClosed, QueueEmpty, QueueFull, TimeoutError } from 'interleave';
import { exploreBody, runSequential } from '../../helpers/run.js';

describe('shared map', () => {
  it('get/set/has/delete/pop/keys/size behave like a dict', async () => {
    const r = await runSequential(async (t) => {
      const m = t.map<string, number>('m');
      await m.set('a', 1);
      await m.set('b', 2);
      t.assert((await m.get('a')) === 1, 'get');
      t.assert((await m.has('b')) && !(await m.has('c')), 'has');
      t.assert((await m.get('zz')) === undefined, 'missing get is undefined by default');
      t.assert((await m.size()) === 2, 'size');
      t.assert(JSON.stringify(await m.keys()) === '["a","b"]', 'keys in insertion order');
      t.assert((await m.pop('a')) === 1 && (await m.pop('a')) === undefined, 'pop');
      t.assert((await m.delete('b')) === true && (await m.delete('b')) === false, 'delete');
      t.assert((await m.setDefault('k', 5)) === 5 && (await m.setDefault('k', 6)) === 5, 'setDefault');
    });
    expect(r.failure).toBeNull();
  });

  it("missing: 'throw' raises KeyError on get and delete of a missing key", async () => {
    const r = await runSequential(async (t) => {
      const m = t.map<string, number>('progress_streams', { missing: 'throw' });
      let caught = 0;
      try {
        await m.get('B');
      } catch (e) {
        if (e instanceof KeyError && e.message === '"B" not in progress_streams') caught++;
      }
      try {
        await m.delete('B');
      } catch (e) {
        if (e instanceof KeyError) caught++;
      }
      t.assert(caught === 2, `caught ${caught}`);
      await m.get('C');
    });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.error?.name).toBe('KeyError');
    expect(r.failure?.message).toContain('KeyError: "C" not in progress_streams');
  });

  it('a key added during iteration invalidates the iterator', async () => {
    const r = await exploreBody(async (t) => {
      const m = t.map<string, number>('connections');
      await m.set('a', 1);
      await m.set('b', 2);
      const reader = t.spawn('worker', async () => {
        for await (const [k] of m.iterate()) void k;
      });
      const ui = t.spawn('ui', async () => {
        await m.delete('a');
      });
      await reader.join();
      await ui.join();
    });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.error?.name).toBe(IteratorInvalidated.name);
    expect(r.failure?.task).toBe('worker');
  });

  it('iteration without concurrent mutation visits every entry', async () => {
    const r = await runSequential(async (t) => {
      const m = t.map<string, number>('m');
      for (const k of ['x', 'y', 'z']) await m.set(k, k.charCodeAt(0));
      const seen: string[] = [];
      for await (const [k] of m.iterate()) seen.push(k);
      t.assert(seen.join('') === 'xyz', seen.join(''));
    });
    expect(r.failure).toBeNull();
  });
});

describe('shared variable', () => {
  it('get-then-set loses updates under some schedule; update() never does', async () => {
    const racy = await exploreBody(async (t) => {
      const c = t.variable('counter', 0);
      const inc = async (): Promise<void> => {
        const v = await c.get();
        await c.set(v + 1);
      };
      const hs = [t.spawn('a', inc), t.spawn('b', inc)];
      for (const h of hs) await h.join();
      t.assert(c.peek() === 2, `lost update: counter is ${c.peek()}`);
    });
    expect(racy.failure?.kind).toBe('assertion');
    expect(racy.failure?.message).toContain('lost update: counter is 1');
    const atomic = await exploreBody(async (t) => {
      const c = t.variable('counter', 0);
      const hs = [t.spawn('a', () => c.update((v) => v + 1)), t.spawn('b', () => c.update((v) => v + 1))];
      for (const h of hs) await h.join();
      t.assert(c.peek() === 2, 'lost update');
    });
    expect(atomic.failure).toBeNull();
  });
});

describe('locks', () => {
  it('a mutex excludes: the guarded increment never loses an update', async () => {
    const r = await exploreBody(async (t) => {
      const c = t.variable('counter', 0);
      const l = t.lock('l');
      const inc = (): Promise<void> => l.withLock(async () => c.set((await c.get()) + 1));
      const hs = [t.spawn('a', inc), t.spawn('b', inc), t.spawn('c', inc)];
      for (const h of hs) await h.join();
      t.assert(c.peek() === 3, `counter is ${c.peek()}`);
    });
    expect(r.failure).toBeNull();
    expect(r.executions).toBe(300);
  });

  it('acquire with timeout gives up in virtual time and returns false', async () => {
    const r = await runSequential(async (t) => {
      const l = t.lock('l');
      await l.acquire();
      const h = t.spawn('waiter', async () => {
        const got = await l.acquire({ timeout: 50 });
        t.assert(!got, 'should time out');
        t.assert(t.now() === 50, `now is ${t.now()}`);
      });
      await h.join();
      await l.release();
    });
    expect(r.failure).toBeNull();
  });

  it('releasing a lock you do not hold raises LockError', async () => {
    const r = await runSequential(async (t) => {
      const l = t.lock('l');
      await l.release();
    });
    expect(r.failure?.error?.name).toBe(LockError.name);
  });

  it('an rlock is reentrant; a plain lock re-acquired by its owner deadlocks on itself', async () => {
    const ok = await runSequential(async (t) => {
      const l = t.rlock('r');
      await l.acquire();
      await l.acquire();
      await l.release();
      await l.release();
    });
    expect(ok.failure).toBeNull();
    const self = await runSequential(async (t) => {
      const l = t.lock('plain');
      await l.acquire();
      await l.acquire();
    });
    expect(self.failure?.kind).toBe('deadlock');
    expect(self.failure?.message).toBe('deadlock: main -[lock "plain"]-> main');
  });

  it('rwlock: readers share, a writer excludes readers', async () => {
    const r = await exploreBody(async (t) => {
      const rw = t.rwlock('graph');
      const inside = t.variable('readers', 0);
      const writing = t.variable('writing', false);
      const reader = async (): Promise<void> =>
        rw.withRead(async () => {
          t.assert(!(await writing.get()), 'reader saw a writer');
          await inside.update((v) => v + 1);
          await inside.update((v) => v - 1);
        });
      const writer = async (): Promise<void> =>
        rw.withWrite(async () => {
          await writing.set(true);
          t.assert((await inside.get()) === 0, 'writer saw a reader');
          await writing.set(false);
        });
      const hs = [t.spawn('r1', reader), t.spawn('r2', reader), t.spawn('w', writer)];
      for (const h of hs) await h.join();
    });
    expect(r.failure).toBeNull();
  });

  it('semaphore limits concurrent holders', async () => {
    const r = await exploreBody(async (t) => {
      const s = t.semaphore('pool', 2);
      const inside = t.variable('inside', 0);
      const use = async (): Promise<void> => {
        await s.acquire();
        const n = await inside.update((v) => v + 1);
        t.assert(n <= 2, `${n} holders`);
        await inside.update((v) => v - 1);
        await s.release();
      };
      const hs = [t.spawn('a', use), t.spawn('b', use), t.spawn('c', use)];
      for (const h of hs) await h.join();
    });
    expect(r.failure).toBeNull();
  });
});

describe('condition, event, queue', () => {
  it('condition wait/notify hands over under the lock; wait times out in virtual time', async () => {
    const r = await exploreBody(async (t) => {
      const cond = t.condition('ready');
      const flag = t.variable('flag', false);
      const waiter = t.spawn('waiter', async () => {
        await cond.acquire();
        const ok = await cond.waitFor(() => flag.get());
        t.assert(ok, 'should see the flag');
        await cond.release();
      });
      const setter = t.spawn('setter', async () => {
        await cond.acquire();
        await flag.set(true);
        await cond.notifyAll();
        await cond.release();
      });
      await waiter.join();
      await setter.join();
      await cond.acquire();
      const notified = await cond.wait({ timeout: 100 });
      t.assert(!notified && t.now() >= 100, 'wait should time out at t=100');
      await cond.release();
    });
    expect(r.failure).toBeNull();
  });

  it('a notify before the wait is lost: stuck, naming the waiter', async () => {
    const r = await runSequential(async (t) => {
      const cond = t.condition('done');
      await cond.acquire();
      await cond.notify();
      await cond.wait();
    });
    expect(r.failure?.kind).toBe('stuck');
    expect(r.failure?.blocked).toEqual([{ task: 'main', waitsOn: 'condition "done" (not notified)' }]);
  });

  it('event wait returns true when set, false on timeout', async () => {
    const r = await runSequential(async (t) => {
      const ev = t.event('stop');
      t.assert((await ev.wait({ timeout: 10 })) === false, 'timeout');
      const h = t.spawn('setter', () => ev.set());
      t.assert((await ev.wait()) === true, 'set');
      await h.join();
      t.assert(await ev.isSet(), 'isSet');
    });
    expect(r.failure).toBeNull();
  });

  it('queue: FIFO, nowait raises Empty/Full, get with timeout raises Empty, close drains then raises', async () => {
    const r = await runSequential(async (t) => {
      const q = t.queue<number>('q', { maxsize: 2 });
      const errs: string[] = [];
      const expectErr = async (f: () => Promise<unknown>, cls: { name: string }): Promise<void> => {
        try {
          await f();
          errs.push(`no ${cls.name}`);
        } catch (e) {
          if ((e as Error).name !== cls.name) errs.push(`wrong ${(e as Error).name}`);
        }
      };
      await expectErr(() => q.getNowait(), QueueEmpty);
      await q.put(1);
      await q.putNowait(2);
      await expectErr(() => q.putNowait(3), QueueFull);
      await expectErr(() => q.put(3, { timeout: 5 }), QueueFull);
      t.assert((await q.get()) === 1 && (await q.qsize()) === 1, 'fifo');
      await q.close();
      t.assert((await q.get()) === 2, 'drain after close');
      await expectErr(() => q.get(), QueueClosed);
      const q2 = t.queue<number>('q2');
      await expectErr(() => q2.get({ timeout: 7 }), QueueEmpty);
      t.assert(t.now() === 12, `virtual time ${t.now()}`);
      t.assert(errs.length === 0, errs.join(', '));
    });
    expect(r.failure).toBeNull();
  });

  it('blocking get wakes when a producer puts', async () => {
    const r = await exploreBody(async (t) => {
      const q = t.queue<string>('jobs');
      const c = t.spawn('consumer', async () => t.assert((await q.get()) === 'x', 'value'));
      const p = t.spawn('producer', () => q.put('x'));
      await c.join();
      await p.join();
    });
    expect(r.failure).toBeNull();
  });
});

describe('tasks, time and pools', () => {
  it('join with timeout returns false while the task still runs', async () => {
    const r = await runSequential(async (t) => {
      const slow = t.spawn('reader', () => t.sleep(100));
      t.assert((await slow.join({ timeout: 5 })) === false && t.now() === 5, 'join timed out at 5');
      t.assert(await slow.isAlive(), 'still alive');
      t.assert((await slow.join()) === true && t.now() === 100, 'finished at 100');
    });
    expect(r.failure).toBeNull();
  });

  it('sleep advances virtual time only when nothing else can run', async () => {
    const r = await runSequential(async (t) => {
      const order: string[] = [];
      const a = t.spawn('a', async () => {
        await t.sleep(10);
        order.push(`a@${t.now()}`);
      });
      const b = t.spawn('b', async () => {
        await t.sleep(3);
        order.push(`b@${t.now()}`);
      });
      await a.join();
      await b.join();
      t.assert(order.join(' ') === 'b@3 a@10', order.join(' '));
    });
    expect(r.failure).toBeNull();
  });

  it('pool runs jobs on its workers; result() returns values and rethrows errors', async () => {
    const r = await exploreBody(async (t) => {
      const pool = t.pool('executor', { workers: 2 });
      const f1 = await pool.submit('square', () => 7 * 7);
      const f2 = await pool.submit('boom', async () => {
        throw new Error('job failed');
      });
      t.assert((await f1.result()) === 49, 'value');
      let msg = '';
      try {
        await f2.result();
      } catch (e) {
        msg = (e as Error).message;
      }
      t.assert(msg === 'job failed', msg);
      await pool.shutdown();
    });
    expect(r.failure).toBeNull();
  });

  it('future.result with timeout raises TimeoutError', async () => {
    const r = await runSequential(async (t) => {
      const pool = t.pool('executor', { workers: 1 });
      const f = await pool.submit('slow', () => t.sleep(100));
      let name = '';
      try {
        await f.result({ timeout: 10 });
      } catch (e) {
        name = (e as Error).name;
      }
      t.assert(name === TimeoutError.name, name);
    });
    expect(r.failure).toBeNull();
  });

  it('choose is a recorded decision: every value is reachable', async () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) {
      await exploreBody(
        async (t) => {
          seen.add(t.choose(3, 'which'));
        },
        { seed, iterations: 1 },
      );
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});
