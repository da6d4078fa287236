import { defineScenario, param } from 'interleave';
import type { SharedMap, SharedQueue } from 'interleave';
import fc from 'fast-check';

/**
 * PlanExe pipeline execution (seed 001, "Scenario 1: Rapid Plan Creation/Deletion", with
 * issues 1-3). `pipeline_execution_service.py:24` keeps two module-level dicts:
 *
 *   running_processes: Dict[str, subprocess.Popen] = {}  # UNSAFE!
 *   progress_streams: Dict[str, queue.Queue] = {}        # UNSAFE!
 *
 * Threads (seed 001, "Threading Architecture Overview"): the main HTTP thread starts one
 * pipeline execution thread per plan; one SSE HTTP thread per connected client; and here the
 * user deletes plan A right as it completes (an HTTP delete thread). Every dict access is a
 * separate step, as in CPython (each `d[k]`, `k in d`, `del d[k]` is atomic under the GIL, the
 * sequence is not). `missing: 'throw'` gives `d[k]` / `del d[k]` their KeyError.
 *
 * buggy: the check-then-act of issues 1-3 (`if plan_id in d: ... d[plan_id]`).
 * fixed: the lock-guarded manager the audit asks for: every access under one `_lock`, removal
 * by the atomic `d.pop(plan_id, None)`.
 */

type Stream = SharedQueue<string | null>;

interface Dicts {
  readonly running_processes: SharedMap<string, string>;
  readonly progress_streams: SharedMap<string, Stream>;
}

export default defineScenario({
  name: 'rapid-create-delete',
  description: 'plans created, run, streamed over SSE and deleted concurrently; cleanup races on the shared progress_streams / running_processes dicts',
  source: 'seed 001, Scenario 1 and issues 1-3',
  params: {
    plans: param(2, fc.integer({ min: 1, max: 3 }), 'plans created back to back (A, B, C)'),
    messages: param(1, fc.integer({ min: 0, max: 2 }), 'progress lines each pipeline writes before its end marker'),
  },
  variants: {
    buggy: { expect: 'exception', description: 'module-level dicts with `if plan_id in d: d[plan_id]` / `del d[plan_id]` check-then-act (KeyError)' },
    fixed: { expect: 'pass', description: 'lock-guarded manager: every access under _lock, cleanup by atomic pop(plan_id, None)' },
  },
  budget: { iterations: 300 },
  async run(t) {
    const fixed = t.variant === 'fixed';
    const d: Dicts = {
      running_processes: t.map<string, string>('running_processes', { missing: 'throw' }),
      progress_streams: t.map<string, Stream>('progress_streams', { missing: 'throw' }),
    };
    // fixed: the manager's `self._lock = threading.Lock()` (seed 001, "Connection Manager with Locks").
    const lock = t.lock('_lock');
    const guarded = async <T>(fn: () => Promise<T>): Promise<T> => (fixed ? lock.withLock(fn) : fn());

    // pipeline_execution_service.py:341-342 (issue 3)
    const cleanupExecution = async (planId: string): Promise<void> => {
      if (fixed) {
        await guarded(() => d.running_processes.pop(planId));
        return;
      }
      if (await d.running_processes.has(planId)) {
        // Another thread could delete here!
        await d.running_processes.delete(planId);
      }
    };

    // pipeline_execution_service.py:352-359 (issue 2)
    const cleanupProgressStream = async (planId: string): Promise<void> => {
      if (fixed) {
        const q = await guarded(() => d.progress_streams.pop(planId));
        if (q !== undefined) while (!(await q.empty())) await q.getNowait().catch(ignoreEmpty);
        return;
      }
      if (await d.progress_streams.has(planId)) {
        while (!(await (await d.progress_streams.get(planId))!.empty())) {
          try {
            await (await d.progress_streams.get(planId))!.getNowait();
          } catch (e) {
            if (isQueueEmpty(e)) break;
            throw e;
          }
        }
        await d.progress_streams.delete(planId);
      }
    };

    // get_progress_stream, as the SSE endpoint uses it (issue 1's race example).
    const getProgressStream = async (planId: string): Promise<Stream | null> =>
      guarded(async () => ((await d.progress_streams.has(planId)) ? (await d.progress_streams.get(planId))! : null));

    const plans = Array.from({ length: t.params.plans }, (_, i) => `plan-${String.fromCharCode(65 + i)}`);
    const threads = [];
    for (const planId of plans) {
      // Pipeline execution thread: registers its queue and process, streams Luigi output, cleans up.
      threads.push(
        t.spawn(`pipeline-${planId}`, async () => {
          const progressQueue = t.queue<string | null>(`progress_queue[${planId}]`);
          await guarded(async () => {
            await d.progress_streams.set(planId, progressQueue);
            await d.running_processes.set(planId, `Popen(luigi ${planId})`);
          });
          for (let i = 0; i < t.params.messages; i++) await progressQueue.putNowait(`${planId} line ${i}`);
          await progressQueue.putNowait(null); // end of stream
          await cleanupExecution(planId);
          await cleanupProgressStream(planId);
        }),
      );
      // SSE HTTP thread of a client watching this plan: connects, reads until the end marker.
      threads.push(
        t.spawn(`sse-${planId}`, async () => {
          let q: Stream | null = null;
          for (let attempt = 0; attempt < 2 && q === null; attempt++) {
            q = await getProgressStream(planId);
            if (q === null) await t.sleep(100); // not registered yet: the client retries once
          }
          if (q === null) return; // 404: no stream
          for (;;) {
            try {
              if ((await q.get({ timeout: 5000 })) === null) return;
            } catch (e) {
              if (isQueueEmpty(e)) return; // drained by a cleanup: the client times out
              throw e;
            }
          }
        }),
      );
    }
    // The user deletes plan A as it completes ("Time 4: Plan A completes, cleanup starts").
    const planA = plans[0]!;
    threads.push(
      t.spawn(`http-delete-${planA}`, async () => {
        await cleanupExecution(planA);
        await cleanupProgressStream(planA);
      }),
    );
    for (const th of threads) await th.join();
    t.assert(d.running_processes.peek().size === 0, `running_processes leaked ${[...d.running_processes.peek().keys()].join(', ')}`);
    t.assert(d.progress_streams.peek().size === 0, `progress_streams leaked ${[...d.progress_streams.peek().keys()].join(', ')}`);
  },
});

/**
 * Python's `except queue.Empty`. Matched by name, not `instanceof`: the CLI loads scenarios
 * through tsx, which may resolve 'interleave' to another copy of the module than the engine's.
 */
function isQueueEmpty(e: unknown): boolean {
  return e instanceof Error && e.name === 'QueueEmpty';
}

function ignoreEmpty(e: unknown): void {
  if (!isQueueEmpty(e)) throw e;
}
