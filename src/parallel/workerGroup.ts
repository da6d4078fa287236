import { setImmediate } from 'node:timers';
import { EventEmitter } from 'node:events';
import { startWorker } from './startWorker.js';
import type { FromWorker, PoolWorker, ToWorker } from './workPool.js';

/** A thread as the group keeps it: what it was set up for last, and which pool run it serves. */
interface Slot {
  readonly thread: PoolWorker<unknown, unknown>;
  /** The setup it runs items for (the same object for the rounds of one search). */
  setup: object;
  /** It said 'ready' for that setup (its scenario loaded). */
  ready: boolean;
  /** It exited or failed, or was left running an item: never handed out again. */
  dead: boolean;
  /** The pool run it serves now, if any. */
  run: Attached | null;
}

/** A thread of the group as one pool run sees it: its `terminate` only detaches the run. */
class Attached extends EventEmitter implements PoolWorker<unknown, unknown> {
  /** Items sent and not answered yet. */
  private outstanding = 0;

  constructor(private readonly slot: Slot) {
    super();
    this.on('message', (m: FromWorker<unknown>) => {
      if (m.type === 'result') this.outstanding--;
    });
  }

  postMessage(message: ToWorker<unknown>): void {
    if (message.type === 'run') this.outstanding++;
    this.slot.thread.postMessage(message);
  }

  terminate(): Promise<number> {
    if (this.slot.run !== this) return Promise.resolve(0);
    this.slot.run = null;
    // A run that ended on an error may leave an item running: the thread is not reused.
    if (this.outstanding > 0 && !this.slot.dead) {
      this.slot.dead = true;
      return this.slot.thread.terminate();
    }
    return Promise.resolve(0);
  }
}

/**
 * Worker threads kept across several pool runs: the rounds of one pb search, and the variants
 * of one `run` command. A thread started for one run is set up again for the next (a message,
 * answered with 'ready' once that run's scenario is loaded, which the loader keeps), so a run
 * after the first needs no thread start-up (~0.3 s for a .ts scenario, up to ~0.7 s while the
 * other CPU is busy) and finds the JIT warm. `close` ends the threads.
 */
export class WorkerGroup {
  private readonly slots: Slot[] = [];

  /** `start` makes a thread for a setup: node's Worker, or a stand-in in tests. */
  constructor(private readonly start: (setup: object) => PoolWorker<unknown, unknown> = startWorker) {}

  /** A worker for one pool run with `setup`: a free thread of the group, set up for it, or a new one. */
  attach<I, R>(setup: object): PoolWorker<I, R> {
    const free = this.slots.filter((s) => s.run === null && !s.dead);
    const slot = free.find((s) => s.setup === setup) ?? free[0] ?? this.started(setup);
    const run = new Attached(slot);
    slot.run = run;
    // Another run's setup: set up again (a message; the worker's loader keeps its modules).
    if (slot.setup !== setup) {
      slot.setup = setup;
      slot.ready = false;
      slot.thread.postMessage({ type: 'setup', setup });
    } else if (slot.ready) {
      // The pool listens once attach returns.
      setImmediate(() => slot.run === run && run.emit('message', { type: 'ready' } satisfies FromWorker<R>));
    }
    return run as unknown as PoolWorker<I, R>;
  }

  /** Ends every thread. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }

  private started(setup: object): Slot {
    const slot: Slot = { thread: this.start(setup), setup, ready: false, dead: false, run: null };
    slot.thread.on('message', (message) => {
      if (message.type === 'ready') slot.ready = true;
      // A thread that could not set up (its scenario did not load) or hit a bug is not reused.
      if (message.type === 'error') slot.dead = true;
      slot.run?.emit('message', message);
    });
    slot.thread.on('error', (error) => {
      slot.dead = true;
      slot.run?.emit('error', error);
    });
    slot.thread.on('exit', (code) => {
      slot.dead = true;
      slot.run?.emit('exit', code);
    });
    this.slots.push(slot);
    return slot;
  }
}
