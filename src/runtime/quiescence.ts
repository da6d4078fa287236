import { AsyncResource, executionAsyncId } from 'node:async_hooks';
import { nextTick } from 'node:process';
import { setImmediate } from 'node:timers';

const RESOLVED = Promise.resolve();

/**
 * Node's `runNextTicks` (`process._tickCallback`, a documentation-only deprecation, DEP0134):
 * when a promise was rejected with no handler, or a tick is queued, it runs what the end of the
 * tick queue's pass would (`processTicksAndRejections`: the ticks, the microtasks, then the
 * `unhandledRejection` events); otherwise it only drains the (empty) microtask queue. Without it
 * no step ends at the drain.
 */
const runNextTicks = (process as unknown as { _tickCallback?: unknown })._tickCallback;
const flush: (() => void) | null = typeof runNextTicks === 'function' ? (runNextTicks as () => void) : null;

/**
 * A new async id: the process's counter of async resources (ticks, timers, handles, requests)
 * moves by one. Taken by the execution when it begins (Execution.begin), for its first step.
 */
export function newAsyncId(): number {
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
 *   the step started, or for the first step when the execution began, and a new probe is one
 *   past it), the step created none of them. One more
 *   thing happens at the end of a pass of the tick queue: promises rejected with no handler are
 *   reported (`unhandledRejection`), before a later step could handle them. `flush` has Node do
 *   that now. Then the process is exactly as quiet as a macrotask would find it.
 * - **At a macrotask.** Otherwise (the code used a tick, `queueMicrotask`, a real timer, I/O, or
 *   async hooks number promises too), a `setImmediate` waits for the event loop's next turn, as
 *   every step did before. So does a step after which `wantsTurn` says the execution may stall
 *   (nothing enabled, some task unfinished): stuck, deadlock, outside waits and virtual time
 *   moving are judged after a turn of the event loop, as before; a clean end is not.
 *
 * So the fast path only ever ends a step at a point where a `setImmediate` would have found
 * nothing more to run in between; it saves the event loop's turn (an `epoll` call, the timer and
 * check phases), which was most of a real-code step's cost.
 */
export class Quiescence {
  private armed = false;
  /** The newest async id as of the probe taken just before the running step started. */
  private probe: number;
  /** Steps ended at the drain and at a macrotask, for the tests and the bench. */
  readonly ended = { atDrain: 0, atMacrotask: 0 };

  /**
   * `quiet` runs the next step (it may `arm` again); `wantsTurn` says the step about to run
   * should wait for the event loop (the execution may stall); `drained` is told as soon as the
   * step's microtasks have run, before anything else may. All called only from here.
   * `probe` is `newAsyncId()` taken when the execution began, before any of its code ran.
   */
  constructor(
    private readonly quiet: () => void,
    private readonly wantsTurn: () => boolean,
    probe: number,
    private readonly drained: () => void = () => undefined,
  ) {
    this.probe = probe;
  }

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
    // No id is taken: `drained` only says the step's microtasks are over (src/primitives/timerGlobals.ts).
    this.drained();
    const now = newAsyncId();
    if (flush !== null && tick === this.probe + 1 && now === tick + 1 && !this.wantsTurn()) {
      // A promise the step rejected and left unhandled is reported now, as it would be before a
      // macrotask (a later step may handle it; Node would have reported it by then).
      try {
        flush();
      } catch (error) {
        setImmediate(this.turn$);
        throw error;
      }
      const after = newAsyncId();
      if (after !== now + 1) {
        // A listener of those events started something: wait for it as for any other.
        setImmediate(this.turn$);
        return;
      }
      this.probe = after;
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
