import { describe, expect, it } from 'vitest';
import { explore, type ScenarioDefinition } from 'interleave';
import { formatFailureReport, rootCause } from '../../src/report/text.js';
import { explainWait, explainWaitEdge } from '../../src/report/waitEdge.js';
import nestedSubmission from '../../scenarios/nested-submission.js';
import lockOrder from '../fixtures/scenarios/lock-order.js';

describe('deadlock root cause: each edge as what the waiter waits for and why the holder holds it up', () => {
  it('a pool deadlock: the holder is a busy worker running a job, never the holder of a result', async () => {
    const r = await explore(nestedSubmission as ScenarioDefinition<object>, { variant: 'buggy', seed: 1 });
    expect(r.failure?.kind).toBe('deadlock');
    const [header, ...edges] = rootCause(r.trace!);
    expect(header).toBe('root cause: each task of the cycle waits for the next, so none can go on:');
    // The cycle starts at whichever worker blocked last; the B jobs are numbered in submission order.
    expect(edges.sort()).toEqual([
      expect.stringMatching(/^ {2}parallel_executor-worker-1 waits for the result of task-B1#[34], which is queued: every worker of pool "parallel_executor" is busy, and parallel_executor-worker-2 is one of them, running task-A2#2$/),
      expect.stringMatching(/^ {2}parallel_executor-worker-2 waits for the result of task-B2#[34], which is queued: every worker of pool "parallel_executor" is busy, and parallel_executor-worker-1 is one of them, running task-A1#1$/),
    ]);
    const report = formatFailureReport(r.trace!, null);
    expect(report).not.toMatch(/holds result of/);
    expect(report).toMatch(/\n {2}root cause: each task of the cycle waits for the next, so none can go on:\n {4}parallel_executor-worker-[12] waits for the result of task-B[12]#[34]/);
  });

  it('a lock cycle: which task holds which lock', async () => {
    const r = await explore(lockOrder as ScenarioDefinition<object>, { variant: 'buggy', seed: 7 });
    expect(r.failure?.kind).toBe('deadlock');
    for (const line of rootCause(r.trace!).slice(1)) expect(line).toMatch(/^ {2}(transfer|report) waits for lock "(audit|accounts)", which (transfer|report) holds$/);
  });

  it('every kind of owned wait the primitives label', () => {
    const edge = (task: string, resource: string, holder: string) => explainWaitEdge({ task, resource, holder });
    expect(edge('a', 'result of job#2 (running on pool-worker-1)', 'pool-worker-1')).toBe('a waits for the result of job#2, which pool-worker-1 is running');
    expect(edge('w-1', 'result of job#2 (queued: every worker of pool "p" is busy)', 'w-1')).toBe(
      'w-1 waits for the result of job#2, which is queued: every worker of pool "p" is busy, and w-1 itself is one of them',
    );
    expect(edge('main', 'join worker-1', 'worker-1')).toBe('main waits to join worker-1, which has not finished');
    expect(edge('a', 'lock "x"', 'b')).toBe('a waits for lock "x", which b holds');
    expect(edge('a', 'lock "x"', 'a')).toBe('a waits for lock "x", which a itself holds');
    expect(edge('a', 'rwlock "x" (write-held)', 'b')).toBe('a waits for rwlock "x", which b holds for writing');
    expect(edge('a', 'semaphore "s" (no permits)', 'b')).toBe('a waits for a permit of semaphore "s", which b holds');
    expect(edge('a', 'something else', 'b')).toBe('a waits on something else; only b can end that wait');
  });

  it('the job a busy worker runs comes from the events: the last one it took and has not completed', () => {
    const e = { task: 'a', resource: 'result of j#3 (queued: every worker of pool "p" is busy)', holder: 'w' };
    const took = { step: 1, task: 'w', op: 'take', obj: 'p', result: 'job j#1' };
    expect(explainWaitEdge(e, [took])).toMatch(/, running j#1$/);
    expect(explainWaitEdge(e, [took, { step: 2, task: 'w', op: 'complete', obj: 'j#1' }])).toMatch(/is one of them$/);
  });

  it('a blocked task as the interactive explorer lists it: one holder as an edge, several named together, none', () => {
    expect(explainWait('main', 'join worker-1', ['worker-1'])).toBe('main waits to join worker-1, which has not finished');
    expect(explainWait('c', 'semaphore "slots" (no permits)', ['a', 'b'])).toBe('c waits on semaphore "slots" (no permits), held by a and b');
    expect(explainWait('c', 'rwlock "db" (read-held)', ['a', 'b', 'd'])).toBe('c waits on rwlock "db" (read-held), held by a, b and d');
    expect(explainWait('r', 'queue "q" (empty)', [])).toBe('r waits on queue "q" (empty)');
  });
});
