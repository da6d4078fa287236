import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/signal-handler-lock.js';
import { expectCommittedTraceReplays, expectDeclaredFailure, expectExhaustivelyClean } from './_scenarios-b.js';

const s = scenario as never;

describe('signal-handler-lock (seed 004, Deadlock Scenario 3 and Issue 4)', () => {
  it('buggy: the handler runs on the interrupted main thread and waits for the _state_lock main holds', async () => {
    const { failure, result } = await expectDeclaredFailure(s, 'buggy');
    expect(failure.message).toBe('deadlock: main -[lock "_state_lock"]-> main');
    expect(failure.cycle).toEqual([{ task: 'main', resource: 'lock "_state_lock"', holder: 'main' }]);
    // The handler ran inside main's critical section: main acquired the lock, then saw the signal.
    const ops = result.trace!.events.filter((e) => e.task === 'main' && (e.obj === '_state_lock' || e.obj === 'pending_signal')).map((e) => `${e.op} ${e.obj}${e.result !== undefined ? `=${e.result}` : ''}${e.note === 'blocked' ? ' (blocked)' : ''}`);
    const inside = ops.slice(ops.lastIndexOf('acquire _state_lock=true'));
    expect(inside[0]).toBe('acquire _state_lock=true');
    expect(inside.some((op) => op.startsWith('release'))).toBe(false);
    expect(inside.slice(-3)).toEqual(['read pending_signal=true', 'write pending_signal', 'acquire _state_lock (blocked)']);
  });

  it('unlocked-handler: the original Issue 4 handler clears pending_tasks in the middle of main\'s += 1', async () => {
    const { failure } = await expectDeclaredFailure(s, 'unlocked-handler');
    expect(failure.message).toMatch(/^assertion: AssertionFailure: corrupted shutdown: _state is shutdown but pending_tasks is [1-9]/);
  });

  it('fixed: the flag-only handler with deferred shutdown never deadlocks and always shuts down, every schedule (dfs, 1, 2 and 4 tasks)', async () => {
    for (const tasks of [1, 2, 4]) await expectExhaustivelyClean(s, 'fixed', { strategy: 'dfs' }, { tasks });
  });

  it.each(['buggy', 'unlocked-handler'])('the committed %s trace replays to its failure', async (variant) => {
    await expectCommittedTraceReplays(s, variant);
  });
});
