import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ScenarioDefinition } from 'interleave';
import { mergeSearchShardRuns, searchParallel, type SearchShardRun } from '../../../src/parallel/index.js';
import cache from '../../fixtures/track/cache.js';

const file = fileURLToPath(new URL('../../fixtures/track/cache.ts', import.meta.url));
const scenario = cache as unknown as ScenarioDefinition<object>;

describe('a split search of a scenario with untracked state', () => {
  it('keeps "without reduction" through units, shards and merge, and is not cross-checked as a reduced search', async () => {
    const whole = await searchParallel({ file, variant: 'fixed', params: {} }, scenario);
    expect([whole.complete, whole.completeExecutions, whole.untracked, whole.crossCheck]).toEqual([true, 6, true, undefined]);
    const runs: SearchShardRun[] = [];
    for (const index of [1, 2]) runs.push(JSON.parse(JSON.stringify(await searchParallel({ file, variant: 'fixed', params: {}, shard: { index, of: 2 } }, scenario))) as SearchShardRun);
    const merged = mergeSearchShardRuns(runs);
    expect([merged.complete, merged.completeExecutions, merged.untracked]).toEqual([true, 6, true]);
  });
});
