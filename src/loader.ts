import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateScenario, type ScenarioDefinition } from './scenario.js';
import { describeThrown } from './runtime/thrown.js';

/** A scenario module that cannot be used: names the file and the problem, in one line. */
export class ScenarioLoadError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ScenarioLoadError';
  }
}

export interface LoadedScenario {
  readonly file: string;
  readonly scenario: ScenarioDefinition<object>;
}

const EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);
const JS_EXTENSIONS = new Set(['.js', '.mjs']);

/** Imports a scenario module (TypeScript loads directly, no build step) and checks its default export. */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new ScenarioLoadError(file, 'no such file');
  let mod: { default?: unknown };
  try {
    const url = pathToFileURL(abs).href;
    // Plain JavaScript needs no compiler: tsx's loader costs ~0.4 s per process (and per worker
    // thread), and even importing its API ~0.1 s, so both wait until a TypeScript file comes.
    // TypeScript that Node would treat as CommonJS goes through tsx's require: its ESM import
    // would run it from a data: URL, which source maps cannot follow (error locations at line 2
    // of the compiled code, named by a random namespace that changes every run).
    if (JS_EXTENSIONS.has(extname(abs))) mod = (await import(url)) as { default?: unknown };
    else if (isCommonJs(abs)) mod = (await import('tsx/cjs/api')).require(abs, import.meta.url) as { default?: unknown };
    else mod = (await importTypeScript(url, abs)) as { default?: unknown };
  } catch (e) {
    // What a module throws at load may not survive inspection (a revoked Proxy): read it safely.
    const facts = describeThrown(e);
    const lines = facts.message.split('\n').filter((l) => l.trim() !== '');
    // esbuild (through tsx): "Transform failed with 1 error:" then "<abs path>:10:17: ERROR: Expected ...".
    const syntax = lines[0]?.startsWith('Transform failed') === true ? /:(\d+):(\d+): ERROR: (.*)$/.exec(lines[1] ?? '') : null;
    if (syntax !== null) throw new ScenarioLoadError(file, `syntax error at line ${syntax[1]}, column ${Number(syntax[2]) + 1}: ${syntax[3]}`);
    const msg = lines[0] ?? facts.name;
    throw new ScenarioLoadError(file, `cannot load the module: ${msg.trim()}`);
  }
  let value = mod.default;
  // A compiled ES module seen as CommonJS: its exports object, marked __esModule, holds the default.
  if (typeof value === 'object' && value !== null && (value as { __esModule?: unknown }).__esModule === true) value = (value as { default?: unknown }).default;
  if (value === undefined) throw new ScenarioLoadError(file, 'no default export: end the module with `export default defineScenario({...})`');
  const problems = validateScenario(value);
  if (problems.length > 0) throw new ScenarioLoadError(file, `invalid scenario: ${problems.join('; ')}`);
  return { file: abs, scenario: value as ScenarioDefinition<object> };
}

/** tsx's loader hooks, registered for this thread at its first TypeScript module. */
let tsxRegistered: Promise<void> | null = null;

/**
 * Imports an ES module `.ts` file through tsx's hooks, registered once for the thread, with no
 * namespace. `tsImport`, used before, registers a namespace at each call and loads the file and
 * everything it imports inside it: each import compiled and ran the module again, with a copy of
 * interleave and of fast-check (~0.1 s a module, and `ci` loaded one per saved trace), and added
 * a loader hook that every later import went through. Without a namespace the scenario's own
 * `import ... from 'interleave'` is the runtime this thread already runs. The file's
 * modification time and size in the URL give a module edited since its last import a fresh
 * instance.
 */
async function importTypeScript(url: string, abs: string): Promise<unknown> {
  tsxRegistered ??= import('tsx/esm/api').then((api) => {
    api.register();
  });
  await tsxRegistered;
  const { mtimeMs, size } = statSync(abs);
  return import(`${url}?version=${mtimeMs}-${size}`);
}

/**
 * Node's rule for a `.ts` file: CommonJS unless the nearest package.json (not looking past a
 * node_modules folder) says `"type": "module"`; `.mts` is always a module.
 */
function isCommonJs(file: string): boolean {
  if (extname(file) === '.mts') return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        return true; // Node itself refuses an unreadable package.json; tsx's require reports it.
      }
    }
    if (basename(dir) === 'node_modules' || dirname(dir) === dir) return true;
  }
}

/** Scenario files in `dir`, sorted by name (helpers starting with `_` are skipped). */
export function scenarioFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ScenarioLoadError(dir, 'no such scenarios folder');
  return readdirSync(dir)
    .filter((f) => EXTENSIONS.has(extname(f)) && !f.startsWith('_') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => join(dir, f));
}

export async function loadAll(dir: string): Promise<LoadedScenario[]> {
  const out: LoadedScenario[] = [];
  for (const f of scenarioFiles(dir)) out.push(await loadScenario(f));
  return out;
}

/** A scenario by name, file base name or path. */
export async function findScenario(ref: string, dir: string): Promise<LoadedScenario> {
  // Scenario names have no extension: `x.ts` is a path, and a missing one is not a name to look up.
  if (EXTENSIONS.has(extname(ref))) return loadScenario(ref);
  const direct = scenarioFiles(dir).find((f) => basename(f, extname(f)) === ref);
  if (direct !== undefined) return loadScenario(direct);
  const all = await loadAll(dir);
  const hit = all.find((s) => s.scenario.name === ref);
  if (hit === undefined) {
    throw new ScenarioLoadError(ref, `no scenario of that name in ${dir}; known: ${all.map((s) => s.scenario.name).join(', ')}`);
  }
  return hit;
}
