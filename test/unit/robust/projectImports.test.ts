import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectImports } from '../../../src/robust/projectImports.js';

const ROOT = join(import.meta.dirname, '../../..');

/** A module with `source` inside the checkout (packages resolve from its node_modules). */
function moduleWith(source: string): string {
  const dir = join(ROOT, 'test-output/project-imports');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'scenario.mjs');
  writeFileSync(file, source);
  return file;
}

describe('projectImports: the imports that a fresh instance of the scenario module alone would share', () => {
  it('a relative import is the project; interleave and packages from node_modules are not', () => {
    expect(projectImports(join(ROOT, 'test/robust/fixtures/honesty/warm-helper.ts'))).toEqual(['./_warm-helper-cache.js']);
    expect(projectImports(join(ROOT, 'test/robust/fixtures/honesty/warm-cache.ts'))).toEqual([]);
    expect(projectImports(join(ROOT, 'test/fixtures/scenarios/lost-update.ts'))).toEqual([]);
  });

  it('a path relative to the working directory is read as the absolute one (expectNoFailure takes `file` so)', () => {
    const file = join(ROOT, 'examples/real-code/cache.scenario.ts');
    const relativeToCwd = relative(process.cwd(), file);
    expect(relativeToCwd.startsWith('/')).toBe(false);
    expect(projectImports(relativeToCwd)).toEqual(['./src/cache.js']);
    expect(projectImports(relativeToCwd)).toEqual(projectImports(file));
  });

  it('every form of import is read; what cannot be told counts as the project', () => {
    const file = moduleWith(
      [
        "import {\n  a,\n  b,\n} from '../lib/a.js';",
        "import type { T } from '/abs/types.js';",
        "export * from './re.js';",
        "import './side.js';",
        "import fc from 'fast-check';",
        "import { readFileSync } from 'node:fs';",
        "import { join } from 'path';",
        "const m = await import('#internal');",
        'const n = await import(name);',
        "const o = require('./cjs.cjs');",
        "import x from 'no-such-package-anywhere';",
      ].join('\n'),
    );
    expect(projectImports(file).sort()).toEqual(['#internal', '../lib/a.js', './cjs.cjs', './re.js', './side.js', '/abs/types.js', 'import(...)', 'no-such-package-anywhere'].sort());
  });
});
