import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SharedMap } from 'interleave';
import { runSequential } from '../../helpers/run.js';

/**
 * `t.map`'s types follow its `missing` option: `npm run typecheck` checks the type assertions
 * here (a wrong type fails the typecheck, and `@ts-expect-error` fails when the line compiles);
 * the run checks the values they describe.
 */
describe('t.map types', () => {
  it('missing: throw narrows get() to the value type; the default keeps undefined', async () => {
    const seen: unknown[] = [];
    const r = await runSequential(async (t) => {
      seen.length = 0; // the failure is replayed: keep the last execution's values
      const strict = t.map<string, number>('strict', { missing: 'throw' });
      const loose = t.map<string, number>('loose');
      const explicit = t.map<string, number>('explicit', { missing: 'undefined' });
      await strict.set('a', 1);
      const a = await strict.get('a');
      expectTypeOf(a).toEqualTypeOf<number>();
      expectTypeOf(await loose.get('a')).toEqualTypeOf<number | undefined>();
      expectTypeOf(await explicit.get('a')).toEqualTypeOf<number | undefined>();
      // @ts-expect-error: the default map's get() may give undefined, so it is not a number
      const n: number = await loose.get('a');
      seen.push(a + 1, n);
      // A map whose missing keys throw is still a SharedMap where one is annotated.
      const annotated: SharedMap<string, number> = strict;
      seen.push(annotated.name);
      await strict.get('missing');
    });
    expect(seen).toEqual([2, undefined, 'strict']);
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toMatch(/^exception: KeyError: "missing" not in strict/);
  });
});
