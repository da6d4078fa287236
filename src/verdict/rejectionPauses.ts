import { setImmediate } from 'node:timers';
import { runExecution, type Target } from '../run.js';
import { UsageError } from '../runtime/errors.js';
import { isInstance } from '../runtime/thrown.js';
import type { UnhandledRejections } from '../runtime/unhandled.js';
import { DEFAULT_BLOCK_SIZE } from '../partition.js';
import type { SeriesResult } from '../series.js';
import type { Strategy } from '../runtime/strategy.js';

/** A failing execution of a series, or null. */
type Failed = SeriesResult['failed'];

/** What a pause found: the execution that left a rejection, and the counts as if the series had stopped there. */
export interface Rejected {
  readonly failed: NonNullable<Failed>;
  /** Executions from the first one watched up to and including `failed`. */
  readonly executions: number;
  readonly steps: number;
}

/**
 * The pauses of executions run back to back (`explore`'s series, a block of a split run):
 * where Node reports the promises the scenario left rejected. Node reports them only once the
 * microtask queue drains, after the execution that made them ended, so a pause that saw one
 * runs again, one at a time, the executions since the previous pause and the first that fails
 * on its own is the failure: the execution index, counts and trace do not depend on when the
 * pauses fell, nor on how the executions were split among workers and shards.
 *
 * Made by `explore` (src/explore.ts) and `runBlock` (src/parallel/block.ts) with the index of
 * their first execution, which starts a block (DEFAULT_BLOCK_SIZE, or the strategy's own), and `strategyAt`, which
 * gives the strategy as it was at a block start (a fresh one for a named strategy).
 */
export class RejectionPauses {
  /** The first execution not yet known to have left no rejection. */
  private checkedFrom: number;
  /** Steps of the executions before `checkedFrom`. */
  private checkedSteps = 0;

  constructor(
    private readonly target: Target<object>,
    private readonly strategyAt: () => Strategy,
    private readonly first: number,
    private readonly rejections: UnhandledRejections,
    /** Where the strategy starts afresh: every `blockSize` executions from `first` (src/partition.ts, `learningBlock`). */
    private readonly blockSize: number = DEFAULT_BLOCK_SIZE,
  ) {
    this.checkedFrom = first;
  }

  /**
   * A pause after the executions before `next` ran (`steps` in all, `failed` the first that
   * failed, if any): one macrotask, then, if a rejection came, the first execution since the
   * last pause that leaves one, when it comes before `failed`; else null. Throws a usage error
   * the scenario left rejected (an operation called after its execution ended).
   */
  async pause(failed: Failed, next: number, steps: number): Promise<Rejected | null> {
    await new Promise((r) => setImmediate(r));
    const rejected = this.rejections.pending ? await this.firstRejecting(failed?.index ?? next - 1) : null;
    const found = rejected === null ? null : { failed: rejected.failed, executions: rejected.failed.index - this.first + 1, steps: this.checkedSteps + rejected.steps };
    this.checkedFrom = next;
    this.checkedSteps = found?.steps ?? steps;
    return found;
  }

  /**
   * The first execution in [checkedFrom, to] that fails when run on its own, one at a time, each
   * followed by a pause for Node to report rejections (`runExecution`). Runs from the start of
   * `checkedFrom`'s block with the strategy as at a block start, as the series did, so PCT
   * repeats its executions; null when none fails alone (the rejection is left to the CLI's report).
   */
  private async firstRejecting(to: number): Promise<{ failed: NonNullable<Failed>; steps: number } | null> {
    // An operation called after its execution ended, from a promise callback, is the scenario's misuse.
    const misuse = this.rejections.take().find((r) => isInstance(r, UsageError));
    if (misuse !== undefined) throw misuse;
    const from = this.checkedFrom;
    let strategy = this.strategyAt();
    let steps = 0;
    const start = from - ((from - this.first) % this.blockSize);
    for (let k = start; k <= to; k++) {
      if (k > start && (k - this.first) % this.blockSize === 0) strategy = this.strategyAt();
      const result = await runExecution(this.target, strategy, k, false);
      if (k < from) continue;
      steps += result.steps;
      if (result.failure !== null) return { failed: { index: k, result }, steps };
    }
    return null;
  }
}
