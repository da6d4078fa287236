import type { StrategyInfo } from '../replay.js';
import type { Target } from '../run.js';
import type { ExecutionResult } from '../runtime/execution.js';
import type { Failure } from '../runtime/failure.js';
import type { Trace } from '../trace/schema.js';
import { compareWithReplay } from './determinism.js';

/**
 * The determinism check's second look (`--check-determinism`). Replaying each execution right
 * after itself misses state that survives between executions and changes with a period the
 * check keeps in step with: a module-level flag that flips every 2 executions is the same for a
 * recording (an even run) and its replay (the odd run after it), every time. So each passing
 * execution, already replayed once right after its recording, is also kept in a window and,
 * when the window is full, replayed once more, the window's last execution first: every
 * execution is then compared at distances that differ from one execution to the next. Window
 * sizes cycle through 8, 9, 10 so that the window never settles into a period of its own
 * either (checked against every flag flipping every m < 60 runs, every k-th run special for
 * k < 80, and every pattern of period up to 10, at every phase). What it cannot see: state that
 * changes once, between two windows (a cache warmed by then); a failure found is, in addition,
 * replayed from a freshly loaded module before it is saved.
 *
 * Windows count from a block's first execution (explore restarts them at each block boundary,
 * as src/parallel/block.ts does with a new instance per block), so a split run checks alike.
 * A window is also replayed before a failure is reported (its executions come first by index)
 * and at the end of a block. Costs one more execution per checked execution.
 */
export class LateReplays {
  private kept: { readonly index: number; readonly result: ExecutionResult }[] = [];
  private window = 0;

  constructor(
    private readonly target: Target<object>,
    private readonly info: (index: number) => StrategyInfo,
  ) {}

  /** Keeps passing execution `index`; when its window is full, replays the window (see `flush`). */
  add(index: number, result: ExecutionResult): Promise<LateDifference | null> {
    this.kept.push({ index, result });
    return this.kept.length >= WINDOW_SIZES[this.window % WINDOW_SIZES.length]! ? this.flush() : Promise.resolve(null);
  }

  /**
   * Replays every kept execution once more, the last kept first, compares each with its
   * recording and starts a new window. Returns the difference of the earliest execution by
   * index, or null when they all agree.
   */
  async flush(): Promise<LateDifference | null> {
    const kept = this.kept;
    this.kept = [];
    this.window++;
    if (kept.length === 0) return null;
    const last = kept[kept.length - 1]!.index;
    let first: LateDifference | null = null;
    for (let k = kept.length - 1; k >= 0; k--) {
      const { index, result } = kept[k]!;
      const when = `replayed again after execution ${last}: state kept between executions, such as a module-level variable?`;
      const nd = await compareWithReplay(this.target, this.info(index), result, when);
      if (nd !== null) first = { index, ...nd };
    }
    return first;
  }

  /** Forgets the window (a block boundary: the next window starts there). */
  async restart(): Promise<LateDifference | null> {
    const found = await this.flush();
    this.window = 0;
    return found;
  }
}

/** An execution that ran differently when replayed later: the `nondeterminism` failure and its trace. */
export interface LateDifference {
  readonly index: number;
  readonly failure: Failure;
  readonly trace: Trace;
}

const WINDOW_SIZES = [8, 9, 10] as const;
