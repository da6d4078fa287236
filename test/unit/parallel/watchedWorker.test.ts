import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CELL, CELLS, type Pulse } from '../../../src/heartbeat/heartbeat.js';
import { WatchedWorker } from '../../../src/parallel/watchedWorker.js';
import { runWorkPool, type FromWorker, type PoolWorker, type ToWorker } from '../../../src/parallel/workPool.js';

/** An item: answers at once, runs `ms` while beating, or spins at `execution` (never answers, never beats). */
interface Item {
  readonly at: number;
  readonly kind: 'ok' | 'slow' | 'spin' | 'load';
  readonly ms?: number;
  readonly execution?: number;
}

interface Done {
  readonly at: number;
  readonly how: 'ok' | 'cancelled' | 'runaway';
  readonly pulse?: Pulse;
  readonly names?: readonly string[];
}

const progress = (executions: number): FromWorker<Done> => ({ type: 'progress', progress: { executions, elapsedMs: 0, failures: 0 } });

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A worker thread stand-in that publishes a heartbeat as worker.ts does when watched. */
class Thread extends EventEmitter implements PoolWorker<Item, Done> {
  private cells: Int32Array | null = null;
  private readonly queue: { id: number; item: Item }[] = [];
  private readonly cancelled = new Set<number>();
  private busy = false;
  ended = false;
  ran: number[] = [];

  constructor(ready = true) {
    super();
    if (ready) void turn().then(() => this.emit('message', { type: 'ready' } satisfies FromWorker<Done>));
  }

  postMessage(msg: ToWorker<Item>): void {
    if (msg.type === 'watch') this.cells = new Int32Array(msg.buffer, 0, CELLS);
    if (msg.type === 'cancel') this.cancelled.add(msg.id);
    if (msg.type === 'run') {
      this.queue.push({ id: msg.id, item: msg.item });
      void this.next();
    }
  }

  terminate(): Promise<number> {
    this.ended = true;
    return Promise.resolve(1);
  }

  private async next(): Promise<void> {
    if (this.busy) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.busy = true;
    const { id, item } = job;
    this.ran.push(item.at);
    const cells = this.cells!;
    if (this.cancelled.has(id)) return this.answer({ at: item.at, how: 'cancelled' });
    if (item.kind === 'load') {
      // Loading its module for ever: no execution begun, as restartCount leaves it.
      cells[CELL.EXECUTION] = -1;
      return;
    }
    if (item.kind === 'spin') {
      this.emit('message', { type: 'name', index: 0, name: 'spinner' } satisfies FromWorker<Done>);
      // A whole exploration (a call) reports its progress as it goes.
      this.emit('message', progress(item.execution!));
      cells[CELL.EXECUTION] = item.execution!;
      cells[CELL.STEP] = 4;
      cells[CELL.TASK] = 0;
      return;
    }
    const end = Date.now() + (item.ms ?? 0);
    while (Date.now() < end && !this.ended) {
      cells[CELL.BEATS] = cells[CELL.BEATS]! + 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    cells[CELL.BEATS] = cells[CELL.BEATS]! + 1;
    this.answer({ at: item.at, how: 'ok' });
  }

  private answer(result: Done): void {
    void turn().then(() => {
      if (this.ended) return;
      this.emit('message', { type: 'result', result } satisfies FromWorker<Done>);
      this.busy = false;
      void this.next();
    });
  }
}

const options = {
  seconds: 0.2,
  file: () => 'spin.ts',
  runaway: (item: Item, pulse: Pulse, names: readonly string[]): Done => ({ at: item.at, how: 'runaway', pulse, names: [...names] }),
  cancelled: (item: Item): Done => ({ at: item.at, how: 'cancelled' }),
};

describe('watched pool worker', () => {
  it('a spinning item answers as a runaway; items before it finish (a slow one that beats is not a runaway), the held ones after it end cancelled without a new thread', async () => {
    const items: Item[] = [
      { at: 0, kind: 'ok' },
      { at: 1, kind: 'slow', ms: 700 },
      { at: 2, kind: 'ok' },
      { at: 3, kind: 'spin', execution: 30 },
      { at: 4, kind: 'ok' },
      { at: 5, kind: 'ok' },
    ];
    const threads: Thread[] = [];
    const out = await runWorkPool<Item, Done>({
      items,
      workers: 2,
      startWorker: () =>
        new WatchedWorker(() => {
          const t = new Thread();
          threads.push(t);
          return t;
        }, options),
      rules: { failed: (r) => r.how === 'runaway', keep: (r) => r.how !== 'cancelled', stopped: () => false },
      stop: () => false,
      ahead: 2,
    });
    expect(out.results.map((r) => [r.at, r.how])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
      [2, 'ok'],
      [3, 'runaway'],
    ]);
    const runaway = out.results[3]!;
    expect(runaway.names).toEqual(['spinner']);
    expect([runaway.pulse!.execution, runaway.pulse!.step, runaway.pulse!.task]).toEqual([30, 4, 0]);
    // Two threads, both ended; none started again for item 5, held by the spinning thread,
    // which never ran (item 4, held behind the slow item, ran and was told it was cancelled).
    expect(threads.length).toBe(2);
    expect(threads.every((t) => t.ended)).toBe(true);
    expect(threads.flatMap((t) => t.ran).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('a held item the pool did not cancel runs on a new thread, after the runaway, in order', async () => {
    const threads: Thread[] = [];
    const w = new WatchedWorker<Item, Done>(() => {
      const t = new Thread();
      threads.push(t);
      return t;
    }, options);
    const got: Done[] = [];
    const done = new Promise<void>((resolve) =>
      w.on('message', (m: FromWorker<Done>) => {
        if (m.type === 'result') got.push(m.result);
        if (got.length === 2) resolve();
      }),
    );
    w.postMessage({ type: 'run', id: 0, item: { at: 0, kind: 'spin', execution: 7 } });
    w.postMessage({ type: 'run', id: 1, item: { at: 1, kind: 'ok' } });
    await done;
    await w.terminate();
    expect(got.map((r) => [r.at, r.how])).toEqual([
      [0, 'runaway'],
      [1, 'ok'],
    ]);
    expect(threads.length).toBe(2);
    expect(threads[0]!.ended).toBe(true);
    expect(threads[1]!.ran).toEqual([1]);
  });

  it('an item that has begun no execution is loading its module: the load limit applies, not the runaway one, and the error names its file', async () => {
    const w = new WatchedWorker<Item, Done>(() => new Thread(), { ...options, file: (item) => (item === null ? 'setup' : `item-${item.at}.ts`), loadSeconds: 0.6 });
    const started = Date.now();
    const m = await new Promise<FromWorker<Done>>((resolve) => {
      w.on('message', (msg: FromWorker<Done>) => msg.type !== 'ready' && resolve(msg));
      w.postMessage({ type: 'run', id: 0, item: { at: 5, kind: 'load' } });
    });
    await w.terminate();
    expect(m).toEqual({ type: 'error', name: 'ScenarioLoadError', message: 'item-5.ts: loading the module took more than 0.6 s (a loop at the top level?)' });
    // Not at the runaway limit (0.2 s).
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('Ctrl-C while an item spins: it answers as cancelled within a second, with the frozen heartbeat and the task names; its progress reached the pool', async () => {
    let stopping = false;
    const told: number[] = [];
    const frozen: { pulse: Pulse; names: readonly string[] }[] = [];
    const pool = runWorkPool<Item, Done>({
      items: [{ at: 0, kind: 'spin', execution: 3 }],
      workers: 1,
      // An hour: only the cancel can end the thread.
      startWorker: () => new WatchedWorker(() => new Thread(), { ...options, seconds: 3600, cancelled: (item, f) => (f !== undefined && frozen.push(f), { at: item.at, how: 'cancelled' }) }),
      rules: { failed: () => false, keep: () => true, stopped: () => false },
      stop: () => stopping,
      onProgress: (p) => told.push(p.executions),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopping = true;
    const out = await pool;
    expect(out.results.map((r) => [r.at, r.how])).toEqual([[0, 'cancelled']]);
    expect(out.stoppedEarly).toBe(true);
    expect(frozen.map((f) => [f.pulse.execution, f.pulse.step, f.names[f.pulse.task]])).toEqual([[3, 4, 'spinner']]);
    expect(told).toEqual([3]);
  });

  it('a thread that never says ready is a load error naming the file, after the load limit', async () => {
    const w = new WatchedWorker<Item, Done>(() => new Thread(false), { ...options, loadSeconds: 0.2 });
    const m = await new Promise<FromWorker<Done>>((resolve) => w.on('message', resolve));
    await w.terminate();
    expect(m).toEqual({ type: 'error', name: 'ScenarioLoadError', message: 'spin.ts: loading the module took more than 0.2 s (a loop at the top level?)' });
  });
});
