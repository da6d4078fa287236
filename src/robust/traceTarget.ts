import { paramValueProblem, showValue } from '../paramValues.js';
import type { ParamSpec, ScenarioDefinition } from '../scenario.js';
import { TraceFileError } from '../trace/codec.js';
import type { Trace } from '../trace/schema.js';

/**
 * Checks a loaded trace against the scenario it names, before replaying: the variant must
 * exist and every recorded parameter (`params`, and `shrink.original.params`, from which a
 * shrink starts again) must be one the scenario declares, with a value it allows
 * (src/paramValues.ts: the default's type, finite numbers, a value of its arbitrary). The schema
 * cannot know these; without the check a hand-edited or stale trace would fail deep inside the
 * run, quietly replay with a nonsense value, or run 1e9 workers until killed. Throws a
 * TraceFileError naming the file and the field (exit 2).
 *
 * Called once the scenario is found, before anything runs: by `replay`, `shrink`, `ci` and
 * `replayTraces`.
 */
export function checkTraceTarget(trace: Trace, scenario: ScenarioDefinition<object>, file: string): void {
  const variants = Object.keys(scenario.variants);
  if (!Object.hasOwn(scenario.variants, trace.variant)) {
    throw new TraceFileError(file, `invalid field variant: scenario "${scenario.name}" has no variant ${JSON.stringify(trace.variant)}; variants are: ${variants.join(', ')}`);
  }
  const specs = (scenario.params ?? {}) as Record<string, ParamSpec<unknown>>;
  const original = trace.shrink?.original.params;
  for (const [path, params] of [['params', trace.params], ['shrink.original.params', original ?? {}]] as const) {
    for (const [key, value] of Object.entries(params)) {
      if (!Object.hasOwn(specs, key)) {
        const known = Object.keys(specs);
        throw new TraceFileError(file, `invalid field ${path}.${key}: scenario "${scenario.name}" has no parameter "${key}"${known.length > 0 ? `; parameters are: ${known.join(', ')}` : ''}`);
      }
      const problem = paramValueProblem(specs[key]!, value);
      if (problem !== null) throw new TraceFileError(file, `invalid field ${path}.${key}: ${problem}, got ${showValue(value)}`);
    }
  }
}
