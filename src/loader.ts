import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { validateScenario, type ScenarioDefinition } from './scenario.js';
import { notRegularFile } from './trace/fileKind.js';
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
export function loadScenario(file: string): Promise<LoadedScenario> {
  return loadInstance(file, '');
}

/**
 * A new instance of an ES module scenario, loaded afresh beside the one already loaded: its
 * module-level state starts as the file says, not as the executions so far left it (the modules
 * it imports are the ones already loaded). `instance` names it (one new instance per name). Null
 * for a CommonJS module, which tsx's require keeps one instance of per thread: a fresh worker
 * thread is the way to a fresh one. Called by src/robust/freshReplay.ts.
 */
export async function loadFreshScenario(file: string, instance: string): Promise<LoadedScenario | null> {
  const abs = resolve(file);
  if (!JS_EXTENSIONS.has(extname(abs)) && isCommonJs(abs)) return null;
  return loadInstance(file, `fresh=${encodeURIComponent(instance)}`);
}

async function loadInstance(file: string, query: string): Promise<LoadedScenario> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new ScenarioLoadError(file, 'no such file');
  // A FIFO would hang the import and a device never end it: refused by its type, never opened.
  const kind = notRegularFile(statSync(abs));
  if (kind !== null) throw new ScenarioLoadError(file, `is ${kind}, not a scenario module`);
  let mod: { default?: unknown };
  try {
    const url = pathToFileURL(abs).href;
    // Plain JavaScript needs no compiler: tsx's loader costs ~0.4 s per process (and per worker
    // thread), and even importing its API ~0.1 s, so both wait until a TypeScript file comes.
    // TypeScript that Node would treat as CommonJS goes through tsx's require: its ESM import
    // would run it from a data: URL, which source maps cannot follow (error locations at line 2
    // of the compiled code, named by a random namespace that changes every run).
    if (JS_EXTENSIONS.has(extname(abs))) mod = (await import(query === '' ? url : `${url}?${query}`)) as { default?: unknown };
    else if (isCommonJs(abs)) mod = (await importTsx(file, () => import('tsx/cjs/api'))).require(abs, import.meta.url) as { default?: unknown };
    else mod = (await importTypeScript(file, url, abs, query)) as { default?: unknown };
  } catch (e) {
    if (e instanceof ScenarioLoadError) throw e;
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
  let problems: string[];
  try {
    problems = validateScenario(value);
    readAll(value, 4);
  } catch (e) {
    // A getter in the definition that throws: the module is broken, not interleave (exit 2, not 70).
    throw new ScenarioLoadError(file, `invalid scenario: reading its definition threw ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e)}`);
  }
  if (problems.length > 0) throw new ScenarioLoadError(file, `invalid scenario: ${problems.join('; ')}`);
  return { file: abs, scenario: value as ScenarioDefinition<object> };
}

/**
 * Reads the definition's fields down to `depth` levels (variants and their budgets, params), so a
 * getter that throws fails at load, naming the file, rather than mid-run as an interleave bug.
 */
function readAll(value: unknown, depth: number): void {
  if (depth === 0 || typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value)) readAll((value as Record<string, unknown>)[key], depth - 1);
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
async function importTypeScript(file: string, url: string, abs: string, query: string): Promise<unknown> {
  tsxRegistered ??= importTsx(file, () => import('tsx/esm/api')).then(async (api) => {
    await linkRuntime();
    api.register();
  });
  await tsxRegistered;
  const { mtimeMs, size } = statSync(abs);
  return import(`${url}?version=${mtimeMs}-${size}${query === '' ? '' : `&${query}`}`);
}

/**
 * Imports this package's entry (index.js beside this module) before tsx's hooks are registered,
 * so that every module of the runtime is already linked when the scenario's `import ... from
 * 'interleave'` comes: afterwards each module imported goes through tsx's resolve and load hooks,
 * which Node 20 runs on a thread of their own, a round trip per module. A watched or pool thread
 * starts with this: measured, a thread loading rare-runaway.ts took 0.64 s and 1.1 s of CPU
 * before, 0.45 s and 0.75 s after. Under a TypeScript runner (the sources, no index.js) nothing
 * is imported.
 */
async function linkRuntime(): Promise<void> {
  const entry = new URL('./index.js', import.meta.url);
  if (existsSync(fileURLToPath(entry))) await import(entry.href);
}

/**
 * tsx's API, imported only when a TypeScript scenario comes: tsx is an optional peer dependency
 * (a project whose scenarios are JavaScript, or that runs them only through vitest, needs none).
 * Without it, the scenario `file` cannot load: a ScenarioLoadError names the file and the
 * install command, instead of Node's module-resolution error.
 */
export async function importTsx<T>(file: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /'tsx[/']/.test(String((e as Error).message))) {
      throw new ScenarioLoadError(file, 'a TypeScript scenario needs tsx, which is not installed: npm i -D tsx');
    }
    throw e;
  }
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
