import { EventEmitter } from 'node:events';
import type { FromWorker, PoolWorker, ToWorker } from './workPool.js';

interface Slot<I, R> {
  readonly thread: PoolWorker<I, R>;
  /** It said 'ready' (the scenario loaded). */
  ready: boolean;
  /** It exited or failed: never handed out again. */
  dead: boolean;
  /** The pool run it serves now, if any. */
  run: Attached<I, R> | null;
}

/** A thread of the group as one pool run sees it: its `terminate` only detaches the run. */
class Attached<I, R> extends EventEmitter implements PoolWorker<I, R> {
  constructor(private readonly slot: Slot<I, R>) {
    super();
  }
  postMessage(message: ToWorker<I>): void {
    this.slot.thread.postMessage(message);
  }
  terminate(): Promise<number> {
    if (this.slot.run === this) this.slot.run = null;
    return Promise.resolve(0);
  }
}

/**
 * Worker threads kept across several pool runs (pb: one run per preemption bound), so each
 * thread loads the scenario once, not once per bound (about a second for a .ts scenario).
 * A run gets a fresh `PoolWorker` per thread (`attach`); a thread that loaded already says
 * 'ready' again to the new run. `close` ends the threads.
 */
export class WorkerGroup<I, R> {
  private readonly slots: Slot<I, R>[] = [];

  constructor(private readonly start: () => PoolWorker<I, R>) {}

  /** A worker for one pool run: a free thread of the group, or a new one. */
  attach(): PoolWorker<I, R> {
    const slot = this.slots.find((s) => s.run === null && !s.dead) ?? this.started();
    const run = new Attached(slot);
    slot.run = run;
    // The pool listens once attach returns.
    if (slot.ready) setImmediate(() => slot.run === run && run.emit('message', { type: 'ready' } satisfies FromWorker<R>));
    return run;
  }

  /** Ends every thread. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }

  private started(): Slot<I, R> {
    const slot: Slot<I, R> = { thread: this.start(), ready: false, dead: false, run: null };
    slot.thread.on('message', (message) => {
      if (message.type === 'ready') slot.ready = true;
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
