import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir } from '../robust/cli.js';

/** A project folder with a package.json of the given `type` (npm init -y writes "commonjs"). */
function project(type: 'module' | 'commonjs'): string {
  const dir = tempDir('interleave-init-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', type }));
  return dir;
}

const TEMPLATE_TEST = readFileSync(join(ROOT, 'templates/init/test/profile-cache.test.ts'), 'utf8');

describe('interleave init', () => {
  it('an ES module project: .ts files, the templates as shipped, and the next command (installing what is missing)', async () => {
    const dir = project('module');
    const r = await cli(['init'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const next = r.stdout.split('\n').at(-2);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['wrote scenarios/profile-cache.ts: a get-or-load cache under t.io, variants buggy and fixed', 'wrote test/profile-cache.test.ts: expectNoFailure on both variants']);
    // Nothing is installed in the temp project: the command installs the test runner and tsx first.
    expect(next).toBe('next: npm i -D vitest tsx && npx vitest run test/profile-cache.test.ts');
    expect(readFileSync(join(dir, 'scenarios/profile-cache.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'templates/init/scenarios/profile-cache.ts'), 'utf8'));
    expect(readFileSync(join(dir, 'test/profile-cache.test.ts'), 'utf8')).toBe(TEMPLATE_TEST);
  });

  it('a CommonJS project (npm init -y): .mts files importing .mjs, in the folders asked', async () => {
    const dir = project('commonjs');
    const r = await cli(['init', '--dir', 'src/checks', '--tests', 'spec'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nnext: npm i -D vitest tsx && npx vitest run spec/profile-cache.test.mts\n');
    expect(existsSync(join(dir, 'src/checks/profile-cache.mts'))).toBe(true);
    const test = readFileSync(join(dir, 'spec/profile-cache.test.mts'), 'utf8');
    expect(test).toContain("import profileCache from '../src/checks/profile-cache.mjs';\n");
    expect(test).toBe(TEMPLATE_TEST.replace("'../scenarios/profile-cache.js'", "'../src/checks/profile-cache.mjs'").replace("'../scenarios/profile-cache.ts'", "'../src/checks/profile-cache.mts'"));
  });

  it('an existing file is never overwritten: exit 2 naming it, and nothing written', async () => {
    const dir = project('module');
    mkdirSync(join(dir, 'test'));
    writeFileSync(join(dir, 'test/profile-cache.test.ts'), 'mine');
    const r = await cli(['init'], { cwd: dir });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('interleave: test/profile-cache.test.ts: already exists; interleave init writes only new files (move it, or choose other folders with --dir and --tests)\n');
    expect(readFileSync(join(dir, 'test/profile-cache.test.ts'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'scenarios'))).toBe(false);
  });

  it('outside a project (no package.json): exit 2, one line', async () => {
    const r = await cli(['init'], { cwd: tempDir('interleave-init-') });
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', "interleave: package.json: not found in this folder; run interleave init in your project's root (npm init -y makes one)\n"]);
  });

  it('--help names the options, an example and the exit codes', async () => {
    const r = await cli(['init', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: interleave init [options]');
    expect(r.stdout).toContain('  interleave init --dir first/scenarios --tests first/test\n');
    expect(r.stdout).toContain('    2  no package.json here, or a file to write already exists (named in the message); nothing written');
  });
});
