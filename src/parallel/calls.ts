import { explore, type ExploreOptions, type ExploreResult, type Progress } from '../explore.js';
import { loadScenario } from '../loader.js';
import { replayTrace, type ReplayReport } from '../replay.js';
import { makeTarget, type TargetOptions } from '../run.js';
import type { Strategy } from '../runtime/strategy.js';
import { shrinkTrace, type ShrinkOptions, type ShrinkResult } from '../shrink/shrinkTrace.js';
import { probeExecution, type ProbeResult } from '../snapshot.js';
import type { Trace } from '../trace/schema.js';

/**
 * Calls: units of work that are one whole driver call on a scenario module, run by an explorer
 * thread (worker.ts) under the supervisor like any other unit: a whole variant's exploration
 * (`ci`, and `run --watchdog` with one worker), a shrink, a replay, or one run of an
 * interactive session. They carry the module's path, not its (unclonable) definition: the
 * thread loads it when a call of it first comes (the loader keeps each module). Made by
 * exploreVariants.ts and src/robust/watchdog.ts.
 */
export type Call =
  | { readonly kind: 'explore'; readonly file: string; readonly options: PortableExploreOptions }
  | { readonly kind: 'shrink'; readonly file: string; readonly trace: Trace; readonly options: PortableShrinkOptions }
  | { readonly kind: 'replay'; readonly file: string; readonly trace: Trace }
  | { readonly kind: 'probe'; readonly file: string; readonly target: PortableTarget; readonly decisions: readonly number[]; readonly finishSeed: number | null };

/** What a call answers, by kind. */
export type CallResult = ExploreResult | ShrinkResult | ReplayReport | ProbeResult;

/** What can cross to the thread of ExploreOptions: everything but functions and Strategy objects. */
export type PortableExploreOptions = Omit<ExploreOptions<object>, 'onProgress' | 'shouldStop' | 'monitor' | 'strategy'> & { readonly strategy?: string };

/** What can cross of ShrinkOptions: all but the monitor, which the thread sets. */
export type PortableShrinkOptions = Omit<ShrinkOptions, 'monitor'>;

/** A target as it crosses to the thread: what `makeTarget` needs to rebuild it there. */
export type PortableTarget = Omit<TargetOptions<object>, 'monitor' | 'file'>;

/** What a thread is set up for to run calls: nothing to load up front (worker.ts). */
export interface CallsSetup {
  readonly kind: 'calls';
  /** Watched (`--watchdog`): the heartbeat wraps every execution's strategy (watchedWorker.ts). */
  readonly watched?: boolean;
}

/**
 * How a thread runs one call. `cancelled`: the pool stopped the call (Ctrl-C), which stops an
 * exploration between executions; `monitor`, when watched: the heartbeat's wrapper (a shrink
 * gives it its attempt number, published instead of the execution's index); `progress`: an
 * exploration's progress, relayed to the watching side.
 */
export async function runCall(call: Call, cancelled: () => boolean, monitor?: (s: Strategy, attempt?: number) => Strategy, progress?: (p: Progress) => void): Promise<CallResult> {
  const { file } = call;
  const { scenario } = await loadScenario(file);
  const watch = monitor !== undefined ? { monitor: (s: Strategy) => monitor(s) } : {};
  switch (call.kind) {
    case 'explore':
      return explore(scenario, { ...call.options, file, ...watch, shouldStop: cancelled, ...(progress !== undefined ? { onProgress: progress } : {}) });
    case 'replay':
      return replayTrace(scenario, call.trace, file, watch.monitor);
    case 'probe':
      return probeExecution(makeTarget(scenario, { ...call.target, file, ...watch }), call.decisions, call.finishSeed);
    case 'shrink':
      return shrinkTrace(scenario, call.trace, { ...call.options, ...(monitor !== undefined ? { monitor } : {}) });
  }
}
