import { constants, copyFileSync, linkSync, lstatSync, readFileSync, renameSync, rmSync, type Stats } from 'node:fs';
import { extname } from 'node:path';
import { tempFileName } from './staleTemps.js';

/** `x.json`, `x.2.json`, ... `x.<MAX_NUMBERED>.json`: the names tried for one file. */
const MAX_NUMBERED = 100;

/**
 * Puts the complete file `tmp` in place as `file` (same folder) and returns where it went. The
 * name is taken with an exclusive link, never check-then-write, so two runs writing one path
 * never lose a trace silently:
 * - the same bytes already there: nothing to do;
 * - a file written before this process started (an earlier run's): replaced;
 * - a file written since (another run, at work now): kept, and this one goes to `x.2.json`
 *   (then `x.3.json`, ...), which the caller reports as the file written.
 * With `replace`, `file` is replaced whoever wrote it (the shrunk trace over the raw one this
 * run saved, a file the user named to be replaced). Throws the file system's error; after
 * MAX_NUMBERED names, an Error saying so.
 */
export function placeFile(tmp: string, file: string, text: string, replace: boolean): string {
  if (replace) {
    renameSync(tmp, file);
    return file;
  }
  const started = Date.now() - process.uptime() * 1000;
  for (let n = 1; n <= MAX_NUMBERED; n++) {
    const target = numbered(file, n);
    for (;;) {
      if (linkExclusive(tmp, target)) return target;
      const there = lstatOrNull(target);
      if (there === null) continue; // removed meanwhile: try the name again
      // A folder, FIFO or device under the name is not replaced, nor read (a FIFO would block).
      if (!there.isFile() && !there.isSymbolicLink()) throw Object.assign(new Error(`${target} is not a file`), { code: there.isDirectory() ? 'EISDIR' : 'EEXIST' });
      if (there.isFile() && sameText(target, text)) return target;
      if (there.mtimeMs >= started) break; // another run's fresh file: the next name
      retire(target, there, file);
    }
  }
  throw Object.assign(new Error(`${file} and ${MAX_NUMBERED - 1} numbered files next to it were all written since this run started`), { code: 'EEXIST' });
}

/** `file` with ` .n` before its extension (n > 1). */
function numbered(file: string, n: number): string {
  if (n === 1) return file;
  const ext = extname(file);
  return `${file.slice(0, file.length - ext.length)}.${n}${ext}`;
}

/** Links `from` as `to` unless `to` exists (a file system without hard links: an exclusive copy). */
function linkExclusive(from: string, to: string): boolean {
  try {
    try {
      linkSync(from, to);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
      copyFileSync(from, to, constants.COPYFILE_EXCL);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Moves an earlier run's `target` (as `seen`) out of the way. If what moved is not that file (a
 * run replaced it meanwhile), it is put back under the first free name of `file`: never lost.
 */
function retire(target: string, seen: Stats, file: string): void {
  const grave = tempFileName(target);
  try {
    renameSync(target, grave);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const moved = lstatSync(grave);
    if (moved.ino !== seen.ino || moved.dev !== seen.dev) {
      for (let n = 1; n <= MAX_NUMBERED && !linkExclusive(grave, numbered(file, n)); n++);
    }
  } finally {
    rmSync(grave, { force: true });
  }
}

/** The entry itself (a link is not followed: a dangling one is there). */
function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function sameText(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}
