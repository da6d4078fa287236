import { describe, expect, it } from 'vitest';
import scenario from '../../scenarios/multi-client-disconnect.js';
import { exhaust, exploreVariant, replayCommitted } from './_scenarios-a.js';

/** seed 001, Scenario 2: one client's disconnect cleans up the stream another client still reads. */
describe('multi-client-disconnect', () => {
  it('buggy: a client reads progress_streams[plan_id] after another client\'s cleanup deleted it', async () => {
    const r = await exploreVariant(scenario, 'buggy');
    expect(r.failure?.kind).toBe(scenario.variants.buggy!.expect);
    expect(r.failure?.error?.name).toBe('KeyError');
    expect(r.failure?.error?.message).toBe('"plan-A" not in progress_streams');
    expect(r.failure?.task).toMatch(/^sse-client-\d$/);
    expect(r.executions).toBeLessThanOrEqual(scenario.budget!.iterations!);
  });

  it('fixed: per-plan subscribers; every client gets the rest of the stream; exhaustive (dfs) for 2 clients and 2 messages', async () => {
    const r = await exhaust(scenario, 'fixed', { clients: 2, messages: 2 });
    expect(r.failure).toBeNull();
    expect(r.complete).toBe(true);
  });

  it('fixed: clean under random exploration with 3 clients (500 schedules)', async () => {
    const r = await exploreVariant(scenario, 'fixed', { iterations: 500, params: { clients: 3, messages: 2 } });
    expect(r.failure).toBeNull();
  });

  it('finding: the audit\'s WebSocketManager is not safe: two broadcasters remove the same dead socket', async () => {
    const r = await exploreVariant(scenario, 'websocket-manager');
    expect(r.failure?.kind).toBe(scenario.variants['websocket-manager']!.expect);
    expect(r.failure?.error).toMatchObject({ name: 'ValueError', message: 'list.remove(x): x not in list' });
    expect(['stdout-reader', 'stderr-reader']).toContain(r.failure?.task);
    // Client 1 had closed ws-1, and the other reader had already removed it from _connections.
    const events = r.trace!.events;
    expect(events.some((e) => e.task === 'ws-client-1' && e.op === 'write' && e.obj === 'ws-1.closed')).toBe(true);
    const other = r.failure!.task === 'stdout-reader' ? 'stderr-reader' : 'stdout-reader';
    expect(events.some((e) => e.task === other && e.op === 'set' && e.obj === '_connections')).toBe(true);
  });

  it('the same dfs search finds the buggy KeyError', async () => {
    const r = await exhaust(scenario, 'buggy', { clients: 2, messages: 2 });
    expect(r.failure?.kind).toBe('exception');
  });

  it('the committed traces replay to their failures', async () => {
    for (const variant of ['buggy', 'websocket-manager']) {
      const { trace, report } = await replayCommitted(scenario, variant, 'exception');
      expect(report.outcome).toBe('reproduced');
      expect(report.result.failure?.error?.name).toBe(variant === 'buggy' ? 'KeyError' : 'ValueError');
      expect(report.result.failure?.message).toBe(trace.failure!.message);
    }
  });
});
