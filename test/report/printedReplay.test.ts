import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario } from 'interleave';
import { expectNoFailure, InterleaveFailure } from 'interleave/vitest';
import { readTrace } from '../../src/trace/codec.js';
import { BIN, ROOT } from '../robust/cli.js';
import elsewhereCounter from '../fixtures/defined-elsewhere/counter.scenario.js';
import { namedOnly } from '../fixtures/defined-elsewhere/named-only.js';

/** A folder with a space in its name: the printed command must quote the trace's path. */
const OUT = join(ROOT, 'test-output/printed replay');

/** Runs a printed `npx interleave ...` line through the shell, from the project root, with this checkout's binary. */
function runPrinted(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  expect(command.startsWith('npx interleave ')).toBe(true);
  const line = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${command.slice('npx interleave '.length)}`;
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', line], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), stdout, stderr });
    });
  });
}

describe('the replay command expectNoFailure prints works as printed', () => {
  it('a scenario defined outside ./scenarios: the trace names its module, and the quoted command replays it', async () => {
    rmSync(OUT, { recursive: true, force: true });
    const err = await expectNoFailure(elsewhereCounter, { variant: 'buggy', seed: 1, out: OUT }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterleaveFailure);
    const file = (err as InterleaveFailure).file!;
    expect(readTrace(file).scenario.file).toBe('test/fixtures/defined-elsewhere/counter.scenario.ts');
    const replay = (err as Error).message.split('\n').find((l) => l.startsWith('replay: '))!;
    expect(replay).toBe("replay: npx interleave replay 'test-output/printed replay/elsewhere-counter.buggy.assertion.json'");
    const r = await runPrinted(replay.slice('replay: '.length));
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(r.stdout).toMatch(/^reproduced: assertion: AssertionFailure: lost update: counter is 1 in task "main"/m);
  });

  it('a scenario defined in the test file itself: no file recorded (only vitest can load a test file), and the message says why', async () => {
    const inline = defineScenario({
      name: 'inline-counter',
      description: 'defined in a test file',
      variants: { buggy: { expect: 'assertion' } },
      async run(t) {
        t.assert(false, 'always');
      },
    });
    const err = await expectNoFailure(inline, { variant: 'buggy', out: OUT }).catch((e: unknown) => e);
    expect(readTrace((err as InterleaveFailure).file!).scenario.file).toBeUndefined();
    expect((err as Error).message).toContain(
      '\n(the replay command looks the scenario up by name in ./scenarios: it is defined in test/report/printedReplay.test.ts, a test file only vitest can load; define it in a module of its own, as its default export, and the trace names that module)\n',
    );
  });

  it('a scenario its module exports by name only: no file recorded (the loader takes the default export), and the message says why', async () => {
    const err = await expectNoFailure(namedOnly, { variant: 'buggy', out: OUT }).catch((e: unknown) => e);
    expect(readTrace((err as InterleaveFailure).file!).scenario.file).toBeUndefined();
    expect((err as Error).message).toContain(
      '\n(the replay command looks the scenario up by name in ./scenarios: test/fixtures/defined-elsewhere/named-only.ts has no default export; with `export default` the trace names that module)\n',
    );
  });
});
