import type { ScenarioDefinition } from '../scenario.js';
import { TraceFileError } from '../trace/codec.js';
import type { Trace } from '../trace/schema.js';

/**
 * Checks a loaded trace against the scenario it names, before replaying: the variant must
 * exist and every recorded parameter must be one the scenario declares, of the type of its
 * default. The schema cannot know these; without the check a hand-edited or stale trace would
 * fail deep inside the run (or quietly replay with a nonsense value). Throws a TraceFileError
 * naming the file and the field (exit 2).
 *
 * Called by `interleave replay` once the scenario is found.
 */
export function checkTraceTarget(trace: Trace, scenario: ScenarioDefinition<object>, file: string): void {
  const variants = Object.keys(scenario.variants);
  if (!variants.includes(trace.variant)) {
    throw new TraceFileError(file, `invalid field variant: scenario "${scenario.name}" has no variant ${JSON.stringify(trace.variant)}; variants are: ${variants.join(', ')}`);
  }
  const specs = (scenario.params ?? {}) as Record<string, { default: unknown }>;
  for (const [key, value] of Object.entries(trace.params)) {
    const spec = specs[key];
    if (spec === undefined) {
      const known = Object.keys(specs);
      throw new TraceFileError(file, `invalid field params.${key}: scenario "${scenario.name}" has no parameter "${key}"${known.length > 0 ? `; parameters are: ${known.join(', ')}` : ''}`);
    }
    if (typeOf(value) !== typeOf(spec.default)) {
      throw new TraceFileError(file, `invalid field params.${key}: expected ${typeOf(spec.default)} (the default is ${JSON.stringify(spec.default)}), got ${JSON.stringify(value)}`);
    }
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}
