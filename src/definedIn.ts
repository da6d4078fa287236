import { siteHere } from './runtime/location.js';

/**
 * The module that called `defineScenario`, kept on the definition under a registered symbol
 * (shared by every copy of interleave in the process: the CLI's dist/ and a test runner's src/),
 * non-enumerable, so the definition reads as the author wrote it. The vitest helpers record it
 * in a trace as `scenario.file` when they are given no `file`, so the replay command they print
 * finds the scenario wherever its module lives (not only by name in ./scenarios).
 */
const DEFINED_IN = Symbol.for('interleave.definedIn');

/**
 * Called by `defineScenario` only: notes the caller's file (the first stack frame outside
 * interleave and Node) on `definition`. A frozen or exotic definition is left as it is: the
 * file is then unknown, never an error.
 */
export function noteDefinition(definition: object): void {
  try {
    const at = siteHere();
    if (at === undefined || !Object.isExtensible(definition) || Object.hasOwn(definition, DEFINED_IN)) return;
    Object.defineProperty(definition, DEFINED_IN, { value: at.replace(/:\d+$/, ''), enumerable: false });
  } catch {
    // A Proxy whose traps throw: nothing noted.
  }
}

/** The absolute path of the module whose `defineScenario` made `scenario`, when it was noted. */
export function definedIn(scenario: object): string | undefined {
  try {
    const file = (scenario as { [DEFINED_IN]?: unknown })[DEFINED_IN];
    return typeof file === 'string' ? file : undefined;
  } catch {
    return undefined;
  }
}
