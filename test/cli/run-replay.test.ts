import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, cliHere, FIXTURES, stable, workDir } from './cliHarness.js';

const TIMELINE = `assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main" (step 9)
  at ${join(FIXTURES, 'lost-update.ts')}:26
  9 steps, 3 preemptions, 3 tasks

 step  main                          worker-1              worker-2
       ----------------              ----------------      ----------------
    0  start
       join worker-1 .. waits
    1  :                             start
    2  :                                                   >> start
    3  :                             >> read counter -> 0
    4  :                                                   >> read counter -> 0
    5  :                                                   write counter
       :                                                   (done)
    6  :                             write counter
       :                             (done)
    7  join worker-1 -> true (woke)
    8  join worker-2 -> true   <- last step
    9  !! assertion
       !! assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main" (step 9)
legend: >> preempted (the previous task could have continued)  .. blocks  :  waiting  (woke) ran after waiting  !! failure
        a number is a step (a scheduling decision, from 0); rows without one are not steps; the !! row's number counts the steps taken

replay: npx interleave replay t/lost-update.buggy.assertion.json`;

describe('interleave run / replay / shrink / list (built binary)', () => {
  const cwd = workDir('cli-run');
  const trace = join(cwd, 't/lost-update.buggy.assertion.json');
  let raw: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    raw = await cli(['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '--out', 't', '--seed', '3', '--no-shrink'], { cwd });
  });

  it('run prints the failure, the timeline and the replay command, saves the trace, exits 1', () => {
    expect(raw.code).toBe(1);
    expect(stable(raw.stdout)).toBe(`lost-update [buggy] (params: workers=2) random seed 3: 1 execution, N/s: assertion\n\n${TIMELINE}\n\n`);
    expect(JSON.parse(readFileSync(trace, 'utf8')).failure.kind).toBe('assertion');
  });

  it('run shrinks by default; --json; --check over every variant; a passing variant exits 0', async () => {
    const [shrunk, json, check, pass] = await Promise.all([
      cliHere(['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '--out', 's', '--seed', '3'], { cwd }),
      cliHere(['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '--out', 'j', '--seed', '3', '--json', '--no-shrink'], { cwd }),
      cliHere(['run', '--all', '--check', '--dir', FIXTURES, '--out', 'c', '-n', '30'], { cwd }),
      cliHere(['run', 'lock-order', '-v', 'fixed', '--dir', FIXTURES, '-n', '20'], { cwd }),
    ]);
    expect(shrunk.code).toBe(1);
    expect(shrunk.stdout).toContain('(shrunk from 9 steps, 3 preemptions)');
    expect(shrunk.stdout).toMatch(/^ {2}root cause: worker-\d: write counter ran between worker-\d: read counter and worker-\d: write counter$/m);
    expect(shrunk.stdout).toContain('replay: npx interleave replay s/lost-update.buggy.assertion.json');
    expect(JSON.parse(readFileSync(join(cwd, 's/lost-update.buggy.assertion.json'), 'utf8')).shrink.original).toEqual({ steps: 9, preemptions: 3 });

    expect(json.code).toBe(1);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ scenario: 'lost-update', variant: 'buggy', expected: 'assertion', found: 'assertion', match: true, executions: 1, stoppedBy: 'failure', trace: 'j/lost-update.buggy.assertion.json' });

    expect(check.code).toBe(0);
    const table = check.stdout.slice(check.stdout.indexOf('scenario  '));
    expect(table).toBe(
      [
        'scenario     variant  expected   found      executions  match  trace',
        '-----------  -------  ---------  ---------  ----------  -----  ----------------------------------',
        'lock-order   buggy    deadlock   deadlock   3           ok     c/lock-order.buggy.deadlock.json',
        'lock-order   fixed    pass       pass       30          ok',
        'lost-update  buggy    assertion  assertion  3           ok     c/lost-update.buggy.assertion.json',
        'lost-update  fixed    pass       pass       30          ok',
        '',
      ].join('\n'),
    );
    expect(pass.code).toBe(0);
    expect(stable(pass.stdout)).toBe('lock-order [fixed] random seed 1: 20 executions, N/s: no failure (budget used)\n');
  });

  it('replay: reproduced (exit 1), passes now (exit 0), diverged at step N with both sides (exit 3), --json', async () => {
    // passes now: the same scenario without its assertion, under the same name
    const src = readFileSync(join(FIXTURES, 'lost-update.ts'), 'utf8').replace(/ {4}t\.assert\([^\n]*\n/, '');
    writeFileSync(join(cwd, 'lost-update-fixed.ts'), src);
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    writeFileSync(join(cwd, 'passes.json'), JSON.stringify({ ...t, scenario: { name: 'lost-update', file: 'lost-update-fixed.ts' } }));
    // diverged: step 3 ran worker-2; claim it ran worker-1 (which is not enabled then? it is: then the op differs)
    const decisions = [...t.decisions];
    decisions[3] = 0;
    writeFileSync(join(cwd, 'diverged.json'), JSON.stringify({ ...t, decisions }));

    const [repro, passes, diverged, json] = await Promise.all([
      cliHere(['replay', trace, '--dir', FIXTURES], { cwd }),
      cliHere(['replay', 'passes.json', '--dir', FIXTURES], { cwd }),
      cliHere(['replay', 'diverged.json', '--dir', FIXTURES], { cwd }),
      cliHere(['replay', trace, '--json', '--dir', FIXTURES], { cwd }),
    ]);
    expect(repro.code).toBe(1);
    expect(repro.stdout.trimEnd().split('\n').at(-1)).toBe('reproduced: assertion: AssertionFailure: lost update: counter is 1 after 2 increments in task "main" (step 9)');
    expect(repro.stdout).toContain('    3  :                             >> read counter -> 0');
    expect(passes.code).toBe(0);
    expect(passes.stdout.trimEnd().split('\n').at(-1)).toBe('passes now: the recorded assertion no longer happens on this schedule');
    expect(diverged.code).toBe(3);
    expect(diverged.stdout.trimEnd().split('\n').slice(-3)).toEqual([
      'diverged at step 3: expected task #0 to be enabled; enabled were [worker-1, worker-2]'.replace('task #0', 'main'),
      '  recorded: main',
      '  now:      [worker-1, worker-2]',
    ]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'reproduced', divergence: null, failure: { kind: 'assertion', step: 9 } });
  });

  it('shrink writes a smaller trace that still fails the same way; passing or missing traces are usage errors', async () => {
    const [ok, pass, missing] = await Promise.all([
      cliHere(['shrink', trace, '-o', 'min.json', '--dir', FIXTURES], { cwd }),
      cliHere(['shrink', 'passes.json', '--dir', FIXTURES], { cwd }).then(async () => {
        const t = JSON.parse(readFileSync(trace, 'utf8'));
        writeFileSync(join(cwd, 'pass-trace.json'), JSON.stringify({ ...t, failure: null }));
        return cliHere(['shrink', 'pass-trace.json', '--dir', FIXTURES], { cwd });
      }),
      cliHere(['shrink', 'nope.json'], { cwd }),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.split('\n')[0]).toMatch(/^shrunk t\/lost-update\.buggy\.assertion\.json: 9 steps, 3 preemptions, 3 tasks -> 9 steps, 1 preemption, 3 tasks \(\d+ attempts, minimal\)$/);
    expect(ok.stdout.split('\n')[1]).toBe('saved min.json');
    const min = JSON.parse(readFileSync(join(cwd, 'min.json'), 'utf8'));
    expect(min.counts.preemptions).toBe(1);
    expect(min.failure.kind).toBe('assertion');
    expect(pass.code).toBe(2);
    expect(pass.stderr).toBe('interleave: pass-trace.json: nothing to shrink: the trace records a passing run\n');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('interleave: nope.json: no such file\n');
    expect(existsSync(join(cwd, 'nope.shrunk.json'))).toBe(false);
  });

  it('shrink without -o replaces the trace (no second file for ci or replayTraces to replay)', async () => {
    const dir = join(cwd, 'in-place');
    mkdirSync(dir, { recursive: true });
    copyFileSync(trace, join(dir, 'x.json'));
    const r = await cliHere(['shrink', 'in-place/x.json', '--dir', FIXTURES], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('saved in-place/x.json');
    expect(readdirSync(dir)).toEqual(['x.json']);
    expect(JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8')).counts.preemptions).toBe(1);
  });

  it('list, list --json', async () => {
    const [text, json] = await Promise.all([cli(['list', '--dir', FIXTURES], { cwd }), cliHere(['list', '--json', '--dir', FIXTURES], { cwd })]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      [
        'lock-order',
        '  transfer takes accounts then audit; report takes audit then accounts',
        '  - buggy: expect deadlock',
        '  - fixed: expect pass: both take accounts first',
        'lost-update',
        '  workers increment a shared counter with get-then-set; fixed: under a lock',
        '  - buggy: expect assertion: get then set, no lock',
        '  - fixed: expect pass: increment under a mutex',
        '',
      ].join('\n'),
    );
    const list = JSON.parse(json.stdout) as { name: string; variants: Record<string, { expect: string }>; params: Record<string, unknown> }[];
    expect(list.map((s) => s.name)).toEqual(['lock-order', 'lost-update']);
    expect(list[1]!.variants.buggy!.expect).toBe('assertion');
    expect(list[1]!.params).toEqual({ workers: 2 });
  });

  it('bad arguments and missing files exit 2 with one clear line', async () => {
    const cases = await Promise.all([
      cli(['frobnicate'], { cwd }),
      cliHere(['run', 'lost-update', '--iterations', 'many', '--dir', FIXTURES], { cwd }),
      cliHere(['run', 'lost-update', '--strategy', 'bogus', '--dir', FIXTURES], { cwd }),
      cliHere(['run', 'no-such-scenario', '--dir', FIXTURES], { cwd }),
      cliHere(['run', '--dir', 'missing-folder'], { cwd }),
      cliHere(['run', 'lost-update', '-v', 'nope', '--dir', FIXTURES], { cwd }),
      cliHere(['replay', 'missing.json'], { cwd }),
      cliHere(['replay', join(FIXTURES, 'lock-order.ts')], { cwd }),
      cliHere(['run', 'lost-update', '--param', 'wrokers=3', '--dir', FIXTURES], { cwd }),
      cliHere(['run', 'lost-update', '--strategy', 'round-robin', '--workers', '2', '--dir', FIXTURES], { cwd }),
    ]);
    for (const c of cases) expect(c.code).toBe(2);
    expect(cases[0]!.stderr).toContain("error: unknown command 'frobnicate'");
    expect(cases[1]!.stderr).toContain("error: option '-n, --iterations <n>' argument 'many' is invalid. --iterations must be a whole number >= 1");
    expect(cases[2]!.stderr).toContain('choose one of random, pct, portfolio, pos, fuzz, dfs, pb, db, first-enabled, round-robin');
    expect(cases[3]!.stderr).toBe(`interleave: no-such-scenario: no scenario of that name in ${FIXTURES}; known: lock-order, lost-update\n`);
    expect(cases[4]!.stderr).toBe('interleave: missing-folder: no such scenarios folder\n');
    expect(cases[5]!.stderr).toBe('interleave: scenario lost-update has no variant "nope"; variants are: buggy, fixed\n');
    expect(cases[6]!.stderr).toBe('interleave: missing.json: no such file\n');
    expect(cases[7]!.stderr).toMatch(/^interleave: .*lock-order\.ts: not valid JSON/);
    expect(cases[8]!.stderr).toBe('interleave: scenario lost-update has no parameter "wrokers"; parameters are: workers\n');
    // (On a one-CPU machine a warning about --workers 2 comes first.)
    expect(cases[9]!.stderr.replace(/^interleave: --workers 2 is more than .*\n/, '')).toBe('interleave: --workers and --shard split random, pct, portfolio, fuzz, dfs, pb and db; strategy "round-robin" is not split\n');
  });
});

describe('interleave run --strategy pb --workers / --shard, merge (built binary)', () => {
  it('2 workers, and 3 shards merged, print and save what the unsplit pb run does', async () => {
    const cwd = workDir('cli-pb-split');
    // Each in-process --workers run starts its threads (~1.5 s of CPU each): the failing variant
    // runs on 2 workers, its trace bytes compared; the passing one (16 executions with 2 tasks,
    // every shard running some) in 3 shards merged. Both on 2 and 3 workers, as a library call:
    // test/unit/parallel/searchParallel.test.ts, test/unit/parallel/bporSplit.test.ts and
    // test/long/search-split.test.ts. pb reduces (bpor.ts): a split run saturates the nodes it
    // splits at within the bound, so it may count more executions than the unsplit one (18 here
    // for the passing variant); everything else on the line is the same.
    const counts = (line: string): string => line.replace(/\d+ (complete )?executions/, 'N executions');
    for (const [variant, code, tasks] of [['buggy', 1, 4], ['fixed', 0, 2]] as const) {
      const run = (out: string, ...more: string[]) => cliHere(['run', 'lost-update', '-v', variant, '--dir', FIXTURES, '--strategy', 'pb', '--param', `workers=${tasks}`, '--no-shrink', '--out', out, ...more], { cwd });
      const plain = await run(`plain-${variant}`);
      const two = variant === 'buggy' ? await run(`two-${variant}`, '--workers', '2') : plain;
      const shards = await Promise.all([1, 2, 3].map((i) => run(`shard-${variant}`, '--shard', `${i}/3`, '--shard-file', `${variant}-${i}.json`)));
      const merged = await cliHere(['merge', '--no-shrink', '--dir', FIXTURES, '--out', `merged-${variant}`, ...[1, 2, 3].map((i) => `${variant}-${i}.json`)], { cwd });
      const line = plain.stdout.split('\n')[0]!;
      expect(line).toBe(
        variant === 'buggy'
          ? 'lost-update [buggy] (params: workers=4) pb: assertion found at preemption bound 1 (the smallest) after 26 executions'
          : 'lost-update [fixed] (params: workers=2) pb: exhaustive: 16 complete executions, no failure (complete, with partial-order reduction; 300 random schedules (seed 1) agree)',
      );
      expect([plain.code, two.code, merged.code]).toEqual([code, code, code]);
      // A shard exits 1 when its own units found the failure; each ran executions of its own.
      expect(shards.some((r) => r.code === 1)).toBe(variant === 'buggy');
      for (const s of shards) expect(s.stdout.split('\n')[0]).toMatch(/ [1-9]\d* (complete )?executions /);
      expect(counts(two.stdout.split('\n')[0]!)).toBe(counts(line));
      expect(counts(merged.stdout.split('\n')[0]!)).toBe(counts(`${line} (merged from 3 workers over 3 shards)`));
      if (variant === 'buggy') {
        // Split runs agree byte for byte; against the unsplit run, the same failure (its schedule may be another).
        const saved = (dir: string): string => readFileSync(join(cwd, `${dir}/lost-update.buggy.assertion.json`), 'utf8');
        expect(saved('merged-buggy')).toBe(saved('two-buggy'));
        const failure = (dir: string): unknown => (({ kind, message }) => ({ kind, message }))(JSON.parse(saved(dir)).failure);
        expect(failure('two-buggy')).toEqual(failure('plain-buggy'));
      }
    }
  });

  it('merge shrinks the merged failure as run shrinks it (same bytes), or keeps it as found when the scenario is not here', async () => {
    const cwd = workDir('cli-merge-shrink');
    const run = (...more: string[]) => cliHere(['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '--seed', '7', '-n', '300', ...more], { cwd });
    const whole = await run('--out', 'whole');
    await Promise.all([1, 2, 3].map((i) => run('--shard', `${i}/3`, '--shard-file', `res/shard-${i}.json`)));
    const merged = await cliHere(['merge', '--out', 'merged', ...[1, 2, 3].map((i) => `res/shard-${i}.json`)], { cwd });
    expect([whole.code, merged.code]).toEqual([1, 1]);
    expect(merged.stdout).toMatch(/\(shrunk from \d+ steps?, \d+ preemptions?\)/);
    const name = 'lost-update.buggy.assertion.json';
    expect(readFileSync(join(cwd, 'merged', name), 'utf8')).toBe(readFileSync(join(cwd, 'whole', name), 'utf8'));

    // Shard files from a machine whose scenario folder this one does not have.
    for (const i of [1, 2, 3]) {
      const text = readFileSync(join(cwd, `res/shard-${i}.json`), 'utf8');
      writeFileSync(join(cwd, `res/away-${i}.json`), text.replace(/"file": "[^"]*lost-update\.ts"/g, '"file": "elsewhere/lost-update.ts"'));
    }
    const away = await cliHere(['merge', '--out', 'away', ...[1, 2, 3].map((i) => `res/away-${i}.json`)], { cwd });
    expect(away.code).toBe(1);
    expect(away.stderr).toBe(
      'interleave: away/lost-update.buggy.assertion.json: cannot find scenario "lost-update" (recorded file elsewhere/lost-update.ts): scenarios: no such scenarios folder; the merged failure of lost-update [buggy] is kept as found, not shrunk\n',
    );
    const kept = JSON.parse(readFileSync(join(cwd, 'away', name), 'utf8'));
    expect(kept.shrink).toBeUndefined();
    expect(kept.failure.kind).toBe('assertion');
  });

  it('merge --check: exit 0 when every variant found what it declares, 1 on a mismatch, 2 when the scenario is not in --dir', async () => {
    const cwd = workDir('cli-merge-check');
    // seed 1, one execution: the buggy variant misses its lost update; seed 3 finds it.
    const shards = (seed: number, res: string) =>
      Promise.all([1, 2].map((i) => cliHere(['run', '--all', '--dir', FIXTURES, '--seed', String(seed), '-n', '1', '--no-shrink', '--shard', `${i}/2`, '--shard-file', `${res}/${i}.json`, '--out', `t${seed}`], { cwd })));
    await shards(3, 'found');
    await shards(1, 'missed');
    const merge = (res: string, ...more: string[]) => cliHere(['merge', '--check', '--no-shrink', '--dir', FIXTURES, '--out', `m-${res}`, `${res}/1.json`, `${res}/2.json`, ...more], { cwd });
    const [found, missed, json, away] = await Promise.all([merge('found'), merge('missed'), merge('missed', '--json'), cliHere(['merge', '--check', 'found/1.json', 'found/2.json'], { cwd })]);
    expect(found.code).toBe(0);
    expect(found.stdout.split('\n').slice(-3).join('\n')).toBe('lost-update  buggy    assertion  assertion  ok\nlost-update  fixed    pass       pass       ok\n');
    expect(missed.code).toBe(1);
    expect(missed.stdout).toContain('lost-update  buggy    assertion  pass   MISMATCH\n');
    const rows = JSON.parse(json.stdout) as { scenario: string; variant: string; expected: string; found: string; match: boolean }[];
    expect(rows.map((r) => [r.scenario, r.variant, r.expected, r.found, r.match])).toEqual([
      ['lock-order', 'buggy', 'deadlock', 'pass', false],
      ['lock-order', 'fixed', 'pass', 'pass', true],
      ['lost-update', 'buggy', 'assertion', 'pass', false],
      ['lost-update', 'fixed', 'pass', 'pass', true],
    ]);
    expect(away.code).toBe(2);
    expect(away.stderr).toBe('interleave: merge --check: cannot read what lock-order [buggy] is expected to find: scenarios: no such scenarios folder\n');
  });

  it('dfs: any explicit --workers, 1 included, runs the search in units, so every worker count finds the same failure', async () => {
    const cwd = workDir('cli-dfs-workers');
    const dir = join(FIXTURES, '../split');
    const run = (out: string, ...more: string[]) => cliHere(['run', 'philosophers', '-v', 'buggy', '--dir', dir, '--strategy', 'dfs', '--out', out, ...more], { cwd });
    const [plain, one] = await Promise.all([run('plain'), run('one', '--workers', '1')]);
    // The unsplit search takes other representatives under partial-order reduction: another first deadlock.
    expect(plain.stdout.split('\n')[0]).toBe('philosophers [buggy] dfs: deadlock found after 11 executions');
    expect(one.stdout.split('\n')[0]).toBe('philosophers [buggy] dfs: deadlock found after 17 executions');
    // 2 and 3 workers find the 1-worker search's failure, trace bytes included: test/unit/parallel/searchParallel.test.ts
    // (dfs), and the CLI's --workers 2 prints and saves it for pb above (the same split search).
    expect(existsSync(join(cwd, 'one', 'philosophers.buggy.deadlock.json'))).toBe(true);
  });

  it('merge refuses shards run with other settings: one line naming both files and the setting, exit 2, nothing written', async () => {
    const cwd = workDir('cli-merge-settings');
    const run = (i: number, file: string, ...more: string[]) => cliHere(['run', 'lost-update', '-v', 'fixed', '--dir', FIXTURES, '-n', '40', '--shard', `${i}/2`, '--shard-file', file, ...more], { cwd });
    await Promise.all([run(1, 'res/shard-1.json'), run(2, 'res/shard-2.json', '--param', 'workers=3'), run(2, 'n/shard-2.json', '-n', '50'), run(2, 'steps/shard-2.json', '--max-steps', '500')]);
    const cases = await Promise.all([
      cliHere(['merge', '-o', 'out', 'res/shard-1.json', 'res/shard-2.json'], { cwd }),
      cliHere(['merge', '-o', 'out', 'res/shard-1.json', 'n/shard-2.json'], { cwd }),
      cliHere(['merge', '-o', 'out', 'res/shard-1.json', 'steps/shard-2.json'], { cwd }),
    ]);
    expect(cases.map((r) => [r.code, r.stdout, r.stderr])).toEqual([
      [2, '', 'interleave: merge: lost-update/fixed: res/shard-2.json was run with --param workers=3, res/shard-1.json with workers=2\n'],
      [2, '', 'interleave: merge: lost-update/fixed: n/shard-2.json was run with -n 50, res/shard-1.json with 40\n'],
      [2, '', expect.stringMatching(/^interleave: merge: lost-update\/fixed: steps\/shard-2\.json was run with --max-steps 500, res\/shard-1\.json with \d+\n$/)],
    ]);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('merge mismatch messages name the files and what differs (the split, a shard given twice, search against sampling)', async () => {
    const cwd = workDir('cli-merge-mismatch');
    const run = (shard: string, file: string, ...more: string[]) => cliHere(['run', 'lost-update', '-v', 'fixed', '--dir', FIXTURES, '-n', '40', '--shard', shard, '--shard-file', file, ...more], { cwd });
    await Promise.all([run('1/3', 'of3/shard-1.json'), run('2/3', 'of3/shard-2.json'), run('3/3', 'of3/shard-3.json'), run('1/2', 'of2/shard-1.json'), run('3/3', 'copy/shard-3.json'), run('3/3', 'pb/shard-3.json', '--strategy', 'pb', '-n', '5')]);
    const merge = (...files: string[]) => cliHere(['merge', ...files], { cwd });
    const cases = await Promise.all([
      merge('of3/shard-1.json', 'of3/shard-2.json', 'of3/shard-3.json', 'of2/shard-1.json'),
      merge('of3/shard-1.json', 'of3/shard-2.json', 'of3/shard-3.json', 'copy/shard-3.json'),
      merge('of3/shard-1.json', 'of3/shard-2.json', 'pb/shard-3.json'),
    ]);
    expect(cases.map((r) => [r.code, r.stderr])).toEqual([
      [2, 'interleave: merge: lost-update/fixed: of2/shard-1.json was run with --shard 1/2, of3/shard-1.json with 1/3\n'],
      [2, 'interleave: merge: lost-update/fixed: shard 3/3 is in both of3/shard-3.json and copy/shard-3.json\n'],
      [2, 'interleave: merge: lost-update/fixed: pb/shard-3.json was run with --strategy pb, of3/shard-1.json with random\n'],
    ]);
  });

  it('merge refuses a corrupted shard file with one line naming it and what is wrong, exit 2, no stack trace', async () => {
    const cwd = workDir('cli-merge-corrupt');
    const run = (i: number, ...more: string[]) => cliHere(['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '-n', '600', '--seed', '7', '--no-shrink', '--shard', `${i}/2`, '--shard-file', `res/shard-${i}.json`, ...more], { cwd });
    const pb = (i: number) => cliHere(['run', 'lost-update', '-v', 'fixed', '--dir', FIXTURES, '--strategy', 'pb', '--preemption-bound', '1', '--shard', `${i}/2`, '--shard-file', `pb/shard-${i}.json`], { cwd });
    await Promise.all([run(1), run(2), pb(1), pb(2)]);
    const read = (f: string) => JSON.parse(readFileSync(join(cwd, f), 'utf8'));
    const edit = (from: string, name: string, change: (file: any) => unknown): string => {
      const file = read(from);
      const text = JSON.stringify(change(file) === null ? null : file);
      writeFileSync(join(cwd, name), text);
      return name;
    };
    const sampling = read('res/shard-1.json');
    const failing = sampling.runs[0].trace !== null ? 'res/shard-1.json' : 'res/shard-2.json';
    const cases: [string, string, string][] = [
      [edit('res/shard-1.json', 'null.json', () => null), 'res/shard-2.json', 'null.json: not a shard results file (written by interleave run --shard i/n)'],
      [edit('res/shard-1.json', 'noblocks.json', (f) => void delete f.runs[0].blocks), 'res/shard-2.json', 'noblocks.json: run 1 (lost-update/buggy): not a shard run: blocks must be a list'],
      [edit('res/shard-1.json', 'nullrun.json', (f) => void (f.runs = [null])), 'res/shard-2.json', 'nullrun.json: run 1: not a shard run: expected an object, got null'],
      [edit(failing, 'badtrace.json', (f) => void (f.runs[0].trace = { x: 1 })), failing === 'res/shard-1.json' ? 'res/shard-2.json' : 'res/shard-1.json', 'badtrace.json: run 1 (lost-update/buggy): trace: unknown format undefined: expected "interleave-trace"'],
      [edit('pb/shard-1.json', 'negative.json', (f) => void (f.runs[0].executions = -5)), 'pb/shard-2.json', 'negative.json: run 1 (lost-update/fixed): not a search shard run: executions must be a whole number >= 0, got -5'],
      [edit('pb/shard-1.json', 'deleted.json', (f) => void f.runs[0].units.splice(1, 1)), 'pb/shard-2.json', 'deleted.json: run 1 (lost-update/fixed): not a search shard run: unit 2 is unit 4, expected 2 (units 0, 2, 4, ...: one is missing, repeated or another shard\'s)'],
      [edit('pb/shard-1.json', 'twice.json', (f) => void f.runs[0].units.splice(1, 0, f.runs[0].units[1])), 'pb/shard-2.json', 'twice.json: run 1 (lost-update/fixed): not a search shard run: unit 3 is unit 2, expected 4 (units 0, 2, 4, ...: one is missing, repeated or another shard\'s)'],
      [edit('pb/shard-1.json', 'tail.json', (f) => void f.runs[0].units.pop()), 'pb/shard-2.json', `tail.json: run 1 (lost-update/fixed): not a search shard run: it stopped by "${read('pb/shard-1.json').runs[0].stoppedBy}", so it must hold its ${read('pb/shard-1.json').runs[0].units.length} units, not ${read('pb/shard-1.json').runs[0].units.length - 1}`],
      [edit('pb/shard-1.json', 'outer.json', (f) => void (f.shard = { index: 1, of: 4 })), 'pb/shard-2.json', 'outer.json: run 1 (lost-update/fixed): not a search shard run: shard must be 1/4, as the file says, got {"index":1,"of":2}'],
    ];
    const results = await Promise.all(cases.map(([bad, good]) => cliHere(['merge', '-o', 'out', bad, good], { cwd })));
    expect(results.map((r) => [r.code, r.stderr])).toEqual(cases.map(([, , why]) => [2, `interleave: ${why}\n`]));
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('merge prints the warnings as run does (a warning: line each) and lists them in --json, as run --json does', async () => {
    const cwd = workDir('cli-merge-warnings');
    const base = ['lock-order', '-v', 'buggy', '--dir', FIXTURES, '-n', '40', '--no-shrink'];
    const [whole, wholeJson] = await Promise.all([cliHere(['run', ...base, '--out', 'whole'], { cwd }), cliHere(['run', ...base, '--out', 'whole-json', '--json'], { cwd })]);
    await Promise.all([1, 2].map((i) => cliHere(['run', ...base, '--shard', `${i}/2`, '--shard-file', `res/shard-${i}.json`], { cwd })));
    const [merged, mergedJson] = await Promise.all([cliHere(['merge', '--no-shrink', '-o', 'm', 'res/shard-1.json', 'res/shard-2.json'], { cwd }), cliHere(['merge', '--no-shrink', '-o', 'mj', '--json', 'res/shard-1.json', 'res/shard-2.json'], { cwd })]);
    const warnings = (text: string) => text.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings(whole.stdout)).toEqual([expect.stringMatching(/^warning: potential-deadlock: /)]);
    expect(warnings(merged.stdout)).toEqual(warnings(whole.stdout));
    expect(merged.stdout.split('\n')[1]).toBe(warnings(whole.stdout)[0]);
    const runWarnings = JSON.parse(wholeJson.stdout)[0].warnings;
    expect(runWarnings.map((w: { message: string }) => `warning: ${w.message}`)).toEqual(warnings(whole.stdout));
    expect(JSON.parse(mergedJson.stdout)[0].warnings).toEqual(runWarnings);
  });

  it('run --json for a search says what the summary line says (complete, bound) and gives the failure as the saved, shrunk trace has it', async () => {
    const cwd = workDir('cli-search-json');
    const r = await cliHere(['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '--strategy', 'pb', '--json', '--out', 'j'], { cwd });
    const row = JSON.parse(r.stdout)[0];
    expect(row).toMatchObject({ executions: 4, complete: false, completeExecutions: 4, stoppedBy: 'failure', bound: { limit: 2, reached: 1, completeUpTo: 0, minimalFailing: 1 } });
    const saved = JSON.parse(readFileSync(join(cwd, row.trace), 'utf8'));
    expect(row.failure).toEqual(saved.failure);
  });

  it('merge names a shard file it cannot read', async () => {
    const cwd = workDir('cli-pb-bad-shard');
    const file = join(cwd, 'bad.json');
    const run = { format: 'interleave-search-shard', version: 9, scenario: 'lost-update', variant: 'fixed', units: [] };
    writeFileSync(file, JSON.stringify({ format: 'interleave-shard-results', version: 1, shard: { index: 1, of: 1 }, runs: [run] }));
    const r = await cli(['merge', file], { cwd });
    expect([r.code, r.stderr]).toEqual([2, `interleave: ${file}: run 1 (lost-update/fixed): not a search shard run: version must be 1 or 2, got 9 (written by another interleave?)\n`]);
  });
});

describe('interleave run --param (built binary)', () => {
  it('overrides a parameter: the trace records it and the failure speaks of it', async () => {
    const cwd = workDir('cli-param');
    const r = await cliHere(['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '--out', 't', '--param', 'workers=3', '--no-shrink', '--json'], { cwd });
    expect(r.code).toBe(1);
    const trace = JSON.parse(readFileSync(join(cwd, 't/lost-update.buggy.assertion.json'), 'utf8'));
    expect(trace.params).toEqual({ workers: 3 });
    expect(trace.failure.message).toContain('after 3 increments');
  });
});

describe('interleave --version (built binary)', () => {
  it('prints the package version and exits 0', async () => {
    const r = await cli(['--version'], { cwd: workDir('cli-version') });
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });
});
