import type { Attempt } from './attempt.js';

/**
 * Edits of a failing decision list that might fail the same way with a simpler schedule, in
 * the order the shrinker tries them (cheap, large wins first). Every edit is checked by a
 * lenient replay, which repairs decisions that became impossible, so an edit never needs to
 * be "valid" on its own.
 *
 * 1. Cut at a preemption: keep the decisions before it; the rest runs without preemption.
 * 2. Remove one preemption: the preempted task keeps running instead; the rest is unchanged.
 * 3. Merge two blocks of one task (a block: consecutive steps of one task, with its choices):
 *    its next block moves up to join this one, or this one moves down to join the next. Other
 *    tasks keep their relative order, so the remaining preemptions stay where they were.
 * 4. Drop a chunk of decisions (delta debugging, chunks of n/2, n/4, ..., 1).
 * 5. Move a preemption one step later or one step earlier.
 * 6. Make a `t.choose` value smaller (0, then value - 1).
 */
export function* decisionEdits(a: Attempt): Generator<readonly number[]> {
  const d = a.decisions;
  const preemptions: number[] = [];
  for (let i = 0; i < a.info.length; i++) if (a.info[i]!.preempted) preemptions.push(i);

  for (const p of preemptions) yield d.slice(0, p);

  for (const p of preemptions) {
    const current = a.info[p]!.current!;
    const out = d.slice();
    out[p] = current;
    yield out;
  }

  yield* blockMerges(a);

  for (let size = Math.floor(d.length / 2); size >= 1; size = Math.floor(size / 2)) {
    for (let start = 0; start < d.length; start += size) yield [...d.slice(0, start), ...d.slice(start + size)];
  }

  for (const p of preemptions) {
    const later = moveLater(a, p);
    if (later !== null) yield later;
    const earlier = moveEarlier(a, p);
    if (earlier !== null) yield earlier;
  }

  for (let i = 0; i < a.info.length; i++) {
    const v = a.info[i]!;
    if (v.kind !== 'value' || v.value === 0) continue;
    const zero = d.slice();
    zero[i] = 0;
    yield zero;
    if (v.value > 1) {
      const less = d.slice();
      less[i] = v.value - 1;
      yield less;
    }
  }
}

/** The preempted task runs one more step before the switch (its next later step is taken out). */
function moveLater(a: Attempt, p: number): number[] | null {
  const current = a.info[p]!.current!;
  let j = p + 1;
  while (j < a.info.length && !(a.info[j]!.kind === 'task' && a.info[j]!.value === current)) j++;
  if (j >= a.info.length) return null;
  const out = a.decisions.slice();
  out.splice(j, 1);
  out.splice(p, 0, current);
  return out;
}

/** The switch happens one step earlier: the preempted task's last step before it runs after the intruder's block. */
function moveEarlier(a: Attempt, p: number): number[] | null {
  const current = a.info[p]!.current!;
  let q = p - 1;
  while (q >= 0 && a.info[q]!.kind !== 'task') q--;
  if (q < 0 || a.info[q]!.value !== current) return null;
  const intruder = a.info[p]!.value;
  let k = p + 1;
  while (k < a.info.length && !(a.info[k]!.kind === 'task' && a.info[k]!.value !== intruder)) k++;
  const out = a.decisions.slice();
  out.splice(k, 0, current);
  out.splice(q, 1);
  return out;
}

/** Maximal runs of decisions owned by one task (a choice belongs to the task making it). */
function blocksOf(a: Attempt): { owner: number; start: number; end: number }[] {
  const blocks: { owner: number; start: number; end: number }[] = [];
  let owner = -1;
  for (let i = 0; i < a.info.length; i++) {
    const v = a.info[i]!;
    const o = v.kind === 'task' ? v.value : owner;
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.owner === o) last.end = i + 1;
    else blocks.push({ owner: o, start: i, end: i + 1 });
    owner = o;
  }
  return blocks;
}

function* blockMerges(a: Attempt): Generator<readonly number[]> {
  const d = a.decisions;
  const blocks = blocksOf(a);
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    let j = i + 1;
    while (j < blocks.length && blocks[j]!.owner !== b.owner) j++;
    if (j >= blocks.length || j === i + 1) continue;
    const next = blocks[j]!;
    // The next block moves up: [.. b next | between ..]
    yield [...d.slice(0, b.end), ...d.slice(next.start, next.end), ...d.slice(b.end, next.start), ...d.slice(next.end)];
    // This block moves down: [.. between | b next ..]
    yield [...d.slice(0, b.start), ...d.slice(b.end, next.start), ...d.slice(b.start, b.end), ...d.slice(next.start)];
  }
}
