import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const run = promisify(execFile);

/** dependency-cruiser over `dir`'s src/ with the project's layer rules: its exit code and the rule names it reports. */
async function cruise(dir: string): Promise<{ code: number | string; rules: string[]; out: string }> {
  const r: { code: number | string; out: string } = await run(DEPCRUISE, ['src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], {
    cwd: dir,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  }).then(
    (ok) => ({ code: 0, out: ok.stdout + ok.stderr }),
    (e: { code: number | string; stdout?: string; stderr?: string; message: string }) => ({ code: e.code, out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` }),
  );
  // CI sets FORCE_COLOR, which dependency-cruiser honours over the env above in some versions:
  // the rule names are read from the text without its colour codes either way.
  r.out = stripVTControlCharacters(r.out);
  const rules = [...r.out.matchAll(/error ([\w-]+):/g)].map((m) => m[1]!);
  return { ...r, rules: [...new Set(rules)].sort() };
}

describe('the layers of src/ (docs/ARCHITECTURE.md, .dependency-cruiser.cjs)', () => {
  // Inside the project (node_modules/.cache), so that TypeScript finds the project's @types/node
  // from the copied tsconfig wherever the OS temp dir is.
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const tmp = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'interleave-layers-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('src/ has no import circle and no import up the layers (type-only imports included)', async () => {
    const r = await cruise(ROOT);
    expect(r.out).toContain('no dependency violations found');
    expect([r.code, r.rules], r.out).toEqual([0, []]);
  }, 120_000);

  it('the rules catch what they forbid: a circle, the runtime importing the CLI, a type-only import up, a module in no layer', async () => {
    const file = (path: string, text: string): void => {
      mkdirSync(join(tmp, path, '..'), { recursive: true });
      writeFileSync(join(tmp, path), text);
    };
    copyFileSync(join(ROOT, 'tsconfig.json'), join(tmp, 'tsconfig.json'));
    file('src/runtime/a.ts', "import { b } from '../cli/b.js';\nexport const a = b + 1;\n");
    file('src/cli/b.ts', "import { a } from '../runtime/a.js';\nexport const b = 1;\nexport const c = (): number => a;\n");
    file('src/primitives/p.ts', "import type { S } from '../scenario.js';\nexport type P = S;\n");
    file('src/scenario.ts', 'export type S = number;\n');
    file('src/stray.ts', "import type { P } from './primitives/p.js';\nexport type X = P;\n");
    const r = await cruise(tmp);
    expect(r.code, r.out).not.toBe(0);
    expect(r.rules, r.out).toEqual(['cli-is-a-leaf', 'every-module-in-a-layer', 'no-circular', 'no-import-up-from-primitives-and-strategies', 'no-import-up-from-runtime']);
  }, 120_000);
});
