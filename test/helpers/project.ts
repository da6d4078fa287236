import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../robust/cli.js';

/**
 * A user's project outside this repository: node_modules links to interleave and fast-check, and
 * `scen/` holds copies of the named fixtures (`test/fixtures/...`). No package.json, so Node
 * treats its `.ts` files as CommonJS.
 */
export function tempProject(fixtures: readonly string[]): string {
  const project = tempDir('interleave-project-');
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules/interleave'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/fast-check'), join(project, 'node_modules/fast-check'), 'dir');
  mkdirSync(join(project, 'scen'));
  for (const f of fixtures) copyFileSync(join(ROOT, 'test/fixtures', f), join(project, 'scen', f.slice(f.lastIndexOf('/') + 1)));
  return project;
}
