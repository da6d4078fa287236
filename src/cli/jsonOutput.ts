import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { FAILURE_KINDS, type FailureKind } from '../runtime/failure.js';
import { traceSchema } from '../trace/schema.js';
import type { ExploreResult } from '../explore.js';

/**
 * What every command prints with `--json`, as zod schemas: the single source of truth for the
 * commands' JSON (their output is typed by these), for schema/cli-output.schema.json (generated
 * by scripts/gen-schema.mjs) and for the test that every command's output validates against it.
 *
 * One vocabulary across commands (docs/cli.md, "JSON output"):
 * - `expected` / `found`: the declared expectation and what was found (a failure kind, `pass`, ...);
 * - `match`: whether `found` meets `expected`; a count of them is `matched` / `mismatched`, as in
 *   `ci`'s text;
 * - `trace`: the path of a trace file, as the text prints it (relative to the working directory
 *   when inside it), or null when none was written;
 * - `failure`: a failure as traces record it (schema/trace.schema.json), or null.
 *
 * zod is loaded when a schema is first asked for, never by a command that only prints.
 */
function defineSchemas(z: typeof Zod) {
  const count = () => z.number().int().nonnegative();
  const trace = traceSchema();
  const failure = trace.shape.failure;
  const warning = trace.shape.warnings.unwrap().element;
  const params = z.record(z.string(), z.unknown());
  const path = z.string().describe('a file path as the text output prints it: relative to the working directory when inside it, else absolute');
  const kind = z.enum(FAILURE_KINDS as unknown as readonly [FailureKind, ...FailureKind[]]);
  const bound = z.object({ limit: count(), reached: count(), completeUpTo: count().nullable(), minimalFailing: count().nullable() });
  const crossCheck = z.object({ schedules: count(), seed: z.number().int(), failedAt: count().nullable() });
  const searchFields = {
    complete: z.boolean().optional().describe('dfs/pb/db only: every execution (up to partial-order reduction) was explored'),
    completeExecutions: count().optional(),
    crossCheck: crossCheck.nullable().optional(),
    bound: bound.optional(),
  };

  const sampling = z
    .object({
      foundBy: z.object({ member: z.string(), execution: count() }).optional().describe('portfolio: the member whose execution failed'),
      members: z.array(z.object({ name: z.string(), executions: count() })).optional().describe('portfolio: every member and the executions it ran'),
      pct: z
        .array(z.object({ depth: count(), tasks: count(), steps: count(), guarantee: z.number().describe('1/(n·k^(d−1)): the least probability per execution of finding a bug of this depth') }))
        .optional()
        .describe('pct, portfolio: n (tasks) and k (steps) measured from the first-enabled schedule, per depth run'),
      fuzz: z
        .object({ pairs: count().describe('distinct reads-from pairs seen, hand-overs included'), corpus: count().describe('schedules kept because they added a pair') })
        .optional()
        .describe('fuzz: its coverage over the run'),
    })
    .optional()
    .describe('pct, portfolio and fuzz runs: what the strategy did (docs/search.md)');

  const run = z
    .array(
      z.object({
        scenario: z.string(),
        variant: z.string(),
        expected: z.string(),
        found: z.string(),
        match: z.boolean(),
        params,
        executions: count(),
        ...searchFields,
        sampling,
        stoppedBy: z.string(),
        failure,
        warnings: z.array(warning),
        trace: path.nullable(),
        saveError: z.string().nullable(),
        unsavedTrace: z.string().optional().describe('the trace as text, when it could be written nowhere'),
      }),
    )
    .describe('interleave run --json: one entry per variant explored');

  const merge = z
    .array(
      z.object({
        scenario: z.string(),
        variant: z.string(),
        params: params.nullable(),
        expected: z.string().optional().describe('with --check only'),
        found: z.string(),
        match: z.boolean().optional().describe('with --check only'),
        executions: count(),
        steps: count(),
        failureAt: count().nullable(),
        ...searchFields,
        sampling,
        stoppedBy: z.string(),
        failure,
        warnings: z.array(warning),
        trace: path.nullable(),
        unsavedTrace: z.string().optional(),
      }),
    )
    .describe('interleave merge --json: one entry per variant merged');

  const ciRow = z.object({
    kind: z.enum(['variant', 'trace']),
    name: z.string(),
    params: params.nullable(),
    expected: z.string(),
    found: z.string(),
    match: z.boolean(),
    trace: path.nullable().describe('a variant: the trace saved with --out; a saved trace: its file'),
    detail: z.string(),
  });
  const ci = z
    .object({
      matched: count(),
      mismatched: count(),
      shard: z.string().optional(),
      stopped: z.string().optional().describe('why ci stopped at its one row (a task that never returns to the event loop)'),
      rows: z.array(ciRow),
    })
    .describe('interleave ci --json');

  const replay = z
    .object({
      outcome: z.enum(['reproduced', 'passes-now', 'diverged', 'different-failure']),
      message: z.string(),
      divergence: z.object({ step: count(), expected: z.string(), actual: z.string() }).nullable(),
      continuedFrom: count().nullable(),
      failure,
      trace: path.describe('the trace file replayed'),
      replayed: trace.describe('the trace of this replay'),
    })
    .describe('interleave replay --json');

  const counts = trace.shape.counts;
  const shrink = z
    .object({
      trace: path.describe('the shrunk trace written'),
      before: counts,
      after: counts,
      attempts: count(),
      stoppedBy: z.enum(['minimal', 'attempts', 'time']),
      failure,
      races: z.array(trace.shape.races.unwrap().element),
      others: count(),
    })
    .describe('interleave shrink --json');

  const expectation = z.union([z.enum(['pass', 'fail']), kind, z.array(kind)]);
  const list = z
    .array(
      z.object({
        name: z.string(),
        file: path,
        description: z.string(),
        source: z.string().nullable(),
        variants: z.record(z.string(), z.object({ expect: expectation, description: z.string().nullable() })),
        params,
      }),
    )
    .describe('interleave list --json');

  return { z, commands: { run, merge, ci, replay, shrink, list } };
}

type Schemas = ReturnType<typeof defineSchemas>;
let schemas: Schemas | null = null;
function loaded(): Schemas {
  return (schemas ??= defineSchemas(createRequire(import.meta.url)('zod') as typeof Zod));
}

/** The `sampling` entry of a run's `--json` (nothing for a strategy that has none to give). */
export function samplingJson(r: Pick<ExploreResult, 'sampling' | 'trace'>): { sampling?: NonNullable<RunJson[number]['sampling']> } {
  const member = r.trace?.strategy.member;
  const execution = r.trace?.strategy.execution;
  if (r.sampling === undefined && member === undefined) return {};
  return { sampling: { ...(member !== undefined && execution !== undefined ? { foundBy: { member, execution } } : {}), ...r.sampling } };
}

/** The commands with `--json`. */
export type JsonCommand = keyof Schemas['commands'];
/** A command's output type, read-only all the way down (so the engine's read-only values fit). */
type Output<T> = T extends (infer U)[] ? readonly Output<U>[] : T extends object ? { readonly [K in keyof T]: Output<T[K]> } : T;
export type RunJson = Output<Zod.infer<Schemas['commands']['run']>>;
export type MergeJson = Output<Zod.infer<Schemas['commands']['merge']>>;
export type CiJson = Output<Zod.infer<Schemas['commands']['ci']>>;
export type CiJsonRow = CiJson['rows'][number];
export type ReplayJson = Output<Zod.infer<Schemas['commands']['replay']>>;
export type ShrinkJson = Output<Zod.infer<Schemas['commands']['shrink']>>;
export type ListJson = Output<Zod.infer<Schemas['commands']['list']>>;

/** The zod schema of one command's `--json` output. */
export function jsonOutputSchema<C extends JsonCommand>(command: C): Schemas['commands'][C] {
  return loaded().commands[command];
}

/**
 * Every command's `--json` output as one JSON Schema (published as schema/cli-output.schema.json):
 * the output of `interleave <command> --json` is an instance of `$defs.<command>`.
 */
export function cliOutputJsonSchema(): unknown {
  const { z, commands } = loaded();
  const defs: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(commands)) {
    const { $schema: _drop, ...def } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<string, unknown>;
    defs[name] = def;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'interleave --json output',
    description: 'What `interleave <command> --json` prints on stdout: an instance of $defs.<command> (run, merge, ci, replay, shrink, list).',
    $defs: defs,
  };
}
