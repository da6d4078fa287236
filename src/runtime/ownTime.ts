import { readFileSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * A thread's own time: the wall-clock time that passed, less the time the thread spent
 * runnable but waiting for a CPU that other threads or processes held (Linux: the run-queue
 * delay, second field of /proc/<pid>/task/<tid>/schedstat, in ns). What is left is the time it
 * ran or slept in a system call: what the same work takes on an idle machine. A loaded machine
 * (CI shares its cores with other jobs) stretches wall time, not own time.
 *
 * Used where a verdict or a trace would otherwise depend on load: the watchdog judges a runaway
 * by the watched thread's own time without a scheduling decision (src/robust/watchdog.ts,
 * src/parallel/watchedWorker.ts), and the shrinker's time limit counts its own thread's
 * (src/shrink/shrinkTrace.ts). See docs/robustness.md, "Watchdog verdicts under load".
 *
 * Where the file cannot be read (not Linux, /proc not mounted, a kernel without schedstats, a
 * thread that ended), the wait reads as unchanged: own time is wall time, as before.
 */

/** This thread's id (a Linux tid), for another thread of this process to read its schedstat; 0 where unknown. */
export function currentThreadId(): number {
  try {
    const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/** Milliseconds thread `tid` of this process has waited for a CPU since it began; null when unknown. */
export function runQueueWaitMs(tid: number): number | null {
  if (tid <= 0) return null;
  try {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[1]);
    return Number.isFinite(ns) ? ns / 1e6 : null;
  } catch {
    return null;
  }
}

/**
 * Own time of one thread since a mark. `thread` names it (read at each mark, and at each
 * reading until known: a watched thread publishes its id once it runs; while it reads 0, own
 * time is wall time). Each `mark`, and each reading past the wall-clock threshold, costs one
 * read of a small /proc file (about 30 µs of CPU).
 */
export class OwnTime {
  private wallAt = 0;
  private tid = 0;
  private waitAt = 0;
  private lastWait = 0;

  constructor(private readonly thread: () => number) {
    this.mark();
  }

  /** Counts from now again (the watched thread made a decision, or a request began). */
  mark(): void {
    this.wallAt = performance.now();
    this.tid = this.thread();
    this.waitAt = this.lastWait = runQueueWaitMs(this.tid) ?? 0;
  }

  /** Wall milliseconds since the mark (what load stretches). */
  wallMs(): number {
    this.discover();
    return performance.now() - this.wallAt;
  }

  /** Own milliseconds since the mark: wall time less the thread's waiting for a CPU meanwhile. */
  elapsedMs(): number {
    const wall = this.wallMs();
    const wait = runQueueWaitMs(this.tid);
    if (wait !== null) this.lastWait = wait;
    return wall - Math.max(0, this.lastWait - this.waitAt);
  }

  /**
   * A thread that published its id after the mark (a watched thread does once it runs): its
   * waiting counts from now on, the time before as wall time (never less than its own).
   */
  private discover(): void {
    if (this.tid !== 0) return;
    this.tid = this.thread();
    if (this.tid !== 0) this.waitAt = this.lastWait = runQueueWaitMs(this.tid) ?? 0;
  }

  /** Whether `ms` of own time passed since the mark; reads /proc only once wall time says it may have. */
  atLeast(ms: number): boolean {
    return this.wallMs() >= ms && this.elapsedMs() >= ms;
  }
}

/** Own time of the calling thread since now (the shrinker's time limit counts it). */
export function ownTimeHere(): OwnTime {
  const tid = currentThreadId();
  return new OwnTime(() => tid);
}
