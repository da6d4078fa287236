/**
 * What a scenario threw (or rejected with), read without trusting it. A thrown value may be
 * anything: a revoked Proxy (whose every inspection throws, `instanceof` included), an object
 * whose `name`, `message` or `stack` getter throws, a Symbol, null. Every place that reports a
 * thrown value (failures, their location, trace events, the loader) reads it through here, so
 * reporting a bug can never become a crash of interleave. Nothing here throws.
 */

/** The facts of a thrown value that could be read; a part that could not be read says so. */
export interface ThrownFacts {
  /** `Error`'s own name (`TypeError`, `KeyError`), `NonError` for a value that is not an Error, `Uninspectable` when nothing could be read. */
  readonly name: string;
  readonly message: string;
  /** The raw stack text, when it could be read. */
  readonly stack?: string;
}

export const UNINSPECTABLE = '<uninspectable thrown value: reading it threw (a revoked Proxy?)>';

/** `value instanceof cls`, false when the check itself throws (a revoked Proxy). */
export function isInstance(value: unknown, cls: abstract new (...args: never[]) => unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return value instanceof cls;
  } catch {
    return false;
  }
}

/** Reads `value` as an error as far as it lets itself be read; never throws. */
export function describeThrown(value: unknown): ThrownFacts {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    return { name: 'NonError', message: primitiveText(value) };
  }
  let isError: boolean;
  try {
    isError = value instanceof Error;
  } catch {
    return { name: 'Uninspectable', message: UNINSPECTABLE };
  }
  if (!isError) return { name: 'NonError', message: objectText(value) };
  const name = readString(value, 'name') ?? constructorName(value) ?? 'Error';
  const message = readString(value, 'message') ?? '<its message could not be read: the getter threw>';
  const stack = readString(value, 'stack');
  return stack === undefined ? { name, message } : { name, message, stack };
}

function readString(value: object, key: 'name' | 'message' | 'stack'): string | undefined {
  try {
    const v = (value as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function constructorName(value: object): string | undefined {
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

function primitiveText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 200 ? `${value.slice(0, 197)}...` : value);
    case 'symbol':
      return value.toString();
    case 'undefined':
      return 'undefined';
    default:
      return value === null ? 'null' : String(value);
  }
}

/** A thrown object that is not an Error: its constructor's name, or a note that it is a plain object. */
function objectText(value: object): string {
  if (typeof value === 'function') return 'a function';
  const ctor = constructorName(value);
  return ctor === undefined || ctor === 'Object' ? 'object' : `a ${ctor} object`;
}
