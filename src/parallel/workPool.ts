import { clearInterval, setImmediate, setInterval } from 'node:timers';
import { InternalError, UsageError } from '../runtime/errors.js';
import type { Progress } from '../explore.js';
import type { Outcome } from './outcome.js';

/**
 * To a worker: run an item, or stop item `id` if it still runs (`id` numbers the items in the
 * order the pool made them); or, between pool runs, run the next run's items (workerGroup.ts);
 * or publish the heartbeat into this buffer (watchedWorker.ts).
 */
export type ToWorker<I> =
  | { readonly type: 'run'; readonly id: number; readonly item: I }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'setup'; readonly setup: unknown }
  | { readonly type: 'watch'; readonly buffer: SharedArrayBuffer };

/**
 * From a worker: it has loaded, an item's result, or an error (loading the scenario, or a bug);
 * or, when watched, a task name the heartbeat refers to by index; or the progress of a whole
 * exploration it runs (calls.ts).
 */
export type FromWorker<R> =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly result: R }
  | { readonly type: 'error'; readonly name: string; readonly message: string }
  | { readonly type: 'name'; readonly index: number; readonly name: string }
  | { readonly type: 'progress'; readonly progress: Progress };

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
  /**
   * An item's place in the order (default: its position in `items`, as `[i]`). Keys compare
   * element by element, a key before its extensions: an item's `expand`ed items come after it
   * and before its next sibling, in depth-first order.
   */
  readonly keyOf?: (item: I) => readonly number[];
  /**
   * Items to run after an item that ended (not failed, not dropped), given its result: a search
   * unit cut after some executions hands on the rest of its subtree in parts. Their keys must
   * extend the item's key. Handed out before every later item, so the work stays depth-first.
   */
  readonly expand?: (item: I, result: R) => readonly I[];
  /** Told of every result as it arrives, wherever it ran, before the rules read it: for progress lines. */
  readonly onResult?: (item: I, result: R) => void;
  /** Told of the progress a worker reports within an item (a whole exploration: calls.ts). */
  readonly onProgress?: (p: Progress) => void;
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
    // Items are numbered by id (the order they were made: `items`, then expanded ones) and
    // ordered by key.
    const items: I[] = [...o.items];
    const keys: (readonly number[])[] = items.map((item, i) => o.keyOf?.(item) ?? [i]);
    /** Ids not handed out yet, in key order. */
    const pending: number[] = items.map((_, i) => i).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
    const after = (id: number, key: readonly number[] | null): boolean => key !== null && compareKeys(keys[id]!, key) > 0;
    const kept = new Map<number, R>();
    const threads: PoolWorker<I, R>[] = [];
    /** The ids of the items each worker holds, in the order it runs them. */
    const running = new Map<PoolWorker<I, R>, number[]>();
    const held = (): number => {
      let n = 0;
      for (const q of running.values()) n += q.length;
      return n;
    };
    /** Cancels every running item after `key` (all, for null). */
    const cancelAfter = (key: readonly number[] | null): void => {
      for (const [w, q] of running) for (const id of q) if (key === null || after(id, key)) w.postMessage({ type: 'cancel', id });
    };
    /** The id of the item this thread runs, and whether it was cancelled. */
    let here: number | null = null;
    let hereCancelled = false;
    /** Key of the first failing item known. */
    let failedAt: readonly number[] | null = null;
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
      else
        resolve({
          results: [...kept]
            .filter(([id]) => !after(id, failedAt))
            .sort(([a], [b]) => compareKeys(keys[a]!, keys[b]!))
            .map(([, r]) => r),
          stoppedEarly,
        });
    };
    /** Time limit or interrupt: hand out nothing more and cancel every running item. */
    const halt = (): void => {
      stoppedEarly = true;
      cancelAfter(null);
      if (here !== null) hereCancelled = true;
    };
    /** Asks `stop()` (until it said true once); true once the pool has stopped. */
    const stopping = (): boolean => {
      if (!stoppedEarly && !settled && o.stop()) halt();
      return stoppedEarly;
    };
    /** The next item's id, or null when there is none (then finishes once nothing runs). */
    const take = (): number | null => {
      if (!stopping() && pending.length > 0 && !after(pending[0]!, failedAt)) return pending.shift()!;
      if (held() === 0 && here === null) finish();
      return null;
    };
    const accept = (id: number, r: R): void => {
      o.onResult?.(items[id]!, r);
      // After the first failure: perhaps cancelled, and it cannot change the outcome.
      if (after(id, failedAt)) return;
      if (o.rules.keep(r)) kept.set(id, r);
      if (o.rules.stopped(r) && !stoppedEarly) halt();
      if (!o.rules.failed(r)) {
        const more = o.expand?.(items[id]!, r) ?? [];
        for (const child of more) add(child, keys[id]!);
        // A runner that found nothing to take has stopped asking: hand it the new items.
        if (more.length > 0) wake();
        return;
      }
      failedAt = keys[id]!;
      cancelAfter(failedAt);
      if (here !== null && after(here, failedAt)) hereCancelled = true;
    };
    const add = (item: I, parent: readonly number[]): void => {
      const key = o.keyOf?.(item) ?? [];
      if (key.length <= parent.length || compareKeys(key.slice(0, parent.length), parent) !== 0) throw new InternalError(`runWorkPool: an expanded item's key ${key.join('.')} does not extend its parent's ${parent.join('.')}`);
      const id = items.push(item) - 1;
      keys.push(key);
      let at = pending.length;
      while (at > 0 && compareKeys(keys[pending[at - 1]!]!, key) > 0) at--;
      pending.splice(at, 0, id);
    };
    /** This thread found nothing to take and stopped (it runs again once there is). */
    let hereIdle = false;
    const wake = (): void => {
      for (const w of threads) feed(w);
      if (hereIdle && o.runHere !== undefined) startHere(o.runHere);
    };
    const ahead = o.ahead ?? 1;
    /** Tops the worker up to `ahead` items. */
    const feed = (w: PoolWorker<I, R>): void => {
      const q = running.get(w)!;
      while (q.length < ahead) {
        const id = take();
        if (id === null) return;
        q.push(id);
        w.postMessage({ type: 'run', id, item: items[id]! });
      }
    };
    const startHere = (run: NonNullable<WorkPoolOptions<I, R>['runHere']>): void => {
      hereIdle = false;
      runHere(run).catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
    };
    const runHere = async (run: NonNullable<WorkPoolOptions<I, R>['runHere']>): Promise<void> => {
      while (!settled) {
        const id = take();
        if (id === null) {
          hereIdle = true;
          return;
        }
        here = id;
        hereCancelled = false;
        const r = await run(items[id]!, () => stopping() || hereCancelled || settled);
        here = null;
        if (settled) return;
        accept(id, r);
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
        if (msg.type === 'progress') return o.onProgress?.(msg.progress);
        try {
          if (msg.type === 'result') accept(running.get(w)!.shift()!, msg.result);
          feed(w);
        } catch (e) {
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      });
      w.on('error', (e) => finish(e));
      w.on('exit', (code) => {
        if (!settled && code !== 0) finish(new Error(`worker exited with code ${code}`));
      });
    }
    // Worker threads do not see the time limit: this thread asks for them.
    if (o.workers > 0) poll = setInterval(stopping, STOP_POLL_MS);
    // This thread starts at once, so the workers' start-up (loading the scenario) overlaps with work.
    if (o.runHere !== undefined) startHere(o.runHere);
  });
}

/** Depth-first order of keys: element by element; a key comes before its extensions. */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
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
    // Set-up and watch messages are the worker's own (worker.ts).
    if (msg.type === 'setup' || msg.type === 'watch') return;
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

/**
 * A pool's `onResult` that tells `onProgress` the executions and failures of the units ended so
 * far, in the order they end (units after a failure included: the line shows work done).
 */
export function progressOf<I>(onProgress: (p: Progress) => void, start: number): (item: I, r: Outcome) => void {
  let executions = 0;
  let failures = 0;
  return (_item, r) => {
    executions += r.executions;
    if (r.failure !== null) failures++;
    onProgress({ executions, elapsedMs: performance.now() - start, failures });
  };
}
