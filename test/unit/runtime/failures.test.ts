import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explore, formatCycle, type Strategy } from 'interleave';
import { exploreBody, runSequential, scenarioOf } from '../../helpers/run.js';

/** Each failure kind has a small scenario that must produce exactly that kind. */
describe('failure kinds', () => {
  it('exception: names the task, the error and where in the scenario it was thrown', async () => {
    const r = await runSequential(async (t) => {
      const h = t.spawn('handler', async () => {
        await t.yield();
        throw new TypeError('bad plan id');
      });
      await h.join();
    });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.task).toBe('handler');
    expect(r.failure?.error).toMatchObject({ name: 'TypeError', message: 'bad plan id' });
    expect(r.failure?.error?.location).toMatch(/failures\.test\.ts:\d+$/);
  });

  it('an error raised by an operation is located where the failing task called it, not where the scheduler was', async () => {
    const r = await exploreBody(async (t) => {
      const m = t.map<string, number>('progress_streams', { missing: 'throw' });
      await m.set('B', 1);
      const cleanup = t.spawn('cleanup', () => m.delete('B'));
      const connect = t.spawn('connect-B', async () => {
        if (await m.has('B')) await m.get('B'); // KEYERROR-LINE
      });
      await cleanup.join();
      await connect.join();
    });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toMatch(/^exception: KeyError: "B" not in progress_streams in task "connect-B" \(step \d+\)$/);
    const line = readFileSync(new URL(import.meta.url), 'utf8').split('\n').findIndex((l) => l.includes('// KEYERROR-LINE')) + 1;
    expect(r.trace?.failure?.error?.location).toBe(`test/unit/runtime/failures.test.ts:${line}`);
  });

  it('assertion', async () => {
    const r = await runSequential(async (t) => t.assert(false, 'invariant broken'));
    expect(r.failure?.kind).toBe('assertion');
    expect(r.failure?.message).toContain('invariant broken');
  });

  it('deadlock lock/lock: the cycle names both tasks and both locks', async () => {
    const r = await exploreBody(async (t) => {
      const x = t.lock('x');
      const y = t.lock('y');
      const a = t.spawn('a', async () => {
        await x.acquire();
        await y.acquire();
        await y.release();
        await x.release();
      });
      const b = t.spawn('b', async () => {
        await y.acquire();
        await x.acquire();
        await x.release();
        await y.release();
      });
      await a.join();
      await b.join();
    });
    expect(r.failure?.kind).toBe('deadlock');
    const cycle = r.failure!.cycle!;
    expect(new Set(cycle.map((e) => e.task))).toEqual(new Set(['a', 'b']));
    expect(new Set(cycle.map((e) => e.resource))).toEqual(new Set(['lock "x"', 'lock "y"']));
    expect(r.failure?.message).toBe(`deadlock: ${formatCycle(cycle)}`);
  });

  it('deadlock is reported the moment the cycle forms, while another task still runs', async () => {
    const r = await runSequential(async (t) => {
      const x = t.lock('x');
      const busy = t.spawn('busy', async () => {
        for (let i = 0; i < 50; i++) await t.yield();
      });
      const a = t.spawn('a', async () => {
        await x.acquire();
        const b = t.spawn('b', async () => {
          await x.acquire();
        });
        await b.join();
      });
      await a.join();
      await busy.join();
    }, { strategy: 'round-robin' });
    expect(r.failure?.kind).toBe('deadlock');
    expect(r.failure?.message).toBe('deadlock: b -[lock "x"]-> a -[join b]-> b');
    // "busy" had 50 steps left: detection did not wait for everything to stall.
    expect(r.failure!.step).toBeLessThan(20);
  });

  it('deadlock through a join cycle', async () => {
    const r = await runSequential(async (t) => {
      const handles: { join(): Promise<boolean> }[] = [];
      const a = t.spawn('a', async () => {
        await t.yield();
        await handles[1]!.join();
      });
      const b = t.spawn('b', async () => {
        await t.yield();
        await handles[0]!.join();
      });
      handles.push(a, b);
      await a.join();
    });
    expect(r.failure?.kind).toBe('deadlock');
    expect(new Set(r.failure!.cycle!.map((e) => e.resource))).toEqual(new Set(['join a', 'join b']));
  });

  it('deadlock of a pool: a job waiting on a future that needs a slot', async () => {
    const r = await runSequential(async (t) => {
      const pool = t.pool('executor', { workers: 2 });
      const parent = async (): Promise<number> => {
        const child = await pool.submit('child', () => 1);
        return child.result();
      };
      const f1 = await pool.submit('parent', parent);
      const f2 = await pool.submit('parent', parent);
      await f1.result();
      await f2.result();
    });
    expect(r.failure?.kind).toBe('deadlock');
    const cycle = r.failure!.cycle!;
    expect(new Set(cycle.map((e) => e.task))).toEqual(new Set(['executor-worker-1', 'executor-worker-2']));
    expect(cycle.every((e) => /result of child#\d \(queued: every worker of pool "executor" is busy\)/.test(e.resource))).toBe(true);
  });

  it('no deadlock when a waiter has a timeout: it gives up instead', async () => {
    const r = await exploreBody(async (t) => {
      const x = t.lock('x');
      const y = t.lock('y');
      const a = t.spawn('a', async () => {
        await x.acquire();
        if (await y.acquire({ timeout: 10 })) await y.release();
        await x.release();
      });
      const b = t.spawn('b', async () => {
        await y.acquire();
        if (await x.acquire({ timeout: 10 })) await x.release();
        await y.release();
      });
      await a.join();
      await b.join();
    });
    expect(r.failure).toBeNull();
  });

  it('stuck: a queue nobody fills, with who waits on what', async () => {
    const r = await runSequential(async (t) => {
      const q = t.queue<number>('results');
      const c = t.spawn('consumer', () => q.get());
      await c.join();
    });
    expect(r.failure?.kind).toBe('stuck');
    expect(r.failure?.blocked).toEqual([
      { task: 'main', waitsOn: 'join consumer' },
      { task: 'consumer', waitsOn: 'queue "results" (empty)' },
    ]);
  });

  it('livelock: the step bound, naming the task that kept running', async () => {
    const r = await runSequential(
      async (t) => {
        const flag = t.variable('flag', false);
        const spinner = t.spawn('spinner', async () => {
          while (!(await flag.get())) {
            /* spin */
          }
        });
        await spinner.join();
      },
      { maxSteps: 500 },
    );
    expect(r.failure?.kind).toBe('livelock');
    expect(r.failure?.tasks).toEqual(['spinner']);
    expect(r.failure?.message).toBe('livelock: no end after 500 steps; still running: spinner; waiting: main (join spinner)');
  });

  it('livelock: a value chosen with t.choose is not read as a task that ran', async () => {
    // The spinner chooses 2 at every turn, the id of `idle`, which is enabled but never picked.
    const strategy: Strategy = {
      name: 'spin-only',
      beginExecution: () => {},
      chooseTask: (view) => Math.max(0, view.enabled.findIndex((t) => t.name === 'spinner')),
      chooseValue: () => 2,
    };
    const r = await explore(
      scenarioOf(async (t) => {
        const flag = t.variable('flag', false);
        const spinner = t.spawn('spinner', async () => {
          while (!(await flag.get())) t.choose(3, 'turn');
        });
        const idle = t.spawn('idle', async () => {
          await flag.set(true);
        });
        await spinner.join();
        await idle.join();
      }),
      { iterations: 1, strategy, maxSteps: 300 },
    );
    expect(r.failure?.kind).toBe('livelock');
    expect(r.failure?.tasks).toEqual(['spinner']);
  });

  it('livelock: a task that ran in the last window and then blocked is named as waiting, not running', async () => {
    // main works alongside the spinner within the last 200 steps, then blocks on its join.
    const r = await runSequential(
      async (t) => {
        const flag = t.variable('flag', false);
        const n = t.variable('n', 0);
        const helper = t.spawn('helper', async () => {
          for (let i = 0; i < 20; i++) await n.set(i);
        });
        const spinner = t.spawn('spinner', async () => {
          while (!(await flag.get())) {
            /* spin */
          }
        });
        for (let i = 0; i < 30; i++) await n.get();
        await helper.join();
        await spinner.join();
      },
      { maxSteps: 150, strategy: 'round-robin' },
    );
    expect(r.failure?.kind).toBe('livelock');
    expect(r.failure?.message).toBe('livelock: no end after 150 steps; still running: spinner; waiting: main (join spinner)');
    expect(r.failure?.tasks).toEqual(['spinner']);
    expect(r.failure?.blocked).toEqual([{ task: 'main', waitsOn: 'join spinner' }]);
  });

  it('leak: main finished but a task waits forever; and a lock held by a finished task', async () => {
    const blocked = await runSequential(async (t) => {
      const q = t.queue<number>('q');
      t.spawn('orphan', () => q.get());
      await t.yield();
    });
    expect(blocked.failure?.kind).toBe('leak');
    expect(blocked.failure?.tasks).toEqual(['orphan']);
    const held = await runSequential(async (t) => {
      const l = t.lock('streams');
      await l.acquire();
    });
    expect(held.failure?.kind).toBe('leak');
    expect(held.failure?.message).toBe('leak: lock "streams" is still held by finished task main');
  });

  it('leaks can be allowed by the variant', async () => {
    const { explore, defineScenario } = await import('interleave');
    const s = defineScenario({
      name: 'leaky',
      description: 'daemon-like thread',
      variants: { ok: { expect: 'pass', allowLeaks: true } },
      async run(t) {
        const q = t.queue<number>('q');
        t.spawn('daemon', () => q.get());
      },
    });
    expect((await explore(s, { iterations: 5 })).failure).toBeNull();
  });

  it('potential-deadlock: opposite lock orders warn even when the run did not deadlock', async () => {
    const r = await runSequential(async (t) => {
      const a = t.lock('accounts');
      const b = t.lock('audit');
      const p1 = t.spawn('transfer', async () => {
        await a.acquire();
        await b.acquire();
        await b.release();
        await a.release();
      });
      await p1.join();
      const p2 = t.spawn('report', async () => {
        await b.acquire();
        await a.acquire();
        await a.release();
        await b.release();
      });
      await p2.join();
    });
    expect(r.failure).toBeNull();
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.message).toBe(
      'potential-deadlock: transfer took lock "accounts" then lock "audit", report took lock "audit" then lock "accounts"',
    );
    const strict = await runSequential(
      async (t) => {
        const a = t.lock('accounts');
        const b = t.lock('audit');
        await a.acquire();
        await b.acquire();
        await b.release();
        await a.release();
        const p2 = t.spawn('report', async () => {
          await b.acquire();
          await a.acquire();
        });
        await p2.join();
      },
      { failOnLockOrder: true },
    );
    expect(strict.failure?.kind).toBe('potential-deadlock');
  });

  it('potential-deadlock: the same inversion reads the same whichever order the tasks ran in (one warning per exploration)', async () => {
    const inversion = (reportFirst: boolean) =>
      runSequential(async (t) => {
        const a = t.lock('accounts');
        const b = t.lock('audit');
        const transfer = async (): Promise<void> => {
          await a.acquire();
          await b.acquire();
          await b.release();
          await a.release();
        };
        const report = async (): Promise<void> => {
          await b.acquire();
          await a.acquire();
          await a.release();
          await b.release();
        };
        for (const [name, body] of reportFirst ? ([['report', report], ['transfer', transfer]] as const) : ([['transfer', transfer], ['report', report]] as const)) {
          await t.spawn(name, body).join();
        }
      });
    const [one, other] = [await inversion(false), await inversion(true)];
    const expected = 'potential-deadlock: transfer took lock "accounts" then lock "audit", report took lock "audit" then lock "accounts"';
    expect([one.warnings[0]!.message, other.warnings[0]!.message]).toEqual([expected, expected]);
    expect(other.warnings[0]).toMatchObject({ tasks: ['transfer', 'report'], locks: ['accounts', 'audit'] });
  });

  it('nondeterminism: awaiting a real timer is reported within bounded time, naming the task', async () => {
    const started = Date.now();
    const r = await runSequential(async (t) => {
      const h = t.spawn('poller', async () => {
        await t.yield();
        await new Promise((resolve) => setTimeout(resolve, 120_000));
      });
      await h.join();
    });
    expect(Date.now() - started).toBeLessThan(30_000); // not after the timer's two minutes: bounded on any load
    expect(r.failure?.kind).toBe('nondeterminism');
    expect(r.failure?.task).toBe('poller');
    expect(r.failure?.message).toContain('awaited something the scheduler does not control');
  });

  it('nondeterminism: awaiting an unrelated promise that never settles', async () => {
    const r = await runSequential(async (t) => {
      await new Promise(() => {});
    });
    expect(r.failure?.kind).toBe('nondeterminism');
    expect(r.failure?.task).toBe('main');
  });

  it('two operations in flight from one task is a usage error, not a bug of the code under test', async () => {
    await expect(
      exploreBody(async (t) => {
        const m = t.map<string, number>('m');
        t.spawn('other', () => m.set('a', 1));
        await Promise.all([m.get('a'), m.get('b')]);
      }),
    ).rejects.toThrow(
      'test/unit/runtime/failures.test.ts:360: task "main" started get m["b"] before its previous operation completed (await each operation before the next: no Promise.all over one task\'s operations)',
    );
  });
});
