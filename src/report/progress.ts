import { executionCount } from './text.js';

/** What a progress line shows. */
export interface ProgressState {
  readonly label: string;
  readonly executions: number;
  readonly elapsedMs: number;
  readonly failures: number;
}

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(s: string): unknown;
}

/**
 * A live progress line. On a terminal it is redrawn in place with `\r` at most every 100 ms and
 * erased by `clear()`; elsewhere (piped, CI logs) it prints a plain line at most every
 * `plainEveryMs` (default 5 s), so logs show liveness without flooding. Wall-clock time is
 * only used here to throttle output, never to decide a schedule.
 */
export class ProgressLine {
  private lastDraw = -Infinity;
  private drawn = false;
  private readonly plainEveryMs: number;

  constructor(
    private readonly sink: ProgressSink,
    options: { plainEveryMs?: number } = {},
  ) {
    this.plainEveryMs = options.plainEveryMs ?? 5000;
  }

  update(p: ProgressState, nowMs: number): void {
    // A run shorter than this shows no progress at all (a split run reports its first block at once).
    if (p.elapsedMs < QUIET_START_MS) return;
    this.show(formatProgress(p), nowMs);
  }

  /** Any progress text, under the same throttling (`ci` counts variants, not executions). */
  show(text: string, nowMs: number): void {
    const tty = this.sink.isTTY === true;
    if (nowMs - this.lastDraw < (tty ? 100 : this.plainEveryMs)) return;
    this.lastDraw = nowMs;
    if (tty) {
      this.sink.write(`\r\u001b[2K${text}`);
      this.drawn = true;
    } else {
      this.sink.write(`${text}\n`);
    }
  }

  /** Erases the live line (terminal only) before ordinary output is printed. */
  clear(): void {
    if (this.drawn) this.sink.write('\r\u001b[2K');
    this.drawn = false;
  }
}

/** Progress is shown from a quarter second into a run (explore reports it no sooner). */
const QUIET_START_MS = 250;

export function formatProgress(p: ProgressState): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.executions / p.elapsedMs) * 1000) : 0;
  return `${p.label}: ${executionCount(p.executions)}, ${rate}/s, ${(p.elapsedMs / 1000).toFixed(1)}s, ${p.failures} failure${p.failures === 1 ? '' : 's'}`;
}
