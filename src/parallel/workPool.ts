import { InternalError, UsageError } from '../runtime/errors.js';

/** To a worker: run an item, or stop item `id` if it still runs. `id` is the item's position. */
export type ToWorker<I> = { readonly type: 'run'; readonly id: number; readonly item: I } | { readonly type: 'cancel'; readonly id: number };

/** From a worker: it has loaded, an item's result, or an error (loading the scenario, or a bug). */
export type FromWorker<R> = { readonly type: 'ready' } | { readonly type: 'result'; readonly result: R } | { readonly type: 'error'; readonly name: string; readonly message: string };

/** What the pool uses of a worker thread: node's `Worker`, or a stand-in in tests. */
export interface PoolWorker<I, R> {
  postMessage(message: ToWorker<I>): void;
  on(event: 'message', listener: (message: FromWorker<R>) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

/** How the caller reads a result. Asked only of items before the first failure known. */
export interface ResultRules<R> {
  /** The item failed: the items after it cannot change the outcome. */
  readonly failed: (result: R) => boolean;
  /** The result counts. */
  readonly keep: (result: R) => boolean;
  /** The item was cut short by the time limit or an interrupt: start no further item, stop the running ones. */
  readonly stopped: (result: R) => boolean;
}

export interface WorkPoolOptions<I, R> {
  readonly items: readonly I[];
  /** Worker threads to start; each runs one item at a time. 0 with `runHere`: this thread alone, by the same rules. */
  readonly workers: number;
  readonly startWorker: () => PoolWorker<I, R>;
  /** When given, this thread runs items too, taking its turn with the workers. `cancelled` also answers true once `stop()` did. */
  readonly runHere?: (item: I, cancelled: () => boolean) => Promise<R>;
  readonly rules: ResultRules<R>;
  /**
   * The time limit or an interrupt: asked before an item is handed out, whenever this thread's
   * item asks `cancelled`, and every `STOP_POLL_MS` while worker threads run. Once it answers
   * true, no item is handed out and every running item is cancelled, on this thread and on
   * the workers alike.
   */
  readonly stop: () => boolean;
  /**
   * Items a worker holds at once (default 1). 2 for many short, even items (blocks of
   * executions): the worker has its next item at hand and never waits for this thread, which
   * may be busy with its own item, to read a result and send more (a worker sat idle for ~22%
   * of its time between blocks). Not for long, uneven items (search units): an item held
   * behind a long one could have gone to an idle worker.
   */
  readonly ahead?: number;
}

export interface WorkOutcome<R> {
  /**
   * The results kept, in item order, up to the first failing item. After a stop they may have
   * gaps (an item cut short and not kept, while a later one ended): callers count only the
   * prefix before the first gap (prefix.ts).
   */
  readonly results: R[];
  /** `stop()` answered true or a result was `stopped`. */
  readonly stoppedEarly: boolean;
}

/**
 * Runs `items` on worker threads (and this thread, with `runHere`); used by exploreParallel.ts
 * (blocks of executions) and searchParallel.ts (search units). Items are handed out in order.
 * Once item f fails, no item after f is started and running ones are cancelled, but every item
 * before f runs to its end: it may fail too, and the caller wants the first failure by order,
 * not by arrival. So which results count does not depend on timing or on the worker count.
 * Callers route one worker through here too (`workers: 0` and `runHere`), so no other loop
 * applies other rules. The time limit and an interrupt (`stop`) are the exception: they stop
 * every running item at once, wherever it runs and whatever failed, so a run ends on time;
 * which results then count is the callers' rule (prefix.ts). Resolves once nothing runs;
 * rejects on the first worker error (and terminates the workers).
 */
export function runWorkPool<I, R>(o: WorkPoolOptions<I, R>): Promise<WorkOutcome<R>> {
  if (o.workers < 1 && o.runHere === undefined) return Promise.reject(new InternalError('runWorkPool: no worker thread and no runHere: nothing would run the items'));
  return new Promise<WorkOutcome<R>>((resolve, reject) => {
    const kept = new Map<number, R>();
    const threads: PoolWorker<I, R>[] = [];
    /** The positions of the items each worker holds, in the order it runs them. */
    const running = new Map<PoolWorker<I, R>, number[]>();
    const held = (): number => {
      let n = 0;
      for (const q of running.values()) n += q.length;
      return n;
    };
    const cancelAfter = (at: number): void => {
      for (const [w, q] of running) for (const p of q) if (p > at) w.postMessage({ type: 'cancel', id: p });
    };
    /** The position of the item this thread runs, and whether it was cancelled. */
    let here: number | null = null;
    let hereCancelled = false;
    let next = 0;
    /** Position of the first failing item known. */
    let failedAt = Infinity;
    let stoppedEarly = false;
    let settled = false;
    let poll: ReturnType<typeof setInterval> | undefined;

    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      for (const w of threads) void w.terminate();
      if (error !== undefined) reject(error);
      // A later item may have ended before the failure was known: drop it too.
      else resolve({ results: [...kept].filter(([at]) => at <= failedAt).sort(([a], [b]) => a - b).map(([, r]) => r), stoppedEarly });
    };
    /** Time limit or interrupt: hand out nothing more and cancel every running item. */
    const halt = (): void => {
      stoppedEarly = true;
      cancelAfter(-1);
      if (here !== null) hereCancelled = true;
    };
    /** Asks `stop()` (until it said true once); true once the pool has stopped. */
    const stopping = (): boolean => {
      if (!stoppedEarly && !settled && o.stop()) halt();
      return stoppedEarly;
    };
    /** The next item's position, or null when there is none (then finishes once nothing runs). */
    const take = (): number | null => {
      if (!stopping() && next < o.items.length && next < failedAt) return next++;
      if (held() === 0 && here === null) finish();
      return null;
    };
    const accept = (at: number, r: R): void => {
      // After the first failure: perhaps cancelled, and it cannot change the outcome.
      if (at > failedAt) return;
      if (o.rules.keep(r)) kept.set(at, r);
      if (o.rules.stopped(r) && !stoppedEarly) halt();
      if (!o.rules.failed(r)) return;
      failedAt = at;
      cancelAfter(at);
      if (here !== null && here > at) hereCancelled = true;
    };
    const ahead = o.ahead ?? 1;
    /** Tops the worker up to `ahead` items. */
    const feed = (w: PoolWorker<I, R>): void => {
      const q = running.get(w)!;
      while (q.length < ahead) {
        const at = take();
        if (at === null) return;
        q.push(at);
        w.postMessage({ type: 'run', id: at, item: o.items[at]! });
      }
    };
    const runHere = async (run: NonNullable<WorkPoolOptions<I, R>['runHere']>): Promise<void> => {
      while (!settled) {
        const at = take();
        if (at === null) return;
        here = at;
        hereCancelled = false;
        const r = await run(o.items[at]!, () => stopping() || hereCancelled || settled);
        here = null;
        if (settled) return;
        accept(at, r);
        // Let worker messages in between items.
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    for (let i = 0; i < o.workers; i++) {
      const w = o.startWorker();
      threads.push(w);
      running.set(w, []);
      w.on('message', (msg) => {
        if (settled) return;
        if (msg.type === 'error') return finish(workerError(msg));
        if (msg.type === 'result') accept(running.get(w)!.shift()!, msg.result);
        feed(w);
      });
      w.on('error', (e) => finish(e));
      w.on('exit', (code) => {
        if (!settled && code !== 0) finish(new Error(`worker exited with code ${code}`));
      });
    }
    // Worker threads do not see the time limit: this thread asks for them.
    if (o.workers > 0) poll = setInterval(stopping, STOP_POLL_MS);
    // This thread starts at once, so the workers' start-up (loading the scenario) overlaps with work.
    if (o.runHere !== undefined) runHere(o.runHere).catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
  });
}

/**
 * A worker's side of the protocol (worker.ts, and the stand-ins of the tests): runs the items
 * it is sent one at a time, in the order sent, and answers each with its result. A cancel may
 * come for an item still waiting its turn: it then starts cancelled and ends at once. A cancel
 * for an item already answered is dropped: a later pool run (workerGroup.ts) numbers its items
 * from 0 again.
 */
export function itemServer<I>(run: (item: I, cancelled: () => boolean) => Promise<unknown>, send: (msg: FromWorker<unknown>) => void): (msg: ToWorker<I>) => void {
  const waiting: { readonly id: number; readonly item: I }[] = [];
  const cancelled = new Set<number>();
  let running: number | null = null;
  const runNext = (): void => {
    const job = waiting.shift();
    running = job?.id ?? null;
    if (job === undefined) return;
    run(job.item, () => cancelled.has(job.id)).then(
      (result) => {
        cancelled.delete(job.id);
        send({ type: 'result', result });
        runNext();
      },
      (e: unknown) => send(errorReply(e)),
    );
  };
  return (msg) => {
    if (msg.type === 'cancel') {
      if (msg.id === running || waiting.some((job) => job.id === msg.id)) cancelled.add(msg.id);
    } else {
      waiting.push(msg);
      if (running === null) runNext();
    }
  };
}

/** An error thrown in a worker, as the message the pool turns back into an error. */
export function errorReply(e: unknown): FromWorker<never> {
  return { type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
}

/** How often `stop()` is asked while worker threads run: well under the time a block or a search takes to notice a cancel. */
const STOP_POLL_MS = 10;

/** A worker's error as this thread raises it: a scenario that does not load is the user's mistake. */
function workerError(msg: { readonly name: string; readonly message: string }): Error {
  return msg.name === 'ScenarioLoadError' || msg.name === 'UsageError' ? new UsageError(msg.message) : new Error(`worker: ${msg.name}: ${msg.message}`);
}
