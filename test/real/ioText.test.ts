import { describe, expect, it } from 'vitest';
import { defineScenario, explore, type ScenarioDefinition } from 'interleave';

const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;

describe('t.io call text', () => {
  it('a small plain object argument or result shows its properties; a tracked value, a class instance and a large object do not get inspected', async () => {
    class Row {
      constructor(readonly balance: number) {}
    }
    const scenario = defineScenario({
      name: 'io-text',
      description: 'controlled calls with object arguments and results',
      variants: { only: { expect: 'assertion' } },
      async run(t) {
        const tracked = t.track({ a: 1 }, 'tracked');
        const db = t.io('db', {
          async read(key: string) {
            return { balance: 100, version: 0, key };
          },
          async write(_key: string, _row: object) {},
        });
        await db.read('alice');
        await db.write('alice', { balance: 110, version: 1 });
        await db.write('bob', tracked);
        await db.write('carol', new Row(5));
        await db.write('dave', { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 });
        t.assert(false, 'stop');
      },
    });
    const r = await explore(s(scenario), { seed: 1, iterations: 1 });
    expect(r.trace!.events.filter((e) => e.op === 'call').map((e) => `${e.obj} -> ${e.result}`)).toEqual([
      'db.read("alice") -> {balance: 100, version: 0, key: "alice"}',
      'db.write("alice", {balance: 110, version: 1}) -> undefined',
      'db.write("bob", object) -> undefined',
      'db.write("carol", object) -> undefined',
      'db.write("dave", {a: 1, b: 2, c: 3, d: 4, ... 2 more}) -> undefined',
    ]);
  });
});
