import type { StrategyInfo } from './replay.js';
import { pctGuarantee, type ScenarioShape } from './strategies/pct.js';
import { memberExecutions, portfolioMember, PORTFOLIO_MEMBERS } from './strategies/portfolio.js';
import type { FuzzCoverage } from './strategies/fuzz.js';

/** PCT's parameters in a run and what they guarantee (per execution of that member, for a bug of that depth). */
export interface PctBound {
  readonly depth: number;
  /** n: tasks of the measured schedule. */
  readonly tasks: number;
  /** k: steps of the measured schedule, the range change points are drawn from. */
  readonly steps: number;
  /** 1/(n·k^(d−1)). */
  readonly guarantee: number;
}

/** What a sampling run says of its strategy beyond its name: the portfolio's members and PCT's bound. */
export interface SamplingReport {
  /** portfolio: every member, in dealing order, and the executions it ran (counted as the run's executions are). */
  readonly members?: readonly { readonly name: string; readonly executions: number }[];
  /** pct and portfolio: one entry per PCT depth run. */
  readonly pct?: readonly PctBound[];
  /** fuzz: the reads-from pairs its executions produced and the schedules it kept for them (src/strategies/fuzz.ts). */
  readonly fuzz?: FuzzCoverage;
}

/** A contiguous range of execution indices a run counted: `explore`'s whole run, or one block of a split run. */
export interface CountedRange {
  readonly start: number;
  readonly executions: number;
}

/**
 * The report of a sampling run of strategy `name` (undefined: nothing to add), from the PCT
 * depth, the measured shape, the ranges of executions it counted and, for fuzz, its coverage.
 * Called by explore and by `toExploreResult` for a split run, so both say the same.
 */
export function samplingReport(name: string, depth: number | undefined, shape: ScenarioShape | undefined, ranges: readonly CountedRange[], fuzz?: FuzzCoverage): SamplingReport | undefined {
  if (name === 'fuzz' && fuzz !== undefined) return { fuzz };
  if (shape === undefined) return undefined;
  const bound = (d: number): PctBound => ({ depth: d, tasks: shape.tasks, steps: shape.steps, guarantee: pctGuarantee(d, shape) });
  if (name === 'pct') return { pct: [bound(depth ?? 3)] };
  if (name !== 'portfolio') return undefined;
  const counts = PORTFOLIO_MEMBERS.map(() => 0);
  for (const r of ranges) memberExecutions(r.start, r.executions).forEach((n, j) => (counts[j]! += n));
  return {
    members: PORTFOLIO_MEMBERS.map((m, j) => ({ name: m.label, executions: counts[j]! })),
    pct: PORTFOLIO_MEMBERS.flatMap((m) => (m.depth === undefined ? [] : [bound(m.depth)])),
  };
}

/** How a failure at `execution` of a sampling run names its strategy in the trace: the portfolio adds the member that found it. */
export function failureStrategy(name: string, seed: number, execution: number): StrategyInfo {
  return { name, seed, execution, ...(name === 'portfolio' ? { member: portfolioMember(execution).label } : {}) };
}
