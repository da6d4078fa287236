import { defineScenario, param } from 'interleave';
import fc from 'fast-check';

/**
 * Seed 004 (MEZAN Concurrency Audit Report), parallel_executor.py:
 * - Issue 4 "Signal Handler Race Condition" (lines 246-257): "Signal handlers modify state
 *   without locks", risk "Corrupted shutdown sequence" (variant unlocked-handler);
 * - "Deadlock Scenarios Identified" > "Scenario 3: Signal Handler Deadlock": "Signal arrives
 *   while holding lock", location "Shutdown sequence", prevention "Non-blocking signal handlers
 *   with deferred processing" (variants buggy and fixed).
 *
 * How the interruption is modelled: in CPython a signal only sets a C-level flag; the main
 * thread runs the Python handler at its next bytecode boundary, on top of whatever it was doing,
 * including while it holds `_state_lock` (a non-reentrant threading.Lock). So the OS is a task
 * (`sigint`) that sets `pending_signal` at a moment the scheduler picks, and `main` calls
 * `checkSignals()` between its statements, running the handler inline when the flag is set.
 */

type Params = { tasks: number };

export default defineScenario<Params>({
  name: 'signal-handler-lock',
  description: 'a SIGINT handler takes _state_lock, which the interrupted main thread holds; fixed with a flag-only handler and deferred shutdown',
  source: 'seed 004, Deadlock Scenarios Identified > Scenario 3: Signal Handler Deadlock; parallel_executor.py Issue 4',
  params: { tasks: param(2, fc.integer({ min: 1, max: 4 }), 'tasks the main thread submits under _state_lock') },
  variants: {
    buggy: { expect: 'deadlock', description: 'handler takes _state_lock; a signal arriving while main holds it deadlocks main on itself' },
    'unlocked-handler': {
      expect: 'assertion',
      description: 'Issue 4 as found: handler changes state without the lock, in the middle of main\'s pending_tasks += 1: shutdown corrupted',
    },
    fixed: { expect: 'pass', description: 'handler only sets _shutdown_requested; main runs shutdown() under the lock at its next loop check' },
  },
  budget: { iterations: 200 },
  async run(t) {
    const _state_lock = t.lock('_state_lock');
    const _state = t.variable<'running' | 'shutdown'>('_state', 'running');
    const pending_tasks = t.variable('pending_tasks', 0);
    const _shutdown_requested = t.variable('_shutdown_requested', false);
    const pending_signal = t.variable('pending_signal', false); // CPython's tripped-signal flag

    /** _signal_handler(signum, frame), per variant. */
    const handler = async (): Promise<void> => {
      switch (t.variant) {
        case 'buggy': // "fixed" Issue 4 by taking the lock in the handler
          await _state_lock.acquire();
          await _state.set('shutdown');
          await pending_tasks.set(0);
          await _state_lock.release();
          return;
        case 'unlocked-handler':
          await _state.set('shutdown');
          await pending_tasks.set(0);
          return;
        default: // fixed: non-blocking, deferred
          await _shutdown_requested.set(true);
      }
    };
    /** A bytecode boundary of the main thread: run the Python-level handler if a signal is pending. */
    const checkSignals = async (): Promise<void> => {
      if (await pending_signal.get()) {
        await pending_signal.set(false);
        await handler();
      }
    };
    /** The deferred part (fixed): the shutdown sequence, run by main outside any handler. */
    const processDeferred = async (): Promise<void> => {
      if (t.variant !== 'fixed' || !(await _shutdown_requested.get())) return;
      await _state_lock.acquire();
      await _state.set('shutdown');
      await pending_tasks.set(0);
      await _state_lock.release();
    };

    const sigint = t.spawn('sigint', async () => {
      await pending_signal.set(true); // kill -INT <pid>, at a moment the scheduler picks
    });

    // ParallelExecutor main loop: submit tasks; with self._state_lock: pending_tasks += 1.
    for (let i = 0; i < t.params.tasks; i++) {
      await checkSignals();
      await processDeferred();
      await _state_lock.acquire();
      await checkSignals();
      const running = (await _state.get()) === 'running';
      await checkSignals();
      if (running) {
        const n = await pending_tasks.get();
        await checkSignals();
        await pending_tasks.set(n + 1);
        await checkSignals();
      }
      await _state_lock.release();
      if (!running) break;
    }
    await sigint.join();
    await checkSignals();
    await processDeferred();

    const state = await _state.get();
    const left = await pending_tasks.get();
    t.assert(state === 'shutdown', `SIGINT was delivered but _state is ${state}`);
    t.assert(left === 0, `corrupted shutdown: _state is shutdown but pending_tasks is ${left} (main wrote back a count read before the handler cleared it)`);
  },
});
