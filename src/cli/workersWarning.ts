import { availableParallelism } from 'node:os';

/**
 * The warning `run` prints once when `--workers n` asks for more threads than the machine can
 * run at once: each worker is a thread with its own heap, so past the CPUs they only cost time
 * and memory (32 workers on 2 CPUs: 800 MB, slower than 2). Not refused: a user may oversubscribe
 * on purpose (to test, or on a machine whose CPU count Node misreads).
 */
export function workersWarning(workers: number | undefined, cpus: number = availableParallelism()): string | null {
  if (workers === undefined || workers <= cpus) return null;
  return `interleave: --workers ${workers} is more than the ${cpus} CPU${cpus === 1 ? '' : 's'} of this machine; each worker is a thread with its own heap`;
}
