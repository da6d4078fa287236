import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { FAILURE_KINDS, type FailureKind } from '../runtime/failure.js';
import { MAX_WATCHDOG_SECONDS } from './limits.js';

/**
 * The trace format, version 1. This zod schema is the single source of truth: it validates
 * files on load, gives the TypeScript type, and generates schema/trace.schema.json.
 *
 * zod is loaded on first use (reading, writing or describing a trace), not on import: loading
 * it costs ~0.1 s, which every process and worker thread that only explores would pay.
 */
function defineSchemas(z: typeof Zod) {
// Every number is bounded (a trace is data from anywhere): counts are safe whole numbers >= 0.
const count = () => z.number().int().nonnegative();
const WaitEdge = z.object({ task: z.string(), resource: z.string(), holder: z.string() });

const FailureSchema = z.object({
  kind: z.enum(FAILURE_KINDS as unknown as readonly [FailureKind, ...FailureKind[]]),
  message: z.string(),
  step: count(),
  task: z.string().optional(),
  tasks: z.array(z.string()),
  error: z.object({ name: z.string(), message: z.string(), location: z.string().optional() }).optional(),
  cycle: z.array(WaitEdge).optional(),
  blocked: z.array(z.object({ task: z.string(), waitsOn: z.string() })).optional(),
  locks: z.array(z.string()).optional(),
  awaits: z.array(z.string()).optional(),
});

const EventSchema = z.object({
  step: count(),
  task: z.string(),
  op: z.string(),
  obj: z.string().optional(),
  key: z.string().optional(),
  result: z.string().optional(),
  note: z.enum(['blocked', 'woke', 'timeout', 'finished', 'time']).optional(),
  preempted: z.boolean().optional(),
  time: z.number().nonnegative().optional(), // virtual time: finite (JSON has no Infinity), may be fractional
  site: z.string().optional(), // a controlled call's caller or where a fired timer was set, `path:line`
});

const RaceSchema = z.object({
  object: z.string(),
  preempted: z.object({ task: z.string(), step: count(), op: z.string() }),
  intruder: z.object({ task: z.string(), step: count(), op: z.string() }),
  next: z.object({ task: z.string(), step: count(), op: z.string() }).optional(),
  message: z.string(),
});

const TraceSchema = z.object({
  format: z.literal('interleave-trace'),
  version: z.literal(1),
  scenario: z.object({ name: z.string().min(1), file: z.string().optional() }),
  variant: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  strategy: z.object({
    name: z.string(),
    seed: z.number().int().optional(),
    execution: count().optional(),
    /** portfolio: the member that ran the failing execution (`pct (depth 2)`). */
    member: z.string().max(200).optional(),
  }),
  options: z.object({
    maxSteps: z.number().int().positive(),
    allowLeaks: z.boolean(),
    failOnLockOrder: z.boolean(),
  }),
  /** One entry per decision: a task id at each scheduling point, a value at each choice. */
  decisions: z.array(count()),
  /** null: the recorded run passed. */
  failure: FailureSchema.nullable(),
  counts: z.object({
    steps: count(),
    preemptions: count(),
    tasks: count(),
  }),
  tasks: z.array(z.string()),
  events: z.array(EventSchema),
  warnings: z.array(z.object({ kind: z.string(), message: z.string(), step: count(), tasks: z.array(z.string()), locks: z.array(z.string()) })).optional(),
  /** Present when the trace was shrunk: counts before shrinking. */
  shrink: z
    .object({
      original: z.object({ steps: count(), preemptions: count(), params: z.record(z.string(), z.unknown()).optional() }),
      attempts: count(),
    })
    .optional(),
  /** The racing operations that decide the failure, when known. */
  races: z.array(RaceSchema).optional(),
  /** Saved before the run ended (`interleave explore`): replay checks the recorded prefix only. */
  unfinished: z.boolean().optional(),
  /**
   * The failure is a task that ran without reaching a scheduling point (the watchdog's verdict
   * after `seconds`): the last task decision picks it. Replays run watched, for as long.
   */
  runaway: z.object({ seconds: z.number().positive().max(MAX_WATCHDOG_SECONDS) }).optional(),
});

return { z, TraceSchema, RaceSchema };
}

type Schemas = ReturnType<typeof defineSchemas>;
let schemas: Schemas | null = null;
function loaded(): Schemas {
  return (schemas ??= defineSchemas(createRequire(import.meta.url)('zod') as typeof Zod));
}

export type Trace = Zod.infer<Schemas['TraceSchema']>;
export type Race = Zod.infer<Schemas['RaceSchema']>;

/** The zod schema of a trace file (validates, and `parse` orders the fields canonically). */
export function traceSchema(): Schemas['TraceSchema'] {
  return loaded().TraceSchema;
}

/** The trace format as a JSON Schema (published as schema/trace.schema.json). */
export function traceJsonSchema(): unknown {
  const { z, TraceSchema } = loaded();
  return z.toJSONSchema(TraceSchema, { target: 'draft-2020-12' });
}
