import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Trace } from './schema.js';

/**
 * Paths in traces (`scenario.file`, `failure.error.location`, `failure.awaits`, a call event's `site`) are relative to a project root,
 * never absolute, so a trace is the same on every machine and replays from any folder.
 * - In memory (`result.trace`, `encodeTrace`) they are relative to the working directory's root.
 * - In a trace file they are relative to the file's own root: `writeTrace` and `readTrace`
 *   rebase them when the two roots differ (a trace saved into, or read from, another project),
 *   so a round trip gives the same value.
 *
 * The root is found as npm finds a project (`npm prefix`): the nearest folder at or above `dir`
 * that holds a package.json or a node_modules folder; `dir` itself when there is none.
 */
export function projectRoot(dir: string): string {
  const start = resolve(dir);
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) || existsSync(join(d, 'node_modules'))) return d;
    if (dirname(d) === d) return start;
  }
}

/** `file` relative to `root` with `/` separators (absolute only across Windows drives). */
export function portablePath(file: string, root = projectRoot(process.cwd())): string {
  const rel = relative(root, resolve(root, file));
  return (isAbsolute(rel) ? resolve(root, file) : rel).split(sep).join('/');
}

/** A path as the user would open it: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string, root = projectRoot(process.cwd())): string {
  const abs = resolve(root, file);
  const rel = relative(process.cwd(), abs);
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? abs : rel.split(sep).join('/');
}

/** A location (`path:line`, or `path` when the line is unknown) with its path mapped by `f`; other text as is. */
export function mapLocation(location: string, f: (path: string) => string): string {
  const m = /^(.+?\.[cm]?[jt]sx?)(:\d+)?$/.exec(location);
  return m === null ? location : `${f(m[1]!)}${m[2] ?? ''}`;
}

/** A location for a person to open (see displayPath). */
export function displayLocation(location: string, root?: string): string {
  return mapLocation(location, (p) => displayPath(p, root));
}
/** The trace with its paths moved from relative to root `from` to relative to root `to` (the same object when the roots are equal). */
export function rebaseTrace(trace: Trace, from: string, to: string): Trace {
  if (from === to) return trace;
  const move = (p: string): string => portablePath(resolve(from, p), to);
  const failure = trace.failure;
  const error = failure?.error;
  return {
    ...trace,
    scenario: { ...trace.scenario, ...(trace.scenario.file !== undefined ? { file: move(trace.scenario.file) } : {}) },
    failure:
      failure === null
        ? null
        : {
            ...failure,
            ...(error?.location !== undefined ? { error: { ...error, location: mapLocation(error.location, move) } } : {}),
            ...(failure.awaits !== undefined ? { awaits: failure.awaits.map((at) => mapLocation(at, move)) } : {}),
          },
    events: trace.events.map((e) => (e.site === undefined ? e : { ...e, site: mapLocation(e.site, move) })),
  };
}

/** The root a trace file's paths are relative to. */
export function traceRoot(traceFile: string): string {
  return projectRoot(dirname(resolve(traceFile)));
}
