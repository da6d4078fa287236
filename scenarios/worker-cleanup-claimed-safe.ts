import { defineScenario, param } from 'interleave';
import type { SharedQueue, SharedVar, TaskHandle } from 'interleave';
import fc from 'fast-check';

/**
 * Seed 002 (Qt Concurrency Architecture Assessment), "4. Worker Thread Lifecycle (SAFE)":
 *   def cleanup_worker(worker, timeout=5000):
 *       if hasattr(worker, "cancel"): worker.cancel()     # Stage 1
 *       worker.requestInterruption()                       # Stage 2
 *       worker.quit()                                      # Stage 3
 *       if not worker.wait(timeout):                       # Stage 4
 *           logger.warning("Worker unresponsive but NOT terminated")
 * and the claims "Deadlock Prevention: No deadlock scenarios identified ... Timeout protection
 * on all blocking operations", "Resource Cleanup: ... No memory leaks from retained threads",
 * "Memory Safety: No thread or process leaks". Its own "Minor Recommendations 1" shows workers
 * checking cancellation every 100 items.
 *
 * Qt semantics modelled: cancel() and requestInterruption() only set flags the worker must
 * poll; quit() only stops a thread's event loop (exec()), which a QThread subclass overriding
 * run() does not run, so it changes nothing; wait(ms) is a join with a timeout. Signals from a
 * worker to the GUI thread are queued (a put on the main event queue, never blocking).
 *
 * Workers (the audit names the kinds, not the code): `preview-worker` ("Real-time preview
 * generation") serves preview requests from a queue; `extraction-worker` ("VRAM extraction",
 * @handle_worker_errors) extracts items, checking cancellation every 100 items.
 */

type Params = { itemMs: number };

const CLEANUP_TIMEOUT = 5000;
const ITEMS = 300;
const CHECK_EVERY = 100;
const STOP = '<stop>';

interface QtWorker {
  readonly name: string;
  readonly handle: TaskHandle<unknown>;
  readonly _cancelled: SharedVar<boolean>;
  readonly _interruption_requested: SharedVar<boolean>;
  readonly _quit_requested: SharedVar<boolean>;
  /** The fixed preview worker's cancel() also wakes it with a sentinel request. */
  readonly requests?: SharedQueue<string>;
}

export default defineScenario<Params>({
  name: 'worker-cleanup-claimed-safe',
  description: 'WorkerManager.cleanup_worker: cancel, requestInterruption, quit, wait(5000), never terminate; the audit claims no deadlock and no thread leak',
  source: 'seed 002, Key Architectural Strengths 4: Worker Thread Lifecycle; Critical Threading Patterns 3 and 4',
  params: { itemMs: param(70, fc.integer({ min: 10, max: 100 }), 'time one extraction item takes (slow-items; a check every 100 items)') },
  variants: {
    buggy: {
      expect: 'leak',
      description: 'finding: an idle preview worker blocked in request_queue.get() sees none of the flags; wait(5000) times out; the thread is left blocked forever',
    },
    'slow-items': {
      expect: 'assertion',
      description: 'finding: an extraction worker checking every 100 items (audit recommendation) outlives wait(5000); cleanup returns with it running',
    },
    fixed: {
      expect: 'pass',
      description: 'cancel() also wakes the preview worker (sentinel), extraction checks every item: wait(5000) always succeeds',
    },
  },
  budget: { iterations: 100 },
  async run(t) {
    const variant = t.variant;
    const main_events = t.queue<string>('main_event_queue'); // the GUI thread's queued signals

    const newWorker = (name: string, body: (w: QtWorker) => Promise<void>, requests?: SharedQueue<string>): QtWorker => {
      const w = {
        name,
        _cancelled: t.variable(`${name}._cancelled`, false),
        _interruption_requested: t.variable(`${name}._interruption_requested`, false),
        _quit_requested: t.variable(`${name}._quit_requested`, false), // read by exec(), which run() never calls
        ...(requests !== undefined ? { requests } : {}),
      } as Omit<QtWorker, 'handle'>;
      const handle = t.spawn(name, () => body(w as QtWorker));
      return Object.assign(w, { handle }) as QtWorker;
    };
    const stopRequested = async (w: QtWorker): Promise<boolean> => (await w._cancelled.get()) || (await w._interruption_requested.get());

    /** WorkerManager.cleanup_worker, stage by stage. Returns wait()'s result. */
    const cleanup_worker = async (w: QtWorker, timeout = CLEANUP_TIMEOUT): Promise<boolean> => {
      await w._cancelled.set(true); // Stage 1: worker.cancel()
      if (variant === 'fixed' && w.requests !== undefined) await w.requests.put(STOP); //   ...which (fixed) also wakes a blocked worker
      await w._interruption_requested.set(true); // Stage 2: worker.requestInterruption()
      await w._quit_requested.set(true); // Stage 3: worker.quit(): no event loop to quit
      const started = t.now();
      const finished = await w.handle.join({ timeout }); // Stage 4: worker.wait(timeout)
      t.assert(t.now() - started <= timeout, `cleanup_worker(${w.name}) blocked longer than its timeout`); // the "no deadlock" claim
      return finished; // false: logger.warning("Worker unresponsive but NOT terminated")
    };

    const workers: QtWorker[] = [];
    if (variant === 'buggy' || variant === 'fixed') {
      const request_queue = t.queue<string>('request_queue');
      workers.push(
        newWorker(
          'preview-worker',
          async (w) => {
            for (;;) {
              if (await stopRequested(w)) return;
              const request = await request_queue.get(); // blocks while idle: no flag can wake it
              if (request === STOP || (await stopRequested(w))) return;
              await t.sleep(30); // render the preview (PIL image)
              await main_events.put(`preview_image_ready(${request})`); // queued connection
            }
          },
          request_queue,
        ),
      );
      await request_queue.put('sprite-0x1000');
      await main_events.get(); // the GUI shows the preview; the worker goes idle
    }
    if (variant === 'slow-items' || variant === 'fixed') {
      const every = variant === 'fixed' ? 1 : CHECK_EVERY;
      workers.push(
        newWorker('extraction-worker', async (w) => {
          // @handle_worker_errors("VRAM extraction") def run(self): ...
          for (let i = 0; i < ITEMS; i++) {
            if (i % every === 0 && (await stopRequested(w))) return; // check_cancellation()
            await t.sleep(t.params.itemMs);
          }
          await main_events.put('extraction_finished');
        }),
      );
      await t.sleep(1000); // the user closes the window a second into the extraction
    }

    // Application exit: WorkerManager cleans up every worker.
    for (const w of workers) {
      const stopped = await cleanup_worker(w);
      const alive = await w.handle.isAlive();
      // "No memory leaks from retained threads": after cleanup the thread must be gone. In buggy the
      // check is left to interleave's end-of-run leak detection, which also names what the
      // thread is blocked on.
      t.assert(!alive || variant === 'buggy', `thread leak: ${w.name} still running after cleanup_worker returned (wait(${CLEANUP_TIMEOUT}) -> ${stopped}; not terminated, no longer tracked)`);
    }
    // buggy: main returns here; interleave reports the preview worker still blocked as a leak.
  },
});
