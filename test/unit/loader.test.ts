import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempProject } from '../helpers/project.js';
import { cli } from '../robust/cli.js';

/**
 * A TypeScript scenario in a folder with no `"type": "module"` is CommonJS for Node, and so for
 * tsx: the loader must still give its real file and line, the same bytes on every run, and the
 * loader's own messages.
 */
describe('scenarios that Node treats as CommonJS', () => {
  let project: string;
  let line: number;

  beforeAll(() => {
    project = tempProject(['scenarios/lost-update.ts', 'bad/no-default.ts']);
    line = readFileSync(join(project, 'scen/lost-update.ts'), 'utf8').split('\n').findIndex((l) => l.includes('t.assert(')) + 1;
  });

  it('locates a failure at the real line, and two runs write the same trace bytes', async () => {
    const runOnce = async (out: string): Promise<string> => {
      const r = await cli(['run', 'lost-update', '--dir', 'scen', '--variant', 'buggy', '--out', out], { cwd: project });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`  at scen/lost-update.ts:${line}\n`);
      const [file] = readdirSync(join(project, out));
      return readFileSync(join(project, out, file!), 'utf8');
    };
    const first = await runOnce('a');
    expect(JSON.parse(first).failure.error.location).toBe(`scen/lost-update.ts:${line}`);
    expect(await runOnce('b')).toBe(first);
  });

  it('a module without a default export says so', async () => {
    const r = await cli(['run', 'scen/no-default.ts'], { cwd: project });
    expect(r.stderr).toBe('interleave: scen/no-default.ts: no default export: end the module with `export default defineScenario({...})`\n');
    expect(r.code).toBe(2);
  });
});
