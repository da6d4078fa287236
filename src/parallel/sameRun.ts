import { UsageError } from '../runtime/errors.js';
import type { Target } from '../run.js';
import type { Shard } from '../partition.js';

/**
 * What a split run was run with beyond its strategy and split, recorded in each shard run so
 * that merge refuses shards of different runs (a drifted CI job would otherwise merge into a
 * result neither configuration ran). Absent from shard files written before it was recorded:
 * those fields are unknown there and are not compared (what is there still is).
 */
export interface RunSettings {
  /** The scenario's parameters as run (defaults and `--param`). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly maxSteps: number;
  readonly allowLeaks: boolean;
  readonly failOnLockOrder: boolean;
}

export function runSettings(target: Pick<Target<object>, 'params' | 'settings'>): RunSettings {
  const { maxSteps, allowLeaks, failOnLockOrder } = target.settings;
  return { params: target.params as Record<string, unknown>, maxSteps, allowLeaks, failOnLockOrder };
}

/** How two runs differ in one setting: what `b` was run with (flag and value), and `a`'s value; null when they agree or one is unknown. */
export type Difference<R> = (a: R, b: R) => readonly [string, string] | null;

/** A setting shown as `flag value`; `undefined` from `get` is unknown (not compared). */
export function setting<R>(flag: string, get: (r: R) => unknown): Difference<R> {
  return (a, b) => {
    const [x, y] = [get(a), get(b)];
    if (x === undefined || y === undefined || JSON.stringify(x) === JSON.stringify(y)) return null;
    return [`${flag} ${show(y)}`, show(x)];
  };
}

/** The shards must split the run the same way: the same n in i/n. */
export function splitDifference<R>(shard: (r: R) => Shard): Difference<R> {
  return (a, b) => {
    const [x, y] = [shard(a), shard(b)];
    return x.of === y.of ? null : [`--shard ${y.index}/${y.of}`, `${x.index}/${x.of}`];
  };
}

/** The settings every split run records (a run's `settings` is undefined when its file predates them). */
export function settingsDifferences<R>(of: (r: R) => RunSettings | undefined): Difference<R>[] {
  return [
    (a, b) => {
      const [x, y] = [of(a)?.params, of(b)?.params];
      if (x === undefined || y === undefined) return null;
      const name = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort().find((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
      return name === undefined ? null : [`--param ${name}=${show(y[name])}`, `${name}=${show(x[name])}`];
    },
    setting('--max-steps', (r) => of(r)?.maxSteps),
    setting('allowLeaks', (r) => of(r)?.allowLeaks),
    setting('failOnLockOrder', (r) => of(r)?.failOnLockOrder),
  ];
}

function show(v: unknown): string {
  return v === undefined ? '(unset)' : v === null ? 'none' : typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Merge: every run is of the same exploration as the first, in every setting of `differences`;
 * else one UsageError naming both files (`files[i]` holds `runs[i]`) and the setting.
 */
export function checkSameRun<R>(runs: readonly R[], files: readonly string[], differences: readonly Difference<R>[], name: string): void {
  const head = runs[0]!;
  runs.forEach((r, i) => {
    for (const differ of differences) {
      const d = differ(head, r);
      if (d !== null) throw new UsageError(`merge: ${name}: ${files[i]} was run with ${d[0]}, ${files[0]} with ${d[1]}`);
    }
  });
}
