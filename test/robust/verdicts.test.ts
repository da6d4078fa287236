import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, replayTrace, type ExploreResult } from 'interleave';
import exits from './fixtures/verdicts/exiting/2-exits.js';
import held from './fixtures/verdicts/held.js';
import misuse from './fixtures/verdicts/misuse.js';
import rejects from './fixtures/verdicts/rejects.js';
import { cli, FIXTURES, inProcess, noStack, tempDir } from './cli.js';

/**
 * Whatever a scenario does (ends the process, leaves a rejection unhandled, throws a value that
 * throws when read, misuses the API, finishes holding a lock), interleave reports a verdict:
 * the kind, the message naming the task and line, a trace that replays, the exit code.
 */
const VERDICTS = join(FIXTURES, 'verdicts');
const EXITING = join(VERDICTS, 'exiting');

async function replays(r: ExploreResult, scenario: Parameters<typeof replayTrace>[0]): Promise<void> {
  expect(r.trace).not.toBeNull();
  const again = await replayTrace(scenario, r.trace!);
  expect(again.outcome).toBe('reproduced');
  expect(again.result.failure?.message).toBe(r.failure!.message);
}

describe('a lock held by a finished task', () => {
  it.each([
    ['mutex', 'lock "x"', 'lock "x"'],
    ['rlock', 'rlock "x"', 'rlock "x"'],
    ['rwlock', 'rwlock "x"', 'rwlock "x"'],
    ['semaphore', 'semaphore "x" (no permits)', 'semaphore "x"'],
  ])('%s: the stuck message names the finished holder', async (variant, waitsOn, resource) => {
    const r = await explore(held, { variant, file: join(VERDICTS, 'held.ts') });
    expect(r.failure?.kind).toBe('stuck');
    expect(r.failure?.message).toBe(`stuck: every task is blocked and none can wake another: main waits on join t2; t2 waits on ${waitsOn}; ${resource} is held by t1, which finished`);
    await replays(r, held);
  });
});

describe('thrown values that throw when inspected', () => {
  it.each([
    ['revoked-proxy', 'exception: Uninspectable: <uninspectable thrown value: reading it threw (a revoked Proxy?)> in task "worker" (step 4)'],
    ['name-getter', 'exception: Error: <its message could not be read: the getter threw> in task "worker" (step 4)'],
    ['symbol', 'exception: NonError: Symbol(sym) in task "worker" (step 4)'],
    ['null', 'exception: NonError: null in task "worker" (step 4)'],
  ])('%s is an exception, described safely, and replays', async (variant, message) => {
    const r = await explore(rejects, { variant, file: join(VERDICTS, 'rejects.ts') });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toBe(message);
    await replays(r, rejects);
  });
});

describe('a task that ends the process', () => {
  it.each([
    ['exits', 'process.exit(0)', 13],
    ['aborts', 'process.abort()', 14],
    ['kills', 'process.kill(process.pid, "SIGKILL")', 15],
  ])('%s: an exception at the line that called it, which replays; the process lives on', async (variant, call, line) => {
    const exit = process.exit;
    const r = await explore(exits, { variant, file: join(EXITING, '2-exits.ts') });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toBe(`exception: ProcessEnded: ${call} was called (it would have ended interleave with no report) in task "worker" (step 4)`);
    expect(r.failure?.error?.location).toBe(`${join(EXITING, '2-exits.ts')}:${line}`);
    await replays(r, exits);
    // Restored after every execution: the originals are back.
    expect(process.exit).toBe(exit);
  });

  it('run: exit 1, the exception reported, a trace that replays', async () => {
    const out = tempDir();
    const r = await cli(['run', join(EXITING, '2-exits.ts'), '--variant', 'exits', '--out', out]);
    expect(r.stdout).toContain('exception: ProcessEnded: process.exit(0) was called (it would have ended interleave with no report) in task "worker" (step 4)');
    expect(r.stdout).toContain('  at test/robust/fixtures/verdicts/exiting/2-exits.ts:13');
    expect(r.code).toBe(1);
    const replay = await cli(['replay', join(out, 'exits.exits.exception.json')]);
    expect(replay.stdout).toContain('reproduced: exception: ProcessEnded: process.exit(0) was called');
    expect(replay.code).toBe(1);
  });

  it('run --all --check: the failure found before the exit keeps its report, and the summary is printed', async () => {
    const out = tempDir();
    const r = await cli(['run', '--dir', EXITING, '--all', '--check', '--out', out]);
    expect(r.stdout).toContain('assertion: AssertionFailure: fails on purpose in task "main" (step 4)');
    expect(r.stdout).toMatch(/fails-first +fails +pass +assertion +1 +MISMATCH/);
    expect(r.stdout).toMatch(/exits +exits +exception +exception +1 +ok/);
    expect(r.stdout).toMatch(/exits +kills +exception +exception +1 +ok/);
    expect(existsSync(join(out, 'fails-first.fails.assertion.json'))).toBe(true);
    expect(existsSync(join(out, 'exits.exits.exception.json'))).toBe(true);
    expect(r.code).toBe(1);
  });

  it('a timer the scenario left ends the process between executions: exit 1, never 0, and one line says why', async () => {
    const r = await cli(['run', join(VERDICTS, 'misuse.ts'), '--variant', 'exit-after-end', '--out', tempDir()]);
    expect(r.stderr).toBe(
      'interleave: the process was ended (exit code 0) before the command finished, outside any execution (process.exit in a timer or callback the scenario left running?); what comes after was not checked\n',
    );
    expect(r.code).toBe(1);
  });

  it('ci --junit: the file is written, with every variant', async () => {
    const junit = join(tempDir(), 'report.xml');
    const r = await cli(['ci', '--dir', EXITING, '--traces', join(tempDir(), 'none'), '--junit', junit]);
    expect(r.stdout).toContain('3 matched, 1 mismatched');
    expect(r.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites name="interleave" tests="4" failures="1" errors="0"');
    expect(xml).toContain('<testcase classname="interleave.scenarios" name="exits [exits]"');
  });
});

describe('a promise rejected in a task and never handled', () => {
  const message =
    'exception: unhandled rejection: Error: nobody handles this (a promise rejected in the scenario and never handled; found when the execution ended at step 6)';

  it.each(['random', 'pct', 'dfs'])('%s: an exception of the execution that left it, located where the error was made, which replays', async (strategy) => {
    const r = await explore(rejects, { variant: 'unhandled', strategy, file: join(VERDICTS, 'rejects.ts') });
    expect(r.failure?.kind).toBe('exception');
    expect(r.failure?.message).toBe(message);
    expect(r.failure?.error?.location).toBe(`${join(VERDICTS, 'rejects.ts')}:23`);
    // Counted as if found at once: the first execution left it, whenever Node reported it.
    if (strategy !== 'dfs') expect(r.executions).toBe(1);
    await replays(r, rejects);
  });

  it('run: exit 1 with the report, no Node stack; the trace replays', async () => {
    const out = tempDir();
    const r = await cli(['run', join(VERDICTS, 'rejects.ts'), '--variant', 'unhandled', '--out', out]);
    expect(r.stdout).toContain(message);
    expect(r.stdout).toContain('  at test/robust/fixtures/verdicts/rejects.ts:23');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const replay = await cli(['replay', join(out, 'rejects.unhandled.exception.json')]);
    expect(replay.stdout).toContain(`reproduced: ${message}`);
    expect(replay.code).toBe(1);
  });
  // Each --workers run starts its threads (~1.5 s of CPU each): pct, split the same way by blocks,
  // skips the watched run that random makes (the watched blocks' path does not depend on the
  // strategy). The traces compared are as found (--no-shrink: a watched shrink costs ~2.5 s of CPU;
  // test/robust/watched-shrink.test.ts shrinks watched), so the bytes say the execution is the same.
  it.each(['random', 'pct'])('%s, split (--workers 1, --workers 2, shards merged): the same execution, counts and trace bytes as unsplit', async (strategy) => {
    const rare = 'exception: unhandled rejection: Error: w4 then w5 won (a promise rejected in the scenario and never handled; found when the execution ended at step ';
    const runs = async (extra: readonly string[]): Promise<{ stdout: string; code: number; trace: string }> => {
      const out = tempDir();
      const r = await inProcess(['run', join(VERDICTS, 'rejects.ts'), '--variant', 'rare', '--strategy', strategy, '--no-shrink', ...extra, '--out', out]);
      return { stdout: r.stdout, code: r.code ?? -1, trace: readFileSync(join(out, 'rejects.rare.exception.json'), 'utf8') };
    };
    const whole = await runs([]);
    expect(whole.code).toBe(1);
    expect(whole.stdout).toContain(rare);
    expect(whole.stdout).toContain('  at test/robust/fixtures/verdicts/rejects.ts:51');
    const header = whole.stdout.split('\n')[0]!;
    const found = Number(/: (\d+) executions?, /.exec(header)![1]);
    // Random finds it past the first block of 250, so a split run finds it in another block than the first.
    if (strategy === 'random') expect(found).toBeGreaterThan(250);
    expect(JSON.parse(whole.trace).strategy.execution).toBe(found - 1);
    for (const workers of ['1', '2']) {
      const split = await runs(['--workers', workers]);
      expect(split.code).toBe(1);
      expect(split.stdout.split('\n')[0]!.replace(/, \d+\/s:/, ',')).toBe(header.replace(/, \d+\/s:/, ','));
      expect(split.trace).toBe(whole.trace);
    }
    // Watched: every block runs in a worker thread (none in this one).
    if (strategy === 'random') {
      const watched = await runs(['--workers', '2', '--watchdog', '30']);
      expect(watched.code).toBe(1);
      expect(watched.stdout).toContain(`: ${found} execution`);
      expect(watched.trace).toBe(whole.trace);
    }
    const dir = tempDir();
    const shards = [];
    for (const i of [1, 2]) {
      shards.push(await inProcess(['run', join(VERDICTS, 'rejects.ts'), '--variant', 'rare', '--strategy', strategy, '--no-shrink', '--shard', `${i}/2`, '--shard-file', join(dir, `s${i}.json`), '--out', dir]));
    }
    // Blocks 0, 2, ... are shard 1's, 1, 3, ... shard 2's: the shard holding the failing block fails (random: shard 2, shard 1 finds nothing).
    expect(shards[Math.floor((found - 1) / 250) % 2]!.code).toBe(1);
    if (strategy === 'random') expect(shards.map((s) => s.code)).toEqual([0, 1]);
    const out = tempDir();
    const merged = await inProcess(['merge', '--no-shrink', '--dir', VERDICTS, '--out', out, join(dir, 's1.json'), join(dir, 's2.json')]);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain(rare);
    expect(merged.stdout.split('\n')[0]).toContain(`: ${found} executions`);
    expect(readFileSync(join(out, 'rejects.rare.exception.json'), 'utf8')).toBe(whole.trace);
    // In process: the subprocess replay of an unhandled rejection is the test above.
    const replay = await inProcess(['replay', join(out, 'rejects.rare.exception.json')]);
    expect(replay.stdout).toContain(`reproduced: ${rare}`);
    expect(replay.code).toBe(1);
  });
});

describe('misuse of the API is a usage error naming the line', () => {
  const twoAtOnce = `test/robust/fixtures/verdicts/misuse.ts:15: task "main" started get m["b"] before its previous operation completed (await each operation before the next: no Promise.all over one task's operations)`;

  // pct and first-enabled never switch at main's first operation: the check of each series' first execution catches it.
  it.each(['random', 'dfs', 'pct', 'first-enabled', 'portfolio'])('%s: a task awaiting two of its own operations at once', async (strategy) => {
    await expect(explore(misuse, { variant: 'two-at-once', strategy, file: join(VERDICTS, 'misuse.ts') })).rejects.toThrow(twoAtOnce);
  });

  it.each(['random', 'pct'])('run --strategy %s: one line, exit 2', async (strategy) => {
    const r = await inProcess(['run', join(VERDICTS, 'misuse.ts'), '--variant', 'two-at-once', '--strategy', strategy]);
    expect(r.stderr).toBe(`interleave: ${twoAtOnce}\n`);
    expect(r.code).toBe(2);
  });

  it.each([
    ['after-end', 18],
    ['after-end-promise', 31],
  ])('%s: an operation called once the execution ended, from a timer or a promise callback: one line, exit 2, no stack', async (variant, line) => {
    const r = await inProcess(['run', join(VERDICTS, 'misuse.ts'), '--variant', variant, '--no-shrink']);
    expect(r.stderr).toBe(
      `interleave: test/robust/fixtures/verdicts/misuse.ts:${line}: set m["late"] was called after the execution ended (from a timer or callback left running by the scenario?): every operation must run inside a task, awaited\n`,
    );
    expect(noStack(r.stderr)).toBe(true);
    expect(r.code).toBe(2);
  });
});
