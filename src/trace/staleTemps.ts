import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A writer's temporary file is left for it this long at most (a write takes well under a second). */
const STALE_AFTER_MS = 60_000;

/** interleave's temporary names: `.<name>.<pid>.<8 hex>.tmp` (and `.<name>.<pid>.tmp`, written before the hex). */
const TEMP_NAME = /^\..+\.(\d+)(?:\.[0-9a-f]{8})?\.tmp$/;

/**
 * A fresh temporary name next to `file` for writeFileAtomic: hidden, with this process's id (so a
 * later writer can tell a dead writer's leftover) and random hex (threads of one process, and
 * two writes of one file, never share it). The hex decides no schedule.
 */
export function tempFileName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Removes the temporary files interleave's own writes left in `dir` (a writer killed mid-write
 * leaves its `.<name>.<pid>...tmp`, up to the size of the trace it wrote): those whose writer
 * process is gone, and any older than a minute. Other files are never touched. Called by
 * writeFileAtomic before each write into `dir`; a file that cannot be removed is left as is.
 */
export function removeStaleTemps(dir: string, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null) continue;
    const path = join(dir, name);
    try {
      if (!alive(Number(m[1])) || now - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { force: true });
    } catch {
      // Gone meanwhile, or not ours to remove: left as is.
    }
  }
}

/** A process with this id runs (or ran as another user: EPERM means it exists). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
