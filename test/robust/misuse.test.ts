import { describe, expect, it } from 'vitest';
import { UsageError } from 'interleave';
import { ScenarioUsageError, usageAtSite } from '../../src/runtime/usageSite.js';
import { cli, inProcess, noStack } from './cli.js';

/**
 * A scenario's misuse of the API is the user's mistake: exit 2, one line naming the scenario file
 * and line, no stack (exit 70 and a stack are for interleave's own bugs only).
 */
const MISUSE = 'test/fixtures/bad/misuse.ts';

describe('misuse of the API names the scenario file and line', () => {
  it('a bad argument in the body or in a task: exit 2, `interleave: <file>:<line>: <what is wrong>`', async () => {
    const cases: [string, string][] = [
      ['sleep', `interleave: ${MISUSE}:10: sleep: ms must be a finite number >= 0, got -70`],
      ['pool', `interleave: ${MISUSE}:11: pool "x": workers must be an integer >= 1`],
      ['semaphore', `interleave: ${MISUSE}:12: semaphore "s": permits must be an integer >= 0`],
    ];
    for (const [variant, line] of cases) {
      const r = await inProcess(['run', MISUSE, '--variant', variant]);
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.code).toBe(2);
    }
  });

  it('the same from a worker thread (--workers 2) and from the built binary', async () => {
    const r = await cli(['run', MISUSE, '--variant', 'pool', '--workers', '2']);
    expect(r.stderr).toBe(`interleave: ${MISUSE}:11: pool "x": workers must be an integer >= 1\n`);
    expect(noStack(r.stderr)).toBe(true);
    expect(r.code).toBe(2);
  });

  it('without a scenario line in its stack, the file is named', () => {
    const e = new UsageError('task "w" ended with get v still pending');
    e.stack = 'UsageError: task "w" ended with get v still pending\n    at Execution.onTaskEnd (node:internal/x:1:1)';
    const located = usageAtSite(e, '/elsewhere/scenario.ts');
    expect(located).toBeInstanceOf(ScenarioUsageError);
    expect((located as Error).message).toBe('/elsewhere/scenario.ts: task "w" ended with get v still pending');
    // Once located, never twice; other errors pass as they are.
    expect(usageAtSite(located, '/other.ts')).toBe(located);
    const plain = new TypeError('x');
    expect(usageAtSite(plain, '/other.ts')).toBe(plain);
  });
});

describe('a definition that throws when read', () => {
  it('a throwing getter is an invalid scenario naming the file (exit 2), not "unexpected error (please report)" (exit 70)', async () => {
    const r = await inProcess(['run', 'test/fixtures/bad/throwing-getter.ts']);
    expect(r.stderr).toBe('interleave: test/fixtures/bad/throwing-getter.ts: invalid scenario: reading its definition threw Error: variants are computed from a file that is not there\n');
    expect(noStack(r.stderr)).toBe(true);
    expect(r.code).toBe(2);
    // A getter validation does not read (a variant's budget) is read at load too.
    const budget = await inProcess(['run', 'test/fixtures/bad/throwing-budget.ts']);
    expect(budget.stderr).toBe('interleave: test/fixtures/bad/throwing-budget.ts: invalid scenario: reading its definition threw RangeError: no budget\n');
    expect(budget.code).toBe(2);
  });
});
