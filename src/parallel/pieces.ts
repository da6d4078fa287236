import { InternalError } from '../runtime/errors.js';
import { keepFirstWarnings, type Warning } from '../runtime/failure.js';
import type { SearchResult } from '../search/search.js';
import { splitSearch } from '../search/split.js';
import type { SearchState } from '../search/state.js';
import { atExecution, totals, unitOf, type UnitResult } from './searchUnits.js';

/**
 * Pieces: a search unit cut again while it runs, so that no unit is too big to share.
 *
 * The units of a round (searchUnits.ts) are cut once, after a few executions, when little is
 * known of the tree: one of them often holds most of the work (rapid-create-delete: 217,232 of
 * 331,635 executions), and one worker runs it alone while the others wait. So a unit runs as a
 * piece of at most `after` executions; a piece not finished by then is split (`splitSearch`)
 * into `into` parts, which run as pieces in their turn, in depth-first order, before the units
 * after it. The rule depends only on execution counts: the pieces, and so the totals, are the
 * same for any number of workers and shards. Cutting costs some sleep-set-blocked executions
 * (splitting saturates the nodes; measured 2-6% more executions); complete executions are
 * unchanged. A unit's pieces are combined into one `UnitResult`, so shard files and merge see
 * units as before.
 *
 * A piece's key is [position of its unit in the pool, part, part, ...]: depth-first order.
 */
export interface Resplit {
  /** Executions a piece runs before the rest of its subtree is split. */
  readonly after: number;
  /** Parts a piece's rest is split into. */
  readonly into: number;
}

/** Measured on rapid-create-delete [fixed] (docs/bench.md): pieces of ~10,000 executions balance two workers; 2% more executions. */
export const RESPLIT: Resplit = { after: 10_000, into: 4 };

/** A piece as handed to a worker: the search resumes from `state`. */
export interface SearchPiece {
  readonly unit: number;
  readonly key: readonly number[];
  readonly state: SearchState;
}

/** What a piece produced (a unit's result, for the executions it ran), and the parts of its subtree it left (none when it ended). */
export interface PieceResult extends UnitResult {
  readonly key: readonly number[];
  readonly rest: readonly SearchState[];
  /** A round's prefix only: the round's parts (`splitSearch` of where it stopped). */
  readonly parts?: readonly SearchState[];
}

/**
 * The piece's result: a piece stopped by the resplit budget (not by a failure, the time limit or
 * an interrupt) leaves the non-empty parts of its rest.
 */
export function pieceOf(piece: SearchPiece, r: SearchResult, resplit: Resplit | null): PieceResult {
  const rest = resplit !== null && r.stoppedBy === 'executions' ? splitSearch(r.state, resplit.into, 'depth').filter((s) => !s.finished) : [];
  return { ...unitOf(piece.unit, r), key: piece.key, rest };
}

/** The pieces to run after `piece`, given its result. */
export function restOf(piece: SearchPiece, r: PieceResult): SearchPiece[] {
  return r.rest.map((state, i) => ({ unit: piece.unit, key: [...piece.key, i], state }));
}

/**
 * A unit's result from its pieces' (those the pool kept, in key order): what one unsplit run of
 * the unit would say of the executions they ran. They count in depth-first order up to the first
 * failure, the first piece cut short, or the first missing one (the pool stopped before it ran:
 * `stoppedBy` says why).
 */
export function combinePieces(unit: number, pieces: readonly PieceResult[], stoppedBy: 'time' | 'interrupted'): UnitResult {
  const byKey = new Map(pieces.map((p) => [p.key.join('.'), p]));
  const counted: UnitResult[] = [];
  let cutShort: 'time' | 'interrupted' | null = null;
  /** Counts `key` and its rest, depth-first; false once counting ends. */
  const walk = (key: readonly number[]): boolean => {
    const p = byKey.get(key.join('.'));
    if (p === undefined) {
      cutShort = stoppedBy;
      return false;
    }
    counted.push(p);
    const ended = p.failure !== null || p.stoppedBy === 'time' || p.stoppedBy === 'interrupted';
    if (ended) {
      if (p.failure === null) cutShort = p.stoppedBy as 'time' | 'interrupted';
      return false;
    }
    for (let i = 0; i < p.rest.length; i++) if (!walk([...key, i])) return false;
    return true;
  };
  const first = pieces[0];
  if (first === undefined) throw new InternalError(`combinePieces: unit ${unit} has no pieces`);
  walk(first.key.slice(0, 1));
  // A unit never cut is its one piece, as it ended (also under a user's budget, `-n`, where
  // 'executions' means that budget, not a cut).
  if (counted.length === 1 && pieces.length === 1 && first.rest.length === 0) return unitPart(first);
  const failing = counted.at(-1)!.failure !== null ? counted.at(-1)! : null;
  const warnings = new Map<string, Warning>();
  for (const u of counted) keepFirstWarnings(warnings, u.warnings);
  // pb explores a unit within one bound: the search says 'bound' when some branch was cut (pruned).
  const cut = counted.some((u) => u.cut);
  const counts = totals(counted);
  return unitOf(unit, {
    ...counts,
    stoppedBy: failing !== null ? 'failure' : (cutShort ?? (cut ? 'bound' : 'exhausted')),
    failure: failing?.failure ?? null,
    trace: failing !== null ? atExecution(failing.trace, counts.executions - failing.executions) : null,
    warnings: [...warnings.values()],
    untracked: counted.some((u) => u.untracked === true),
  });
}

/** The unit's result a piece carries, without the piece's place and rest (what shard files hold). */
export function unitPart(p: PieceResult): UnitResult {
  const { key: _key, rest: _rest, parts: _parts, ...unit } = p;
  return unit;
}
