import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findScenario, loadScenario, ScenarioLoadError, type LoadedScenario } from '../loader.js';
import { projectRoot } from '../trace/paths.js';
import { show } from './options.js';

/**
 * The trace's scenario: by its recorded file when it still exists, else by name in `dir`. The
 * file is relative to the project root (readTrace moved it from the trace's root to the working
 * directory's: see trace/paths.ts); traces written before that rule hold it relative to the
 * folder they were recorded in, tried next.
 */
export async function locateScenario(ref: { name: string; file?: string | undefined }, dir: string, traceFile: string): Promise<LoadedScenario> {
  try {
    const recorded = ref.file === undefined ? undefined : [resolve(projectRoot(process.cwd()), ref.file), resolve(ref.file)].find((f) => existsSync(f));
    const loaded = recorded !== undefined ? await loadScenario(show(recorded)).catch(() => findScenario(ref.name, dir)) : await findScenario(ref.name, dir);
    if (loaded.scenario.name !== ref.name) throw new ScenarioLoadError(traceFile, `the trace is for scenario "${ref.name}" but ${show(loaded.file)} defines "${loaded.scenario.name}"`);
    return loaded;
  } catch (e) {
    if (e instanceof ScenarioLoadError && e.file === traceFile) throw e;
    throw new ScenarioLoadError(traceFile, `cannot find scenario "${ref.name}"${ref.file !== undefined ? ` (recorded file ${ref.file})` : ''}: ${(e as Error).message}`);
  }
}
