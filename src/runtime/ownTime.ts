import { readFileSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * A thread's own time: the wall-clock time that passed, less the time the thread spent
 * runnable but waiting for a CPU that other threads or processes held (Linux: the run-queue
 * delay, second field of /proc/<pid>/task/<tid>/schedstat, in ns). What is left is the time it
 * ran or slept in a system call: what the same work takes on an idle machine. A loaded machine
 * (CI shares its cores with other jobs) stretches wall time, not own time.
 *
 * Used where a verdict or a trace would otherwise depend on load. The watchdog judges a runaway
 * by the CPU time the watched thread ran without a scheduling decision (`ranAtLeast`: the first
 * schedstat field), and a thread blocked without running (a synchronous call that never
 * returns) by its own time against the longer load limit
 * (src/parallel/watchedWorker.ts): a thread that sleeps while the threads it waits for are
 * starved (tsx's loader thread, a GC helper) gains own time on a loaded machine, never CPU time.
 * The shrinker's time limit counts its own thread's own time (src/shrink/shrinkTrace.ts). See
 * docs/robustness.md, "Watchdog verdicts under load".
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

/** Thread `tid`'s schedstat: milliseconds it ran on a CPU and waited for one since it began; null when unknown. */
function schedstat(tid: number): { readonly ranMs: number; readonly waitMs: number } | null {
  if (tid <= 0) return null;
  try {
    const [ran, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ').map(Number);
    return Number.isFinite(ran) && Number.isFinite(wait) ? { ranMs: ran! / 1e6, waitMs: wait! / 1e6 } : null;
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
  /** CPU time at the mark (NaN where unknown). */
  private ranAt = Number.NaN;

  constructor(private readonly thread: () => number) {
    this.mark();
  }

  /** Counts from now again (the watched thread made a decision, or a request began). */
  mark(): void {
    this.wallAt = performance.now();
    this.tid = this.thread();
    this.start(schedstat(this.tid));
  }

  private start(stat: { readonly ranMs: number; readonly waitMs: number } | null): void {
    this.waitAt = this.lastWait = stat?.waitMs ?? 0;
    this.ranAt = stat?.ranMs ?? Number.NaN;
  }

  /** Wall milliseconds since the mark (what load stretches). */
  wallMs(): number {
    this.discover();
    return performance.now() - this.wallAt;
  }

  /** Own milliseconds since the mark: wall time less the thread's waiting for a CPU meanwhile. */
  elapsedMs(): number {
    const wall = this.wallMs();
    const wait = schedstat(this.tid)?.waitMs;
    if (wait !== undefined) this.lastWait = wait;
    return wall - Math.max(0, this.lastWait - this.waitAt);
  }

  /**
   * A thread that published its id after the mark (a watched thread does once it runs): its
   * waiting counts from now on, the time before as wall time (never less than its own).
   */
  private discover(): void {
    if (this.tid !== 0) return;
    this.tid = this.thread();
    if (this.tid !== 0) this.start(schedstat(this.tid));
  }

  /** Whether `ms` of own time passed since the mark; reads /proc only once wall time says it may have. */
  atLeast(ms: number): boolean {
    return this.wallMs() >= ms && this.elapsedMs() >= ms;
  }

  /**
   * Whether the thread ran `ms` on a CPU since the mark: what a spinning loop does at once, and
   * what no load can lend a thread that sleeps (waiting for its loader's thread, for a GC helper,
   * for a message). Where CPU time is unknown (not Linux, the thread not yet published), own
   * time: `atLeast(ms)`; a thread published after the mark counts from then.
   */
  ranAtLeast(ms: number): boolean {
    if (this.wallMs() < ms) return false;
    const stat = schedstat(this.tid);
    if (stat === null || Number.isNaN(this.ranAt)) return this.elapsedMs() >= ms;
    this.lastWait = stat.waitMs;
    return stat.ranMs - this.ranAt >= ms;
  }
}

/** Own time of the calling thread since now (the shrinker's time limit counts it). */
export function ownTimeHere(): OwnTime {
  const tid = currentThreadId();
  return new OwnTime(() => tid);
}
