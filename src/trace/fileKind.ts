import type { Stats } from 'node:fs';

/**
 * What a path that is not a regular file is, for a one-line refusal ("is a FIFO (named pipe),
 * not a trace file"); null for a regular file. Judged from `stat`, which never opens the file:
 * reading a FIFO blocks until a writer comes, and reading a device such as /dev/zero never ends.
 * Called before a trace, shard or scenario file is read or imported.
 */
export function notRegularFile(s: Stats): string | null {
  if (s.isFile()) return null;
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}
