import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../robust/cli.js';

interface Manifest {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
}

/** What the published package holds and needs (issue 24): `npm pack --dry-run` lists the files, without building. */
describe('the published package', () => {
  let files: Set<string>;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

  beforeAll(async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (e, stdout) => (e === null ? resolve(stdout) : reject(e)));
    });
    files = new Set((JSON.parse(out.slice(out.indexOf('['))) as [{ files: { path: string }[] }])[0].files.map((f) => f.path));
  });

  it('every source map points into shipped files (a stack frame in dist/ maps to a file the user has)', () => {
    const maps = [...files].filter((f) => f.startsWith('dist/') && f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    const missing = maps.flatMap((m) => {
      const { sources } = JSON.parse(readFileSync(join(ROOT, m), 'utf8')) as { sources: string[] };
      return sources.map((s) => posix.join(dirname(m), s)).filter((s) => !files.has(s));
    });
    expect(missing).toEqual([]);
    expect(files.has('src/vitest.ts')).toBe(true);
  });

  it("ships init's templates and the binary", () => {
    for (const f of ['templates/init/scenarios/profile-cache.ts', 'templates/init/test/profile-cache.test.ts', 'bin/interleave.js', 'dist/cli/commands/init.js']) expect(files.has(f), f).toBe(true);
  });

  it('fast-check is a peer (one copy of its types with the project\'s own), tsx and vitest optional peers; dist is built by prepack, not prepare', () => {
    expect(pkg.dependencies['fast-check']).toBeUndefined();
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.peerDependencies['fast-check']).toBe('^3.0.0 || ^4.0.0');
    expect(pkg.peerDependenciesMeta.tsx?.optional).toBe(true);
    expect(pkg.peerDependenciesMeta.vitest?.optional).toBe(true);
    expect(pkg.peerDependenciesMeta['fast-check']).toBeUndefined();
    // Kept for this repository's own build and tests.
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['fast-check', 'tsx', 'vitest']));
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toContain('npm run build');
    expect(pkg.scripts.prestart).toBe('npm run build');
  });
});
