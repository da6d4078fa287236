import { describe, expect, it } from 'vitest';
import { defineScenario, explore, search, type ScenarioDefinition } from 'interleave';

const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;
type Ends = { readonly atDrain: number; readonly atMacrotask: number };
/** The execution behind a scenario's `t` (white box: how its steps of real code ended so far). */
const endsOf = (t: unknown): Ends => ({ ...(t as { exec: { quietEnds: Ends } }).exec.quietEnds });

describe('the end of a step of real code (src/runtime/quiescence.ts)', () => {
  it('plain promise code ends every step at the microtask drain: no turn of the event loop', async () => {
    const seen: Ends[] = [];
    const plain = defineScenario({
      name: 'plain-steps',
      description: 'three requests, each two controlled calls, plain async code between them',
      variants: { only: { expect: 'pass' } },
      async run(t) {
        const auth = t.io('auth', async (u: string) => u.length > 0);
        const load = t.io('load', async (k: string) => `value of ${k}`);
        const request = async (u: string): Promise<string> => ((await auth(u)) ? load(u) : 'refused');
        await Promise.all([request('a'), request('b'), request('c')]);
        seen.push(endsOf(t));
      },
    });
    const r = await explore(s(plain), { seed: 1, iterations: 3 });
    expect(r.failure).toBeNull();
    // main's start, 3 auth and 3 load deliveries: 7 steps; main reads the counts in the 7th, so 6 ended.
    expect(seen).toEqual([...Array(3)].map(() => ({ atDrain: 6, atMacrotask: 0 })));
  });

  it('a step whose code queued a tick waits for the event loop: a call announced from that tick is a choice at once, so both orders are explored', async () => {
    const orders = new Set<string>();
    const atMacrotask = { ticked: new Set<number>(), direct: new Set<number>() };
    const scenario = (how: 'ticked' | 'direct') =>
      defineScenario({
        name: `${how}-steps`,
        description: 'call a directly, call b from a promise reaction (of a process.nextTick when ticked)',
        variants: { only: { expect: 'pass' } },
        async run(t) {
          const order: string[] = [];
          const a = t.io('a', async () => order.push('a'));
          const b = t.io('b', async () => order.push('b'));
          await t.io('first', async () => 0)(); // the tick in a step other than main's first
          const later = (f: () => void): void => (how === 'ticked' ? process.nextTick(() => void Promise.resolve().then(f)) : void Promise.resolve().then(f));
          const pb = new Promise<number>((resolve) => later(() => resolve(b())));
          await Promise.all([a(), pb]);
          if (how === 'ticked') orders.add(order.join(''));
          atMacrotask[how].add(endsOf(t).atMacrotask);
        },
      });
    for (const how of ['ticked', 'direct'] as const) {
      const r = await search(s(scenario(how)), { strategy: 'dfs' });
      expect([r.failure, r.complete]).toEqual([null, true]);
    }
    expect([...orders].sort()).toEqual(['ab', 'ba']);
    // One turn of the event loop more than without the tick, in every execution: the tick's step.
    expect(atMacrotask.ticked.size).toBe(1);
    expect([...atMacrotask.ticked]).toEqual([...atMacrotask.direct].map((n) => n + 1));
  });
});

describe('unhandled rejections between steps of real code', () => {
  it('a call left floating rejects while another is awaited: Node reports it unhandled before the next step, so does interleave', async () => {
    const floating = defineScenario({
      name: 'floating-rejection',
      description: 'starts a load, awaits another call, then awaits the load in a try',
      variants: { only: { expect: 'exception' } },
      async run(t) {
        await t.io('first', async () => 0)(); // a few steps first
        const load = t.io('load', async (): Promise<number> => {
          throw new Error('load failed');
        });
        const p = load();
        await t.io('other', async () => 1)();
        try {
          await p;
        } catch {
          // handled, but one step too late when load was delivered first
        }
      },
    });
    const r = await search(s(floating), { strategy: 'dfs' });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toMatch(/^exception: unhandled rejection: Error: load failed/);
  });
});
