import { findScenario, ScenarioLoadError, type LoadedScenario } from '../loader.js';
import { show } from './options.js';

/** The trace's scenario: by its recorded file when it still exists, else by name in `dir`. */
export async function locateScenario(ref: { name: string; file?: string | undefined }, dir: string, traceFile: string): Promise<LoadedScenario> {
  try {
    const loaded = ref.file !== undefined ? await findScenario(ref.file, dir).catch(() => findScenario(ref.name, dir)) : await findScenario(ref.name, dir);
    if (loaded.scenario.name !== ref.name) throw new ScenarioLoadError(traceFile, `the trace is for scenario "${ref.name}" but ${show(loaded.file)} defines "${loaded.scenario.name}"`);
    return loaded;
  } catch (e) {
    if (e instanceof ScenarioLoadError && e.file === traceFile) throw e;
    throw new ScenarioLoadError(traceFile, `cannot find scenario "${ref.name}"${ref.file !== undefined ? ` (recorded file ${ref.file})` : ''}: ${(e as Error).message}`);
  }
}
