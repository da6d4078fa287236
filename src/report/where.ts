import { plural } from './plural.js';

/**
 * Where in the code a failure happened, as report lines (`run`'s failure block, `ci`'s
 * rows, the HTML report): an exception's location (`at src/cache.ts:12`), then a stuck or leaking
 * program's awaits that never resumed (Failure.awaits, one entry each) as `2 awaits never resumed
 * at src/bank.ts:40`, one line per line awaited at, in the order the awaits were made. `show`
 * turns a trace's path into the one a reader opens.
 */
export function whereLines(f: { readonly error?: { readonly location?: string | undefined } | undefined; readonly awaits?: readonly string[] | undefined } | null, show: (at: string) => string = (at) => at): string[] {
  if (f === null) return [];
  const out = f.error?.location !== undefined ? [`at ${show(f.error.location)}`] : [];
  const count = new Map<string, number>();
  for (const at of f.awaits ?? []) count.set(at, (count.get(at) ?? 0) + 1);
  for (const [at, n] of count) out.push(`${plural(n, 'await')} never resumed at ${show(at)}`);
  return out;
}
