import type { ExploreOptions, ExploreResult } from '../explore.js';
import { UsageError } from '../runtime/errors.js';
import type { ScenarioDefinition } from '../scenario.js';
import { freshVerdict, type NotReproducedFresh } from './freshReplay.js';
import { exploreWatched, type WatchdogThread } from './watchdog.js';

export interface CheckedExploreOptions<P extends object = Record<string, unknown>> extends ExploreOptions<P> {
  /**
   * Seconds: explore in a watched worker thread (src/robust/watchdog.ts, as `run --watchdog`),
   * so that a task looping without a scheduling point ends the exploration as a runaway
   * `livelock`, with a trace that replays, after this long, instead of hanging it for good (no
   * timeout can end a synchronous loop in its own thread). Needs `file`: the thread imports the
   * scenario module. Needs a strategy name, not a Strategy object.
   */
  readonly watchdog?: number;
}

export interface CheckedExploreResult extends ExploreResult {
  /**
   * Set when the failure found did not replay from freshly loaded modules (module-level state
   * that warmed up during the exploration, in the scenario or a module it imports): `failure` is
   * then the `nondeterminism` that says so and `trace` is null; this holds what was found, its
   * trace (which replays only where it was found) and how the fresh replay ended.
   */
  readonly notReproducedFresh?: Omit<NotReproducedFresh, 'failure'>;
}

/**
 * `explore` as the library exports it: the driver (src/explore.ts), run in a watched thread when
 * `watchdog` is given, and, when the scenario's `file` is known, its failure confirmed from
 * freshly loaded modules as `run` confirms it before saving (src/robust/freshReplay.ts): a
 * failure that only happens once module state has warmed up is never returned as one whose
 * trace reproduces. Without `file` nothing is confirmed (the scenario cannot be loaded again).
 *
 * Called by users through `explore` from 'interleave', and by the vitest helpers (with
 * `thread`, the watched thread they keep for the shrink that follows). The CLI calls the driver
 * and confirms in `finishVariant`.
 */
export async function checkedExplore<P extends object>(scenario: ScenarioDefinition<P>, options: CheckedExploreOptions<P> = {}, thread?: WatchdogThread, caller = 'explore'): Promise<CheckedExploreResult> {
  const { watchdog, ...exploreOptions } = options;
  if (watchdog !== undefined && options.file === undefined) {
    throw new UsageError(`${caller}(${scenario.name}): the watchdog needs \`file\`, the scenario module's path (its thread imports the module)`);
  }
  const loaded = { file: options.file ?? '', scenario: scenario as ScenarioDefinition<object> };
  const r = await exploreWatched(watchdog, loaded, exploreOptions as ExploreOptions<object>, thread);
  if (options.file === undefined || r.trace === null) return r;
  const stale = await freshVerdict(loaded, r.trace, watchdog);
  if (stale === null) return r;
  const { failure, ...found } = stale;
  return { ...r, failure, trace: null, notReproducedFresh: found };
}
