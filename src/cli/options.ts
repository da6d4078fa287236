import { InvalidArgumentError } from 'commander';
import { relative } from 'node:path';
import { fileInTheWay } from '../trace/codec.js';
import { MAX_WATCHDOG_SECONDS } from '../trace/limits.js';
import { parseShard, type Shard } from '../partition.js';
import { STRATEGY_NAMES } from '../scenario.js';

/**
 * Commander parser for a whole number from `min` up, the message naming the option. Unsafe
 * integers are refused here, with 0 where it means nothing (min 1): the trace schema
 * (src/trace/schema.ts) would refuse them only when the trace of a failure is written.
 */
export function int(name: string, min: 0 | 1 = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be at most ${Number.MAX_SAFE_INTEGER}`);
    return n;
  };
}

/** `int(name, 1)`: a count where 0 would do nothing (iterations, workers, steps, depth, attempts). */
export function count(name: string) {
  return int(name, 1);
}

/**
 * Commander parser for an output folder: one that is a file (or under one) is refused before
 * anything runs, not when the trace of the first failure is written.
 */
export function outputFolder(name: string) {
  return (v: string): string => {
    // An empty name would write into the working directory (the repository root).
    if (v.trim() === '') throw new InvalidArgumentError(`${name} must name a folder, got ${JSON.stringify(v)}`);
    const blocker = fileInTheWay(v);
    if (blocker !== null) throw new InvalidArgumentError(`${name} must be a folder, but ${blocker} is a file`);
    return v;
  };
}

/** Commander parser for an output file: an empty name is refused (it names no file). */
export function outputFile(name: string) {
  return (v: string): string => {
    if (v.trim() === '') throw new InvalidArgumentError(`${name} must name a file, got ${JSON.stringify(v)}`);
    return v;
  };
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/**
 * `--trust-trace-paths`, for the commands that import the scenario a trace names (replay, ci,
 * shrink, merge): lifts the rule that it lies inside the project or --dir (trace/scenarioFile.ts).
 */
export const TRUST_TRACE_PATHS = [
  '--trust-trace-paths',
  'let a trace name a scenario module outside the project and --dir (it is imported and run: only for traces you trust; it must still be a .ts/.mts/.js/.mjs file)',
] as const;

/** Every command's action reports its exit code through this callback (commander keeps no return value). */
export type SetExit = (code: number) => void;

/**
 * Commander parser for a number > 0 (seconds may be fractional), at most `max`: `--watchdog`
 * at most an hour, the longest `runaway.seconds` a trace may record (src/trace/limits.ts).
 */
export function positive(name: string, max = name === '--watchdog' ? MAX_WATCHDOG_SECONDS : Infinity) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
    if (n > max) throw new InvalidArgumentError(`${name} must be at most ${max}`);
    return n;
  };
}

/** Strategies `run` accepts. dfs, pb and db need the exhaustive search driver (src/search/). */
export const RUN_STRATEGIES = STRATEGY_NAMES;

export function strategyName(v: string): string {
  if (!(RUN_STRATEGIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`choose one of ${RUN_STRATEGIES.join(', ')}`);
  return v;
}

/** Columns of the terminal stdout writes to, to fit timelines in; none when piped (logs keep full cells). */
export function terminalWidth(): number | undefined {
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

/** `--shard i/n`, for run and ci. */
export function shardOption(v: string): Shard {
  try {
    return parseShard(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
