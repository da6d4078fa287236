/** Where in the scenario an error or an operation happened: the first stack frame outside interleave and Node. */
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ErrorInfo } from './failure.js';
import { describeThrown } from './thrown.js';
import type { Operation } from './operation.js';

/** Node's own frames, and libraries' (other than interleave) that the scenario called. */
const FOREIGN_FRAME = /node:internal|[( ]node:[\w/]+:\d|node_modules[\\/](?!interleave)/;

/**
 * interleave's own code: this package's src/ and dist/ folders, as paths and as URLs. Every
 * frame there is left out (the runner, the series, replay, workers: not only the runtime), so a
 * stack reads the same whichever thread ran the execution; a scenario may live anywhere else,
 * also in a folder of its own project named src/.
 */
const OWN_CODE: readonly string[] = (() => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  return ['src', 'dist'].flatMap((dir) => {
    const path = join(root, dir) + sep;
    return [path, pathToFileURL(path).href];
  });
})();

function isInternal(frame: string): boolean {
  return FOREIGN_FRAME.test(frame) || OWN_CODE.some((prefix) => frame.includes(prefix));
}

/** The error's facts, with its first stack frame inside the scenario (not interleave, not Node). */
export function errorInfo(error: unknown): ErrorInfo {
  // Read through describeThrown: a thrown value may throw when inspected (a revoked Proxy).
  const facts = describeThrown(error);
  if (facts.stack === undefined) return { name: facts.name, message: facts.message };
  const frames = facts.stack.split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('at '));
  const own = frames.find((f) => !isInternal(f));
  const location = own === undefined ? undefined : shortLocation(own);
  return {
    name: facts.name,
    message: facts.message,
    ...(location !== undefined ? { location } : {}),
    stack: frames.filter((f) => !isInternal(f)).join('\n'),
    frames: ownFrames(frames),
  };
}

/**
 * An error raised by an interleave operation (KeyError, QueueEmpty, ...): its stack is the
 * stack of whichever task handed control over, so its location is where the raising task called
 * the operation, known only while recording (exploration leaves it out rather than lie).
 */
export function opErrorInfo(error: Error, op: Operation): ErrorInfo {
  const location = op.site === undefined ? undefined : callSite(op.site);
  const frames = op.site === undefined ? undefined : ownFrames(stackFrames(op.site));
  return { name: error.name, message: error.message, ...(location !== undefined ? { location } : {}), ...(frames !== undefined ? { frames } : {}) };
}

/** At most this many frames of the failing task's own code make up a bug's identity. */
const MAX_OWN_FRAMES = 8;

/**
 * The failing task's own frames, innermost first, as `file:line`: after interleave's frames on
 * top (t.assert, an operation), the scenario's frames up to the next frame of interleave or Node.
 * A task's first segment runs inside the dispatch of the task that handed over, so frames past
 * that point belong to another task and to the schedule, not to the bug. Frames without a
 * location (`at async Promise.all (index 1)`) are left out. The shrinker compares these
 * (src/shrink/signature.ts): one assertion helper called from two places is two bugs.
 */
function ownFrames(frames: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < frames.length && isInternal(frames[i]!)) i++;
  for (; i < frames.length && out.length < MAX_OWN_FRAMES && !isInternal(frames[i]!); i++) {
    const at = frameLocation(frames[i]!);
    if (at !== null) out.push(at.line !== undefined ? `${at.file}:${at.line}` : at.file);
  }
  return out;
}

function stackFrames(captured: { readonly stack?: string | undefined }): string[] {
  return (captured.stack ?? '').split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('at '));
}

/** Where the scenario called `op` (`/abs/scenarios/x.ts:42`), when call sites were recorded. */
export function operationSite(op: Operation): string | undefined {
  return op.site === undefined ? undefined : callSite(op.site);
}

/**
 * Where the code under test called into interleave right now (`/abs/x.ts:42`): the first frame
 * outside interleave and Node that has a file (not `new Promise (<anonymous>)`, on the way in
 * from node:timers/promises).
 */
export function siteHere(): string | undefined {
  const own = stackFrames(new Error()).find((f) => !isInternal(f) && frameLocation(f) !== null);
  return own === undefined ? undefined : shortLocation(own);
}

/**
 * Whether the code that called `fn` is the scenario's own (not interleave's, not Node's, not a
 * library's), and if so every frame of the scenario's code on the stack, innermost first, as
 * `file:line` (the async frames of awaiting callers included: `at async transfer (...)`), looking
 * up to 50 frames deep; else null. For src/primitives/awaitSites.ts, whose promise hook is `fn`.
 */
export function scenarioLinesBelow(fn: (...args: never[]) => unknown): string[] | null {
  const frames = deepFrames(fn);
  // Below the hook: Node's dispatch to it, and a builtin that made the promise (`Promise.then`).
  let first = 0;
  while (first < frames.length && (frames[first]!.includes('node:internal/promise_hooks') || frames[first]!.endsWith('(<anonymous>)'))) first++;
  if (first === frames.length || isInternal(frames[first]!)) return null;
  const out = scenarioLines(frames.slice(first));
  return out.length === 0 ? null : out;
}

/** Every frame on the stack right now that is not interleave's, Node's or a library's, as `file:line`: the lines of the code that called interleave. */
export function scenarioLinesHere(): string[] {
  return scenarioLines(deepFrames(scenarioLinesHere));
}

function deepFrames(below: (...args: never[]) => unknown): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, below);
  Error.stackTraceLimit = limit;
  return stackFrames(holder);
}

function scenarioLines(frames: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of frames) {
    if (isInternal(f)) continue;
    const at = frameLocation(f);
    if (at?.line !== undefined) out.push(`${at.file}:${at.line}`);
  }
  return out;
}

/**
 * `scenarios/x.ts:12: `, the scenario line that called into interleave right now, relative to
 * the working directory, ready to start a usage error's message; empty when no frame is the
 * scenario's.
 */
export function callerLocation(): string {
  const at = callSite(new Error());
  if (at === undefined) return '';
  return `${shownLocation(at)}: `;
}

/** `path:line` relative to the working directory when inside it (the same text on every machine), else as it is. */
export function shownLocation(at: string): string {
  const rel = relative(process.cwd(), at);
  return rel.startsWith('..') || isAbsolute(rel) ? at : rel.split(sep).join('/');
}

/** The scenario line in a captured stack (the first frame outside interleave). */
function callSite(captured: Error): string | undefined {
  const own = stackFrames(captured).find((f) => !isInternal(f));
  return own === undefined ? undefined : shortLocation(own);
}

/** `/abs/file.ts:12`: exact here; traces make it relative and reports show it relative to the working directory. */
function shortLocation(frame: string): string {
  const at = frameLocation(frame);
  if (at === null) return frame.replace(/^at /, '');
  return at.line !== undefined ? `${at.file}:${at.line}` : at.file;
}

/**
 * The file and line of a stack frame (`at f (/a/b.ts:12:5)`, `at file:///a/b.ts:12:5`), without
 * a loader's query (`?tsx-namespace=...`), which changes from run to run.
 *
 * tsx runs a CommonJS file that an ES module imports from a data: URL holding the compiled code
 * (`data:text/javascript,<code>?filePath=/a/b.ts%3Fnamespace%3D<uuid>:2:887`); Node maps no
 * source map there, so the line is the compiled code's: the file is kept, the line left out.
 */
export function frameLocation(frame: string): { file: string; line?: number } | null {
  const data = /data:text\/javascript,.*\?filePath=([^\s:)]+)/.exec(frame);
  if (data !== null) return { file: withoutQuery(safeDecode(data[1]!)) };
  const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/.exec(frame);
  if (m === null) return null;
  const file = withoutQuery(m[1]!);
  return { file: file.startsWith('file://') ? fromFileUrl(file) : file, line: Number(m[2]) };
}

function withoutQuery(file: string): string {
  const q = file.indexOf('?');
  return q < 0 ? file : file.slice(0, q);
}

function fromFileUrl(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
