import { UsageError } from '../runtime/errors.js';
import { checkState, cloneState, type PathNode, type SearchState, type TaskNode } from './state.js';

/** One unexplored subtree: the prefix `path[0..node-1]`, then `alt` at `node`. */
interface WorkItem {
  readonly node: number;
  readonly alt: number;
}

/**
 * Splits a search state into `n` states whose subtrees are disjoint and together cover exactly
 * what `state` had left (some may be empty, `finished`, when there are fewer subtrees than `n`;
 * run a few executions first to open more). Runs of the parts can go to workers or CI shards;
 * each part is an ordinary state for `search(..., { resume })`.
 *
 * How: the remaining work of a state is, in depth-first order, the branch at its last node and
 * then every `todo` alternative from the deepest node up. That list is cut into `n` contiguous
 * runs; each run is again one path. With partial-order reduction, a race found in one part may
 * ask for a new branch at a node above it, which another part owns; so every node is first
 * saturated (all its awake enabled tasks scheduled for exploration) and then sealed, so no part
 * ever needs to add branches there. Saturation can only add executions: the parts may run more
 * sleep-set-blocked executions than the unsplit search, never more or fewer complete ones.
 * A part can be split again (after running a while): its sealed nodes stay as they are.
 *
 * A pb state is split within its current bound (pb has no reduction: nothing to saturate, and
 * the sealing is harmless). Resume each part with `preemptionBound: state.bound`, or every part
 * would go on to redo the larger bounds over the whole tree. Each part starts with no bound cut
 * of its own (`boundCut` false): the cuts the state had seen so far are the caller's to keep.
 *
 * Pure: `state` is not modified.
 */
export function splitSearch(state: SearchState, n: number): SearchState[] {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`splitSearch: n must be a whole number >= 1, got ${n}`);
  const base = cloneState(checkState(state));
  if (base.finished || base.fresh || base.path.length === 0) {
    // Nothing known about the tree yet: the whole state is one part (nothing left: every part is empty).
    return [base.finished ? emptyPart(base) : base, ...Array.from({ length: n - 1 }, () => emptyPart(base))];
  }
  const path = base.path;
  // A sealed node (a part's, from an earlier split) was saturated then, and the alternatives it
  // lacks now belong to the other parts: saturating it again would run them twice.
  if (base.por) for (const node of path) if (node.kind === 'task' && node.sealed !== true) saturate(node);
  const items: WorkItem[] = [{ node: path.length - 1, alt: path[path.length - 1]!.chosen }];
  for (let i = path.length - 1; i >= 0; i--) for (const alt of path[i]!.todo) items.push({ node: i, alt });

  const parts: SearchState[] = [];
  let from = 0;
  for (let p = 0; p < n; p++) {
    const size = Math.floor(items.length / n) + (p < items.length % n ? 1 : 0);
    const run = items.slice(from, from + size);
    from += size;
    parts.push(run.length === 0 ? emptyPart(base) : partOf(base, run));
  }
  return parts;
}

/** Every awake enabled task not yet explored here goes to `todo`. */
function saturate(node: TaskNode): void {
  for (const t of node.enabled) {
    if (t !== node.chosen && !node.todo.includes(t) && !node.done.includes(t) && !node.sleep.includes(t)) node.todo.push(t);
  }
}

/** The state whose remaining work is exactly `run` (a contiguous run of the depth-first work list). */
function partOf(base: SearchState, run: readonly WorkItem[]): SearchState {
  const first = run[0]!;
  const path: PathNode[] = base.path.slice(0, first.node + 1).map((node) => ({ ...node, todo: [], ...(node.kind === 'task' ? { done: [...node.done] } : {}) }) as PathNode);
  const head = path[first.node]!;
  const original = base.path[first.node]!;
  if (head.chosen !== first.alt) {
    // The part starts at a todo alternative: everything before it at this node is explored by
    // earlier parts, so (for the sleep sets) it counts as done here.
    if (head.kind === 'task' && original.kind === 'task') {
      head.done.push(original.chosen);
      for (const alt of original.todo) {
        if (alt === first.alt) break;
        head.done.push(alt);
      }
    }
    head.chosen = first.alt;
  }
  for (const item of run.slice(1)) path[item.node]!.todo.push(item.alt);
  for (const node of path) node.sealed = true;
  return cloneState({ ...base, path, fresh: false, finished: false, boundCut: false });
}

function emptyPart(base: SearchState): SearchState {
  return { ...base, path: [], fresh: false, finished: true, boundCut: false };
}
