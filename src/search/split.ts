import { UsageError } from '../runtime/errors.js';
import { checkState, cloneState, preemptionsWith, type PathNode, type SearchState, type TaskNode } from './state.js';

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
 * `balance`: 'count' cuts the list into runs of equal length. 'depth' weighs an alternative at
 * depth d of a path of length L as 2^(L-1-d) (a subtree's size grows with its height) and cuts runs of
 * equal weight, so the shallowest alternatives, the largest subtrees, get parts of their own.
 * By count, the last part took nearly all the work when a big unit was cut again (pieces.ts:
 * every later split of it, a chain), so that by depth made `--workers 2` 1.96x instead of 1.68x.
 *
 * A pb state is split within its current bound: with reduction (bpor.ts) its nodes are saturated
 * with the alternatives within the bound only, exactly what pb without reduction has there, and
 * a race asking past the bound at a sealed node still counts as cut; without reduction there is
 * nothing to saturate, and the sealing is harmless. Resume each part with `preemptionBound: state.bound`, or every part
 * would go on to redo the larger bounds over the whole tree. Each part starts with no bound cut
 * of its own (`boundCut` false): the cuts the state had seen so far are the caller's to keep.
 *
 * Pure: `state` is not modified.
 */
export function splitSearch(state: SearchState, n: number, balance: 'count' | 'depth' = 'count'): SearchState[] {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`splitSearch: n must be a whole number >= 1, got ${n}`);
  const base = cloneState(checkState(state));
  if (base.finished || base.fresh || base.path.length === 0) {
    // Nothing known about the tree yet: the whole state is one part (nothing left: every part is empty).
    return [base.finished ? emptyPart(base) : base, ...Array.from({ length: n - 1 }, () => emptyPart(base))];
  }
  const path = base.path;
  // A sealed node (a part's, from an earlier split) was saturated then, and the alternatives it
  // lacks now belong to the other parts: saturating it again would run them twice.
  if (base.por) for (const node of path) if (node.kind === 'task' && node.sealed !== true) saturate(node, base.mode === 'pb' ? base.bound : null);
  const items: WorkItem[] = [{ node: path.length - 1, alt: path[path.length - 1]!.chosen }];
  for (let i = path.length - 1; i >= 0; i--) for (const alt of path[i]!.todo) items.push({ node: i, alt });

  const sizes = balance === 'count' ? items.map(() => 1) : items.map((item) => 2 ** Math.min(path.length - 1 - item.node, MAX_WEIGHT_EXPONENT));
  const parts: SearchState[] = [];
  let from = 0;
  for (const size of runLengths(sizes, n)) {
    const run = items.slice(from, from + size);
    from += size;
    parts.push(run.length === 0 ? emptyPart(base) : partOf(base, run));
  }
  return parts;
}

/** Beyond this depth difference, the estimate is no better: it only keeps the weights finite. */
const MAX_WEIGHT_EXPONENT = 200;

/**
 * Cuts items of estimated sizes `weights` into `n` contiguous runs of about equal weight: the
 * lengths, in order (some 0 when there are fewer items than runs). Equal weights give runs of
 * equal count, the longest first, and the empty ones last.
 */
function runLengths(weights: readonly number[], n: number): number[] {
  if (weights.every((w) => w === weights[0])) return Array.from({ length: n }, (_, p) => Math.floor(weights.length / n) + (p < weights.length % n ? 1 : 0));
  const lengths = new Array<number>(n).fill(0);
  let end = weights.length;
  let left = weights.reduce((a, b) => a + b, 0);
  // From the last run back: each takes items until it holds its share of what is left.
  for (let p = n - 1; p > 0 && end > 0; p--) {
    const share = left / (p + 1);
    let start = end;
    let taken = 0;
    while (start > 0 && (taken === 0 || taken + weights[start - 1]! <= share + 1e-9 * share)) taken += weights[--start]!;
    lengths[p] = end - start;
    left -= taken;
    end = start;
  }
  lengths[0] = end;
  return lengths;
}

/** Every awake enabled task not yet explored here goes to `todo` (pb with reduction: those within `bound`). */
function saturate(node: TaskNode, bound: number | null): void {
  for (const t of node.enabled) {
    if (bound !== null && preemptionsWith(node, t) > bound) continue;
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
