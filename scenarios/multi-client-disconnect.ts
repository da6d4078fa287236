import { defineScenario, param } from 'interleave';
import type { ScenarioContext, SharedMap, SharedQueue, SharedVar } from 'interleave';
import fc from 'fast-check';

/**
 * PlanExe SSE streaming (seed 001, "Scenario 2: Multiple SSE Clients"): two or more SSE clients
 * read one plan's progress; client 1 disconnects, which triggers `cleanup_progress_stream`
 * (seed 001 issue 2), while client 2 is still reading.
 *
 * buggy: one `progress_streams[plan_id]` queue shared by every client; each SSE loop checks
 * `plan_id in progress_streams` and then reads `progress_streams[plan_id]` (check-then-act), and
 * every client's disconnect runs the cleanup (drain + `del`).
 * fixed: per-plan subscriber tracking: a broker under one `_lock` gives each client its own queue,
 * fans every message out to the current subscribers, and removes the plan's entry only when the
 * plan has finished and the last subscriber left.
 * websocket-manager: the audit's own "Thread-Safe WebSocket Solution" (`WebSocketManager` with
 * `_connections` and an RLock): `broadcast_message` copies the list under the lock, sends outside
 * it, and on a failed send calls `self._remove_connection(plan_id, ws)` from the except block.
 * The audit does not show `_remove_connection`; we model the direct version, under the lock:
 * `self._connections[plan_id].remove(ws)`. The broadcasters are the stdout and stderr reader
 * threads of seed 001's threading overview.
 */

const PLAN = 'plan-A';
type Msg = string | null;

export default defineScenario({
  name: 'multi-client-disconnect',
  description: "several SSE clients stream one plan; the first client's disconnect cleans up the plan's stream while the others still read",
  source: 'seed 001, Scenario 2 (and the "Thread-Safe WebSocket Solution")',
  params: {
    clients: param(2, fc.integer({ min: 2, max: 3 }), 'SSE clients of the plan (client 1 disconnects early)'),
    messages: param(2, fc.integer({ min: 1, max: 3 }), 'progress messages the pipeline publishes (per reader thread in websocket-manager)'),
  },
  variants: {
    buggy: { expect: 'exception', description: 'one shared queue; `if plan_id in progress_streams: progress_streams[plan_id].get()`; every disconnect cleans up (KeyError)' },
    fixed: { expect: 'pass', description: 'per-plan subscriber tracking under a lock: a queue per client, cleanup when the plan ended and the last client left' },
    'websocket-manager': {
      expect: 'exception',
      description: "the audit's WebSocketManager: two broadcasters remove the same dead socket, each from a copy taken before the other's removal (ValueError)",
    },
  },
  budget: { iterations: 500 },
  async run(t) {
    if (t.variant === 'websocket-manager') return websocketManager(t);
    if (t.variant === 'fixed') return subscriberBroker(t);
    return sharedQueue(t);
  },
});

function isNamed(e: unknown, name: string): boolean {
  // Matched by name, not instanceof: tsx may load another copy of 'interleave' than the engine's.
  return e instanceof Error && e.name === name;
}

const clientName = (i: number): string => `sse-client-${i}`;

/** buggy: seed 001 issue 2 and Scenario 2, as the audit describes the code. */
async function sharedQueue(t: ScenarioContext<{ clients: number; messages: number }>): Promise<void> {
  const progress_streams = t.map<string, SharedQueue<Msg>>('progress_streams', { missing: 'throw' });
  const progress_queue = t.queue<Msg>(`progress_queue[${PLAN}]`);
  await progress_streams.set(PLAN, progress_queue); // Time 0: plan starts, queue created

  // pipeline_execution_service.py:352-359
  const cleanupProgressStream = async (planId: string): Promise<void> => {
    if (await progress_streams.has(planId)) {
      while (!(await (await progress_streams.get(planId))!.empty())) {
        try {
          await (await progress_streams.get(planId))!.getNowait();
        } catch (e) {
          if (isNamed(e, 'QueueEmpty')) break;
          throw e;
        }
      }
      await progress_streams.delete(planId);
    }
  };

  const pipeline = t.spawn('pipeline', async () => {
    for (let i = 0; i < t.params.messages; i++) await progress_queue.putNowait(`line ${i}`);
    await progress_queue.putNowait(null); // Time 3: plan completes
  });
  const clients = [];
  for (let c = 1; c <= t.params.clients; c++) {
    clients.push(
      t.spawn(clientName(c), async () => {
        try {
          for (;;) {
            if (!(await progress_streams.has(PLAN))) return; // stream gone
            let msg: Msg;
            try {
              msg = await (await progress_streams.get(PLAN))!.get({ timeout: 1000 });
            } catch (e) {
              if (isNamed(e, 'QueueEmpty')) continue; // heartbeat, poll again
              throw e;
            }
            if (msg === null) return;
            if (c === 1) return; // Time 4: client 1 disconnects after its first message
          }
        } finally {
          await cleanupProgressStream(PLAN); // the SSE generator's cleanup on disconnect
        }
      }),
    );
  }
  await pipeline.join();
  for (const c of clients) await c.join();
}

/** fixed: one subscriber queue per client; the plan's entry goes when it ended and the last client left. */
async function subscriberBroker(t: ScenarioContext<{ clients: number; messages: number }>): Promise<void> {
  const _lock = t.lock('_lock');
  const subscribers = t.map<string, SharedQueue<Msg>[]>('subscribers', { missing: 'throw' });
  const finished = t.variable('finished', false);
  await subscribers.set(PLAN, []);

  const subscribe = (q: SharedQueue<Msg>): Promise<boolean> =>
    _lock.withLock(async () => {
      if (await finished.get()) return false; // plan already over: nothing to stream
      await subscribers.set(PLAN, [...(await subscribers.get(PLAN))!, q]);
      return true;
    });
  const unsubscribe = (q: SharedQueue<Msg>): Promise<void> =>
    _lock.withLock(async () => {
      const rest = (await subscribers.get(PLAN))!.filter((x) => x !== q);
      if (rest.length === 0 && (await finished.get())) await subscribers.pop(PLAN); // last client left
      else await subscribers.set(PLAN, rest);
    });
  const publish = (msg: Msg): Promise<void> =>
    _lock.withLock(async () => {
      const subs = (await subscribers.get(PLAN))!;
      for (const q of subs) await q.putNowait(msg);
      if (msg === null) {
        await finished.set(true);
        if (subs.length === 0) await subscribers.pop(PLAN);
      }
    });

  const published = Array.from({ length: t.params.messages }, (_, i) => `line ${i}`);
  const pipeline = t.spawn('pipeline', async () => {
    for (const m of published) await publish(m);
    await publish(null);
  });
  const received = new Map<number, { msgs: string[]; ended: boolean; subscribed: boolean }>();
  const clients = [];
  for (let c = 1; c <= t.params.clients; c++) {
    clients.push(
      t.spawn(clientName(c), async () => {
        const q = t.queue<Msg>(`subscriber_queue[${clientName(c)}]`);
        const mine = { msgs: [] as string[], ended: false, subscribed: await subscribe(q) };
        received.set(c, mine);
        if (!mine.subscribed) return;
        try {
          for (;;) {
            const msg = await q.get();
            if (msg === null) {
              mine.ended = true;
              return;
            }
            mine.msgs.push(msg);
            if (c === 1) return; // client 1 disconnects after its first message
          }
        } finally {
          await unsubscribe(q);
        }
      }),
    );
  }
  await pipeline.join();
  for (const c of clients) await c.join();
  for (const [c, r] of received) {
    if (c === 1 || !r.subscribed) continue;
    t.assert(r.ended, `${clientName(c)} never received the end of the stream`);
    const suffix = published.slice(published.length - r.msgs.length);
    t.assert(r.msgs.join('|') === suffix.join('|'), `${clientName(c)} missed messages: got [${r.msgs.join(', ')}] of [${published.join(', ')}]`);
  }
  t.assert(subscribers.peek().size === 0, `subscribers still holds ${[...subscribers.peek().keys()].join(', ')} after every client left`);
}

interface WebSocket {
  readonly name: string;
  readonly closed: SharedVar<boolean>;
  readonly inbox: SharedQueue<Msg>;
}

/** The audit's WebSocketManager (seed 001, "Thread-Safe WebSocket Solution", items 1-3). */
async function websocketManager(t: ScenarioContext<{ clients: number; messages: number }>): Promise<void> {
  const _connections = t.map<string, WebSocket[]>('_connections', { missing: 'throw' });
  const _lock = t.rlock('_lock'); // threading.RLock()

  const add_connection = (planId: string, ws: WebSocket): Promise<void> =>
    _lock.withLock(async () => {
      if (!(await _connections.has(planId))) await _connections.set(planId, []);
      await _connections.set(planId, [...(await _connections.get(planId))!, ws]);
    });
  const cleanup_plan = (planId: string): Promise<void> =>
    _lock.withLock(async () => {
      const connections = (await _connections.pop(planId)) ?? [];
      for (const ws of connections) await ws.inbox.putNowait(null); // asyncio.create_task(ws.close())
    });
  // Not shown by the audit: the direct version, under the lock.
  const _remove_connection = (planId: string, ws: WebSocket): Promise<void> =>
    _lock.withLock(async () => {
      const list = (await _connections.get(planId))!; // self._connections[plan_id]
      const i = list.indexOf(ws);
      if (i < 0) throw new ValueError('list.remove(x): x not in list');
      await _connections.set(planId, [...list.slice(0, i), ...list.slice(i + 1)]);
    });
  const send_json = async (ws: WebSocket, message: string): Promise<void> => {
    if (await ws.closed.get()) throw new WebSocketDisconnect(`${ws.name} is closed`);
    await ws.inbox.putNowait(message);
  };
  const broadcast_message = async (planId: string, message: string): Promise<void> => {
    const connections = await _lock.withLock(async () => ((await _connections.has(planId)) ? [...(await _connections.get(planId))!] : []));
    // Send outside lock to prevent deadlock
    for (const ws of connections) {
      try {
        await send_json(ws, message);
      } catch {
        await _remove_connection(planId, ws); // Handle disconnected clients
      }
    }
  };

  const sockets: WebSocket[] = [];
  for (let c = 1; c <= t.params.clients; c++) {
    const ws: WebSocket = { name: `ws-${c}`, closed: t.variable(`ws-${c}.closed`, false), inbox: t.queue<Msg>(`ws-${c}.inbox`) };
    sockets.push(ws);
    await add_connection(PLAN, ws); // Times 1-2: the clients connect
  }
  const clients = sockets.map((ws, i) =>
    t.spawn(`ws-client-${i + 1}`, async () => {
      for (;;) {
        const msg = await ws.inbox.get();
        if (msg === null) return; // closed by cleanup_plan
        if (i === 0) {
          await ws.closed.set(true); // client 1 disconnects after its first message
          return;
        }
      }
    }),
  );
  const pipeline = t.spawn('pipeline', async () => {
    const readers = ['stdout', 'stderr'].map((stream) =>
      t.spawn(`${stream}-reader`, async () => {
        for (let i = 0; i < t.params.messages; i++) await broadcast_message(PLAN, `${stream} line ${i}`);
      }),
    );
    for (const r of readers) await r.join();
    await cleanup_plan(PLAN);
  });
  await pipeline.join();
  for (const c of clients) await c.join();
}

/** Python's ValueError. */
class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** starlette's WebSocketDisconnect: a send on a socket the client closed. */
class WebSocketDisconnect extends Error {
  override readonly name = 'WebSocketDisconnect';
}
