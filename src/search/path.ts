import { preemptionsWith, type PathNode } from './state.js';

/**
 * Moves the path to the next branch in depth-first order: the deepest node with an alternative
 * left takes it (a task node's previous choice joins its `done`, so later branches put it to
 * sleep) and every deeper node is dropped. Alternatives that are asleep at their node are
 * skipped: their subtrees are covered by an earlier branch. Returns false when nothing is left.
 */
export function advance(path: PathNode[]): boolean {
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i]!;
    while (node.todo.length > 0) {
      const alt = node.todo.shift()!;
      if (node.kind === 'task') {
        if (node.sleep.includes(alt) || node.done.includes(alt) || alt === node.chosen) continue;
        node.done.push(node.chosen);
      }
      node.chosen = alt;
      path.length = i + 1;
      return true;
    }
  }
  path.length = 0;
  return false;
}

/**
 * Gives every task node of a path built with reduction all its other enabled tasks as
 * alternatives, as a search without reduction would have (runner.ts); pb (`bound` given) only
 * those within the bound. Called once, when the first execution of a dfs or pb search shows
 * that the scenario shares state it does not report (search.ts): that execution's nodes had no
 * alternatives and no sleep sets yet. Returns true when the bound left an alternative out.
 */
export function exploreEveryAlternative(path: PathNode[], bound: number | null = null): boolean {
  let cut = false;
  for (const node of path) {
    if (node.kind !== 'task' || node.sealed === true) continue;
    for (const id of node.enabled) {
      if (id === node.chosen || node.todo.includes(id) || node.done.includes(id)) continue;
      if (bound !== null && preemptionsWith(node, id) > bound) cut = true;
      else node.todo.push(id);
    }
  }
  return cut;
}
