import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeTrace, explore, TraceFileError, writeTrace, type Trace } from 'interleave';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import { inProcess, noStack, ROOT, tempDir } from './cli.js';

/**
 * Issues #22 and #23: a parameter value is checked against its default's type and its
 * arbitrary wherever it enters (--param, trace files), in one line with exit 2, never explored
 * to a false pass; names that are Object.prototype keys never reach an object lookup; every
 * result says which parameter values it ran.
 */
const STORE = 'test/robust/fixtures/session-store.ts';

async function refused(args: readonly string[], line: string): Promise<void> {
  const r = await inProcess(args);
  expect([r.code, r.stderr, r.stdout]).toEqual([2, `${line}\n`, '']);
  expect(noStack(r.stderr)).toBe(true);
}

describe('--param values', () => {
  it('a value outside the arbitrary, of another type, or not finite is refused in one line naming the parameter, the value and the range', async () => {
    const range = 'not a value of its arbitrary (an integer from 1 to 3; the default is 2)';
    await refused(['run', STORE, '--param', 'refreshers=0'], `interleave: ${STORE}: --param refreshers=0: ${range}`);
    await refused(['run', STORE, '--param', 'refreshers=4', '--strategy', 'dfs'], `interleave: ${STORE}: --param refreshers=4: ${range}`);
    await refused(['run', STORE, '--param', 'refreshers=abc'], `interleave: ${STORE}: --param refreshers=abc: expected a number (the default is 2)`);
    await refused(['run', STORE, '--param', 'label=3'], `interleave: ${STORE}: --param label=3: expected a string (the default is "s")`);
    // Without an arbitrary: the type rules only, numbers finite and (for a whole default) whole.
    await refused(['run', STORE, '--param', 'clients=1.5'], `interleave: ${STORE}: --param clients=1.5: expected a whole number (the default is 3)`);
    await refused(['run', STORE, '--param', 'clients=1e400'], `interleave: ${STORE}: --param clients=Infinity: expected a finite number (the default is 3)`);
    // A mapped arbitrary cannot tell its values: the type rules only.
    await refused(['run', STORE, '--param', 'scale=x'], `interleave: ${STORE}: --param scale=x: expected a number (the default is 10)`);
  });

  it('an empty value is refused by the option parser; name="" is the empty string', async () => {
    const r = await inProcess(['run', STORE, '--param', 'refreshers=']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`error: option '-p, --param <name=value>' argument 'refreshers=' is invalid. --param refreshers=: no value (write name=value; name='""' for the empty string)`);
    const ok = await inProcess(['run', STORE, '--param', 'label=""', '-n', '2']);
    expect(ok.stdout.split('\n')[0]).toMatch(/^session-store \[renew\] \(params: refreshers=2, clients=3, label="", scale=10\) random seed 1: 2 executions, \d+\/s: no failure \(budget used\)$/);
    expect(ok.code).toBe(0);
  });

  it('prototype names are no parameters and no variants: one line, exit 2', async () => {
    await refused(['run', STORE, '--param', 'constructor=1'], 'interleave: scenario session-store has no parameter "constructor"; parameters are: refreshers, clients, label, scale');
    await refused(['run', STORE, '--param', '__proto__=1'], 'interleave: scenario session-store has no parameter "__proto__"; parameters are: refreshers, clients, label, scale');
    await refused(['run', STORE, '--variant', 'constructor'], 'interleave: scenario session-store has no variant "constructor"; variants are: renew');
    await refused(['run', STORE, '--variant', 'toString', '--strategy', 'dfs'], 'interleave: scenario session-store has no variant "toString"; variants are: renew');
  });

  it('the header and the JSON result show the parameter values used; a scenario without parameters shows none in its header', async () => {
    const text = await inProcess(['run', STORE, '--param', 'refreshers=3', '--param', 'scale=7', '-n', '3']);
    expect(text.stdout.split('\n')[0]).toMatch(/^session-store \[renew\] \(params: refreshers=3, clients=3, label="s", scale=7\) random seed 1: 3 executions, \d+\/s: no failure \(budget used\)$/);
    const dfs = await inProcess(['run', STORE, '--param', 'refreshers=1', '--strategy', 'dfs']);
    expect(dfs.stdout.split('\n')[0]).toMatch(/^session-store \[renew\] \(params: refreshers=1, clients=3, label="s", scale=10\) dfs: exhaustive: /);
    const json = await inProcess(['run', STORE, '--param', 'refreshers=1', '-n', '2', '--json']);
    expect(JSON.parse(json.stdout)[0].params).toEqual({ refreshers: 1, clients: 3, label: 's', scale: 10 });
    // merge shows what the shards recorded, in its header and its JSON.
    const shard = join(tempDir(), 's.json');
    await inProcess(['run', STORE, '--param', 'refreshers=3', '-n', '4', '--shard', '1/1', '--shard-file', shard]);
    const merged = await inProcess(['merge', shard, '--out', tempDir()]);
    expect(merged.stdout.split('\n')[0]).toMatch(/^session-store \[renew\] \(params: refreshers=3, clients=3, label="s", scale=10\) random seed 1: 4 executions, \d+\/s: no failure \(budget used\) \(merged from 1 worker over 1 shards\)$/);
    const mergedJson = await inProcess(['merge', shard, '--out', tempDir(), '--json']);
    expect(JSON.parse(mergedJson.stdout)[0].params).toEqual({ refreshers: 3, clients: 3, label: 's', scale: 10 });
    const none = await inProcess(['run', 'test/fixtures/scenarios/lock-order.ts', '-v', 'fixed', '-n', '2']);
    expect(none.stdout.split('\n')[0]).toMatch(/^lock-order \[fixed\] random seed 1: 2 executions/);
  });
});

describe('trace params and names', () => {
  let dir: string;
  let good: Trace;
  /** Writes `trace` as JSON text (own keys only, `__proto__` included) into a file of the temp folder. */
  const save = (name: string, trace: object): string => {
    writeFileSync(join(dir, name), JSON.stringify(trace, null, 2));
    return join(dir, name);
  };

  beforeAll(async () => {
    dir = tempDir();
    const file = join(ROOT, 'test/fixtures/scenarios/lost-update.ts');
    good = { ...(await explore(lostUpdate, { variant: 'buggy', seed: 7 })).trace!, scenario: { name: 'lost-update', file } };
  });

  it('a recorded value outside the arbitrary is refused by replay and shrink before anything runs (1e9 workers ran until killed)', async () => {
    const range = 'not a value of its arbitrary (an integer from 2 to 4; the default is 2)';
    const f = save('huge.json', { ...good, params: { workers: 1e9 } });
    await refused(['replay', f], `interleave: ${f}: invalid field params.workers: ${range}, got 1000000000`);
    await refused(['shrink', f], `interleave: ${f}: invalid field params.workers: ${range}, got 1000000000`);
    const g = save('original.json', { ...good, shrink: { original: { steps: 9, preemptions: 1, params: { workers: 0 } }, attempts: 3 } });
    await refused(['replay', g], `interleave: ${g}: invalid field shrink.original.params.workers: ${range}, got 0`);
  });

  it('params.__proto__ and params.constructor are refused at load, naming the field; so is a variant named constructor', async () => {
    const proto = save('proto.json', { ...good, params: JSON.parse('{"workers": 2, "__proto__": {"workers": 4}}') as object });
    expect(readFileSync(proto, 'utf8')).toContain('"__proto__"');
    await refused(['replay', proto], `interleave: ${proto}: invalid field params.__proto__: "__proto__" is a key of every object (Object.prototype), not a usable name`);
    const ctor = save('ctor.json', { ...good, params: { workers: 2, constructor: 3 } });
    await refused(['replay', ctor], `interleave: ${ctor}: invalid field params.constructor: "constructor" is a key of every object (Object.prototype), not a usable name`);
    const variant = save('variant.json', { ...good, variant: 'constructor' });
    await refused(['replay', variant], `interleave: ${variant}: invalid field variant: "constructor" is a key of every object (Object.prototype), not a usable name`);
    const shrunk = JSON.stringify({ ...good, shrink: { original: { steps: 1, preemptions: 0, params: JSON.parse('{"__proto__": {}}') as object }, attempts: 1 } });
    expect(() => decodeTrace(shrunk, 'x.json')).toThrow(new TraceFileError('x.json', 'invalid field shrink.original.params.__proto__: "__proto__" is a key of every object (Object.prototype), not a usable name'));
  });

  it('ci replays every trace checked the same way: a bad one is a mismatch naming the field, the others still run', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'scenarios'));
    writeTrace(join(root, 'traces/huge.json'), { ...good, params: { workers: 1e9 } });
    writeTrace(join(root, 'traces/good.json'), good);
    const r = await inProcess(['ci', '--dir', join(root, 'scenarios'), '--traces', join(root, 'traces'), '--json']);
    const out = JSON.parse(r.stdout) as { mismatched: number; rows: { found: string; params: unknown; detail: string }[] };
    expect(out.mismatched).toBe(1);
    expect(out.rows[0]).toMatchObject({ found: 'assertion', params: { workers: 2 } });
    expect(out.rows[1]).toMatchObject({ found: 'unreadable', params: null });
    expect(out.rows[1]!.detail).toMatch(/huge\.json: invalid field params\.workers: not a value of its arbitrary \(an integer from 2 to 4; the default is 2\), got 1000000000$/);
    expect(r.code).toBe(1);
  });
});
