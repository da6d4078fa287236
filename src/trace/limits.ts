import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Limits on the files interleave reads (trace files, shard results files): a trace is data,
 * never code, and a hostile or corrupted one must end in a one-line refusal, not a crash,
 * a hang or the whole memory. Called by readTrace (src/trace/codec.ts) and readShardFile
 * (src/parallel/shardFile.ts); the numbers in a trace are bounded by its schema (schema.ts).
 */

const MiB = 1024 * 1024;

/**
 * A trace file: 64 MiB. The largest bundled trace is 34 KB; at about 200 bytes an event, a
 * trace that uses the whole default step limit (20,000 steps) is under 10 MB.
 */
export const TRACE_FILE_LIMIT = 64 * MiB;

/** A shard results file holds one run per variant, each with at most one trace: 256 MiB. */
export const SHARD_FILE_LIMIT = 256 * MiB;

/**
 * Nesting depth of any JSON input: 64 levels. A trace itself nests 5 deep; the rest is for
 * parameter values. Deeper input is refused before it is parsed: JSON.parse copes with a
 * 100,000-deep array, but JSON.stringify, zod and the formatters recurse over it and overflow.
 */
export const MAX_DEPTH = 64;

/** The longest `runaway.seconds` a trace may record, and the longest `--watchdog`: one hour. */
export const MAX_WATCHDOG_SECONDS = 3600;

const CHUNK = MiB;

/**
 * The text of `file` (UTF-8), read through a file handle a chunk at a time and never past
 * `limit` bytes: a larger file is refused by `tooLarge()` before a byte is read, an endless one
 * (a FIFO, /dev/zero) after `limit + 1` bytes. Read errors (ENOENT, EISDIR, ...) are thrown as they are.
 */
export function readBoundedText(file: string, limit: number, tooLarge: () => Error): string {
  const fd = openSync(file, 'r');
  try {
    if (fstatSync(fd).size > limit) throw tooLarge(); // a regular file says its size: not a byte read
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooLarge();
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `64 MiB`: a limit as the messages say it. */
export function sizeText(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

/**
 * Where JSON `text` first nests deeper than `max` (an array or object opened at that depth),
 * as an offset into the text; null when it never does. One pass over the characters, strings
 * skipped, no recursion: safe on any input, whether or not it is valid JSON.
 */
export function tooDeepAt(text: string, max = MAX_DEPTH): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}

/** The message for input nested too deep, after `<file>: `. */
export function tooDeepText(at: number): string {
  return `nested deeper than the ${MAX_DEPTH}-level limit (at character ${at})`;
}
