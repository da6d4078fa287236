import { findScenario, loadScenario, ScenarioLoadError, type LoadedScenario } from '../loader.js';
import { trustedScenarioFile } from './scenarioFile.js';
import { shownLocation as show } from '../runtime/location.js';

/**
 * The trace's scenario: by its recorded file when it still exists, else by name in `dir`. The
 * recorded file is checked before it is imported (trace/scenarioFile.ts: inside the project or
 * `dir` unless `trust`, a regular source file); one that is there but no longer loads is an
 * error, never a silent switch to another file of the same scenario name. The file is relative
 * to the project root (readTrace moved it from the trace's root to the working directory's: see
 * trace/paths.ts).
 */
export async function locateScenario(ref: { name: string; file?: string | undefined }, dir: string, traceFile: string, o: { readonly trust?: boolean } = {}): Promise<LoadedScenario> {
  const recorded = ref.file === undefined ? null : trustedScenarioFile(ref.file, traceFile, { dir, ...(o.trust === true ? { trust: true } : {}) });
  try {
    const loaded = recorded !== null ? await loadScenario(show(recorded)) : await findScenario(ref.name, dir);
    if (loaded.scenario.name !== ref.name) throw new ScenarioLoadError(traceFile, `the trace is for scenario "${ref.name}" but ${show(loaded.file)} defines "${loaded.scenario.name}"`);
    return loaded;
  } catch (e) {
    if (e instanceof ScenarioLoadError && e.file === traceFile) throw e;
    if (recorded !== null) throw new ScenarioLoadError(traceFile, `the recorded scenario file does not load: ${(e as Error).message}`);
    throw new ScenarioLoadError(traceFile, `cannot find scenario "${ref.name}"${ref.file !== undefined ? ` (recorded file ${ref.file})` : ''}: ${(e as Error).message}`);
  }
}
