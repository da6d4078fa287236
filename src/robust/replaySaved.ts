import { replayTrace, type ReplayReport } from '../replay.js';
import type { ScenarioDefinition } from '../scenario.js';
import type { Trace } from '../trace/schema.js';
import { WatchdogThread } from './watchdog.js';

/**
 * Replays a saved trace: in this thread, or in a watched thread when asked (`seconds`: `replay
 * --watchdog`, `ci --watchdog`, since a replay runs on first-enabled past the recorded decisions
 * and may meet a spin there) or when the trace is a runaway's (`trace.runaway`: its last pick
 * spins by design; watched for the trace's seconds unless told otherwise). Used wherever saved
 * traces are replayed: `replay`, `ci`, `replayTraces`.
 */
export async function replaySaved(
  loaded: { readonly file: string; readonly scenario: ScenarioDefinition<object> },
  trace: Trace,
  o: { readonly seconds?: number; readonly thread?: WatchdogThread } = {},
): Promise<ReplayReport> {
  const seconds = o.seconds ?? trace.runaway?.seconds;
  if (seconds === undefined) return replayTrace(loaded.scenario, trace, loaded.file);
  const own = o.thread ?? new WatchdogThread();
  try {
    return await own.replay(loaded.file, loaded.scenario, trace, { seconds });
  } finally {
    if (o.thread === undefined) await own.close();
  }
}
