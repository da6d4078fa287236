import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, replayTrace, search, shrinkTrace, type ScenarioDefinition } from 'interleave';
import { formatSearchOutcome } from '../../src/report/text.js';
import { cli, workDir } from '../cli/cliHarness.js';
import { withoutProgress } from '../robust/cli.js';
import cache from '../../examples/real-code/cache.scenario.js';
import wallet from '../../examples/real-code/wallet.scenario.js';
import streamRegistry from '../../examples/real-code/stream-registry.scenario.js';
import inventory from '../../examples/real-code/inventory.scenario.js';
import autosave from '../../examples/real-code/autosave.scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
const s = (x: unknown): ScenarioDefinition<object> => x as ScenarioDefinition<object>;

/** What each example of examples/real-code/ must show: the bug, its minimal schedule, and the fix proven. */
interface Example {
  readonly file: string;
  readonly scenario: ScenarioDefinition<object>;
  readonly kind: string;
  readonly message: string;
  /** The calls of the shrunk schedule, in order: `task: op obj`. */
  readonly shrunk: readonly string[];
  readonly dfs: string;
}

const EXAMPLES: readonly Example[] = [
  {
    file: 'cache.scenario.ts',
    scenario: s(cache),
    kind: 'assertion',
    message: 'assertion: AssertionFailure: profile u1 fetched 2 times for 2 requests in task "main" (step 5)',
    shrunk: [
      'verifySession: call verifySession("token-a")',
      'verifySession#2: call verifySession("token-b")',
      'fetchProfile#2: call fetchProfile("u1")',
      'fetchProfile: call fetchProfile("u1")',
    ],
    dfs: 'exhaustive: 4 complete executions, no failure (complete, without partial-order reduction: untracked state)',
  },
  {
    file: 'wallet.scenario.ts',
    scenario: s(wallet),
    kind: 'assertion',
    message: 'assertion: AssertionFailure: lost update: balance is 110 after deposits of 10 and 20 to 100 in task "main" (step 5)',
    shrunk: [
      'db.read: call db.read("alice")',
      'db.read#2: call db.read("alice")',
      'db.write#2: call db.write("alice", {balance: 120, version: 1})',
      'db.write: call db.write("alice", {balance: 110, version: 1})',
    ],
    dfs: 'exhaustive: 6 complete executions, no failure (complete, without partial-order reduction: untracked state)',
  },
  {
    file: 'stream-registry.scenario.ts',
    scenario: s(streamRegistry),
    kind: 'exception',
    message: "exception: TypeError: Cannot read properties of undefined (reading 'close') in task \"main\" (step 5)",
    shrunk: [
      'runner.start: call runner.start("plan-A")',
      'runner.stop: call runner.stop("plan-A")',
      'runner.waitForExit: call runner.waitForExit("plan-A")',
      'runner.waitForExit#2: call runner.waitForExit("plan-A")',
    ],
    dfs: 'exhaustive: 5 complete executions, no failure (complete, without partial-order reduction: untracked state)',
  },
  {
    file: 'inventory.scenario.ts',
    scenario: s(inventory),
    kind: 'assertion',
    message: 'assertion: AssertionFailure: lost update: 3 left after reserving 2 and 1 of 5 in task "main" (step 5)',
    shrunk: [
      'store.get: call store.get("sku-1")',
      'store.get#2: call store.get("sku-1")',
      'store.set#2: call store.set("sku-1", 4)',
      'store.set: call store.set("sku-1", 3)',
    ],
    dfs: 'exhaustive: 1 complete execution, no failure (complete, without partial-order reduction: untracked state)',
  },
  {
    file: 'autosave.scenario.ts',
    scenario: s(autosave),
    kind: 'assertion',
    message: 'assertion: AssertionFailure: the server kept "abc" after the user typed "abcd" in task "main" (step 6)',
    shrunk: [
      'timers: fire setTimeout(callback, 200ms)',
      'timers: fire setTimeout(callback, 200ms)',
      'timers: fire setTimeout(callback, 100ms)',
      'save#2: call save("abcd")',
      'save: call save("abc")',
    ],
    dfs: 'exhaustive: 3 complete executions, no failure (complete, without partial-order reduction: untracked state)',
  },
];

describe('examples/real-code: unchanged modules, their bugs found and shrunk, their fixes proven', () => {
  for (const ex of EXAMPLES) {
    it(`${ex.file}: buggy fails with ${ex.kind}, shrinks to a schedule that replays; fixed is clean on every schedule`, async () => {
      const file = join(ROOT, 'examples/real-code', ex.file);
      const found = await explore(ex.scenario, { variant: 'buggy', seed: 1 });
      expect(found.failure?.kind).toBe(ex.kind);
      const shrunk = await shrinkTrace(ex.scenario, found.trace!, { file });
      expect(shrunk.stoppedBy).toBe('minimal');
      const trace = shrunk.trace;
      expect(trace.failure?.message).toBe(ex.message);
      expect(trace.events.filter((e) => e.op === 'call' || e.op === 'fire').map((e) => `${e.task}: ${e.op} ${e.obj}`)).toEqual(ex.shrunk);
      expect((await replayTrace(ex.scenario, trace)).outcome).toBe('reproduced');

      const fixed = await search(ex.scenario, { variant: 'fixed', strategy: 'dfs' });
      expect(formatSearchOutcome(fixed)).toBe(ex.dfs);
    });
  }

  it('stream-registry.scenario.ts: with a pipeline that never exits, the fixed cleanup goes on at the 5 s join timeout on every schedule (virtual time)', async () => {
    const r = await search(s(streamRegistry), { variant: 'hung-pipeline', strategy: 'dfs' });
    expect(formatSearchOutcome(r)).toBe('exhaustive: 6 complete executions, no failure (complete, without partial-order reduction: untracked state)');
  });

  it('interleave run takes the example files by path (outside scenarios/): dfs finds every bug, proves every fix, saves one trace per bug; the cache and autosave traces replay in a fresh process', async () => {
    const out = workDir('real-examples');
    const files = EXAMPLES.map((ex) => join('examples/real-code', ex.file));
    const run = await cli(['run', ...files, '--strategy', 'dfs', '--check', '--out', out], { cwd: ROOT });
    expect([run.code, withoutProgress(run.stderr)]).toEqual([0, []]);
    for (const ex of EXAMPLES) expect(run.stdout).toContain(`[fixed] dfs: ${ex.dfs}\n`);
    expect(run.stdout).not.toContain('with partial-order reduction');
    expect(run.stdout).not.toContain('nondeterminism');
    const traces = readdirSync(out).sort();
    expect(traces).toEqual(['autosave.buggy.assertion.json', 'inventory.buggy.assertion.json', 'profile-cache.buggy.assertion.json', 'stream-registry.buggy.exception.json', 'wallet.buggy.assertion.json']);
    // Every shrunk trace replays in-process above; two replay in a fresh process here (the tour's
    // cache, and the autosave whose schedule includes timer firings), to keep the file fast.
    const cache = await cli(['replay', join(out, 'profile-cache.buggy.assertion.json')], { cwd: ROOT });
    expect([cache.code, cache.stdout.trimEnd().split('\n').at(-1)]).toEqual([1, `reproduced: ${EXAMPLES[0]!.message}`]);
    const autosave = await cli(['replay', join(out, 'autosave.buggy.assertion.json')], { cwd: ROOT });
    expect([autosave.code, autosave.stdout.trimEnd().split('\n').at(-1)]).toEqual([1, `reproduced: ${EXAMPLES[4]!.message}`]);
  }); // three CLI processes, about 5 s of CPU: room for a loaded machine
});
