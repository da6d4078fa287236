import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, cliHere, FIXTURES, ROOT, workDir } from './cliHarness.js';

interface CiJson {
  matched: number;
  mismatched: number;
  shard?: string;
  rows: { kind: string; name: string; expected: string; found: string; match: boolean; detail: string }[];
}

/**
 * `ci --workers n` explores variants n at a time and `ci --shard i/n` checks every n-th item: the
 * items, their outcomes and the traces saved must be what one whole `ci` gives.
 */
describe('ci split across threads and matrix jobs', () => {
  let cwd: string;
  let whole: CiJson;

  beforeAll(async () => {
    cwd = workDir('ci-split');
    mkdirSync(join(cwd, 'traces'));
    for (const f of readdirSync(join(ROOT, 'traces')).filter((x) => x.startsWith('lock-hierarchy.'))) copyFileSync(join(ROOT, 'traces', f), join(cwd, 'traces', f));
    const r = await cli(['ci', '--dir', FIXTURES, '--json', '-o', 'one'], { cwd });
    expect(r.code).toBe(0);
    whole = JSON.parse(r.stdout) as CiJson;
  });

  it('--workers 2, with or without the watchdog, checks the same items with the same outcomes and saves the same trace bytes', async () => {
    // The fixtures' 4 variants, and 2 saved traces of a bundled scenario (found by their recorded file).
    expect(whole.rows.map((r) => `${r.kind} ${r.name} ${r.found}`)).toEqual([
      'variant lock-order [buggy] deadlock',
      'variant lock-order [fixed] pass',
      'variant lost-update [buggy] assertion',
      'variant lost-update [fixed] pass',
      'trace traces/lock-hierarchy.buggy.deadlock.json deadlock',
      'trace traces/lock-hierarchy.lock-order-warning.potential-deadlock.json potential-deadlock',
    ]);
    const saved = readdirSync(join(cwd, 'one')).sort();
    expect(saved).toHaveLength(2);
    for (const [out, extra] of [['two', []], ['watched', ['--watchdog', '30']]] as const) {
      const r = await cliHere(['ci', '--dir', FIXTURES, '--json', '-o', out, '--workers', '2', ...extra], { cwd });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.replaceAll(`${out}/`, 'one/'))).toEqual(whole);
      expect(readdirSync(join(cwd, out)).sort()).toEqual(saved);
      for (const f of saved) expect(readFileSync(join(cwd, out, f), 'utf8')).toBe(readFileSync(join(cwd, 'one', f), 'utf8'));
    }
  });

  it('--shard i/3: the three jobs check every item once, dealt round-robin', async () => {
    const shards = await Promise.all([1, 2, 3].map((i) => cliHere(['ci', '--dir', FIXTURES, '--json', '--shard', `${i}/3`, '-o', `shard${i}`], { cwd })));
    const rows = shards.map((r, i) => {
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout.replaceAll(`shard${i + 1}/`, 'one/')) as CiJson).rows;
    });
    for (const [i, r] of rows.entries()) expect(r).toEqual(whole.rows.filter((_, k) => k % 3 === i));
    expect((JSON.parse(shards[1]!.stdout) as CiJson).shard).toBe('2/3');
    const text = await cliHere(['ci', '--dir', FIXTURES, '--shard', '2/3'], { cwd });
    expect(text.stdout).toContain('\n2 matched, 0 mismatched (shard 2/3: 2 of 6 items)\n');
  });

  it('a bad --shard or --workers is refused, naming the option, exit 2', async () => {
    const [shard, workers] = await Promise.all([cliHere(['ci', '--dir', FIXTURES, '--shard', '4/3'], { cwd }), cliHere(['ci', '--dir', FIXTURES, '--workers', '0'], { cwd })]);
    expect([shard.code, workers.code]).toEqual([2, 2]);
    expect(shard.stderr.split('\n')[0]).toContain('--shard must be i/n with 1 <= i <= n (e.g. 2/4), got "4/3"');
    expect(workers.stderr.split('\n')[0]).toContain("option '-w, --workers <n>' argument '0' is invalid");
  });
});
