/**
 * What a variant or parameter name may be. Such names become object keys (`t.params.workers`,
 * `scenario.variants[name]`), file names and command-line words, so a name that is a key of
 * every object (`constructor`, `__proto__`, `toString`, ...) would read the prototype's member
 * instead of the scenario's own entry, and `params.__proto__` in a trace would replace the
 * prototype of the parameters object. Such names are refused wherever names enter: scenario
 * definitions (validateScenario), trace files (checkTrace) and options (makeTarget).
 */

/** Keys every plain object has through its prototype, plus `prototype` itself. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** A plain name: a letter or `_`, then letters, digits, `_` or `-`. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** True for a name every object already has (`constructor`, `__proto__`, `hasOwnProperty`, ...). */
export function isPrototypeKey(name: string): boolean {
  return PROTOTYPE_KEYS.has(name);
}

/**
 * Why `name` cannot name a variant or a parameter, or null when it can. Called by
 * validateScenario, checkTrace and makeTarget; the answer is one clause for their messages.
 */
export function nameProblem(name: string): string | null {
  if (isPrototypeKey(name)) return `${JSON.stringify(name)} is a key of every object (Object.prototype), not a usable name`;
  if (!PLAIN_NAME.test(name)) return `${JSON.stringify(name)} is not a plain name (a letter or _, then letters, digits, _ or -)`;
  return null;
}

/** The own property `name` of `record`, never one inherited from its prototype. */
export function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, name) ? record[name] : undefined;
}
