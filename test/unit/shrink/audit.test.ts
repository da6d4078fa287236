import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explore, shrinkTrace, type ScenarioDefinition } from 'interleave';
import rapidCreateDelete from '../../../scenarios/rapid-create-delete.js';
import multiClientDisconnect from '../../../scenarios/multi-client-disconnect.js';
import computeIfAbsent from '../../../scenarios/compute-if-absent-cache.js';
import { expectShrunkToMinimalBound } from './minimalBound.js';

/**
 * Acceptance on the audit scenarios (scenarios/*.ts): the shrunk trace of each bug has exactly
 * as many preemptions as the smallest bound at which pb finds it (minimalBound.ts).
 */
const dir = new URL('../../../scenarios/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
const asDef = (s: unknown): ScenarioDefinition<object> => s as ScenarioDefinition<object>;

describe('audit scenarios', () => {
  it('every buggy variant: the shrunk random trace has as many preemptions as the smallest bound at which pb finds the bug', async () => {
    // pb reduces (bounded partial-order reduction), so the two that took ~10,000-12,000 executions
    // unreduced (multi-client-disconnect websocket-manager, rapid-create-delete buggy) take 685 and 28.
    let compared = 0;
    for (const file of files) {
      const s = asDef((await import(new URL(file, dir).href)).default);
      for (const [variant, spec] of Object.entries(s.variants)) {
        if (spec.expect === 'pass') continue;
        await expectShrunkToMinimalBound(s, file, variant);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(27);
  });

  it('multi-client-disconnect websocket-manager: one preemption, after stdout-reader copied the list (pb needs ~10,000 runs for it)', async () => {
    const found = await explore(asDef(multiClientDisconnect), { variant: 'websocket-manager', seed: 1 });
    expect(found.trace!.counts.preemptions).toBeGreaterThan(1);
    const r = await shrinkTrace(asDef(multiClientDisconnect), found.trace!, { params: false });
    expect(r.stoppedBy).toBe('minimal');
    expect(r.trace.counts.preemptions).toBe(1);
    expect(r.trace.failure!.error!.name).toBe('ValueError');
    expect(r.trace.races!.map((x) => x.message)).toEqual([
      // The two reads look alike: the copy in broadcast_message, then the read in _remove_connection.
      'stderr-reader: set _connections["plan-A"] ran between stdout-reader: get _connections["plan-A"] (at multi-client-disconnect.ts:214) and stdout-reader: get _connections["plan-A"] (at multi-client-disconnect.ts:204)',
    ]);
  });

  it('rapid-create-delete: the race is the other cleanup deleting the key between get and del', async () => {
    const found = await explore(asDef(rapidCreateDelete), { variant: 'buggy', seed: 1 });
    const { trace } = await shrinkTrace(asDef(rapidCreateDelete), found.trace!, { params: false });
    expect(trace.counts.preemptions).toBe(1);
    expect(trace.races!.map((r) => r.message)).toEqual([
      'http-delete-plan-A: delete progress_streams["plan-A"] ran between pipeline-plan-A: get progress_streams["plan-A"] and pipeline-plan-A: delete progress_streams["plan-A"]',
    ]);
  });

  it('multi-client-disconnect: client 2 cleanup deletes the stream between client 1 check and act', async () => {
    // Client 1 either checks (has) and then reads (get), or reads and then deletes: which of
    // the two the shrunk trace keeps depends on the seed (seed 5 gives the first, seed 1 the second).
    for (const [seed, check, act] of [
      [5, 'has', 'get'],
      [1, 'get', 'delete'],
    ] as const) {
      const found = await explore(asDef(multiClientDisconnect), { variant: 'buggy', seed });
      const { trace } = await shrinkTrace(asDef(multiClientDisconnect), found.trace!);
      expect(trace.counts.preemptions).toBe(1);
      expect(trace.races!.map((r) => r.message)).toEqual([
        `sse-client-2: delete progress_streams["plan-A"] ran between sse-client-1: ${check} progress_streams["plan-A"] and sse-client-1: ${act} progress_streams["plan-A"]`,
      ]);
    }
  });

  it('compute-if-absent-cache: both workers miss "mean" and compute it (no preemption needed: compute sleeps)', async () => {
    const found = await explore(asDef(computeIfAbsent), { variant: 'buggy', seed: 1 });
    const { trace } = await shrinkTrace(asDef(computeIfAbsent), found.trace!);
    expect(trace.counts.preemptions).toBe(0);
    expect(trace.failure!.message).toContain('duplicate computation: compute_fn(mean) ran 2 times');
    expect(trace.races!.map((r) => r.message)).toContain('worker2: set _cache["mean"] ran between worker1: get _cache["mean"] and worker1: set _cache["mean"]');
  });
});
