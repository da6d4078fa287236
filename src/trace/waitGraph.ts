import type { Trace } from './schema.js';

/*
 * The wait-for graph a failure records, as data (drawn by src/report/waitGraph.ts, shown by the
 * interactive explorer).
 */

/** What a failure (the runtime's, or a trace's) says about who waits on what. */
interface FailureWaits {
  readonly cycle?: readonly { readonly task: string; readonly resource: string; readonly holder: string }[] | undefined;
  readonly blocked?: readonly { readonly task: string; readonly waitsOn: string }[] | undefined;
}

/** One edge of a wait-for graph: `task` waits on `resource`, held by `holders` (empty: nobody in particular). */
export interface WaitForEdge {
  readonly task: string;
  readonly resource: string;
  readonly holders: readonly string[];
}

/** The wait-for graph a trace records at its failure: the deadlock cycle, or the blocked tasks. */
export function waitGraphOfTrace(trace: Trace): { edges: WaitForEdge[]; cycle: Set<string> } {
  return waitGraphOfFailure(trace.failure);
}

/** The wait-for graph of a failure: its deadlock cycle, then every other blocked task it names (stuck, leak, livelock). */
export function waitGraphOfFailure(f: FailureWaits | null): { edges: WaitForEdge[]; cycle: Set<string> } {
  const edges: WaitForEdge[] = [];
  const cycle = new Set<string>();
  if (f === null) return { edges, cycle };
  for (const e of f.cycle ?? []) {
    edges.push({ task: e.task, resource: e.resource, holders: [e.holder] });
    cycle.add(e.task);
  }
  const waits = new Set(edges.map((e) => e.task));
  for (const b of f.blocked ?? []) if (!waits.has(b.task)) edges.push({ task: b.task, resource: b.waitsOn, holders: [] });
  return { edges, cycle };
}
