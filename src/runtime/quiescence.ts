import { AsyncResource, executionAsyncId } from 'node:async_hooks';
import { nextTick } from 'node:process';
import { setImmediate } from 'node:timers';

const RESOLVED = Promise.resolve();

/** A new async id: the process's counter of async resources (ticks, timers, handles, requests) moves by one. */
function newAsyncId(): number {
  return new AsyncResource('INTERLEAVE_QUIET_PROBE', { requireManualDestroy: true }).asyncId();
}

/**
 * When a step of real code is over (docs/real-code.md, "When a step ends"): the microtask queue
 * has drained and nothing else the step started is waiting to run in this process. Used by the
 * execution in real-code mode, which calls `arm` when a step starts and is called back once.
 *
 * Two ways to know, the cheap one first:
 *
 * - **At the drain.** `arm` queues a promise reaction that queues a `process.nextTick`. Node runs
 *   ticks only once the microtask queue is empty (`processTicksAndRejections`: ticks, then
 *   microtasks to the end, then the ticks queued meanwhile), so the tick runs after a drain. What
 *   could still be pending then is the work of *other* ticks (theirs run first, their
 *   microtasks after ours) and of timers, immediates and I/O. Every one of those is an async
 *   resource, and Node numbers each new one with the next async id. So if the only ids
 *   allocated since the step started are our tick's own (its id is one past the probe taken when
 *   the step started, and a new probe is one past it), the step created none of them: the
 *   process is exactly as quiet as a macrotask would find it.
 * - **At a macrotask.** Otherwise (the code used a tick, `queueMicrotask`, a real timer, I/O, or
 *   async hooks number promises too), a `setImmediate` waits for the event loop's next turn, as
 *   every step did before. So does a step after which `wantsTurn` says the execution may stall
 *   (nothing enabled): stalls and ends are judged after a turn of the event loop, as before.
 *
 * So the fast path only ever ends a step at a point where a `setImmediate` would have found
 * nothing more to run in between; it saves the event loop's turn (an `epoll` call, the timer and
 * check phases), which was most of a real-code step's cost.
 */
export class Quiescence {
  private armed = false;
  /** The newest async id as of the probe taken just before the running step started (-2: none yet). */
  private probe = -2;
  /** Steps ended at the drain and at a macrotask, for the tests and the bench. */
  readonly ended = { atDrain: 0, atMacrotask: 0 };

  /**
   * `quiet` runs the next step (it may `arm` again); `wantsTurn` says the step about to run
   * should wait for the event loop (the execution may stall). Both called only from here.
   */
  constructor(
    private readonly quiet: () => void,
    private readonly wantsTurn: () => boolean,
  ) {}

  /** Calls `quiet` once the step running now is over. Idempotent until then. */
  arm(): void {
    if (this.armed) return;
    this.armed = true;
    void RESOLVED.then(this.drained$);
  }

  // A promise reaction, not queueMicrotask: Node gives each queueMicrotask an async id.
  private readonly drained$ = (): void => {
    nextTick(this.tick$);
  };

  private readonly tick$ = (): void => {
    const tick = executionAsyncId();
    const now = newAsyncId();
    if (tick === this.probe + 1 && now === tick + 1 && !this.wantsTurn()) {
      this.probe = now;
      this.armed = false;
      this.ended.atDrain++;
      this.quiet();
      return;
    }
    setImmediate(this.turn$);
  };

  private readonly turn$ = (): void => {
    this.probe = newAsyncId();
    this.armed = false;
    this.ended.atMacrotask++;
    this.quiet();
  };
}
