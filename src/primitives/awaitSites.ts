import { promiseHooks } from 'node:v8';
import { scenarioLinesBelow } from '../runtime/location.js';

/**
 * Where the scenario's code awaits, for a stuck or leaking program of real code: every await (or
 * then) the scenario's own code made that never resumed (`stuck: ... main waits on a promise that
 * no step left to run settles`, then `2 awaits never resumed at src/bank.ts:40`).
 *
 * V8's promise hooks see every promise made by `await` or `.then` (one with a parent promise),
 * with the stack of the code that made it, and see its reaction start. Kept: those made by the
 * scenario's code itself (its frame innermost, not interleave's, Node's or a library's), whose
 * reaction never started when the execution stalls. Of a chain of async functions awaiting each
 * other, only the innermost wait is kept when the stack shows it: an outer await's line (`await
 * helper()` in main) appears as a caller in the async frames of the wait made inside that call
 * (helper's `await lock`). A library that chains with `then` instead of `await` hides its callers,
 * so both the outer and the inner line are kept (a lock held at one line and awaited at another
 * are both worth reading). Lines are compared, not columns: an await of `Promise.all([...])` and
 * the calls inside it are on one line. The awaits of the code that started the execution (a test's
 * `await replayTrace(...)`) wait for it, not in it: left out.
 *
 * On only in a run that records a stuck, leak or nondeterminism failure and in its replay
 * (ExecutionOptions.locateWaits): it captures a stack for every such promise. Made by RealCodeRun
 * when the execution enters real-code mode; `end` stops the hooks, whatever way the execution ends.
 */
export class AwaitSites {
  /** Each waiting promise made by the scenario's code: its frames, innermost first (`file:line`). */
  private readonly waiting = new Map<Promise<unknown>, readonly string[]>();
  /** What `promiseHooks.on*` returned: each stops its hook. */
  private readonly stops: (() => void)[];

  /** `starterLines`: the lines of the code that started the execution (Execution.starterLines), whose awaits are not the scenario's. */
  constructor(private readonly starterLines: readonly string[]) {
    const made = (promise: Promise<unknown>, parent: Promise<unknown> | undefined): void => {
      if (parent === undefined) return;
      // Made by the scenario's code itself (an await, a then), not inside interleave or a library.
      const lines = scenarioLinesBelow(made);
      if (lines !== null) this.waiting.set(promise, lines);
    };
    this.stops = [
      promiseHooks.onInit(made) as () => void,
      promiseHooks.onBefore((promise) => {
        this.waiting.delete(promise);
      }) as () => void,
    ];
  }

  /** The line of each await still waiting (see above), one entry each, in the order they were made (the same in every run of the schedule). */
  innermost(): string[] {
    const callers = new Set<string>();
    for (const lines of this.waiting.values()) for (let i = 1; i < lines.length; i++) callers.add(lines[i]!);
    const out: string[] = [];
    const starters = new Set(this.starterLines);
    for (const lines of this.waiting.values()) if (!callers.has(lines[0]!) && !starters.has(lines[0]!)) out.push(lines[0]!);
    return out;
  }

  end(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.waiting.clear();
  }
}
