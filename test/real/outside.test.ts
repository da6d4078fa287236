import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { defineScenario, explore, replayTrace, type ScenarioDefinition } from 'interleave';

const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;

describe('real code waiting on the outside world', () => {
  it('a real socket the code awaits is nondeterminism naming the line that opened it, in the failure and its replay', async () => {
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
    try {
      const r = await explore(s(scenario), { iterations: 1 });
      expect(r.failure?.kind).toBe('nondeterminism');
      expect(r.failure?.message).toMatch(
        /^nondeterminism: task "\S+" awaited something the scheduler does not control after step \d+: the process waits on 1 real socket \(TCPServerWrap\) started at test\/real\/outside\.test\.ts:\d+ it did not have when the execution started; use t\.io/,
      );
      const line = /outside\.test\.ts:(\d+)/.exec(r.failure!.message)![1];
      expect(line).toBe(String(LISTEN_LINE));
      const replayed = await replayTrace(s(scenario), r.trace!);
      expect([replayed.outcome, replayed.result.failure?.message]).toEqual(['reproduced', r.failure?.message]);
    } finally {
      for (const server of servers) server.close();
    }
  });
});

/** The line of `server.listen(0, ...)` above. */
const LISTEN_LINE = 18;
