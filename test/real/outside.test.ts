import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { defineScenario, explore, replayTrace, type ScenarioDefinition } from 'interleave';
import chainLock from '../fixtures/real/chain-lock.js';

const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;

/**
 * Runs `body` while the rest of the process is busy, as a test runner or a browser driver keeps
 * it: every turn of the event loop, code that is not the scenario's starts one more real timer
 * (kept pending, cleared at the end). Returns how many it started.
 */
async function withOtherActivity(body: () => Promise<void>): Promise<number> {
  const timers: NodeJS.Timeout[] = [];
  let on = true;
  const turn = (): void => {
    if (!on) return;
    timers.push(setTimeout(() => undefined, 60_000));
    setImmediate(turn);
  };
  setImmediate(turn);
  try {
    await body();
  } finally {
    on = false;
    for (const timer of timers) clearTimeout(timer);
  }
  return timers.length;
}

describe('real code waiting on the outside world', () => {
  it.each([
    ['alone', false],
    ['while other code of the process starts real timers', true],
  ])('a real socket the code awaits is nondeterminism naming the line that opened it, in the failure and its replay (%s)', async (_, busy) => {
    const servers: Server[] = [];
    const scenario = defineScenario({
      name: 'real-socket',
      description: 'awaits a connection on a real server that nobody makes',
      variants: { only: { expect: 'nondeterminism' } },
      async run(t) {
        await t.io('ping', async () => 1)();
        const server = createServer();
        servers.push(server);
        server.listen(0, '127.0.0.1');
        await new Promise((resolve) => server.once('connection', resolve));
      },
    });
    const check = async (): Promise<void> => {
      const r = await explore(s(scenario), { iterations: 1 });
      expect(r.failure?.kind).toBe('nondeterminism');
      expect(r.failure?.message).toMatch(
        /^nondeterminism: task "\S+" awaited something the scheduler does not control after step \d+: the process waits on 1 real socket \(TCPServerWrap\) started at test\/real\/outside\.test\.ts:\d+ it did not have when the execution started; use t\.io/,
      );
      const line = /outside\.test\.ts:(\d+)/.exec(r.failure!.message)![1];
      expect(line).toBe(String(LISTEN_LINE));
      const replayed = await replayTrace(s(scenario), r.trace!);
      expect([replayed.outcome, replayed.result.failure?.message]).toEqual(['reproduced', r.failure?.message]);
    };
    try {
      if (busy) expect(await withOtherActivity(check)).toBeGreaterThan(0);
      else await check();
    } finally {
      for (const server of servers) server.close();
    }
  });

  it('a stuck program stays stuck while the rest of the process starts real timers: they are not the execution\'s', async () => {
    let r: Awaited<ReturnType<typeof explore>> | undefined;
    let again: Awaited<ReturnType<typeof replayTrace>> | undefined;
    const others = await withOtherActivity(async () => {
      r = await explore(s(chainLock), { variant: 'never-released', seed: 1 });
      again = await replayTrace(s(chainLock), r.trace!);
    });
    expect(others).toBeGreaterThan(0);
    expect(r!.failure?.message).toBe('stuck: every task is blocked and none can wake another: main waits on a promise that no step left to run settles');
    expect(r!.trace!.failure?.awaits).toEqual(['test/fixtures/real/chain-lock.ts:51']);
    expect([again!.outcome, again!.trace.failure?.awaits]).toEqual(['reproduced', ['test/fixtures/real/chain-lock.ts:51']]);
  });
});

/** The line of `server.listen(0, ...)` above. */
const LISTEN_LINE = 45;
