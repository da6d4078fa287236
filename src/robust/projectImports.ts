import { existsSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The imports of a scenario module that load modules of the project (not packages installed in
 * node_modules, nor interleave itself): a relative or absolute path, a `#` subpath import, a
 * bare name that resolves outside node_modules (the project's own package name, a workspace
 * link), or one that cannot be told (an `import(...)` or `require(...)` of a computed name, a
 * name that does not resolve). A fresh instance of the scenario module alone shares those
 * modules, and whatever state they keep, with the instance that explored: src/robust/freshReplay.ts
 * replays in a new thread when this list is not empty.
 *
 * Read from the source text, conservatively: an import in a comment or a string counts too (it
 * only costs the thread). Type-only imports count (they are erased, so reloading costs nothing
 * more than the thread). What it cannot see: a module reached through a package in
 * node_modules that imports the project back.
 */
export function projectImports(file: string): string[] {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return ['(the module could not be read)'];
  }
  const found = new Set<string>();
  for (const m of source.matchAll(STATIC_IMPORT)) found.add(m[2]!);
  for (const m of source.matchAll(BARE_IMPORT)) found.add(m[2]!);
  for (const m of source.matchAll(CALL_IMPORT)) found.add(m[3] ?? `${m[1]}(...)`);
  // createRequire takes only an absolute path; `file` may be relative to the working directory (`expectNoFailure(s, { file: 'scenarios/x.ts' })`).
  const require = createRequire(resolve(file));
  return [...found].filter((s) => inProject(s, require));
}

/** `import x from '...'`, `import { a,\n b } from '...'`, `export * from '...'`. */
const STATIC_IMPORT = /\b(?:import|export)\s[^'"`;]*?\bfrom\s*(['"])([^'"\n]+)\1/g;
/** `import '...'` (for its side effects). */
const BARE_IMPORT = /\bimport\s*(['"])([^'"\n]+)\1/g;
/** `import('...')`, `require('...')`; group 3 only for a plain string literal. */
const CALL_IMPORT = /\b(import|require)\s*\(\s*(?:(['"])([^'"\n]+)\2\s*\)|([^)]*))/g;

function inProject(specifier: string, require: NodeJS.Require): boolean {
  if (specifier.endsWith('(...)')) return true;
  if (/^(\.{1,2}\/|\/|file:|#)/.test(specifier) || specifier === '.' || specifier === '..') return true;
  if (specifier.startsWith('node:') || isBuiltin(specifier) || specifier.startsWith('data:')) return false;
  let path: string;
  try {
    path = require.resolve(specifier);
  } catch {
    // Resolvable only as ESM (no `require` condition), or not at all: it cannot be told.
    return !isBuiltin(specifier);
  }
  if (!path.includes(sep)) return false;
  // interleave is shared by design: the scenario's `import ... from 'interleave'` is the runtime that replays it.
  if (OWN_ROOT !== null && path.startsWith(OWN_ROOT + sep)) return false;
  return !path.split(sep).includes('node_modules');
}

/** The folder of interleave's own package.json (its sources or its build, wherever installed). */
const OWN_ROOT = ((): string | null => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return null;
  }
})();
