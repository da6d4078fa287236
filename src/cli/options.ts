import { InvalidArgumentError } from 'commander';
import { relative } from 'node:path';

/** Commander parser for a whole number >= 0; the message names the option. */
export function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
    return n;
  };
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** Every command's action reports its exit code through this callback (commander keeps no return value). */
export type SetExit = (code: number) => void;
