import { existsSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { TraceFileError } from './codec.js';
import { notRegularFile } from './fileKind.js';
import { projectRoot } from './paths.js';

/** Extensions of a scenario module (src/loader.ts imports nothing else). */
export const SCENARIO_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.js', '.mjs'];

/** Where a trace's scenario file may be: `dir` (`--dir`) besides the project root; `trust` (`--trust-trace-paths`) lifts the root rule. */
export interface ScenarioFileRule {
  readonly dir: string;
  readonly trust?: boolean;
}

/**
 * The scenario module a trace (or a shard file's trace) names in `scenario.file`, checked before
 * anything is imported: a trace is data, never code. The file must have a source extension
 * (.ts, .mts, .js, .mjs) and, unless `trust`, be named by a relative path inside the project
 * root (the working directory's, where package.json is) or inside `dir`, also once symlinks are
 * resolved; what is there must be a regular file (judged by `stat`, never opened: a FIFO or a
 * device is refused, not read). Anything else throws a TraceFileError naming `traceFile` and the
 * field (exit 2). Returns the file's path, or null when nothing is there (the caller looks the
 * scenario up by name in `dir`).
 *
 * Called by locateScenario (replay, ci, shrink, merge's shrink, replayTraces) and by merge and
 * ci for every trace before anything runs. `recorded` is relative to the working directory's
 * project root (readTrace rebased it); traces written before that rule were relative to the
 * folder they were recorded in, so the working directory is tried next.
 */
export function trustedScenarioFile(recorded: string, traceFile: string, rule: ScenarioFileRule): string | null {
  const refuse = (why: string): never => {
    throw new TraceFileError(traceFile, `invalid field scenario.file: ${JSON.stringify(recorded)} ${why}`);
  };
  if (!SCENARIO_EXTENSIONS.includes(extname(recorded))) refuse(`is not a scenario module (${SCENARIO_EXTENSIONS.join(', ')})`);
  const root = projectRoot(process.cwd());
  const bases = [root, resolve(rule.dir)];
  const untrusted = `: a trace may only name a scenario module inside the project (${root}) or --dir (${rule.dir}); --trust-trace-paths allows it`;
  if (rule.trust !== true && isAbsolute(recorded)) refuse(`is an absolute path${untrusted}`);
  const candidates = [resolve(root, recorded), resolve(recorded)];
  if (rule.trust !== true && !candidates.every((c) => bases.some((b) => inside(c, b)))) refuse(`is outside${untrusted}`);
  const file = candidates.find((c) => existsSync(c)) // a dangling link is nothing;
  if (file === undefined) return null;
  if (rule.trust !== true) {
    const real = realpathSync(file);
    if (!bases.some((b) => inside(real, realOrSelf(b)))) refuse(`is a link to ${real}, outside${untrusted}`);
  }
  const kind = notRegularFile(statSync(file));
  if (kind !== null) refuse(`is ${kind}, not a scenario module`);
  return file;
}

/** `path` is `base` or under it (both absolute). */
function inside(path: string, base: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
