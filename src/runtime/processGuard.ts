/**
 * While an execution runs, code under test must not end the process: `process.exit(0)` in a task
 * would end `run`, `ci` or `merge` with exit 0, before any summary, JUnit file or trace is
 * written, a false green. `guardProcessEnd` replaces `process.exit`, `process.abort` and
 * `process.kill` aimed at this process (its pid, or 0: its process group) with functions that
 * report the call and throw instead; `process.kill` of another pid, or with signal 0 (a
 * liveness probe), goes through unchanged. Called by `Execution` when it starts; the returned
 * function, called whenever the execution ends (a verdict, a usage error), puts the originals
 * back (as sinon's fake timers restore what they replaced).
 *
 * Guarantee: after every guard is restored, `process.exit`, `abort` and `kill` behave as the
 * originals, even when two executions of one thread overlapped (tests may run explorations
 * concurrently): a guard restored while another was installed over it stays in place, inactive,
 * and passes every call on to what it replaced.
 */

/** What the scenario called, e.g. `process.exit(0)`; the returned error is thrown at the call. */
export type OnProcessEnd = (call: string) => Error;

type Exit = typeof process.exit;
type Abort = typeof process.abort;
type Kill = typeof process.kill;

export function guardProcessEnd(onCall: OnProcessEnd): () => void {
  const exit: Exit = process.exit;
  const abort: Abort = process.abort;
  const kill: Kill = process.kill;
  let active = true;
  const guardedExit = function (this: unknown, code?: string | number | null): never {
    if (!active) return exit.call(process, code);
    throw onCall(`process.exit(${code === undefined ? '' : String(code)})`);
  } as Exit;
  const guardedAbort = function (this: unknown): never {
    if (!active) return abort.call(process);
    throw onCall('process.abort()');
  } as Abort;
  const guardedKill = function (this: unknown, pid: number, signal?: string | number): true {
    if (!active || signal === 0 || (Number(pid) !== process.pid && Number(pid) !== 0)) return kill.call(process, pid, signal);
    throw onCall(`process.kill(${Number(pid) === 0 ? '0' : 'process.pid'}${signal === undefined ? '' : `, ${JSON.stringify(signal)}`})`);
  } as Kill;
  process.exit = guardedExit;
  process.abort = guardedAbort;
  process.kill = guardedKill;
  return () => {
    active = false;
    if (process.exit === guardedExit) process.exit = exit;
    if (process.abort === guardedAbort) process.abort = abort;
    if (process.kill === guardedKill) process.kill = kill;
  };
}
