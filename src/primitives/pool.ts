import { PoolError, TimeoutError } from '../runtime/errors.js';
import type { Execution } from '../runtime/execution.js';
import { Operation, type WaitInfo } from '../runtime/operation.js';
import type { Task } from '../runtime/operation.js';
import { Primitive, type WaitOptions } from './base.js';

export interface PoolOptions {
  /** Fixed number of worker threads (Python's max_workers). */
  readonly workers: number;
}

interface WorkItem {
  readonly future: Future<unknown>;
  readonly fn: () => unknown;
  /** `type` and `name` make events read `take pool -> job task-A1#1`. */
  readonly type: 'job';
  readonly name: string;
}

/**
 * A thread pool with a fixed number of workers (Python's ThreadPoolExecutor). Workers are real
 * tasks, started lazily as in Python; a job submitted from inside a worker waits for a free
 * worker like any other, so a worker blocking on its child's future can exhaust the pool.
 */
export class ThreadPool extends Primitive {
  readonly type = 'pool';
  readonly workers: Task[] = [];
  private readonly queue: WorkItem[] = [];
  private shut = false;
  private readonly max: number;
  private submitted = 0;

  constructor(exec: Execution, name: string, options: PoolOptions) {
    super(exec, name);
    this.max = options.workers;
  }

  /** Queues `fn` and returns its future. `name` labels the job in events and wait-for edges. */
  submit<T>(name: string, fn: () => Promise<T> | T): Promise<Future<T>> {
    return this.exec.perform(
      new Operation('submit', this, undefined, 'write', null, () => {
        if (this.shut) throw new PoolError(`cannot submit ${name}: pool "${this.name}" is shut down`);
        const future = new Future<T>(this.exec, `${name}#${++this.submitted}`, this);
        this.queue.push({ future: future as Future<unknown>, fn, type: 'job', name: future.name });
        const idle = this.workers.filter((w) => w.pending?.idle === true).length;
        if (idle < this.queue.length && this.workers.length < this.max) this.startWorker();
        return future;
      }),
    );
  }

  /** Stops accepting work; with `wait` (the default) waits until every queued job ran. */
  async shutdown(options?: { wait?: boolean }): Promise<void> {
    await this.exec.perform(
      new Operation('shutdown', this, undefined, 'write', null, () => {
        this.shut = true;
      }),
    );
    if (options?.wait === false) return;
    for (const w of [...this.workers]) {
      await this.exec.perform(
        new Operation(
          'join',
          this,
          undefined,
          'read',
          () => w.finished,
          () => true,
          Infinity,
          () => ({ resource: `join ${w.name}`, holders: [w], owned: true }),
        ),
      );
    }
  }

  /** Busy workers: what a queued job waits for. */
  busyWorkers(): Task[] {
    return this.workers.filter((w) => !w.finished && w.pending?.idle !== true);
  }

  get full(): boolean {
    return this.workers.length >= this.max;
  }

  private startWorker(): void {
    const n = this.workers.length + 1;
    let me: Task | null = null;
    me = this.exec.spawn(
      `${this.name}-worker-${n}`,
      async () => {
        for (;;) {
          const item = await this.exec.perform<WorkItem | null>(
            new Operation(
              'take',
              this,
              undefined,
              'write',
              () => this.queue.length > 0 || this.shut,
              () => {
                const it = this.queue.shift() ?? null;
                if (it !== null) it.future.startOn(me!);
                return it;
              },
              Infinity,
              () => ({ resource: `pool "${this.name}" work`, holders: [], owned: false }),
              true,
            ),
          );
          if (item === null) return;
          let ok = true;
          let value: unknown;
          try {
            value = await item.fn();
          } catch (e) {
            ok = false;
            value = e;
          }
          await this.exec.perform(new Operation('complete', item.future, undefined, 'write', null, () => item.future.settle(ok, value)));
        }
      },
      true,
    );
    this.workers.push(me);
  }
}

/** The result of a job submitted to a ThreadPool (Python's concurrent.futures.Future). */
export class Future<T> extends Primitive {
  readonly type = 'future';
  private state: 'queued' | 'running' | 'done' = 'queued';
  private worker: Task | null = null;
  private ok = true;
  private value: unknown;

  constructor(
    exec: Execution,
    name: string,
    private readonly pool: ThreadPool,
  ) {
    super(exec, name);
  }

  /** @internal called by the pool */
  startOn(worker: Task): void {
    this.state = 'running';
    this.worker = worker;
  }

  /** @internal called by the pool */
  settle(ok: boolean, value: unknown): void {
    this.state = 'done';
    this.ok = ok;
    this.value = value;
  }

  /**
   * The job's value; rethrows its error. With a timeout, throws TimeoutError when it passes
   * first (Python's `future.result(timeout)`).
   */
  result(options?: WaitOptions): Promise<T> {
    return this.exec.perform(
      new Operation(
        'result',
        this,
        undefined,
        'read',
        () => this.state === 'done',
        (timedOut) => {
          if (timedOut) throw new TimeoutError(`result of ${this.name} not ready after ${options?.timeout}ms`);
          if (!this.ok) throw this.value;
          return this.value;
        },
        this.deadline(options),
        () => this.waitInfo(),
      ),
    );
  }

  done(): Promise<boolean> {
    return this.exec.perform(new Operation('done', this, undefined, 'read', null, () => this.state === 'done'));
  }

  private waitInfo(): WaitInfo {
    if (this.state === 'running' && this.worker !== null) {
      return { resource: `result of ${this.name} (running on ${this.worker.name})`, holders: [this.worker], owned: true };
    }
    const busy = this.pool.busyWorkers();
    return {
      resource: `result of ${this.name} (queued: every worker of pool "${this.pool.name}" is busy)`,
      holders: busy,
      // Only a permanent wait when no live worker is idle: an idle worker will take the job.
      owned: this.pool.full && busy.length === this.pool.workers.filter((w) => !w.finished).length,
    };
  }
}
