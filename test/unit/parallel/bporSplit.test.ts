import { describe, expect, it } from 'vitest';
import { replayTrace, search, type SearchResult } from 'interleave';
import { searchParallel, UNITS_PER_ROUND, type SearchShardRun } from '../../../src/parallel/index.js';
import { found, lu, luFile, shards, wc, wcFile } from './splitSame.js';

/** The verdict a split run must share with the unsplit one: executions may differ (split nodes are saturated within the bound). */
function verdict(r: SearchResult | SearchShardRun): unknown {
  return { por: r.por, failure: r.failure?.kind ?? null, message: r.failure?.message ?? null, bound: r.bound, complete: r.complete, stoppedBy: r.stoppedBy };
}

/**
 * `run --strategy pb --workers n` / `--shard i/n` with reduction (bounded partial-order
 * reduction, src/search/bpor.ts): the split nodes are saturated with every alternative within
 * the round's bound (split.ts), so a split run may run more executions than the unsplit one, but
 * finds the same failure at the same minimal bound, and says complete up to the same bound.
 * Between themselves, split runs agree exactly: the units do not depend on workers or shards.
 */
describe('pb with reduction split in units, bound by bound', () => {
  it('writers-checker fixed, 2 writers (clean up to bound 2): the units, 2 worker threads and 3 merged shards give the unsplit verdict', async () => {
    const options = { file: wcFile, variant: 'fixed', params: { writers: 2 }, strategy: 'pb' as const };
    const plain = await search(wc, options);
    const one = await searchParallel(options, wc);
    expect(verdict(one)).toEqual(verdict(plain));
    expect(verdict(one)).toEqual({ por: true, failure: null, message: null, bound: { limit: 2, reached: 2, completeUpTo: 2, minimalFailing: null }, complete: false, stoppedBy: 'bound' });
    expect(one.executions).toBeGreaterThanOrEqual(plain.executions);
    // Parts, not only the rounds' prefixes, ran executions.
    expect(one.units.filter((u) => u.unit % UNITS_PER_ROUND !== 0 && u.executions > 0).length).toBeGreaterThan(1);
    expect(found(await searchParallel({ ...options, workers: 2 }, wc))).toEqual(found(one));
    expect(found(await shards(wc, wcFile, 'fixed', { writers: 2 }, 3, { strategy: 'pb' }))).toEqual(found(one));
  });

  it('lost-update buggy (fails at bound 1): the units and 3 merged shards give the unsplit verdict, and the trace replays', async () => {
    const options = { file: luFile, variant: 'buggy', params: { workers: 4 }, strategy: 'pb' as const };
    const plain = await search(lu, options);
    const one = await searchParallel(options, lu);
    expect(verdict(one)).toEqual(verdict(plain));
    expect([one.failure?.kind, one.bound]).toEqual(['assertion', { limit: 2, reached: 1, completeUpTo: 0, minimalFailing: 1 }]);
    const replay = await replayTrace(lu, one.trace!);
    expect(replay.outcome).toBe('reproduced');
    expect(found(await shards(lu, luFile, 'buggy', { workers: 4 }, 3, { strategy: 'pb' }))).toEqual(found(one));
  });
});
