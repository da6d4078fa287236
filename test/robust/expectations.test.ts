import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectationMet, expectationText, validateScenario } from 'interleave';
import { expectDeclared, InterleaveFailure } from '../../src/vitest.js';
import { loadScenario } from '../../src/loader.js';
import { inProcess, tempDir } from './cli.js';

/** A race that shows as a KeyError or as a resurrected session, by strategy and seed (see the fixture). */
const DIR = 'test/robust/fixtures/expect';
const TWO_WAYS = `${DIR}/two-ways.ts`;
const SETUP = 'test/robust/fixtures/expect-setup/setup-fails.ts';
const RESURRECTED = 'assertion: AssertionFailure: session s1 resurrected after close in task "main" (step 12)';

/** Each variant of two-ways, its expectation, what its budget finds and whether that matches. */
const ROWS = [
  ['either', 'exception|assertion', 'assertion', true],
  ['any', 'fail', 'assertion', true],
  ['key-error-only', 'exception', 'assertion', false],
  ['key-error-seed', 'exception', 'exception', true],
  ['closed-first', 'fail', 'pass', false],
];
/** The JSON rows of run and merge, as [variant, expected, found, match]. */
const rowsOf = (stdout: string) => (JSON.parse(stdout) as { variant: string; expected: string; found: string; match: boolean }[]).map((x) => [x.variant, x.expected, x.found, x.match]);

const variantOf = (expect: unknown) => ({ name: 'x', description: 'x', run: async () => {}, variants: { v: { expect } } });

describe('expect: one kind, several kinds, or any failure', () => {
  it('the rule: a list matches any kind it names; "fail" any failure but nondeterminism, never a pass; one kind only itself', () => {
    expect(expectationMet(['exception', 'assertion'], 'assertion')).toBe(true);
    expect(expectationMet(['exception', 'assertion'], 'exception')).toBe(true);
    expect(expectationMet(['exception', 'assertion'], 'deadlock')).toBe(false);
    expect(expectationMet(['exception', 'assertion'], 'pass')).toBe(false);
    expect(expectationMet('fail', 'leak')).toBe(true);
    expect(expectationMet('fail', 'pass')).toBe(false);
    expect(expectationMet('fail', 'nondeterminism')).toBe(false);
    expect(expectationMet(['nondeterminism'], 'nondeterminism')).toBe(true);
    expect(expectationMet('exception', 'assertion')).toBe(false);
    expect(expectationMet('pass', 'pass')).toBe(true);
    // A run the time limit ended before one execution counted established nothing: no expectation meets it.
    for (const e of ['pass', 'fail', 'exception', ['exception', 'assertion']] as const) expect(expectationMet(e, 'inconclusive')).toBe(false);
    expect(expectationText(['exception', 'assertion'])).toBe('exception|assertion');
    expect(expectationText('fail')).toBe('fail');
  });

  it('validateScenario takes lists and "fail", and names what is wrong with a bad one', () => {
    expect(validateScenario(variantOf(['exception', 'assertion']))).toEqual([]);
    expect(validateScenario(variantOf('fail'))).toEqual([]);
    expect(validateScenario(variantOf([]))).toEqual(['variants.v.expect must list at least one failure kind']);
    expect(validateScenario(variantOf(['pass', 'exception']))).toEqual([
      'variants.v.expect lists "pass", which is not a failure kind (exception, assertion, deadlock, stuck, livelock, leak, potential-deadlock, nondeterminism); a list holds failure kinds only',
    ]);
    expect(validateScenario(variantOf(['exception', 'exception']))).toEqual(['variants.v.expect lists "exception" twice']);
    expect(validateScenario(variantOf('any-failure'))).toEqual([
      'variants.v.expect must be "pass", "fail" (any failure), one of exception, assertion, deadlock, stuck, livelock, leak, potential-deadlock, nondeterminism, or a list of them',
    ]);
  });

  it('run --check: a variant that declares both kinds matches whichever its budget meets; one kind is a MISMATCH where the other comes first; trace files are named by the kind found', async () => {
    const out = tempDir();
    const r = await inProcess(['run', TWO_WAYS, '--check', '--no-shrink', '--json', '--out', out]);
    expect(r.code).toBe(1);
    expect(rowsOf(r.stdout)).toEqual(ROWS);
    expect(readdirSync(out).sort()).toEqual(['two-ways.any.assertion.json', 'two-ways.either.assertion.json', 'two-ways.key-error-only.assertion.json', 'two-ways.key-error-seed.exception.json']);
    // The same variants, checked one by one: the matching ones exit 0.
    expect((await inProcess(['run', TWO_WAYS, '--variant', 'either', '--check', '--no-shrink', '--out', out])).code).toBe(0);
    expect((await inProcess(['run', TWO_WAYS, '--variant', 'key-error-only', '--check', '--no-shrink', '--out', out])).code).toBe(1);
  });

  it('merge --check applies the same rule to shards merged', async () => {
    const d = tempDir();
    for (const i of [1, 2]) await inProcess(['run', TWO_WAYS, '--shard', `${i}/2`, '--no-shrink', '--out', join(d, `out${i}`), '--shard-file', join(d, `shard-${i}.json`)]);
    const r = await inProcess(['merge', join(d, 'shard-1.json'), join(d, 'shard-2.json'), '--check', '--dir', DIR, '--no-shrink', '--json', '-o', join(d, 'merged')]);
    expect(r.code).toBe(1);
    expect(rowsOf(r.stdout)).toEqual(ROWS);
  });

  it('ci: a mismatch shows the failure, where it was thrown and the command that finds it again; with --out, the trace and its replay command; JUnit carries the same', async () => {
    const empty = tempDir();
    const junit = join(tempDir(), 'report.xml');
    const r = await inProcess(['ci', '--dir', DIR, '--traces', empty, '--junit', junit, '--no-color']);
    expect(r.code).toBe(1);
    const line = (variant: string) => r.stdout.split('\n').find((l) => l.startsWith(`variant  two-ways [${variant}]`))?.replace(/ +/g, ' ');
    expect(line('either')).toBe('variant two-ways [either] exception|assertion assertion ok');
    expect(line('any')).toBe('variant two-ways [any] fail assertion ok');
    expect(line('key-error-only')).toBe('variant two-ways [key-error-only] exception assertion MISMATCH');
    const block = r.stdout.slice(r.stdout.indexOf('MISMATCH two-ways [key-error-only]')).split('\n').slice(0, 4);
    expect(block).toEqual([
      'MISMATCH two-ways [key-error-only]: expected exception, found assertion',
      `  ${RESURRECTED}`,
      `  at ${TWO_WAYS}:41`,
      `  reproduce: npx interleave run ${TWO_WAYS} --variant key-error-only (saves its trace)`,
    ]);
    expect(r.stdout).toContain('MISMATCH two-ways [closed-first]: expected fail, found pass\n  no failure in 20 executions\n');
    expect(r.stdout).toMatch(/\n3 matched, 2 mismatched; JUnit XML in /);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`<failure message="expected exception, found assertion: ${RESURRECTED.replace(/"/g, '&quot;')}">`);
    expect(xml).toContain(`reproduce: npx interleave run ${TWO_WAYS} --variant key-error-only (saves its trace)</failure>`);

    const out = tempDir();
    const saved = await inProcess(['ci', '--dir', DIR, '--traces', empty, '--out', out, '--no-color']);
    const trace = join(out, 'two-ways.key-error-only.assertion.json');
    expect(existsSync(trace)).toBe(true);
    const savedBlock = saved.stdout.slice(saved.stdout.indexOf('MISMATCH two-ways [key-error-only]')).split('\n').slice(0, 5);
    expect(savedBlock.slice(3)).toEqual([`  trace: ${trace}`, `  replay: npx interleave replay ${trace}`]);
    // The flags that change what an exploration finds go into the command that finds it again.
    const checked = await inProcess(['ci', '--dir', DIR, '--traces', empty, '--check-determinism', '--no-color']);
    expect(checked.stdout).toContain(`  reproduce: npx interleave run ${TWO_WAYS} --variant key-error-only --check-determinism (saves its trace)\n`);
  });

  it('a trace that no longer reproduces: ci says how to replay it', async () => {
    const traces = tempDir();
    await inProcess(['run', TWO_WAYS, '--variant', 'key-error-seed', '--no-shrink', '--out', traces]);
    const file = join(traces, 'two-ways.key-error-seed.exception.json');
    const edited = JSON.parse(readFileSync(file, 'utf8')) as { decisions: number[] };
    // Recorded as failing, replayed along another schedule: it no longer fails the same way.
    writeFileSync(file, JSON.stringify({ ...edited, decisions: edited.decisions.map(() => 0) }));
    const r = await inProcess(['ci', '--dir', tempDir(), '--traces', traces, '--no-color']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      [`MISMATCH ${file}: expected exception, found diverged`, '  diverged at step 2: expected main to be enabled; enabled were [closer, user]', `  replay: npx interleave replay ${file}`].join('\n'),
    );
  });

  it('a body that throws while setting up is expected only where the kind is named, not by "fail"', async () => {
    const named = await inProcess(['run', SETUP, '--variant', 'named', '--check', '--no-shrink', '--out', tempDir()]);
    expect(named.code).toBe(0);
    const any = await inProcess(['run', SETUP, '--variant', 'any', '--check', '--no-shrink', '--out', tempDir()]);
    expect([any.code, any.stderr.trim()]).toEqual([2, `interleave: ${SETUP}: scenario "setup-fails" [any] threw while setting up, before spawning any task: Error: no config at ${SETUP}:15`]);
  });

  it('expectDeclared (vitest) applies the same rule and says what it expected and found', async () => {
    const { scenario } = await loadScenario(TWO_WAYS);
    expect((await expectDeclared(scenario, 'either')).failure?.kind).toBe('assertion');
    expect((await expectDeclared(scenario, 'key-error-seed')).failure?.kind).toBe('exception');
    const e = await expectDeclared(scenario, 'key-error-only').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InterleaveFailure);
    expect((e as Error).message.split('\n').slice(0, 2)).toEqual(['two-ways [key-error-only]: expected exception, found assertion', RESURRECTED]);
    const pass = await expectDeclared(scenario, 'closed-first').catch((x: unknown) => x);
    expect((pass as Error).message).toBe('two-ways [closed-first]: expected fail, found pass\nno failure in 20 executions');
  });
});
