import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ROOT, type CliResult } from './cli.js';

/**
 * The fuzzer of issue #23 ("a trace is data, never code"): hostile trace files made from the
 * committed ones, and the check every run of the CLI on one must pass. Used by
 * test/robust/hostile.test.ts (a few hundred cases in process, a handful through the binary)
 * and by `npm run fuzz` (FUZZ_RUNS cases).
 */

/** Committed traces the mutations start from: an assertion with races and shrink counts, and a deadlock. */
export const BASES = ['traces/circuit-breaker.buggy.assertion.json', 'traces/blocking-queued-signal.buggy.deadlock.json'].map((f) => JSON.parse(readFileSync(join(ROOT, f), 'utf8')) as Record<string, unknown>);

/** Text a terminal would act on, or that breaks naive code: escapes, bidi, newlines, prototype keys, long text. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    '\u001b]0;pwned\u0007',
    '\u001b[2J\u001b[H',
    'ok\npasses now: all good',
    '\u202eevil\u202c',
    '\u2066x\u2069',
    '\u009b31m',
    '\r\u001b[2K',
    '\u0000',
    '__proto__',
    'constructor',
    'toString',
    '',
    '../../../etc/passwd',
    'a'.repeat(100_000),
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ maxLength: 20 }),
);

/** Values for any field: hostile strings, numbers past every bound, nesting near and past the depth limit. */
const nested = (depth: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
const DEEP = '@@deep@@';

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(-1, 0, 1, 1.5, 1e9, 1e300, -1e300, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 3601),
  fc.constantFrom(null, true, false, [], {}),
  fc.integer({ min: 0, max: 70 }).map((d) => nested(d, 1)),
  fc.constant(DEEP), // 5,000 levels: put into the text at the end (structuredClone would overflow on it)
  fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer()), { maxKeys: 3 }),
);

/** Every path to a value in `v` (objects' keys, arrays' indices). */
function paths(v: unknown, path: string[] = [], into: string[][] = []): string[][] {
  into.push(path);
  if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) paths(c, [...path, k], into);
  return into;
}


type Mutation =
  | { kind: 'set'; path: number; value: unknown }
  | { kind: 'delete'; path: number }
  | { kind: 'decisions'; decisions: number[] }
  | { kind: 'text'; field: 'message' | 'task' | 'variant' | 'param' | 'event' | 'object'; text: string }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Structural: any value anywhere, or a field gone.
  fc.record({ kind: fc.constant('set' as const), path: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.nat() }),
  // Schema-valid, semantic: other decisions, hostile text where the schema takes any string.
  fc.record({ kind: fc.constant('decisions' as const), decisions: fc.array(fc.nat({ max: 4 }), { maxLength: 40 }) }),
  fc.record({ kind: fc.constant('text' as const), field: fc.constantFrom('message', 'task', 'variant', 'param', 'event', 'object') as fc.Arbitrary<'message' | 'task' | 'variant' | 'param' | 'event' | 'object'>, text: hostileString }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** A hostile trace file's text: one of the bases with one to three mutations. */
export const hostileTrace: fc.Arbitrary<string> = fc
  .record({ base: fc.nat({ max: BASES.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) })
  .map(({ base, mutations }) => applyMutations(BASES[base]!, mutations));

/** Hostile variants of any JSON document (a shard results file): one to three mutations; the trace-only ones do nothing. */
export function hostileJson(base: Record<string, unknown>): fc.Arbitrary<string> {
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => applyMutations(base, mutations));
}

function applyMutations(base: Record<string, unknown>, mutations: readonly Mutation[]): string {
  const doc = structuredClone(base) as Record<string, any>;
  const all = paths(base);
  let text: string | null = null;
  for (const m of mutations) {
    if (m.kind === 'truncate') {
      const full: string = text ?? JSON.stringify(doc, null, 2);
      text = full.slice(0, m.at % (full.length + 1));
      continue;
    }
    if (text !== null) continue;
    if (m.kind === 'decisions') doc.decisions = m.decisions;
    else if (m.kind === 'text') {
      try {
        if (m.field === 'message') doc.failure.message = m.text;
        if (m.field === 'task') doc.tasks[doc.tasks.length - 1] = m.text;
        if (m.field === 'variant') doc.variant = m.text;
        if (m.field === 'param') doc.params = { ...doc.params, [m.text]: m.text };
        if (m.field === 'event') doc.events[0].task = m.text;
        if (m.field === 'object') doc.events[doc.events.length - 1].obj = m.text;
      } catch {
        // an earlier mutation removed or replaced the field: nothing to edit
      }
    } else {
      const path = all[m.path % all.length]!;
      if (path.length === 0) continue;
      let parent: any = doc;
      for (const k of path.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? parent[k] : null;
      if (parent === null || typeof parent !== 'object') continue;
      const last = path[path.length - 1]!;
      if (m.kind === 'set') parent[last] = structuredClone(m.value);
      else if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    }
  }
  return text ?? JSON.stringify(doc, null, 2).replaceAll(JSON.stringify(DEEP), `${'['.repeat(5000)}${']'.repeat(5000)}`);
}

/** A folder inside the project (traces name their scenario relative to its root), removed by the returned function. */
export function fuzzFolder(): { dir: string; remove: () => void } {
  const dir = join(ROOT, 'test-output', `fuzz-${process.pid}-${Math.floor(performance.now())}`);
  mkdirSync(dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeCase(dir: string, n: number, text: string): string {
  const file = join(dir, `case-${n}.json`);
  writeFileSync(file, text);
  return file;
}

/** Nothing a terminal would act on: no C0 control but the newline, no DEL, C1 or bidi control. */
// eslint-disable-next-line no-control-regex
export const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A stack frame (`at f (file:///x.js:1:2)`), not a failure's location line (`  at scenarios/x.ts:252`). */
const STACK = /^\s+at .*:\d+:\d+\)?$|node:internal/m;

/**
 * What every run on a hostile trace must give: exit 0, 1, 2 or 3 (never 70, never a signal);
 * a user error in one line, `interleave: <file>: ...`; no stack; no raw control character.
 * Returns what is wrong, or null.
 */
export function verdict(r: CliResult): string | null {
  if (r.code === null || ![0, 1, 2, 3].includes(r.code)) return `exit ${r.code} (signal ${r.signal})`;
  if (STACK.test(r.stdout + r.stderr)) return 'a stack trace';
  if (RAW.test(r.stdout) || RAW.test(r.stderr)) return 'a raw control character';
  if (r.code === 2 && !/^interleave: [^\n]*\n$/.test(r.stderr)) return `not one line: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  return null;
}
