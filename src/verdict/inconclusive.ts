import type { ExploreResult } from '../explore.js';

/**
 * Whether an exploration that found nothing established nothing either: the time limit ended
 * it before one execution was counted (threads still loading, a machine so loaded that the
 * explorer never ran). Such a run is not a pass: `run` reports it as
 * `no execution completed: inconclusive (stopped: time)` and exits 4 (EXIT.INCONCLUSIVE), and
 * `ci`/`run --check` find `inconclusive`, which no variant expects. An interrupted run already
 * is not a pass (exit 130). Called by the CLI's report of a variant (src/cli/commands/run.ts)
 * and by the summary line (src/report/text.ts).
 */
export function isInconclusive(r: Pick<ExploreResult, 'failure' | 'executions' | 'stoppedBy'>): boolean {
  return r.failure === null && r.executions === 0 && r.stoppedBy === 'time';
}

/** The `found` column's word for an inconclusive run. */
export const INCONCLUSIVE = 'inconclusive';
