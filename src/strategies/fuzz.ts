import { Alea } from './alea.js';
import { ReadsFrom } from './readsFrom.js';
import type { Operation, TaskView } from '../runtime/operation.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/** Tells fuzz's numbers apart from the other strategies' for the same seed. */
const FUZZ_STREAM = 4;
/** Share of executions that are fresh random walks even when the corpus has seeds. */
const FRESH = 0.2;

/** What the fuzzer has learnt so far (for the summary and tests). */
export interface FuzzCoverage {
  /** Distinct reads-from pairs and hand-overs seen: (the event that last wrote an object or key, the event that then accessed it). */
  readonly pairs: number;
  /** Decision lists kept because their execution produced a pair never seen before. */
  readonly corpus: number;
}

/**
 * The start of a feedback-guided schedule fuzzer (reads-from fuzzing, Meng et al., "Greybox
 * Fuzzing for Concurrency Testing", ASPLOS 2024). Coverage is the set of reads-from pairs
 * (src/strategies/readsFrom.ts). An execution that adds a pair keeps its decision list in the
 * corpus. Each execution is either a fresh random walk (a fifth of them, and all while the corpus
 * is empty) or a mutation: a corpus entry replayed up to a point drawn at random, another enabled
 * task chosen there, then a random walk.
 *
 * Called by Execution (Strategy). Executions are learnt from at the next `beginExecution` (the
 * interface has no end hook), so a strategy learns only from the executions it ran itself, in
 * order: the same seed gives the same corpus and schedules. Not yet: energy per seed, tracked
 * accesses in the coverage.
 */
export class FuzzStrategy implements Strategy {
  readonly name = 'fuzz';
  private readonly rng: Alea;
  private readonly readsFrom = new ReadsFrom();
  private readonly corpus: number[][] = [];
  /** This execution's decisions (task ids and chosen values, in order). */
  private decisions: number[] = [];
  /** This execution found a pair never seen before. */
  private fresh = false;
  /** The mutation being run: replay `prefix`, then choose differently at its end. */
  private prefix: readonly number[] = [];

  constructor(seed: number) {
    this.rng = new Alea(seed, FUZZ_STREAM);
  }

  beginExecution(index: number): void {
    if (this.fresh) this.corpus.push(this.decisions);
    this.rng.start(index);
    this.decisions = [];
    this.fresh = false;
    this.readsFrom.beginExecution();
    this.prefix = [];
    if (this.corpus.length > 0 && this.rng.next() >= FRESH) {
      const parent = this.corpus[Math.floor(this.rng.next() * this.corpus.length)]!;
      this.prefix = parent.slice(0, Math.floor(this.rng.next() * parent.length) + 1);
    }
  }

  get coverage(): FuzzCoverage {
    return { pairs: this.readsFrom.pairs.size, corpus: this.corpus.length };
  }

  /** The pairs seen so far (for a run's total over its blocks, RunCoverage). */
  get pairs(): ReadonlySet<string> {
    return this.readsFrom.pairs;
  }

  chooseTask(view: SchedulingView): number {
    const enabled = view.enabled;
    const at = this.decisions.length;
    let i: number;
    if (enabled.length === 1) i = 0;
    else if (at < this.prefix.length - 1) {
      // Replaying the parent: its task if it can run here, else any.
      i = enabled.findIndex((t) => t.id === this.prefix[at]);
      if (i < 0) i = this.random(enabled.length);
    } else if (at === this.prefix.length - 1) {
      // The mutation point: any enabled task but the parent's.
      const parent = enabled.findIndex((t) => t.id === this.prefix[at]);
      i = this.random(parent < 0 ? enabled.length : enabled.length - 1);
      if (parent >= 0 && i >= parent) i++;
    } else i = this.random(enabled.length);
    this.decisions.push(enabled[i]!.id);
    return i;
  }

  chooseValue(n: number): number {
    const at = this.decisions.length;
    const want = at < this.prefix.length - 1 ? this.prefix[at]! : -1;
    const v = want >= 0 && want < n ? want : n === 1 ? 0 : this.random(n);
    this.decisions.push(v);
    return v;
  }

  observe(task: TaskView, op: Operation): void {
    if (this.readsFrom.observe(task, op)) this.fresh = true;
  }

  private random(n: number): number {
    return Math.floor(this.rng.next() * n);
  }
}

/**
 * The coverage of a fuzz run: the fuzzer starts afresh at every block of executions (as each
 * block of a split run does, src/parallel/block.ts), so a run's pairs are the union of its
 * blocks' and its corpus the sum. Called by explore's sampling loop with each strategy it
 * retires; reported in the run's summary and `--json` (`sampling.fuzz`).
 */
export class RunCoverage {
  private readonly seen = new Set<string>();
  private corpus = 0;

  /** Adds what `strategy` learnt, if it is a fuzzer. */
  add(strategy: Strategy): void {
    if (!(strategy instanceof FuzzStrategy)) return;
    for (const pair of strategy.pairs) this.seen.add(pair);
    this.corpus += strategy.coverage.corpus;
  }

  get total(): FuzzCoverage {
    return { pairs: this.seen.size, corpus: this.corpus };
  }
}
