import { defineScenario, param } from 'interleave';
import fc from 'fast-check';

/**
 * Node-graph editor, ExecutionEngine signalling (seed 000, §2.2 "Deadlock Risk"):
 * `nodeOutputChanged` is emitted from QThreadPool workers over a `Qt::BlockingQueuedConnection`:
 * the worker posts the slot call to the GUI thread's event queue and blocks until the GUI
 * thread's event loop has run it. If the GUI thread is itself blocked, e.g. in
 * `m_threadPool.waitForDone()` when the user stops the pipeline or closes the window, neither
 * can proceed.
 *
 * How the GUI thread is modelled: a blocking queued call needs the GUI thread to be in its event
 * loop, so the lock `GUI thread` stands for "the GUI thread is running code outside its event
 * loop". The GUI thread holds it while it runs a handler (runPipeline, stop); a worker's blocking
 * emit acquires it to have the slot run on the GUI thread, and releases it when the slot
 * returns. The wait-for edge worker -> main is then exactly Qt's: the emitter waits for the GUI
 * thread. The slot reads the node's output from `m_dataLake` under `m_dataLakeLock` (the
 * QReadWriteLock §2.2 calls well protected), as `ExecutionEngine::nodeOutput()` does.
 *
 * fixed: §4 item 3: `QueuedConnection`: the worker posts the event and continues; the GUI thread
 * runs the slots when its event loop next turns (after waitForDone returns).
 */

export default defineScenario({
  name: 'blocking-queued-signal',
  description: 'pool workers emit nodeOutputChanged over a BlockingQueuedConnection while the GUI thread blocks in waitForDone()',
  source: 'seed 000, §2.2 (fix: §4 item 3)',
  params: {
    workers: param(2, fc.integer({ min: 1, max: 3 }), 'QThreadPool maxThreadCount; one node per worker'),
  },
  variants: {
    buggy: { expect: 'deadlock', description: 'BlockingQueuedConnection: a worker waits for the GUI thread, which waits in waitForDone() for the worker' },
    fixed: { expect: 'pass', description: 'QueuedConnection: the worker posts the slot call and returns; the GUI thread runs it when its event loop turns' },
  },
  budget: { iterations: 300 },
  async run(t) {
    const blocking = t.variant === 'buggy';
    const gui = t.lock('GUI thread'); // held while the GUI thread runs code outside its event loop
    const m_threadPool = t.pool('QThreadPool', { workers: t.params.workers });
    const m_dataLake = t.map<string, string>('m_dataLake');
    const m_dataLakeLock = t.rwlock('m_dataLakeLock');
    const eventQueue = t.queue<string>('GUI event queue'); // posted QMetaCallEvents (fixed)
    const shown: string[] = [];

    // The slot connected to nodeOutputChanged: runs on the GUI thread, reads the output.
    const onNodeOutputChanged = async (nodeId: string): Promise<void> => {
      const out = await m_dataLakeLock.withRead(() => m_dataLake.get(nodeId));
      shown.push(`${nodeId}=${out}`);
    };

    const nodes = Array.from({ length: t.params.workers }, (_, i) => `node-${i + 1}`);
    const execute = (nodeId: string) => async (): Promise<void> => {
      await t.yield(); // the node's script runs
      await m_dataLakeLock.withWrite(() => m_dataLake.set(nodeId, `output of ${nodeId}`));
      // emit nodeOutputChanged(nodeId)
      if (blocking) await gui.withLock(() => onNodeOutputChanged(nodeId)); // BlockingQueuedConnection
      else await eventQueue.putNowait(nodeId); // QueuedConnection: post and return
    };

    // runPipeline(), a handler on the GUI thread.
    await gui.withLock(async () => {
      for (const n of nodes) await m_threadPool.submit(n, execute(n));
    });
    await t.yield(); // back in the event loop for a while
    // The user stops the pipeline (or closes the window): ExecutionEngine::stop() on the GUI thread.
    await gui.withLock(() => m_threadPool.shutdown()); // m_threadPool.waitForDone()
    // The event loop turns again: posted slot calls run.
    while (!(await eventQueue.empty())) await onNodeOutputChanged(await eventQueue.getNowait());
    t.assert(shown.length === nodes.length, `the GUI showed ${shown.length} of ${nodes.length} node outputs`);
  },
});
