import { replayTrace, type ReplayReport } from '../replay.js';
import type { ScenarioDefinition } from '../scenario.js';
import type { Trace } from '../trace/schema.js';
import { WatchdogThread } from './watchdog.js';

/**
 * Replays a saved trace: in this thread, or, for a runaway's trace (`trace.runaway`), in a
 * watched thread for the trace's seconds, since its last pick spins by design. Used wherever
 * saved traces are replayed: `replay`, `ci`, `replayTraces`.
 */
export async function replaySaved(loaded: { readonly file: string; readonly scenario: ScenarioDefinition<object> }, trace: Trace, thread?: WatchdogThread): Promise<ReplayReport> {
  if (trace.runaway === undefined) return replayTrace(loaded.scenario, trace, loaded.file);
  const own = thread ?? new WatchdogThread();
  try {
    return await own.replay(loaded.file, trace, { seconds: trace.runaway.seconds });
  } finally {
    if (thread === undefined) await own.close();
  }
}
