import { Alea } from './alea.js';
import { FuzzCorpus } from './fuzzCorpus.js';
import { MUTATIONS, mutate, WALK, type MutationKind, type Plan } from './fuzzMutation.js';
import { ReadsFrom } from './readsFrom.js';
import type { Operation, TaskView } from '../runtime/operation.js';
import type { SchedulingView, Strategy } from '../runtime/strategy.js';

/** Tells fuzz's numbers apart from the other strategies' for the same seed. */
const FUZZ_STREAM = 4;
/** Share of executions that are fresh random walks even when the corpus has seeds. */
const FRESH = 0.2;

/**
 * Executions a fuzzer learns over before it starts afresh: its block (src/partition.ts,
 * `learningBlock`). `explore` restarts it there and a split run cuts its blocks there, so a fuzz
 * run is the same whole, on n workers or on n shards (docs/search.md).
 */
export const FUZZ_BLOCK = 1000;

/** What the fuzzer has learnt so far (for the summary and tests). */
export interface FuzzCoverage {
  /** Distinct reads-from pairs and hand-overs seen: (the event that last wrote an object or key, the event that then accessed it). */
  readonly pairs: number;
  /** Decision lists kept because their execution produced a pair never seen before. */
  readonly corpus: number;
}

/** How the fuzzer works; the defaults are what `--strategy fuzz` runs. */
export interface FuzzOptions {
  /** The mutations drawn from, uniformly (default all: flip, insert, delay; src/strategies/fuzzMutation.ts). */
  readonly mutations?: readonly MutationKind[];
  /** Entries mutated by energy (default true), else picked uniformly (src/strategies/fuzzCorpus.ts). */
  readonly energy?: boolean;
}

/**
 * A feedback-guided schedule fuzzer (reads-from fuzzing, Meng et al., "Greybox Fuzzing for
 * Concurrency Testing", ASPLOS 2024). Coverage is the set of reads-from pairs
 * (src/strategies/readsFrom.ts). An execution that adds a pair keeps its decision list in the
 * corpus. Each execution is either a fresh random walk (a fifth of them, and all while the corpus
 * is empty) or a mutation (flip a choice, insert a preemption, delay a task:
 * src/strategies/fuzzMutation.ts) of the entry whose turn it is, entries that keep producing new
 * pairs getting more mutations in a row (energy, src/strategies/fuzzCorpus.ts).
 *
 * Called by Execution (Strategy). Executions are learnt from at the next `beginExecution` (the
 * interface has no end hook), so a strategy learns only from the executions it ran itself, in
 * order: the same seed gives the same corpus and schedules. `explore` and a split run start it
 * afresh every FUZZ_BLOCK executions.
 */
export class FuzzStrategy implements Strategy {
  readonly name = 'fuzz';
  private readonly rng: Alea;
  private readonly readsFrom = new ReadsFrom();
  private readonly corpus: FuzzCorpus;
  private readonly mutations: readonly MutationKind[];
  /** This execution's decisions (task ids and chosen values, in order). */
  private decisions: number[] = [];
  /** This execution found a pair never seen before. */
  private fresh = false;
  /** The corpus entry this execution mutates, or -1 for a fresh walk. */
  private parent = -1;
  private plan: Plan = WALK;
  private started = false;

  constructor(seed: number, options: FuzzOptions = {}) {
    this.rng = new Alea(seed, FUZZ_STREAM);
    this.mutations = options.mutations ?? MUTATIONS;
    this.corpus = new FuzzCorpus(options.energy ?? true);
  }

  beginExecution(index: number): void {
    if (this.started) {
      if (this.parent >= 0) this.corpus.reward(this.parent, this.fresh);
      if (this.fresh) this.corpus.add(this.decisions);
    }
    this.started = true;
    this.rng.start(index);
    this.decisions = [];
    this.fresh = false;
    this.readsFrom.beginExecution();
    this.parent = -1;
    this.plan = WALK;
    if (this.corpus.size > 0 && this.rng.next() >= FRESH) {
      this.parent = this.corpus.pick(this.rng);
      const kind = this.mutations.length === 1 ? this.mutations[0]! : this.mutations[Math.floor(this.rng.next() * this.mutations.length)]!;
      this.plan = mutate(this.corpus.decisions(this.parent), kind, this.rng);
    }
  }

  get coverage(): FuzzCoverage {
    return { pairs: this.readsFrom.pairs.size, corpus: this.corpus.size };
  }

  /** The kept decision lists, in the order kept (for tests). */
  get kept(): readonly (readonly number[])[] {
    return this.corpus.lists;
  }

  /** The pairs seen so far (for a run's total over its blocks, RunCoverage). */
  get pairs(): ReadonlySet<string> {
    return this.readsFrom.pairs;
  }

  chooseTask(view: SchedulingView): number {
    const enabled = view.enabled;
    const at = this.decisions.length;
    const { follow, avoid } = this.plan;
    let i: number;
    if (enabled.length === 1) i = 0;
    else if (at === this.plan.at) {
      // The mutation point: the plan's task if it can run and is not the one avoided, else any other.
      i = enabled.findIndex((t) => t.id === follow[at] && t.id !== avoid);
      if (i < 0) {
        const skip = enabled.findIndex((t) => t.id === avoid);
        i = this.random(skip < 0 ? enabled.length : enabled.length - 1);
        if (skip >= 0 && i >= skip) i++;
      }
    } else if (at < follow.length) {
      // Following the plan: its task if it can run here, else any.
      i = enabled.findIndex((t) => t.id === follow[at]);
      if (i < 0) i = this.random(enabled.length);
    } else i = this.random(enabled.length);
    this.decisions.push(enabled[i]!.id);
    return i;
  }

  chooseValue(n: number): number {
    const at = this.decisions.length;
    const want = at < this.plan.follow.length && at !== this.plan.at ? this.plan.follow[at]! : -1;
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

/** What one block of a fuzz run learnt: plain data, it crosses worker threads and goes into shard files. */
export interface BlockCoverage {
  /** The distinct reads-from pairs its executions produced. */
  readonly pairs: readonly string[];
  /** The decision lists it kept. */
  readonly corpus: number;
}

/** What `strategy` learnt in its block, if it is a fuzzer (src/parallel/block.ts). */
export function blockCoverage(strategy: Strategy): BlockCoverage | undefined {
  return strategy instanceof FuzzStrategy ? { pairs: [...strategy.pairs], corpus: strategy.coverage.corpus } : undefined;
}

/**
 * The coverage of a fuzz run: the fuzzer starts afresh at every block of executions (as each
 * block of a split run does, src/parallel/block.ts), so a run's pairs are the union of its
 * blocks' and its corpus the sum. Called by explore's sampling loop with each strategy it
 * retires, and for a split run with each counted block's coverage (src/parallel/shardFile.ts);
 * reported in the run's summary and `--json` (`sampling.fuzz`).
 */
export class RunCoverage {
  private readonly seen = new Set<string>();
  private corpus = 0;

  /** Adds what `strategy` learnt, if it is a fuzzer. */
  add(strategy: Strategy): void {
    const block = blockCoverage(strategy);
    if (block !== undefined) this.addBlock(block);
  }

  /** Adds what one block learnt. */
  addBlock(block: BlockCoverage): void {
    for (const pair of block.pairs) this.seen.add(pair);
    this.corpus += block.corpus;
  }

  get total(): FuzzCoverage {
    return { pairs: this.seen.size, corpus: this.corpus };
  }
}
