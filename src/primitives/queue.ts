import { QueueClosed, QueueEmpty, QueueFull } from '../runtime/errors.js';
import type { Execution } from '../runtime/execution.js';
import { Operation } from '../runtime/operation.js';
import { Primitive, type WaitOptions } from './base.js';

export interface QueueOptions {
  /** 0 or absent: unbounded. */
  readonly maxsize?: number;
}

/**
 * A FIFO queue (Python's queue.Queue). `put`/`get` block (a timeout raises QueueFull/QueueEmpty,
 * as Python's do); `putNowait`/`getNowait` raise at once. After `close`, puts raise QueueClosed
 * and gets drain what is left, then raise QueueClosed.
 */
export class SharedQueue<T> extends Primitive {
  readonly type = 'queue';
  private readonly items: T[] = [];
  private closed = false;
  private readonly maxsize: number;

  constructor(exec: Execution, name: string, options?: QueueOptions) {
    super(exec, name);
    this.maxsize = options?.maxsize ?? 0;
  }

  private full(): boolean {
    return this.maxsize > 0 && this.items.length >= this.maxsize;
  }

  put(item: T, options?: WaitOptions): Promise<void> {
    return this.exec.perform(
      new Operation(
        'put',
        this,
        undefined,
        'write',
        () => this.closed || !this.full(),
        (timedOut) => {
          if (this.closed) throw new QueueClosed(this.name);
          if (timedOut) throw new QueueFull(this.name);
          this.items.push(item);
        },
        this.deadline(options),
        () => ({ resource: `${this.label()} (full)`, holders: [], owned: false }),
      ),
    );
  }

  get(options?: WaitOptions): Promise<T> {
    return this.exec.perform(
      new Operation(
        'get',
        this,
        undefined,
        'write',
        () => this.closed || this.items.length > 0,
        (timedOut) => {
          if (this.items.length > 0) return this.items.shift();
          if (this.closed) throw new QueueClosed(this.name);
          if (timedOut) throw new QueueEmpty(this.name);
          return undefined;
        },
        this.deadline(options),
        () => ({ resource: `${this.label()} (empty)`, holders: [], owned: false }),
      ),
    );
  }

  putNowait(item: T): Promise<void> {
    return this.exec.perform(
      new Operation('put-nowait', this, undefined, 'write', null, () => {
        if (this.closed) throw new QueueClosed(this.name);
        if (this.full()) throw new QueueFull(this.name);
        this.items.push(item);
      }),
    );
  }

  getNowait(): Promise<T> {
    return this.exec.perform(
      new Operation('get-nowait', this, undefined, 'write', null, () => {
        if (this.items.length > 0) return this.items.shift();
        if (this.closed) throw new QueueClosed(this.name);
        throw new QueueEmpty(this.name);
      }),
    );
  }

  qsize(): Promise<number> {
    return this.exec.perform(new Operation('qsize', this, undefined, 'read', null, () => this.items.length));
  }

  empty(): Promise<boolean> {
    return this.exec.perform(new Operation('empty', this, undefined, 'read', null, () => this.items.length === 0));
  }

  close(): Promise<void> {
    return this.exec.perform(
      new Operation('close', this, undefined, 'write', null, () => {
        this.closed = true;
      }),
    );
  }
}
