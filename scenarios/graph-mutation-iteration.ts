import { defineScenario, param } from 'interleave';
import type { RwLock, SharedMap } from 'interleave';
import fc from 'fast-check';

/**
 * Node-graph editor, parallel node execution (seed 000, §2.1 NodeGraphModel and §2.2
 * ExecutionEngine). `NodeGraphModel` (a `QtNodes::DataFlowGraphModel`) keeps the topology in
 * `_connections` and `_models`, with no lock. After a node finishes, `handleTaskCompleted` runs
 * on the worker thread and walks `allConnectionIds(nodeId)` (an iteration over `_connections`)
 * and `delegateModel(downstream)` (a lookup in `_models`), while the UI thread deletes a
 * connection or a node. Iterating a `std::unordered_set` that another thread erases from is
 * iterator invalidation; the model's `iterate()` raises IteratorInvalidated at that point.
 *
 * Variants (the §4 roadmap):
 * - buggy: no lock.
 * - read-lock-per-query: §4 item 1 taken literally: each topological query (`allConnectionIds`,
 *   `delegateModel`) takes the `QReadWriteLock` for reading on its own; UI edits take it for
 *   writing. The iteration is safe, but between the two queries the UI can delete the
 *   downstream node: `delegateModel` returns nullptr for a connection the worker just got.
 * - fixed: the worker holds the read lock across the whole of `handleTaskCompleted`.
 * - snapshot: §4 item 2: `runPipeline()` copies the topology under the read lock at the start;
 *   workers only use the snapshot and never query the model.
 */

interface Connection {
  readonly out: string;
  readonly in: string;
}

interface Model {
  readonly nodes: SharedMap<string, string>; // _models: NodeId -> NodeDelegateModel
  readonly connections: SharedMap<string, Connection>; // _connections
  readonly lock: RwLock; // NodeGraphModel's QReadWriteLock (fixed variants)
}

type Variant = 'buggy' | 'read-lock-per-query' | 'fixed' | 'snapshot';

export default defineScenario({
  name: 'graph-mutation-iteration',
  description: 'ExecutionEngine workers walk the NodeGraphModel topology while the UI thread deletes a node and its connections',
  source: 'seed 000, §2.1 (and the §4 roadmap)',
  params: {
    workers: param(2, fc.integer({ min: 1, max: 3 }), 'QThreadPool workers, each finishing one source node'),
  },
  variants: {
    buggy: { expect: 'exception', description: 'no lock: the UI erases from _connections while a worker iterates allConnectionIds()' },
    'read-lock-per-query': {
      expect: 'exception',
      description: 'finding: a read lock around each query alone leaves a gap: delegateModel() returns nullptr for a node deleted after allConnectionIds()',
    },
    fixed: { expect: 'pass', description: 'QReadWriteLock held for reading across handleTaskCompleted; UI edits take it for writing' },
    snapshot: { expect: 'pass', description: 'runPipeline() snapshots the topology under the read lock; workers never query the live model' },
  },
  budget: { iterations: 300 },
  async run(t) {
    const variant = t.variant as Variant;
    // The graph: source nodes src-1..n all feed the `sink` node, which the UI deletes.
    const m: Model = {
      nodes: t.map('_models', { missing: 'throw' }),
      connections: t.map('_connections', { missing: 'throw' }),
      lock: t.rwlock('NodeGraphModel._lock'),
    };
    const sources = Array.from({ length: t.params.workers }, (_, i) => `src-${i + 1}`);
    for (const s of sources) await m.nodes.set(s, `ScriptNode(${s})`);
    await m.nodes.set('sink', 'DisplayNode(sink)');
    await m.nodes.set('viewer', 'DisplayNode(viewer)');
    for (const s of sources) await m.connections.set(`${s}->sink`, { out: s, in: 'sink' });
    await m.connections.set('sink->viewer', { out: 'sink', in: 'viewer' });

    const readLocked = async <T>(fn: () => Promise<T>): Promise<T> => (variant === 'buggy' ? fn() : m.lock.withRead(fn));

    // allConnectionIds(nodeId): a walk over _connections.
    const allConnectionIds = async (nodeId: string): Promise<[string, Connection][]> => {
      const out: [string, Connection][] = [];
      for await (const [id, c] of m.connections.iterate()) if (c.out === nodeId) out.push([id, c]);
      return out;
    };
    // delegateModel(nodeId): `_models.find(id)`, nullptr when the node is gone.
    const delegateModel = async (nodeId: string): Promise<string | null> => ((await m.nodes.has(nodeId)) ? (await m.nodes.get(nodeId))! : null);

    // runPipeline(): the snapshot variant copies the topology first (§4 item 2).
    const snapshot = variant === 'snapshot' ? await m.lock.withRead(async () => ({ connections: await m.connections.entries(), nodes: new Map(await m.nodes.entries()) })) : null;

    const scheduled: string[] = [];
    // ExecutionEngine::handleTaskCompleted(nodeId), on the worker thread.
    const handleTaskCompleted = async (nodeId: string): Promise<void> => {
      if (snapshot !== null) {
        for (const [, c] of snapshot.connections) if (c.out === nodeId) scheduled.push(`${c.in}:${snapshot.nodes.get(c.in)!}`);
        return;
      }
      const walk = async (): Promise<void> => {
        const conns = variant === 'read-lock-per-query' ? await readLocked(() => allConnectionIds(nodeId)) : await allConnectionIds(nodeId);
        for (const [, c] of conns) {
          const model = variant === 'read-lock-per-query' ? await readLocked(() => delegateModel(c.in)) : await delegateModel(c.in);
          if (model === null) throw new NullDereference(`delegateModel(${c.in}) returned nullptr for a connection allConnectionIds(${nodeId}) just returned`);
          scheduled.push(`${c.in}:${model}`);
        }
      };
      if (variant === 'fixed') await m.lock.withRead(walk);
      else await walk();
    };

    const workers = sources.map((s, i) =>
      t.spawn(`worker-${i + 1}`, async () => {
        await t.yield(); // execute(s): the node's script runs
        await handleTaskCompleted(s);
      }),
    );
    // UI thread: the user deletes the sink node (deleteNode removes its connections, then the node).
    const ui = t.spawn('ui', async () => {
      const edit = async (): Promise<void> => {
        for (const id of [...sources.map((s) => `${s}->sink`), 'sink->viewer']) await m.connections.delete(id);
        await m.nodes.delete('sink');
      };
      if (variant === 'buggy') await edit();
      else await m.lock.withWrite(edit);
    });
    for (const w of workers) await w.join();
    await ui.join();
  },
});

/** A C++ null pointer dereference (the worker uses the nullptr `delegateModel` returned). */
class NullDereference extends Error {
  override readonly name = 'NullDereference';
}
