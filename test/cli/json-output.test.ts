import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliOutputJsonSchema } from '../../src/cli/jsonOutput.js';
import { cli, cliHere, FIXTURES, ROOT, workDir } from './cliHarness.js';

const z = createRequire(import.meta.url)('zod') as typeof Zod;
const committed = JSON.parse(readFileSync(join(ROOT, 'schema', 'cli-output.schema.json'), 'utf8')) as { $defs: Record<string, unknown> };

/** `stdout` parsed, and checked against the committed JSON Schema's definition for `command` (not the zod schema the code types it with). */
function validates(command: string, stdout: string): unknown {
  const value: unknown = JSON.parse(stdout);
  const schema = z.fromJSONSchema(committed.$defs[command] as Parameters<typeof z.fromJSONSchema>[0]);
  const result = schema.safeParse(value);
  expect(result.error?.issues ?? [], `${command} --json`).toEqual([]);
  return value;
}

describe('every command\'s --json output (built binary) validates against schema/cli-output.schema.json', () => {
  const cwd = workDir('cli-json');
  const trace = 't/lost-update.buggy.assertion.json';
  let run: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    run = await cli(['run', 'lost-update', '-v', 'buggy', '--dir', FIXTURES, '--out', 't', '--seed', '3', '--no-shrink', '--json'], { cwd });
  });

  it('the committed schema is the one generated from the code (node scripts/gen-schema.mjs)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(cliOutputJsonSchema())));
  });

  it('run: match, and the trace path as the text prints it (relative to the working directory)', () => {
    expect(run.code).toBe(1);
    const [row] = validates('run', run.stdout) as [Record<string, unknown>];
    expect(row).toMatchObject({ scenario: 'lost-update', variant: 'buggy', expected: 'assertion', found: 'assertion', match: true, trace });
  });

  it('replay, shrink, list, ci and merge: the same words (match, matched/mismatched, trace as a path)', async () => {
    const [replay, shrink, list, ci, s1, s2] = await Promise.all([
      cliHere(['replay', trace, '--dir', FIXTURES, '--json'], { cwd }),
      cliHere(['shrink', trace, '--dir', FIXTURES, '-o', 'min.json', '--json'], { cwd }),
      cliHere(['list', '--dir', FIXTURES, '--json'], { cwd }),
      cliHere(['ci', '--dir', FIXTURES, '--traces', 't', '--json'], { cwd }),
      cliHere(['run', 'lost-update', '--dir', FIXTURES, '-n', '50', '--shard', '1/2', '--shard-file', 'shards/1.json', '--json'], { cwd }),
      cliHere(['run', 'lost-update', '--dir', FIXTURES, '-n', '50', '--shard', '2/2', '--shard-file', 'shards/2.json', '--json'], { cwd }),
    ]);
    expect(replay.code).toBe(1);
    expect(validates('replay', replay.stdout)).toMatchObject({ outcome: 'reproduced', trace, failure: { kind: 'assertion' }, replayed: { format: 'interleave-trace' } });
    expect(shrink.code).toBe(0);
    expect(validates('shrink', shrink.stdout)).toMatchObject({ trace: 'min.json', stoppedBy: 'minimal' });
    expect(list.code).toBe(0);
    expect((validates('list', list.stdout) as { name: string }[]).map((s) => s.name)).toEqual(['lock-order', 'lost-update']);
    expect(ci.code).toBe(0);
    const report = validates('ci', ci.stdout) as { matched: number; mismatched: number; rows: { kind: string; match: boolean; trace: string | null }[] };
    expect([report.matched, report.mismatched]).toEqual([5, 0]);
    expect(report.rows.filter((r) => r.kind === 'trace')).toMatchObject([{ match: true, trace }]);
    for (const r of [s1, s2]) validates('run', r.stdout);
    const merge = await cliHere(['merge', 'shards/1.json', 'shards/2.json', '--dir', FIXTURES, '--check', '--no-shrink', '-o', 'merged', '--json'], { cwd });
    expect(merge.code).toBe(0);
    expect(validates('merge', merge.stdout)).toMatchObject([
      { variant: 'buggy', expected: 'assertion', found: 'assertion', match: true, trace: 'merged/lost-update.buggy.assertion.json' },
      { variant: 'fixed', expected: 'pass', found: 'pass', match: true, trace: null },
    ]);
  });
});
