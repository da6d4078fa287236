import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TraceFileError, traceFileName, writeTrace } from './codec.js';
import type { Trace } from './schema.js';

/** Where an output file went (see saveOrFallback). */
export interface SaveOutcome {
  /** The file written: the one asked for, else the fallback; null when neither could be written. */
  readonly file: string | null;
  /** One line naming the asked-for file and why it was not written there; null when it was. */
  readonly error: string | null;
}

/**
 * Writes `file` with `write`; when that fails (folder not writable, disk full, a folder in the
 * way), writes the same name into a new `interleave-*` folder of the OS temp dir instead.
 * Called by `run` and `ci` for traces, JUnit reports and shard results: the failure an
 * exploration found must outlive a broken output folder, and one bad file must not stop the
 * variants still to run. `write` must write whole or not at all, return the file it wrote (another
 * name when a concurrent run holds this one) and report a failed write as a TraceFileError, as
 * writeFileAtomic does; any other error is interleave's own bug and propagates.
 */
export function saveOrFallback(file: string, write: (file: string) => string): SaveOutcome {
  try {
    return { file: write(file), error: null };
  } catch (e) {
    if (!(e instanceof TraceFileError)) throw e;
    let folder: string | null = null;
    let fallback: string;
    try {
      folder = mkdtempSync(join(tmpdir(), 'interleave-'));
      fallback = write(join(folder, basename(file)));
    } catch (again) {
      // A fallback folder that holds nothing is not left behind (one per failed save, otherwise).
      if (folder !== null) rmSync(folder, { recursive: true, force: true });
      if (!(again instanceof TraceFileError) && (again as NodeJS.ErrnoException).code === undefined) throw again;
      return { file: null, error: `${e.message}; the fallback failed too: ${(again as Error).message}` };
    }
    return { file: fallback, error: `${e.message}; saved to ${fallback} instead` };
  }
}

/** Heads a trace's text printed because neither the output folder nor the temp dir could hold it. */
export const UNSAVED_HEADER = 'trace (not saved: the output folder and the temp dir failed; save this text as a .json file to replay it):';

/**
 * A failure's trace saved under its usual name in `dir`, else in the temp dir (saveOrFallback).
 * `replace`: over a file of that name whoever wrote it (see writeFileAtomic), for a long-lived
 * process that saves the latest failure of a variant again and again (a vitest watch mode).
 */
export function saveTraceOrFallback(dir: string, trace: Trace, o: { readonly replace?: boolean } = {}): SaveOutcome {
  return saveOrFallback(traceFileName(dir, trace), (file) => writeTrace(file, trace, o));
}

/** A failure's trace as saveThenShrink left it: shrunk when shrinking gave one, where it went, and why not where asked. */
export interface SavedFailure {
  readonly trace: Trace;
  readonly file: string | null;
  readonly error: string | null;
}

/**
 * Saves a failure's trace as found, then the trace `shrink` makes of it (null: none) over it.
 * The raw trace goes first, so a failed shrink or a second Ctrl-C still leaves the failure on
 * disk; the shrunk one follows it into the fallback folder, if it went there (one error line,
 * not two). `shrink` gets the raw trace and where it went. Used by `run` and `merge`.
 */
export async function saveThenShrink(dir: string, trace: Trace, shrink: (trace: Trace, saved: string | null) => Promise<Trace | null>): Promise<SavedFailure> {
  const raw = saveTraceOrFallback(dir, trace);
  const shrunk = await shrink(trace, raw.file);
  if (shrunk === null) return { trace, file: raw.file, error: raw.error };
  // The shrunk trace replaces the raw one this run wrote, whatever name that took.
  const again = raw.file !== null ? saveOrFallback(raw.file, (file) => writeTrace(file, shrunk, { replace: file === raw.file })) : saveTraceOrFallback(dir, shrunk);
  return { trace: shrunk, file: again.file, error: again.error ?? raw.error };
}
