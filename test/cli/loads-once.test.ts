import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioLoadError } from '../../src/loader.js';
import { tempProject } from '../helpers/project.js';
import { cli, ROOT } from '../robust/cli.js';

/** The lost-update fixture, noting in loads.txt (in the working directory) each time the module runs. */
const COUNTED = `${readFileSync(join(import.meta.dirname, '../fixtures/scenarios/lost-update.ts'), 'utf8').replace("name: 'lost-update'", "name: 'counted'")}
import { appendFileSync } from 'node:fs';
appendFileSync('loads.txt', 'x');
`;

/** A project whose `.ts` files are ES modules: tsx's ESM import runs such a module afresh each time (its CommonJS require caches). */
function esmProject(): string {
  const project = tempProject([]);
  writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
  return project;
}

describe('each TypeScript scenario module is run once per thread until it is edited', () => {
  it('ci replays the traces of a scenario with the module it loaded for the variants', async () => {
    const project = esmProject();
    writeFileSync(join(project, 'scen/counted.ts'), COUNTED);
    const found = await cli(['run', 'counted', '--dir', 'scen', '--variant', 'buggy', '--out', 'traces'], { cwd: project });
    expect(found.code).toBe(1);
    const [trace] = readdirSync(join(project, 'traces'));
    copyFileSync(join(project, 'traces', trace!), join(project, 'traces/again.json'));
    writeFileSync(join(project, 'loads.txt'), '');

    const r = await cli(['ci', '--dir', 'scen'], { cwd: project });
    expect(r.stdout).toContain('4 matched, 0 mismatched');
    expect(r.code).toBe(0);
    // With a tsx namespace per import, it ran three times: for the variants and for each trace.
    // Now once for the variants and the traces, and once more, fresh, to confirm the buggy variant's failure replays from a new instance (src/robust/freshReplay.ts).
    expect(readFileSync(join(project, 'loads.txt'), 'utf8')).toBe('xx');
  });

  it('a module loaded again is the same; an edited one is loaded afresh; a failed load is not kept', async () => {
    const project = esmProject();
    const file = join(project, 'scen/counted.ts');
    writeFileSync(file, 'export default defineScenario({');
    await expect(loadScenario(file)).rejects.toThrow(ScenarioLoadError);
    const counted = COUNTED.replace("appendFileSync('loads.txt', 'x');", '');
    writeFileSync(file, counted);
    const first = await loadScenario(file);
    expect(first.scenario.name).toBe('counted');
    expect((await loadScenario(join(project, 'scen/../scen/counted.ts'))).scenario).toBe(first.scenario);
    writeFileSync(file, counted.replace("name: 'counted'", "name: 'recounted'"));
    expect((await loadScenario(file)).scenario.name).toBe('recounted');
  });

  it("a scenario's own imports of interleave and fast-check are the modules this thread already runs, not copies", () => {
    const project = esmProject();
    writeFileSync(
      join(project, 'scen/shares.ts'),
      `import * as lib from 'interleave';
import fc from 'fast-check';
(globalThis as Record<string, unknown>).seen = { lib, fc };
export default lib.defineScenario({ name: 'shares', description: 'imports', variants: { only: { expect: 'pass' } }, async run() {} });
`,
    );
    // The built runtime, as the CLI and its worker threads run it.
    const script = `
      const lib = await import(${JSON.stringify(join(ROOT, 'dist/index.js'))});
      const fc = (await import('fast-check')).default;
      const { loadScenario } = await import(${JSON.stringify(join(ROOT, 'dist/loader.js'))});
      await loadScenario('scen/shares.ts');
      console.log(globalThis.seen.lib.defineScenario === lib.defineScenario, globalThis.seen.fc === fc);`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' })).toBe('true true\n');
  });
});
