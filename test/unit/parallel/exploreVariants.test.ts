import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, type ExploreResult } from '../../../src/explore.js';
import { loadScenario, type LoadedScenario } from '../../../src/loader.js';
import { exploreVariants } from '../../../src/parallel/exploreVariants.js';
import type { Call } from '../../../src/parallel/calls.js';
import { startWorker } from '../../../src/parallel/startWorker.js';
import type { FromWorker, ToWorker } from '../../../src/parallel/workPool.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/scenarios');

/** A result without its timing, the one field that differs from run to run. */
const outcome = ({ elapsedMs: _t, ...rest }: ExploreResult): Omit<ExploreResult, 'elapsedMs'> => rest;

function withoutPlace(r: Omit<ExploreResult, 'elapsedMs'>): unknown {
  const drop = (f: { error?: object } | null | undefined): unknown => (f?.error === undefined ? f : { ...f, error: { ...f.error, location: '', stack: '' } });
  return { ...r, failure: drop(r.failure), trace: r.trace === null ? null : { ...r.trace, failure: drop(r.trace.failure) } };
}

async function jobsOf(): Promise<{ loaded: LoadedScenario; variant: string }[]> {
  const jobs = [];
  for (const f of ['lock-order.ts', 'lost-update.ts']) {
    const loaded = await loadScenario(join(FIXTURES, f));
    for (const variant of Object.keys(loaded.scenario.variants)) jobs.push({ loaded, variant });
  }
  return jobs;
}

describe('exploreVariants (ci --workers)', () => {
  it('gives, in job order, what explore gives each variant alone, on 1 or 2 threads', async () => {
    const jobs = await jobsOf();
    const alone: Omit<ExploreResult, 'elapsedMs'>[] = [];
    for (const j of jobs) alone.push(outcome(await explore(j.loaded.scenario, { variant: j.variant, file: j.loaded.file })));
    expect(alone.map((r) => r.failure?.kind ?? 'pass')).toEqual(['deadlock', 'pass', 'assertion', 'pass']);
    for (const workers of [1, 2]) {
      const done: string[] = [];
      const results = await exploreVariants(jobs, { workers, onDone: (j, r) => done.push(`${j.loaded.scenario.name} [${j.variant}] ${r.failure?.kind ?? 'pass'}`) });
      expect(results.map(outcome)).toEqual(alone);
      // Each job is reported once as it ends (in the order they end).
      expect(done.sort()).toEqual(jobs.map((j, k) => `${j.loaded.scenario.name} [${j.variant}] ${alone[k]!.failure?.kind ?? 'pass'}`).sort());
    }
  });

  it('a worker thread explores the variants it is sent, of any scenario, as this thread does', async () => {
    const jobs = await jobsOf();
    const worker = startWorker({ kind: 'calls' });
    try {
      const results: ExploreResult[] = [];
      await new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: FromWorker<ExploreResult>) => {
          if (m.type === 'error') reject(new Error(m.message));
          if (m.type === 'result' && results.push(m.result) === jobs.length) resolve();
        });
        // Sent in reverse: each module is loaded when a variant of it first comes.
        [...jobs].reverse().forEach((j, id) => worker.postMessage({ type: 'run', id, item: { kind: 'explore', file: j.loaded.file, options: { variant: j.variant } } } satisfies ToWorker<Call>));
      });
      const here = [];
      for (const j of [...jobs].reverse()) here.push(outcome(await explore(j.loaded.scenario, { variant: j.variant, file: j.loaded.file })));
      // Under vitest this thread loads the module through vite and the worker through tsx, whose
      // stacks here are of the compiled code: the error's place is left out of the comparison
      // (ci-split.test.ts compares the traces, locations included, of the built CLI).
      expect(results.map(outcome).map(withoutPlace)).toEqual(here.map(withoutPlace));
    } finally {
      await worker.terminate();
    }
  });
});
