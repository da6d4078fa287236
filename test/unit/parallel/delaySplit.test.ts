import { describe, expect, it } from 'vitest';
import { search } from 'interleave';
import { searchParallel, UNITS_PER_ROUND } from '../../../src/parallel/index.js';
import { asSearch, found, lu, luFile, shards, wc, wcFile } from './splitSame.js';

/**
 * `run --strategy db --workers n` / `--shard i/n`: db is split as pb is (searchParallel.ts), one
 * round per bound, each round a prefix and its parts. Worker threads are slow to start, so one
 * comparison uses them; the rest run the same units in this thread (one worker, shards).
 */
describe('delay-bounded search (db) split in units, bound by bound, as pb is', () => {
  it('writers-checker fixed (clean up to bound 2): the units, 2 worker threads and 3 merged shards give the unsplit db search', async () => {
    const options = { file: wcFile, variant: 'fixed', params: { writers: 3 }, strategy: 'db' as const };
    const plain = await search(wc, options);
    const one = await searchParallel(options, wc);
    expect(asSearch(one)).toEqual(asSearch(plain));
    expect([one.stoppedBy, one.complete, one.failure, one.bound]).toEqual(['bound', false, null, { limit: 2, reached: 2, completeUpTo: 2, minimalFailing: null }]);
    // Parts, not only the rounds' prefixes, ran executions.
    expect(one.units.filter((u) => u.unit % UNITS_PER_ROUND !== 0 && u.executions > 0).length).toBeGreaterThan(10);
    expect(found(await searchParallel({ ...options, workers: 2 }, wc))).toEqual(found(one));
    expect(found(await shards(wc, wcFile, 'fixed', { writers: 3 }, 3, { strategy: 'db' }))).toEqual(found(one));
  });

  it('lost-update buggy (fails at bound 1, in the first part after its round\'s prefix): the units and 3 merged shards give the unsplit db search, trace included', async () => {
    const options = { file: luFile, variant: 'buggy', params: { workers: 4 }, strategy: 'db' as const };
    const plain = await search(lu, options);
    const one = await searchParallel(options, lu);
    expect(asSearch(one)).toEqual(asSearch(plain));
    expect([one.stoppedBy, one.failure?.kind, one.bound]).toEqual(['failure', 'assertion', { limit: 2, reached: 1, completeUpTo: 0, minimalFailing: 1 }]);
    expect([one.failureUnit, one.trace!.strategy.name, one.trace!.strategy.execution]).toEqual([UNITS_PER_ROUND + 1, 'db', plain.executions - 1]);
    expect(found(await shards(lu, luFile, 'buggy', { workers: 4 }, 3, { strategy: 'db' }))).toEqual(found(one));
  });
});
