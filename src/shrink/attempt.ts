import type { Failure } from '../runtime/failure.js';
import { runExecution, type Target } from '../run.js';
import { ReplayStrategy } from '../strategies/replay.js';
import type { Strategy } from '../runtime/strategy.js';
import { ProbeStrategy, type DecisionInfo } from './probe.js';

/** One execution tried by the shrinker, reduced to what the shrinker compares. */
export interface Attempt {
  /** The decisions the run actually took (a lenient replay repairs impossible ones). */
  readonly decisions: readonly number[];
  readonly info: readonly DecisionInfo[];
  readonly failure: Failure | null;
  /** failureSignature of the failure in this run (null: it passed). */
  readonly signature: string | null;
  readonly steps: number;
  readonly preemptions: number;
  readonly tasks: number;
  /** Sum of `t.choose` values: smaller choices are simpler. */
  readonly choiceSum: number;
}

/** Runs `strategy` once (recording off) under a probe. */
export async function runAttempt(target: Target<object>, strategy: Strategy, index = 0): Promise<Attempt> {
  const probe = new ProbeStrategy(strategy);
  const r = await runExecution(target, probe, index, false);
  let choiceSum = 0;
  for (const d of probe.decisions) if (d.kind === 'value') choiceSum += d.value;
  let failure = r.failure;
  let signature = probe.signatureOf(r.failure, r.tasks);
  if (probe.raisedInto(r.failure, r.tasks)) {
    // The failing task met an error an operation raised: the bug's location is where the task
    // called that operation, known only with call sites. Those cost a stack capture per
    // operation (3-5x the run), so only such runs pay for them, replayed exactly once more.
    const again = new ProbeStrategy(new ReplayStrategy(r.decisions));
    const located = await runExecution(target, again, index, 'sites');
    failure = located.failure;
    signature = again.signatureOf(located.failure, located.tasks);
  }
  return {
    decisions: [...r.decisions],
    info: [...probe.decisions],
    failure,
    signature,
    steps: r.steps,
    preemptions: r.preemptions,
    tasks: r.tasks.length,
    choiceSum,
  };
}

/** Replays `decisions` leniently: impossible decisions keep the current task; past the end, no preemption. */
export function replayLeniently(target: Target<object>, decisions: readonly number[]): Promise<Attempt> {
  return runAttempt(target, new ReplayStrategy(decisions, { lenient: true }));
}

/**
 * The shrinker's order: fewer preemptions, then fewer steps, then fewer tasks, then smaller
 * choices. `better` also requires that no count grows, so a shrunk trace never has more
 * steps, preemptions or tasks than its input.
 */
export function better(a: Attempt, b: Attempt): boolean {
  if (a.preemptions > b.preemptions || a.steps > b.steps || a.tasks > b.tasks) return false;
  if (a.preemptions !== b.preemptions) return true;
  if (a.steps !== b.steps) return true;
  if (a.tasks !== b.tasks) return true;
  return a.choiceSum < b.choiceSum;
}
