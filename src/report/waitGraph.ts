import type { WaitForEdge } from '../trace/waitGraph.js';
import { escapeControl } from './escape.js';

export { waitGraphOfFailure, waitGraphOfTrace, type WaitForEdge } from '../trace/waitGraph.js';

/** A DOT string: quoted, control characters escaped (src/report/escape.ts), as the graph may be printed to a terminal. */
const q = (s: string): string => `"${escapeControl(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The most waits a DOT graph draws (the cycle's first): Graphviz takes minutes over thousands. */
const MAX_GRAPH_EDGES = 100;

/**
 * Graphviz DOT of a wait-for graph: tasks are boxes, an edge `a -> b` labelled with the resource
 * says a waits on something b holds; a wait nobody in particular can end points at the
 * resource itself (an ellipse). Edges of the deadlock cycle are red and bold. Past 100 waits,
 * one note says how many more there are.
 */
export function waitGraphDot(all: readonly WaitForEdge[], cycle: ReadonlySet<string> = new Set(), title = 'wait-for graph'): string {
  const edges = all.slice(0, MAX_GRAPH_EDGES);
  const lines = [`digraph ${q(title)} {`, '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=11];'];
  const tasks = new Set<string>();
  for (const e of edges) {
    tasks.add(e.task);
    for (const h of e.holders) tasks.add(h);
  }
  for (const t of tasks) lines.push(`  ${q(t)}${cycle.has(t) ? ' [color="#c0392b", fillcolor="#fdecea", penwidth=2]' : ''};`);
  for (const e of edges) {
    if (e.holders.length === 0) {
      lines.push(`  ${q(`res:${e.resource}`)} [label=${q(e.resource)}, shape=ellipse, fillcolor="#fff8e1"];`);
      lines.push(`  ${q(e.task)} -> ${q(`res:${e.resource}`)} [label="waits"];`);
      continue;
    }
    for (const h of e.holders) {
      const red = cycle.has(e.task) && cycle.has(h);
      lines.push(`  ${q(e.task)} -> ${q(h)} [label=${q(e.resource)}${red ? ', color="#c0392b", fontcolor="#c0392b", penwidth=2' : ''}];`);
    }
  }
  if (edges.length === 0) lines.push('  "nobody waits" [shape=plaintext, style=""];');
  if (all.length > edges.length) lines.push(`  ${q(`${all.length - edges.length} more waits not drawn`)} [shape=plaintext, style=""];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The same graph as text lines, `a -[lock "x"]-> b`, for terminals (control characters escaped). */
export function formatWaitGraph(edges: readonly WaitForEdge[]): string {
  if (edges.length === 0) return 'nobody waits';
  return edges.map((e) => (e.holders.length === 0 ? escapeControl(`${e.task} waits on ${e.resource}`) : e.holders.map((h) => escapeControl(`${e.task} -[${e.resource}]-> ${h}`)).join('\n'))).join('\n');
}
