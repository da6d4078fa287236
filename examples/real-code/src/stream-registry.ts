/**
 * The progress-stream registry of the 001 audit (PlanExe's pipeline execution service), as a
 * TypeScript class: a plain Map of plan id to stream, a pipeline runner behind an async client,
 * SSE clients that connect and disconnect, and a cleanup that waits for the pipeline to exit, at
 * most `joinTimeoutMs` (the audit's `thread.join(timeout=5.0)`). Nothing here knows about
 * interleave; stream-registry.scenario.ts hands it a controlled runner.
 */
export interface PipelineRunner {
  start(planId: string): Promise<void>;
  stop(planId: string): Promise<void>;
  /** Resolves with the exit code once the pipeline process has exited. */
  waitForExit(planId: string): Promise<number>;
}

/** One plan's progress lines and the SSE clients reading them. */
export class ProgressStream {
  readonly lines: string[] = [];
  clients = 0;
  closed = false;

  close(): void {
    if (this.closed) throw new Error('stream closed twice');
    this.closed = true;
  }
}

/** Waits for `exit`, or `ms` milliseconds, whichever comes first. */
export async function joinWithTimeout<T>(exit: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** As the audit found it: cleanup checks `has`, waits for the pipeline, then gets and deletes. */
export class StreamRegistry {
  protected readonly streams = new Map<string, ProgressStream>();

  constructor(
    protected readonly runner: PipelineRunner,
    protected readonly joinTimeoutMs = 5000,
  ) {}

  async create(planId: string): Promise<void> {
    this.streams.set(planId, new ProgressStream());
    await this.runner.start(planId);
  }

  /** An SSE client connects: the plan's stream, or undefined (404). */
  connect(planId: string): ProgressStream | undefined {
    const stream = this.streams.get(planId);
    if (stream !== undefined) stream.clients++;
    return stream;
  }

  /** The last SSE client to leave cleans the plan up. */
  async disconnect(planId: string): Promise<void> {
    const stream = this.streams.get(planId);
    if (stream === undefined) return;
    stream.clients--;
    if (stream.clients === 0) await this.cleanup(planId);
  }

  /** The user deletes the plan: stop the pipeline, then clean up. */
  async delete(planId: string): Promise<void> {
    await this.runner.stop(planId);
    await this.cleanup(planId);
  }

  get size(): number {
    return this.streams.size;
  }

  protected async cleanup(planId: string): Promise<void> {
    if (!this.streams.has(planId)) return;
    await joinWithTimeout(this.runner.waitForExit(planId), this.joinTimeoutMs);
    // Another cleanup may have run while we waited: get() is then undefined.
    const stream = this.streams.get(planId)!;
    stream.close();
    this.streams.delete(planId);
  }
}

/** The fix: take the stream out of the Map before waiting (the audit's atomic `pop`), so one cleanup owns it. */
export class SafeStreamRegistry extends StreamRegistry {
  protected override async cleanup(planId: string): Promise<void> {
    const stream = this.streams.get(planId);
    if (stream === undefined) return;
    this.streams.delete(planId);
    await joinWithTimeout(this.runner.waitForExit(planId), this.joinTimeoutMs);
    stream.close();
  }
}
