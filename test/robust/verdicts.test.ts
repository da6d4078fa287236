import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, replayTrace, type ExploreResult } from 'interleave';
import held from './fixtures/verdicts/held.js';
import rejects from './fixtures/verdicts/rejects.js';
import { FIXTURES } from './cli.js';

/**
 * Whatever a scenario does (ends the process, leaves a rejection unhandled, throws a value that
 * throws when read, misuses the API, finishes holding a lock), interleave reports a verdict:
 * the kind, the message naming the task and line, a trace that replays, the exit code.
 */
const VERDICTS = join(FIXTURES, 'verdicts');

async function replays(r: ExploreResult, scenario: Parameters<typeof replayTrace>[0]): Promise<void> {
  expect(r.trace).not.toBeNull();
  const again = await replayTrace(scenario, r.trace!);
  expect(again.outcome).toBe('reproduced');
  expect(again.result.failure?.message).toBe(r.failure!.message);
}

describe('a lock held by a finished task', () => {
  it.each([
    ['mutex', 'lock "x"', 'lock "x"'],
    ['rlock', 'rlock "x"', 'rlock "x"'],
    ['rwlock', 'rwlock "x"', 'rwlock "x"'],
    ['semaphore', 'semaphore "x" (no permits)', 'semaphore "x"'],
  ])('%s: the stuck message names the finished holder', async (variant, waitsOn, resource) => {
    const r = await explore(held, { variant, file: join(VERDICTS, 'held.ts') });
    expect(r.failure?.kind).toBe('stuck');
    expect(r.failure?.message).toBe(`stuck: every task is blocked and none can wake another: main waits on join t2; t2 waits on ${waitsOn}; ${resource} is held by t1, which finished`);
    await replays(r, held);
  });
});

describe('thrown values that throw when inspected', () => {
  it.each([
    ['revoked-proxy', 'exception: Uninspectable: <uninspectable thrown value: reading it threw (a revoked Proxy?)> in task "worker" (step 4)'],
    ['name-getter', 'exception: Error: <its message could not be read: the getter threw> in task "worker" (step 4)'],
    ['symbol', 'exception: NonError: Symbol(sym) in task "worker" (step 4)'],
    ['null', 'exception: NonError: null in task "worker" (step 4)'],
  ])('%s is an exception, described safely, and replays', async (variant, message) => {
    const r = await explore(rejects, { variant, file: join(VERDICTS, 'rejects.ts') });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toBe(message);
    await replays(r, rejects);
  });
});
