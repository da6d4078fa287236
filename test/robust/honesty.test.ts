import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario, explore, search, type ScenarioDefinition } from 'interleave';
import { formatSearchOutcome } from '../../src/report/text.js';
import { CROSS_CHECK_CAUSE } from '../../src/search/crossCheck.js';
import { loadScenario } from '../../src/loader.js';
import { confirmed, confirmFresh, replayFresh } from '../../src/robust/freshReplay.js';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import closureCounter from './fixtures/honesty/closure-counter.js';
import { cli, inProcess, ROOT, tempDir } from './cli.js';

const HONESTY = join(ROOT, 'test/robust/fixtures/honesty');
const CLOSURE = join(HONESTY, 'closure-counter.ts');

/** The summary of closure-counter's dfs search: the random schedule that fails is the 4th with seed 1. */
const CLOSURE_LINE = `closure-counter [buggy] dfs: assertion: exhaustive search said complete, but random schedule 4 of 300 (seed 1) fails: ${CROSS_CHECK_CAUSE}`;

describe('a complete dfs search is cross-checked with random schedules (partial-order reduction cannot see state outside t.*)', () => {
  it('a lost update on a closure variable: the search does not say complete; it reports the random schedule that fails', async () => {
    const r = await search(closureCounter as ScenarioDefinition<object>);
    expect(r.complete).toBe(false);
    expect(r.stoppedBy).toBe('failure');
    expect(r.crossCheck).toEqual({ schedules: 300, seed: 1, failedAt: 3 });
    expect(r.failure?.kind).toBe('assertion');
    expect(r.failure?.message).toContain('x is 1, expected 2 (lost update)');
    expect(r.trace?.strategy).toMatchObject({ name: 'random', seed: 1, execution: 3 });
    expect(formatSearchOutcome(r)).toBe(CLOSURE_LINE.slice('closure-counter [buggy] dfs: '.length));
    // Without the cross-check, the reduction alone explores one order and calls it complete: the bug this guards against.
    const blind = await search(closureCounter as ScenarioDefinition<object>, { crossCheck: 0 });
    expect([blind.complete, blind.failure, blind.crossCheck]).toEqual([true, null, null]);
    expect(formatSearchOutcome(blind)).toBe('exhaustive: 1 complete execution, no failure (complete, with partial-order reduction; not cross-checked with random schedules)');
  });

  it('a scenario whose shared state all goes through t.*: complete, and the summary says the random schedules agree', async () => {
    const r = await search(lostUpdate as ScenarioDefinition<object>, { variant: 'fixed', seed: 7 });
    expect([r.complete, r.failure, r.crossCheck]).toEqual([true, null, { schedules: 300, seed: 7, failedAt: null }]);
    expect(formatSearchOutcome(r)).toMatch(/^exhaustive: \d+ complete executions? .*no failure \(complete, with partial-order reduction; 300 random schedules \(seed 7\) agree\)$/);
    // Without reduction nothing is assumed: no cross-check.
    const plain = await search(lostUpdate as ScenarioDefinition<object>, { variant: 'fixed', por: false });
    expect([plain.complete, plain.crossCheck]).toEqual([true, null]);
  });

  // closure-counter keeps no state between executions: its CLI runs go through main in this process (cli.ts inProcess).
  it('run --strategy dfs: exit 1, the summary line, and a saved trace that replays', async () => {
    const out = tempDir();
    const r = await inProcess(['run', CLOSURE, '--strategy', 'dfs', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(CLOSURE_LINE);
    const file = join(out, 'closure-counter.buggy.assertion.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).failure.kind).toBe('assertion');
    const replay = await cli(['replay', file]);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/^reproduced: assertion: AssertionFailure: x is 1, expected 2 \(lost update\)/m);
  });

  it('split: run --workers 2, and two shards merged, report the same failure with the same line', async () => {
    const out = tempDir();
    const split = await inProcess(['run', CLOSURE, '--strategy', 'dfs', '--workers', '2', '--out', out]);
    expect(split.code).toBe(1);
    expect(split.stdout.split('\n')[0]).toBe(CLOSURE_LINE);
    const shards = [];
    for (const i of [1, 2]) shards.push(await inProcess(['run', CLOSURE, '--strategy', 'dfs', '--shard', `${i}/2`, '--shard-file', join(out, `s${i}.json`), '--out', out]));
    expect(shards.map((s) => s.code)).toEqual([0, 0]);
    const merged = await inProcess(['merge', '--dir', HONESTY, '--out', out, join(out, 's1.json'), join(out, 's2.json')]);
    expect(merged.code).toBe(1);
    expect(merged.stdout.split('\n')[0]).toBe(`${CLOSURE_LINE} (merged from 2 workers over 2 shards)`);
    // Without the scenario at hand, merge cannot cross-check: it says so rather than "complete".
    const blind = await inProcess(['merge', '--dir', join(ROOT, 'test/fixtures/scenarios'), '--out', out, join(out, 's1.json'), join(out, 's2.json')]);
    expect(blind.code).toBe(0);
    expect(blind.stdout).toContain('(complete, with partial-order reduction; not cross-checked with random schedules)');
    expect(blind.stderr).toMatch(/^interleave: merge: closure-counter\/buggy: complete, but not cross-checked with random schedules: /m);
  });
});

/** A scenario whose behaviour depends on how many times it ran in this process: `pick(runs)` is written to `v`. */
function counting(name: string, pick: (runs: number) => number): ScenarioDefinition<object> {
  let runs = 0;
  return defineScenario({
    name,
    description: 'state kept between executions',
    variants: { only: { expect: 'pass' } },
    async run(t) {
      const value = pick(runs++);
      const v = t.variable('v', 0);
      const worker = t.spawn('worker', async () => {
        await v.set(value);
        await v.get();
      });
      await worker.join();
    },
  }) as ScenarioDefinition<object>;
}

const LATE = /^nondeterminism: two runs of the same schedule differ at step \d+ \(replayed again after execution \d+: state kept between executions, such as a module-level variable\?\): first worker: read v -> \d; then worker: read v -> \d; does the scenario use Math\.random, Date\.now, real timers or state outside t\.\*\?$/;

describe('--check-determinism replays each execution again later, not only right after itself', () => {
  it('a flag that flips every 2 executions, and a counter special every 3rd: nondeterminism, found late', async () => {
    for (const s of [counting('flip-2', (n) => Math.floor(n / 2) % 2), counting('every-3', (n) => (n % 3 === 0 ? 1 : 0)), counting('flip-3', (n) => Math.floor((n + 1) / 3) % 2)]) {
      const r = await explore(s, { iterations: 200, checkDeterminism: true });
      expect(r.failure?.kind, s.name).toBe('nondeterminism');
      if (s.name !== 'every-3') expect(r.failure?.message).toMatch(LATE);
      expect(r.trace?.failure?.message).toBe(r.failure?.message);
    }
  });

  it('the same first nondeterminism whole, in blocks on 1 and 2 workers (windows restart at each block)', async () => {
    const flip = join(HONESTY, 'flip-every-2.ts');
    const whole = await cli(['run', flip, '--check-determinism', '-n', '300', '--out', tempDir()]);
    const split = await Promise.all(['1', '2'].map((n) => cli(['run', flip, '--check-determinism', '-n', '300', '--workers', n, '--out', tempDir()])));
    expect([whole.code, ...split.map((r) => r.code)]).toEqual([1, 1, 1]);
    const line = (s: string): string => s.split('\n').find((l) => l.startsWith('nondeterminism: '))!;
    expect(line(whole.stdout)).toMatch(LATE);
    for (const r of split) expect(line(r.stdout)).toBe(line(whole.stdout));
  });

  it('dfs: a complete search checks its executions late too', async () => {
    const r = await search(counting('flip-2-dfs', (n) => Math.floor(n / 2) % 2), { checkDeterminism: true, crossCheck: 0 });
    // One schedule only (one task after main's spawn): still, its late replay runs at another distance.
    expect(r.failure?.kind).toBe('nondeterminism');
  });
});

describe('a failure found is confirmed from a freshly loaded module before it is saved', () => {
  const WARM = join(HONESTY, 'warm-cache.ts');
  const NOT_FRESH =
    'nondeterminism: the failure found does not replay from a freshly loaded module (passes now: the recorded assertion no longer happens on this schedule); state survived between executions (a module-level variable or cache?); found: assertion: AssertionFailure: the warm path wrote 2 in task "main" (step 5)';

  it('a module-level cache that warms up: reported as nondeterminism, exit 1, and no trace saved that would not replay', async () => {
    const out = tempDir();
    const r = await cli(['run', WARM, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^warm-cache \[only\] random seed 1: 4 executions, \d+\/s: nondeterminism$/);
    expect(r.stdout).toContain(`\n${NOT_FRESH}\n`);
    expect(readdirSync(out)).toEqual([]);
  });

  it('merge confirms the merged failure the same way', async () => {
    const out = tempDir();
    const shards = await Promise.all([1, 2].map((i) => cli(['run', WARM, '-n', '500', '--shard', `${i}/2`, '--shard-file', join(out, `s${i}.json`), '--out', out])));
    expect(shards.map((s) => s.code)).toEqual([1, 1]);
    const merged = await cli(['merge', '--out', out, join(out, 's1.json'), join(out, 's2.json')]);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain(`\n${NOT_FRESH}\n`);
    expect(readdirSync(out).sort()).toEqual(['s1.json', 's2.json']);
  });

  it('a failure that replays afresh is kept as found (the run --strategy dfs test above saves one and replays it in a new process)', async () => {
    const loaded = await loadScenario(CLOSURE);
    const r = await explore(loaded.scenario, { strategy: 'random', file: loaded.file });
    expect(r.trace).not.toBeNull();
    expect(await confirmFresh(loaded, r.trace!)).toBeNull();
    const again = await confirmed(loaded, r);
    expect(again).toBe(r);
    // The module this thread already ran is not the one replayed: the fresh instance is another definition.
    const report = await replayFresh(loaded, r.trace!);
    expect(report.outcome).toBe('reproduced');
  });
});
