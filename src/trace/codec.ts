import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { placeFile } from './placeFile.js';
import { removeStaleTemps, tempFileName } from './staleTemps.js';
import { notRegularFile } from './fileKind.js';
import { readBoundedText, sizeText, TRACE_FILE_LIMIT, tooDeepAt, tooDeepText } from './limits.js';
import { projectRoot, rebaseTrace, traceRoot } from './paths.js';
import { traceSchema, type Trace } from './schema.js';
import { nameProblem } from '../names.js';

/** A trace file that cannot be used: names the file and what is wrong, in one line. */
export class TraceFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'TraceFileError';
  }
}

/** Canonical text of a trace: same trace, same bytes (field order is the schema's). */
export function encodeTrace(trace: Trace): string {
  return `${JSON.stringify(traceSchema().parse(trace), null, 2)}\n`;
}

/** Parses and validates; every problem becomes a TraceFileError naming `file` and the field. */
export function decodeTrace(text: string, file = '<trace>'): Trace {
  let data: unknown;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM added by an editor
  const deep = tooDeepAt(text);
  if (deep !== null) throw new TraceFileError(file, tooDeepText(deep));
  try {
    data = JSON.parse(text);
  } catch (e) {
    const detail = (e as Error).message.split('\n')[0]!;
    // Truncated text fails at its very end ("Unexpected end of JSON input", "Unterminated string", or at the last position).
    const at = /at position (\d+)/.exec(detail);
    const truncated = /end of JSON input|Unterminated/.test(detail) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    const why = text.trim() === '' ? 'the file is empty' : truncated ? `not valid JSON (${detail}); is it truncated?` : `not valid JSON (${detail}); is it a trace file?`;
    throw new TraceFileError(file, why);
  }
  return checkTrace(data, file);
}

/** Validates parsed trace data (a trace file's, or one embedded in a shard file): a TraceFileError names `file` and the field. */
export function checkTrace(data: unknown, file: string): Trace {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new TraceFileError(file, 'not a trace: expected a JSON object');
  const obj = data as Record<string, unknown>;
  if (obj.format !== 'interleave-trace') {
    throw new TraceFileError(file, `unknown format ${JSON.stringify(obj.format)}: expected "interleave-trace"`);
  }
  if (obj.version !== 1) {
    const newer = typeof obj.version === 'number' && obj.version > 1 ? ' (written by a newer interleave: upgrade to replay it)' : '';
    throw new TraceFileError(file, `unsupported trace version ${JSON.stringify(obj.version)}: this interleave reads version 1${newer}`);
  }
  const parsed = traceSchema().safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new TraceFileError(file, `invalid field ${path}: ${issue.message}`);
  }
  const t = parsed.data;
  // Facts the schema cannot express: checked so a hand-edited trace fails here, not mid-replay.
  if (t.counts.tasks !== t.tasks.length) throw new TraceFileError(file, `invalid field counts.tasks: ${t.counts.tasks}, but tasks lists ${t.tasks.length} names`);
  const badName = nameField(obj);
  if (badName !== null) throw new TraceFileError(file, badName);
  return t;
}

/**
 * A variant or parameter name that is not plain or is a prototype key (src/names.ts), as
 * `invalid field <path>: <why>`, or null. Read from the JSON as parsed, before the schema
 * copied it: there `params.__proto__` is still an own key (the copy would have dropped it, or
 * made it a prototype).
 */
function nameField(obj: Record<string, unknown>): string | null {
  const variant = nameProblem(obj.variant as string);
  if (variant !== null) return `invalid field variant: ${variant}`;
  const shrink = obj.shrink as { original?: { params?: object } } | undefined;
  for (const [path, params] of [['params', obj.params], ['shrink.original.params', shrink?.original?.params]] as const) {
    for (const key of Object.keys(params ?? {})) {
      const why = nameProblem(key);
      if (why !== null) return `invalid field ${path}.${key}: ${why}`;
    }
  }
  return null;
}

/** Why an input file (`what`: 'a trace file', ...) could not be read, for a one-line error naming it. */
export function whyUnreadable(e: unknown, what: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? `is a directory, not ${what}` : `cannot read (${code})`;
}

/**
 * The text of an input file (`what`: 'a trace file', ...), or `error(why)` thrown: a FIFO or a
 * device (a trace symlinked to /dev/zero) is refused by its type before it is opened, a file
 * larger than `limit` bytes by its size, never read whole (src/trace/limits.ts).
 */
export function readInputFile(file: string, what: string, limit: number, error: (why: string) => Error): string {
  try {
    const kind = notRegularFile(statSync(file));
    if (kind !== null) throw error(`is ${kind}, not ${what}`);
    return readBoundedText(file, limit, () => error(`larger than the ${sizeText(limit)} limit for ${what}`));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    throw error(whyUnreadable(e, what));
  }
}

/** Reads and validates a trace file; its paths come back relative to the working directory's root, as `result.trace` has them. */
export function readTrace(file: string): Trace {
  const text = readInputFile(file, 'a trace file', TRACE_FILE_LIMIT, (why) => new TraceFileError(file, why));
  return rebaseTrace(decodeTrace(text, file), traceRoot(file), projectRoot(process.cwd()));
}

/**
 * Writes whole or not at all: a temporary file in the same folder, then put in place, so a crash
 * or Ctrl-C never leaves a half-written file; returns the file written. Two runs writing one path
 * never lose a file silently: one written since this process started is kept, and this one goes
 * to `x.2.json` (see placeFile; `replace` replaces it whoever wrote it). Temporary files that
 * killed writers left in the folder are removed first (staleTemps.ts).
 */
export function writeFileAtomic(file: string, text: string, o: { readonly replace?: boolean } = {}): string {
  const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  try {
    makeFolder(dirname(file));
  } catch (e) {
    // A user error (the output folder is a file, or not writable), not an interleave bug: exit 2.
    const blocker = fileInTheWay(dirname(file));
    const why = blocker === null ? ` (${code(e)})` : blocker === dirname(file) ? ': it is a file' : `: ${blocker} is a file`;
    throw new TraceFileError(file, `cannot create the output folder ${dirname(file)}${why}`);
  }
  removeStaleTemps(dirname(file));
  const tmp = tempFileName(file);
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    return placeFile(tmp, file, text, o.replace === true);
  } catch (e) {
    throw new TraceFileError(file, `cannot write (${code(e)}); nothing was written`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * `mkdir -p`, one level at a time from the nearest existing parent. Node 20's recursive
 * `mkdirSync` never returns for a path under /proc (it spins at 100% CPU, deaf to Ctrl-C); a
 * plain `mkdirSync` of each missing level fails there at once, like anywhere else.
 */
function makeFolder(dir: string): void {
  const top = nearestExisting(dir);
  if (top !== null && !statSync(top).isDirectory()) throw Object.assign(new Error(`${top} is not a folder`), { code: 'ENOTDIR' });
  const missing: string[] = [];
  for (let d = dir; d !== top; d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (e) {
      // Made meanwhile by someone else (another shard writing to the same folder): fine.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** The nearest existing part of `dir` (itself or a parent) when it is a file, not a folder. */
export function fileInTheWay(dir: string): string | null {
  const top = nearestExisting(dir);
  return top !== null && statSync(top).isFile() ? top : null;
}

/** The nearest part of `dir` (itself or a parent) that exists, as written in `dir`; null when none does. */
function nearestExisting(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(d)) return d;
    if (dirname(d) === d) return null;
  }
}

/** Writes `trace` with its paths relative to the file's own project root (see trace/paths.ts), so it replays from any folder; returns the file written (writeFileAtomic). */
export function writeTrace(file: string, trace: Trace, o: { readonly replace?: boolean } = {}): string {
  return writeFileAtomic(file, encodeTrace(rebaseTrace(trace, projectRoot(process.cwd()), traceRoot(file))), o);
}

/** A file name for a trace that cannot escape `dir`, whatever the scenario or variant is called. */
export function traceFileName(dir: string, trace: Pick<Trace, 'scenario' | 'variant' | 'failure'>): string {
  const safe = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'x';
  const kind = trace.failure === null ? 'pass' : trace.failure.kind;
  const file = resolve(dir, `${safe(trace.scenario.name)}.${safe(trace.variant)}.${safe(kind)}.json`);
  if (dirname(file) !== resolve(dir)) throw new Error(`refusing to write outside ${dir}`);
  return file;
}
