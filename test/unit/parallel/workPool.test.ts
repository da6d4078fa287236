import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InternalError, UsageError } from '../../../src/runtime/errors.js';
import { itemServer, runWorkPool, type FromWorker, type PoolWorker, type ResultRules, type ToWorker, type WorkPoolOptions } from '../../../src/parallel/workPool.js';
import { WorkerGroup } from '../../../src/parallel/workerGroup.js';
import type { AnyWorkerSetup } from '../../../src/parallel/worker.js';

/** An item: how many event-loop turns it takes, and what it ends with. */
interface Item {
  readonly ticks: number;
  readonly fails?: boolean;
  /** Cut short as by the time limit. */
  readonly stopped?: boolean;
  /** Runs until cancelled. */
  readonly endless?: boolean;
  /** Its place in depth-first order (default: its position), and the items it hands on when it ends (`expand`). */
  readonly key?: readonly number[];
  readonly children?: readonly Item[];
  /** Throws, as an interleave bug in a worker would. */
  readonly throws?: boolean;
}

interface Done {
  readonly at: number;
  readonly failed: boolean;
  readonly stopped: boolean;
  readonly cancelled: boolean;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What the pool did: the order it handed items out in, the order they started in, and the items that ended cancelled. */
interface Log {
  readonly handed: number[];
  readonly started: number[];
  readonly cancelled: number[];
  terminated: number;
  /** Set-up messages the stand-ins were sent (a thread set up again for another run). */
  setups?: number;
}

function runner(items: readonly Item[], log: Log) {
  return async (item: Item, cancelled: () => boolean): Promise<Done> => {
    const at = items.indexOf(item);
    log.started.push(at);
    if (item.throws === true) throw new Error('boom');
    for (let i = 0; item.endless === true || i < item.ticks; i++) {
      if (cancelled()) {
        log.cancelled.push(at);
        return { at, failed: false, stopped: false, cancelled: true };
      }
      await turn();
    }
    return { at, failed: item.fails === true, stopped: item.stopped === true, cancelled: false };
  };
}

/** A worker thread stand-in: runs items in this thread, one at a time, through the real message protocol and the workers' own item server. */
class StandIn extends EventEmitter implements PoolWorker<Item, Done> {
  private readonly serve: (msg: ToWorker<Item>) => void;
  constructor(
    run: (item: Item, cancelled: () => boolean) => Promise<Done>,
    private readonly log: Log,
    loadError?: string,
  ) {
    super();
    this.serve = itemServer<Item>(run, (msg) => this.send(msg as FromWorker<Done>));
    // A worker first loads the scenario; a turn later it says whether it could.
    this.send(loadError === undefined ? { type: 'ready' } : { type: 'error', name: 'ScenarioLoadError', message: loadError });
  }
  postMessage(msg: ToWorker<Item>): void {
    if (msg.type === 'run') this.log.handed.push(msg.id);
    if (msg.type === 'setup') {
      this.log.setups = (this.log.setups ?? 0) + 1;
      this.send({ type: 'ready' });
    }
    this.serve(msg);
  }
  terminate(): Promise<number> {
    this.log.terminated++;
    return Promise.resolve(0);
  }
  private send(msg: FromWorker<Done>): void {
    void turn().then(() => this.emit('message', msg));
  }
}

/** Two setups of worker threads, as exploreParallel and searchParallel make them. */
const SETUP_A: AnyWorkerSetup = { kind: 'blocks', file: 'a.ts', target: { variant: 'buggy' }, spec: { strategy: 'random', seed: 1 } };
const SETUP_B: AnyWorkerSetup = { kind: 'blocks', file: 'b.ts', target: { variant: 'fixed' }, spec: { strategy: 'random', seed: 1 } };

const rules: ResultRules<Done> = { failed: (r) => r.failed, keep: (r) => !r.cancelled, stopped: (r) => r.stopped };

/** `stopWhen`: the pool's `stop`, reading what has happened (in place of a deadline passing). */
function pool(items: readonly Item[], workers: number, here: boolean, more: Partial<WorkPoolOptions<Item, Done>> = {}, stopWhen: (log: Log) => boolean = () => false) {
  const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
  const run = runner(items, log);
  const outcome = runWorkPool<Item, Done>({
    items,
    workers,
    startWorker: () => new StandIn(run, log),
    ...(here ? { runHere: (item: Item, cancelled: () => boolean) => (log.handed.push(items.indexOf(item)), run(item, cancelled)) } : {}),
    rules,
    stop: () => stopWhen(log),
    // As exploreParallel runs blocks: each worker holds the item it runs and the next.
    ahead: 2,
    ...more,
  });
  return { log, outcome };
}

/** Long enough (about 0.2 s of event-loop turns) that only a cancel ends it early. */
const LONG = 100_000;

describe('ordered work pool', () => {
  it('hands items out in order and returns the results in item order, whatever finishes first', async () => {
    // Later items are quicker, so they finish first.
    const items = Array.from({ length: 8 }, (_, i) => ({ ticks: 2 * (8 - i) }));
    const arrived: number[] = [];
    const { log, outcome } = pool(items, 3, true, { onResult: (item, r) => arrived.push(items.indexOf(item) === r.at ? r.at : -1) });
    const out = await outcome;
    // Told of each result as it arrives, from the workers and from this thread, paired with its item.
    expect([...arrived].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(log.handed).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...log.started].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(out.results.map((r) => r.at)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(out.stoppedEarly).toBe(false);
    expect(log.terminated).toBe(3);
  });

  it('after a failure at f: every item before f is finished and kept, later items held are cancelled, none after is handed out', async () => {
    // Each worker holds two items: A runs 0 (long) with 1 behind it, B runs 2 then 3, which fails
    // while C runs endless item 4 with 5 waiting behind it; 0 ends after all that.
    const items: Item[] = [{ ticks: 60 }, { ticks: 1 }, { ticks: 1 }, { ticks: 20, fails: true }, { ticks: 0, endless: true }, { ticks: 1 }, { ticks: 1 }];
    const { log, outcome } = pool(items, 3, false);
    const out = await outcome;
    expect(out.results.map((r) => [r.at, r.failed])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, true],
    ]);
    // B, done with 2, took 6 before 3 failed. At the failure 4 was running and 5 waited its turn:
    // 5 starts cancelled and ends at once. 6 started on B as soon as 3 ended, before the cancel:
    // it ends normally, after the failure, and does not count.
    expect([...log.cancelled].sort()).toEqual([4, 5]);
    expect(log.handed).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out.stoppedEarly).toBe(false);
  });

  it('cancels the item this thread runs when an earlier item fails on a worker', async () => {
    // This thread takes 0 at once; the worker, once loaded, holds 1 (failing later) and 2; this
    // thread then takes endless item 3, which the failure of 1 cancels.
    const items: Item[] = [{ ticks: 1 }, { ticks: 10, fails: true }, { ticks: 1 }, { ticks: 0, endless: true }, { ticks: 1 }];
    const { log, outcome } = pool(items, 1, true);
    const out = await outcome;
    expect(out.results.map((r) => r.at)).toEqual([0, 1]);
    // 2 started on the worker as soon as 1 ended, before the cancel: it ends normally, after the failure, and does not count.
    expect(log.cancelled).toEqual([3]);
    expect(log.handed).not.toContain(4);
  });

  it('by default a worker holds one item: the next goes to whichever worker is free first', async () => {
    // Worker A runs long item 0. Holding one item, A has nothing behind 0, and B runs 1, 2 and
    // 3 in turn; holding two, A keeps 1 behind 0 while B runs 2 and 3.
    const items: Item[] = [{ ticks: 40 }, { ticks: 1 }, { ticks: 1 }, { ticks: 1 }];
    const one = pool(items, 2, false, { ahead: 1 });
    expect((await one.outcome).results.map((r) => r.at)).toEqual([0, 1, 2, 3]);
    expect(one.log.started).toEqual([0, 1, 2, 3]);
    const two = pool(items, 2, false, { ahead: 2 });
    expect((await two.outcome).results.map((r) => r.at)).toEqual([0, 1, 2, 3]);
    expect(two.log.started).toEqual([0, 2, 3, 1]);
  });

  it('the first failure by order wins over an earlier-arriving later one', async () => {
    const items: Item[] = [{ ticks: 40, fails: true }, { ticks: 1, fails: true }, { ticks: 1 }];
    const { outcome } = pool(items, 2, false);
    const out = await outcome;
    expect(out.results.map((r) => [r.at, r.failed])).toEqual([[0, true]]);
  });

  it('the keep rule decides what counts; a stopped item starts no further one and stops the running ones', async () => {
    // Worker A holds 0 and 1 (long), B holds 2 (stopped) and 3; A takes 4 when 0 ends.
    const items: Item[] = [{ ticks: 1 }, { ticks: 30 }, { ticks: 1, stopped: true }, { ticks: 1 }, { ticks: 1 }];
    const keepWhole = pool(items, 2, false);
    const whole = await keepWhole.outcome;
    expect(whole.stoppedEarly).toBe(true);
    // When 2 stopped, 1 was running and 4 waited behind it: both are cancelled, and this keep rule
    // drops them (a gap: prefix.ts). 3 had started on B as soon as 2 ended, and ran to its end.
    expect([...keepWhole.log.cancelled].sort()).toEqual([1, 4]);
    expect(whole.results.map((r) => r.at)).toEqual([0, 2, 3]);
    expect(keepWhole.log.handed).toEqual([0, 1, 2, 3, 4]);

    // A rule that keeps cancelled items keeps them; what then counts is the callers' prefix rule.
    const dropStopped = pool(items, 2, false, { rules: { ...rules, keep: (r) => !r.stopped } });
    expect((await dropStopped.outcome).results.map((r) => r.at)).toEqual([0, 1, 3, 4]);
  });

  it('hands out nothing more once stop() answers true', async () => {
    const items: Item[] = Array.from({ length: 12 }, () => ({ ticks: 1 }));
    let handedAtStop = -1;
    const stopWhen = (l: Log): boolean => {
      if (l.started.length < 3) return false;
      if (handedAtStop < 0) handedAtStop = l.handed.length;
      return true;
    };
    const { log, outcome } = pool(items, 2, false, {}, stopWhen);
    const out = await outcome;
    expect(out.stoppedEarly).toBe(true);
    expect(log.handed).toEqual(Array.from({ length: handedAtStop }, (_, i) => i));
    expect(handedAtStop).toBeLessThan(12);
    // Items still running at the stop are cancelled: what is kept is some of 0, 1, 2, in order.
    expect(out.results.every((r, i) => i === 0 || r.at > out.results[i - 1]!.at)).toBe(true);
    expect(out.results.every((r) => r.at < handedAtStop)).toBe(true);
  });

  it('stop() cancels the items running on worker threads too, not only the one this thread runs', async () => {
    // Before, worker threads never saw the time limit: both long items ran to their end and were kept.
    // Worker A holds 0 and 1, B holds 2 and 3; stop once both run.
    const items: Item[] = [{ ticks: LONG }, { ticks: LONG }, { ticks: LONG }, { ticks: LONG }];
    const { log, outcome } = pool(items, 2, false, {}, (l) => l.started.length >= 2);
    const out = await outcome;
    // B started 2 as it was handed, so the stop came before 3 was: nothing more is handed out, and 0, 1 and 2 end cancelled.
    expect([out.stoppedEarly, out.results, log.handed, [...log.cancelled].sort()]).toEqual([true, [], [0, 1, 2], [0, 1, 2]]);
  });

  it('stop() also cancels an item before a known failure (the time limit wins); the later failure is kept for the caller to report apart', async () => {
    // This thread holds item 0; a worker fails item 1 at once. Before, item 0 ran to its end at any time limit.
    const items: Item[] = [{ ticks: LONG }, { ticks: 0, fails: true }, { ticks: 1 }];
    const { log, outcome } = pool(items, 1, true, {}, (l) => l.started.includes(1));
    const out = await outcome;
    expect([out.stoppedEarly, out.results.map((r) => [r.at, r.failed]), log.cancelled]).toEqual([true, [[1, true]], [0]]);
  });

  it('a worker that cannot load the scenario rejects with a UsageError and every worker is terminated', async () => {
    const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
    let n = 0;
    const startWorker = (): StandIn => new StandIn(runner([], log), log, n++ === 0 ? 'no such file' : undefined);
    const outcome = runWorkPool<Item, Done>({ items: [{ ticks: 1 }], workers: 2, startWorker, rules, stop: () => false });
    await expect(outcome).rejects.toThrow(UsageError);
    await expect(outcome).rejects.toThrow('no such file');
    expect(log.terminated).toBe(2);
  });

  it('with no worker thread, this thread runs every item by the same rules; with neither, it refuses', async () => {
    const items: Item[] = [{ ticks: 1 }, { ticks: 2, stopped: true }, { ticks: 1 }];
    const alone = pool(items, 0, true, { rules: { ...rules, keep: (r) => !r.stopped } });
    const out = await alone.outcome;
    expect([out.results.map((r) => r.at), out.stoppedEarly, alone.log.started]).toEqual([[0], true, [0, 1]]);
    await expect(pool(items, 0, false).outcome).rejects.toThrow(InternalError);
  });

  it('property: the results are the items up to the first failing one, for any worker count and items held ahead', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ ticks: fc.nat(6), fails: fc.nat(5).map((n) => n === 0) }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.integer({ min: 1, max: 3 }), async (items, workers, here, ahead) => {
        fc.pre(workers > 0 || here);
        const f = items.findIndex((i) => i.fails);
        const expected = items.slice(0, f === -1 ? items.length : f + 1).map((_, at) => at);
        const out = await pool(items, workers, here, { ahead }).outcome;
        expect(out.results.map((r) => r.at)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('property: items expanded as they end run in depth-first order, before later items; the results stop at the first failure in that order', async () => {
    const leaf = fc.record({ ticks: fc.nat(6), fails: fc.nat(7).map((n) => n === 0) });
    const mid = fc.record({ ticks: fc.nat(6), fails: fc.nat(7).map((n) => n === 0), children: fc.array(leaf, { maxLength: 3 }) });
    const top = fc.record({ ticks: fc.nat(6), fails: fc.nat(7).map((n) => n === 0), children: fc.array(mid, { maxLength: 3 }) });
    /** The tree with keys, and its nodes in depth-first order. */
    const keyed = (nodes: readonly Item[], parent: readonly number[], all: Item[]): Item[] =>
      nodes.map((n, i) => {
        const key = [...parent, i];
        const item: { -readonly [K in keyof Item]: Item[K] } = { ...n, key };
        all.push(item);
        item.children = keyed(n.children ?? [], key, all);
        return item;
      });
    await fc.assert(
      fc.asyncProperty(fc.array(top, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.integer({ min: 1, max: 2 }), async (tree, workers, here, ahead) => {
        fc.pre(workers > 0 || here);
        const all: Item[] = [];
        const items = keyed(tree, [], all);
        const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
        const run = runner(all, log);
        const out = await runWorkPool<Item, Done>({
          items,
          workers,
          startWorker: () => new StandIn(run, log),
          ...(here ? { runHere: run } : {}),
          rules,
          stop: () => false,
          ahead,
          keyOf: (item) => item.key!,
          expand: (item) => item.children ?? [],
        });
        const f = all.findIndex((i) => i.fails);
        const expected = all.slice(0, f === -1 ? all.length : f + 1).map((_, at) => at);
        expect(out.results.map((r) => r.at)).toEqual(expected);
        // This thread alone runs them one by one: in depth-first order, and nothing after the failure.
        if (workers === 0) expect(log.started).toEqual(expected);
        // Nothing past the failure is kept, even when it ran.
        expect(out.results.every((r) => r.at <= (f === -1 ? Infinity : f))).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('expanded items go to workers that found nothing to take when they asked', async () => {
    // One item to start with: the second worker gets nothing until it expands into two long ones.
    const all: Item[] = [];
    const b: Item = { ticks: 40, key: [0, 0] };
    const c: Item = { ticks: 40, key: [0, 1] };
    const a: Item = { ticks: 2, key: [0], children: [b, c] };
    all.push(a, b, c);
    const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
    const run = runner(all, log);
    const perWorker: number[][] = [];
    const out = await runWorkPool<Item, Done>({
      items: [a],
      workers: 2,
      startWorker: () => {
        const w = new StandIn(run, log);
        const handed: number[] = [];
        perWorker.push(handed);
        const post = w.postMessage.bind(w);
        w.postMessage = (msg) => (msg.type === 'run' && handed.push(msg.id), post(msg));
        return w;
      },
      rules,
      stop: () => false,
      keyOf: (item) => item.key!,
      expand: (item) => item.children ?? [],
    });
    expect(out.results.map((r) => r.at)).toEqual([0, 1, 2]);
    expect(perWorker.map((h) => h.length).sort()).toEqual([1, 2]);
  });

  it('this thread, idle when items are expanded on a worker, runs them too', async () => {
    // This thread takes `a` at once and ends it; the worker takes `d`, which later expands.
    const b: Item = { ticks: 40, key: [1, 0] };
    const c: Item = { ticks: 40, key: [1, 1] };
    const a: Item = { ticks: 1, key: [0] };
    const d: Item = { ticks: 10, key: [1], children: [b, c] };
    const all = [a, d, b, c];
    const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
    const run = runner(all, log);
    const ranHere: number[] = [];
    const out = await runWorkPool<Item, Done>({
      items: [a, d],
      workers: 1,
      startWorker: () => new StandIn(run, log),
      runHere: (item, cancelled) => (ranHere.push(all.indexOf(item)), run(item, cancelled)),
      rules,
      stop: () => false,
      keyOf: (item) => item.key!,
      expand: (item) => item.children ?? [],
    });
    expect(out.results.map((r) => r.at)).toEqual([0, 1, 2, 3]);
    expect(ranHere.length).toBe(2);
    expect(ranHere[0]).toBe(0);
  });

  it('refuses an expanded item whose key does not extend its parent\'s', async () => {
    const items: Item[] = [{ ticks: 1, key: [0], children: [{ ticks: 1, key: [1] }] }];
    const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
    const run = runner(items, log);
    await expect(runWorkPool<Item, Done>({ items, workers: 0, startWorker: () => new StandIn(run, log), runHere: run, rules, stop: () => false, keyOf: (i) => i.key!, expand: (i) => i.children ?? [] })).rejects.toThrow(/does not extend/);
  });

  it('a worker group serves several pool runs: each thread loads once, says ready to the next run, and ends on close', async () => {
    // pb runs one pool per preemption bound; before, each started (and loaded) its own threads.
    const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
    const items: Item[] = [{ ticks: 3 }, { ticks: 1 }, { ticks: 2 }, { ticks: 0 }];
    let starts = 0;
    const group = new WorkerGroup(() => (starts++, new StandIn(runner(items, log), log) as PoolWorker<unknown, unknown>));
    for (let run = 0; run < 3; run++) {
      const out = await runWorkPool<Item, Done>({ items, workers: 2, startWorker: () => group.attach(SETUP_A), rules, stop: () => false });
      expect(out.results.map((r) => r.at)).toEqual([0, 1, 2, 3]);
    }
    expect([starts, log.terminated, log.setups ?? 0]).toEqual([2, 0, 0]);
    await group.close();
    expect(log.terminated).toBe(2);
  });

  it('a worker group sets its threads up again for a run of another setup instead of starting new ones', async () => {
    // `run` over many variants: each variant is a run with its own setup (scenario, target, seed).
    const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
    const items: Item[] = [{ ticks: 3 }, { ticks: 1 }, { ticks: 2 }, { ticks: 0 }];
    let starts = 0;
    const group = new WorkerGroup(() => (starts++, new StandIn(runner(items, log), log) as PoolWorker<unknown, unknown>));
    const setups = [SETUP_A, SETUP_B, SETUP_A, { ...SETUP_A }];
    const counts: number[][] = [];
    for (const setup of setups) {
      const out = await runWorkPool<Item, Done>({ items, workers: 2, startWorker: () => group.attach(setup), rules, stop: () => false });
      expect(out.results.map((r) => r.at)).toEqual([0, 1, 2, 3]);
      counts.push([starts, log.setups ?? 0]);
    }
    // Two threads, each set up again for each other setup (a copy of A too: setups are not compared by value).
    expect(counts).toEqual([[2, 0], [2, 2], [2, 4], [2, 6]]);
    await group.close();
  });

  it('a thread left running an item, or answering with an error, by a run that ended on that error is not reused', async () => {
    const log: Log = { handed: [], started: [], cancelled: [], terminated: 0 };
    const items: Item[] = [{ ticks: 1, endless: true }, { ticks: 1, throws: true }];
    let starts = 0;
    const group = new WorkerGroup(() => (starts++, new StandIn(runner(items, log), log) as PoolWorker<unknown, unknown>));
    await expect(runWorkPool<Item, Done>({ items, workers: 2, startWorker: () => group.attach(SETUP_A), rules, stop: () => false })).rejects.toThrow(/boom/);
    // Neither is reused: one still runs the endless item (it is ended), the other answered with an error.
    expect([starts, log.terminated]).toEqual([2, 1]);
    const again = await runWorkPool<Item, Done>({ items: [{ ticks: 1 }, { ticks: 1 }], workers: 2, startWorker: () => group.attach(SETUP_A), rules, stop: () => false });
    expect(again.results).toHaveLength(2);
    expect(starts).toBe(4);
    await group.close();
  });

  it('a worker drops a cancel for an item it already answered: a later run numbers its items from 0 again', async () => {
    const sent: FromWorker<unknown>[] = [];
    const seen: boolean[] = [];
    const serve = itemServer<number>(async (item, cancelled) => (await turn(), seen.push(cancelled()), item), (msg) => sent.push(msg));
    serve({ type: 'run', id: 0, item: 10 });
    while (sent.length < 1) await turn();
    // The cancel crossed the answer: item 0 had ended. Before, the next item 0 started cancelled.
    serve({ type: 'cancel', id: 0 });
    serve({ type: 'run', id: 0, item: 20 });
    while (sent.length < 2) await turn();
    expect([sent, seen]).toEqual([[{ type: 'result', result: 10 }, { type: 'result', result: 20 }], [false, false]]);
  });
});
