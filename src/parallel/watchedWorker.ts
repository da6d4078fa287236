import { clearInterval, setInterval } from 'node:timers';
import { EventEmitter } from 'node:events';
import { heartbeatBuffer, publisherThread, readPulse, type Pulse } from '../heartbeat/heartbeat.js';
import { FrozenThread, type Frozen } from './runaway.js';
import type { FromWorker, PoolWorker, ToWorker } from './workPool.js';

/** How a watched pool worker turns a runaway into its item's result. */
export interface WatchOptions<I, R> {
  /** Seconds an item may go without a scheduling decision before its task is declared runaway. */
  readonly seconds: number;
  /** Seconds a thread may take to load its scenario (default max(30, 5 × seconds)). */
  readonly loadSeconds?: number;
  /** The scenario module of an item (of the thread's set-up: null), named when loading it never ends. */
  readonly file: (item: I | null) => string;
  /** The result of `item`, whose task spun: the frozen heartbeat, the thread's task names, and how long the item ran. */
  readonly runaway: (item: I, pulse: Pulse, names: readonly string[], elapsedMs: number) => R;
  /**
   * The result of an item cancelled before it ran (one the runaway's thread held), or while its
   * thread was frozen (`frozen`: the heartbeat then, the thread's task names, how long the item ran).
   */
  readonly cancelled: (item: I, frozen?: Frozen) => R;
  /**
   * Whether a cancelled item whose thread is frozen may be ended within a second rather than
   * awaiting the watchdog's verdict (default: always): yes after Ctrl-C, or after a failure
   * before it (its result would not count); no at the time limit, where a task frozen when the
   * budget ends is what the watchdog is there to judge.
   */
  readonly hurry?: () => boolean;
}

const POLL_MS = 50;

/**
 * A pool worker (workPool.ts) whose thread is watched, for `--watchdog s` in split runs (blocks,
 * search pieces) and in `ci` (whole variants). The
 * thread publishes a heartbeat into a buffer this side gives it ('watch'); when the item it runs
 * has made no scheduling decision while the thread ran `seconds` of CPU time (or stayed blocked
 * for the load limit of its own time: src/runtime/ownTime.ts), the thread is ended (a synchronous loop cannot
 * be interrupted in it) and the item answers with the `runaway` result, as if the thread had
 * sent it. That result is a failure, so the pool cancels the items after it, the ones the thread
 * held among them (they answer as cancelled without a thread), while every item before it runs
 * to its end elsewhere: the first failure is still the first by order. An item the pool sends
 * later, or a held one not cancelled, goes to a new thread of `attach`. The pool sees one worker
 * throughout and needs no rule of its own.
 */
export class WatchedWorker<I, R> extends EventEmitter implements PoolWorker<I, R> {
  private thread: PoolWorker<I, R> | null = null;
  private buffer = heartbeatBuffer();
  private names: string[] = [];
  /** Items sent and not answered, in the order the thread runs them; and which were cancelled. */
  private readonly sent: { readonly id: number; readonly item: I }[] = [];
  private readonly cancelled = new Set<number>();
  private ready = false;
  /** The restart decision (runaway.ts): since the thread's last sign of life (a decision, a message, its start), in its own time. */
  private readonly frozen: FrozenThread;
  /** When the item at the head of `sent` began: its predecessor's result came, or it was sent to an idle thread. */
  private headSince = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  /** While a runaway's result is read: the items its thread held, then any sent meanwhile. */
  private backlog: { readonly id: number; readonly item: I }[] | null = null;

  constructor(
    private readonly attach: () => PoolWorker<I, R>,
    private readonly o: WatchOptions<I, R>,
  ) {
    super();
    this.frozen = new FrozenThread(o.seconds, o.loadSeconds, () => publisherThread(this.buffer));
    this.connect();
    this.timer = setInterval(() => this.check(), POLL_MS);
  }

  postMessage(message: ToWorker<I>): void {
    if (message.type === 'run') {
      if (this.backlog !== null) return void this.backlog.push({ id: message.id, item: message.item });
      if (this.sent.length === 0) this.headSince = Date.now();
      this.sent.push({ id: message.id, item: message.item });
    }
    if (message.type === 'cancel') {
      this.cancelled.add(message.id);
      // Held by a thread that was ended: answered in `replace`.
      if (this.thread === null) return;
    }
    if (this.thread === null) this.connect();
    this.thread!.postMessage(message);
  }

  terminate(): Promise<number> {
    this.closed = true;
    clearInterval(this.timer);
    const thread = this.thread;
    this.thread = null;
    return thread?.terminate() ?? Promise.resolve(0);
  }

  /** A thread for the items to come, publishing into a fresh buffer. */
  private connect(): void {
    const thread = this.attach();
    this.thread = thread;
    this.buffer = heartbeatBuffer();
    this.names = [];
    this.ready = false;
    this.frozen.mark(0);
    thread.postMessage({ type: 'watch', buffer: this.buffer });
    const mine = (): boolean => this.thread === thread;
    thread.on('message', (m: FromWorker<R>) => {
      if (!mine()) return;
      if (m.type === 'name') {
        this.names[m.index] = m.name;
        return;
      }
      if (m.type === 'ready') this.ready = true;
      if (m.type === 'result') {
        this.cancelled.delete(this.sent.shift()?.id ?? -1);
        this.headSince = Date.now();
      }
      this.frozen.mark();
      this.emit('message', m);
    });
    thread.on('error', (e: Error) => mine() && this.emit('error', e));
    thread.on('exit', (code: number) => mine() && this.emit('exit', code));
  }

  private check(): void {
    if (this.thread === null) return;
    const pulse = this.ready ? readPulse(this.buffer) : null;
    const head = this.sent[0];
    // Cancelled (Ctrl-C, or a failure before it) and frozen: no need to wait for the watchdog's
    // verdict, since the item's result would not count. Before the item's first execution it is
    // loading its module: the load limit applies.
    const hurry = head !== undefined && this.cancelled.has(head.id) && (this.o.hurry?.() ?? true);
    const verdict = this.frozen.judge(pulse?.beats ?? null, { busy: head !== undefined, executing: (pulse?.execution ?? -1) >= 0, hurry });
    if (verdict === 'load') this.loadTimeout(this.ready ? head!.item : null, this.frozen.loadLimitMs);
    else if (verdict === 'hurry') this.replace(this.o.cancelled(head!.item, { pulse: readPulse(this.buffer), names: this.names, elapsedMs: Date.now() - this.headSince }));
    else if (verdict === 'runaway') this.replace(this.o.runaway(head!.item, pulse!, this.names, Date.now() - this.headSince));
  }

  private loadTimeout(item: I | null, limitMs: number): void {
    void this.terminate();
    this.emit('message', { type: 'error', name: 'ScenarioLoadError', message: `${this.o.file(item)}: loading the module took more than ${limitMs / 1000} s (a loop at the top level?)` } satisfies FromWorker<R>);
  }

  /** Ends the frozen thread and answers its item with `result`; then the items it held, in order. */
  private replace(result: R): void {
    const thread = this.thread!;
    this.thread = null;
    void thread.terminate();
    const [head, ...held] = this.sent.splice(0);
    this.cancelled.delete(head!.id);
    // Items the pool sends while it reads the result queue up behind the held ones.
    this.backlog = held;
    this.emit('message', { type: 'result', result } satisfies FromWorker<R>);
    const queued = this.backlog;
    this.backlog = null;
    // Results must come in the order sent: cancelled items answer at once until one must run.
    let running = false;
    for (const { id, item } of queued) {
      // The pool may have ended on a result (and terminated this worker).
      if (this.closed) return;
      if (!running && this.cancelled.delete(id)) {
        this.emit('message', { type: 'result', result: this.o.cancelled(item) } satisfies FromWorker<R>);
        continue;
      }
      running = true;
      this.postMessage({ type: 'run', id, item });
      if (this.cancelled.has(id)) this.postMessage({ type: 'cancel', id });
    }
  }
}
