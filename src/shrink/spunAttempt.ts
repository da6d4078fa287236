import type { Target } from '../run.js';
import { runExecution } from '../run.js';
import { ReplayStrategy } from '../strategies/replay.js';
import { StopAtPick } from '../strategies/stopAtPick.js';
import type { Attempt } from './attempt.js';
import { ProbeStrategy, type DecisionInfo } from './probe.js';
import { decodeLog } from '../heartbeat/heartbeat.js';


/**
 * An attempt whose task ran without reaching a scheduling point: its number and the step at
 * which that task was chosen. With the task and the attempt's decisions as the heartbeat logged
 * them (a value v as -(v + 1)), the attempt is rebuilt as the run that spun (spunAttempt.ts):
 * the bug itself when the input is that task's runaway. Without them, it is cut short there.
 */
export interface Runaway {
  readonly attempt: number;
  readonly step: number;
  readonly task?: string;
  readonly log?: readonly number[];
}

/**
 * A shrinker's attempt whose task spun, rebuilt from the decisions the watched thread logged
 * (`runaway.log`): run again up to its runaway pick, which is probed, then stopped before it
 * runs. Its signature is `runaway <task>`: the bug when the input is that task's runaway.
 * Null when the log does not lead to that pick.
 */
export async function spunAttempt(target: Target<object>, runaway: Runaway & { readonly task: string; readonly log: readonly number[] }): Promise<Attempt | null> {
  const { log, step, task } = runaway;
  const { decisions, pick } = decodeLog(log);
  if (pick < 0) return null;
  const probe = new ProbeStrategy(new ReplayStrategy(decisions.slice(0, pick + 1)));
  const stop = new StopAtPick(probe, step);
  const result = await runExecution(target, stop, 0, false);
  if (stop.picked === null || probe.decisions.length !== pick + 1) return null;
  // The values the runaway task drew before it spun: smaller ones are the alternatives.
  const values: DecisionInfo[] = decisions.slice(pick + 1).map((v) => ({ kind: 'value', value: v, step: step + 1, current: decisions[pick]!, preempted: false, enabled: Array.from({ length: v + 1 }, (_, i) => i) }));
  const info = [...probe.decisions, ...values];
  return {
    decisions,
    info,
    failure: { kind: 'livelock', message: `livelock: task "${task}" ran without reaching a scheduling point after step ${step}`, step: step + 1, task, tasks: [task] },
    signature: `runaway ${task}`,
    steps: step + 1,
    preemptions: info.filter((d) => d.preempted).length,
    tasks: result.tasks.length,
    choiceSum: info.reduce((sum, d) => (d.kind === 'value' ? sum + d.value : sum), 0),
  };
}
