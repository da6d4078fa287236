import { defineScenario, param } from 'interleave';
import type { Event, SharedMap, SharedQueue } from 'interleave';
import fc from 'fast-check';

/**
 * PlanExe pipeline thread shutdown (seed 001, "Scenario 3: Slow Thread Cleanup" and issue 4,
 * `pipeline_execution_service.py:254-255`):
 *
 *   stdout_thread.join(timeout=5.0)
 *   stderr_thread.join(timeout=5.0)
 *
 * then the queue is deleted while a slow reader still holds a reference to it and keeps writing
 * ("Time 5: stdout_thread continues, tries to write to deleted queue; Time 6: CRASH or silent
 * failure"). The readers keep a reference (issue 5: `progress_queue.put_nowait(log_data)`), so
 * in Python it is the silent failure: the line goes to an orphaned queue no one reads. The model
 * checks the moment of each write: a write after `cleanup_progress_stream` removed the queue from
 * `progress_streams` is a lost line.
 *
 * Virtual time: the Luigi subprocess exits at `exitMs`; each line costs the reader `lineMs`
 * (a large buffered output being processed, "Time 3").
 *
 * fixed: the audit's "Graceful Thread Shutdown": readers loop `while not _stop_event.is_set()`,
 * `stop_monitoring_threads` sets the event, joins with `timeout=10.0`, and calls `thread._stop()`
 * on a thread still alive. Two extra variants check what that guarantees:
 * - stop-drops-output: the same code; the stop event makes the readers quit with output unread.
 * - blocked-reader: a reader blocked inside `readline()` never sees the event; `join(10.0)`
 *   times out and `thread._stop()` does not stop a live thread: CPython 3.4-3.12's
 *   `Thread._stop` starts with `assert not lock.locked()` on the thread's tstate lock, so it
 *   raises AssertionError in the pipeline thread (under `python -O` it only marks the thread
 *   stopped, and the reader writes to the deleted queue later, as in `buggy`).
 */

const PLAN = 'plan-A';

type Variant = 'buggy' | 'fixed' | 'stop-drops-output' | 'blocked-reader';

export default defineScenario({
  name: 'slow-reader-cleanup',
  description: 'the pipeline thread joins its stdout/stderr reader threads with a timeout, then deletes the progress queue a slow reader still writes to',
  source: 'seed 001, Scenario 3 and issue 4',
  params: {
    stdoutLines: param(8, fc.integer({ min: 1, max: 10 }), 'lines of Luigi output left in the stdout pipe when the subprocess exits'),
    lineMs: param(1000, fc.integer({ min: 100, max: 2000 }), 'virtual ms the stdout reader spends per line'),
  },
  variants: {
    buggy: { expect: 'assertion', description: 'join(timeout=5.0) then delete the queue: the slow stdout reader writes to the deleted queue (lost lines)' },
    fixed: { expect: 'pass', description: "the audit's stop event + join(timeout=10.0): readers stop at the next line, no write after cleanup" },
    'stop-drops-output': { expect: 'assertion', description: 'finding: the same shutdown discards the output still in the pipe (the stop event cuts the log short)' },
    'blocked-reader': {
      expect: 'exception',
      description: 'finding: a reader blocked in readline() past 10 s ignores the stop event and thread._stop() raises AssertionError on a live thread',
    },
  },
  budget: { iterations: 50 },
  async run(t) {
    const variant = t.variant as Variant;
    const stopShutdown = variant !== 'buggy';
    const progress_streams: SharedMap<string, SharedQueue<string | null>> = t.map('progress_streams', { missing: 'throw' });
    const _stop_event: Event = t.event('_stop_event');
    const exitMs = 1000;
    const expected = { stdout: t.params.stdoutLines, stderr: 1 };
    const written = { stdout: 0, stderr: 0 };

    const pipeline = t.spawn('pipeline', async () => {
      const progress_queue = t.queue<string | null>('progress_queue');
      await progress_streams.set(PLAN, progress_queue);

      const reader = (stream: 'stdout' | 'stderr') => async (): Promise<void> => {
        for (let i = 0; i < expected[stream]; i++) {
          if (stopShutdown && (await _stop_event.isSet())) return; // while not self._stop_event.is_set()
          // readline(): the blocked-reader variant's stdout waits 12 s for its first line
          // (a grandchild process still holds the pipe open, or the line is not flushed).
          await t.sleep(variant === 'blocked-reader' && stream === 'stdout' && i === 0 ? 12_000 : stream === 'stdout' ? t.params.lineMs : 10);
          await progress_queue.putNowait(`${stream} line ${i}`);
          written[stream]++;
          t.assert(
            progress_streams.peek().has(PLAN),
            `${stream}-reader wrote "${stream} line ${i}" at ${t.now()}ms to progress_queue after cleanup deleted it from progress_streams: the line is lost`,
          );
        }
      };
      const stdout_thread = t.spawn('stdout-reader', reader('stdout'));
      const stderr_thread = t.spawn('stderr-reader', reader('stderr'));

      await t.sleep(exitMs); // process.wait(): Luigi exits ("Time 1")
      if (!stopShutdown) {
        await stdout_thread.join({ timeout: 5000 });
        await stderr_thread.join({ timeout: 5000 });
      } else {
        // stop_monitoring_threads()
        await _stop_event.set();
        for (const thread of [stdout_thread, stderr_thread]) {
          await thread.join({ timeout: 10_000 });
          if (await thread.isAlive()) {
            // thread._stop(): CPython asserts the thread already ended.
            throw new PythonAssertionError(`thread._stop() on live ${thread.name}: assert not lock.locked() (a Python thread cannot be killed)`);
          }
        }
      }
      await progress_queue.putNowait(null); // end of stream
      // cleanup_progress_stream(plan_id): one cleaner here, so pop + drain.
      const q = await progress_streams.pop(PLAN);
      while (q !== undefined && !(await q.empty())) await q.getNowait();
    });
    await pipeline.join();
    if (variant === 'stop-drops-output') {
      for (const stream of ['stdout', 'stderr'] as const) {
        t.assert(written[stream] === expected[stream], `${stream}-reader stopped with ${expected[stream] - written[stream]} of ${expected[stream]} lines of Luigi output unread`);
      }
    }
  },
});

/** Python's AssertionError (raised by `Thread._stop()` on a thread that is still running). */
class PythonAssertionError extends Error {
  override readonly name = 'AssertionError';
}
