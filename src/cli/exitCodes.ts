/**
 * Exit codes of the `interleave` binary, and what each means for each command: the one place
 * they are written down. Every command's `--help` ends with `exitCodeHelp(command)`, the
 * README's CLI table and docs/cli.md's table are checked against `EXIT_MEANINGS` and
 * `exitCodeTable()` (test/docs/exit-codes.test.ts), so help, docs and code cannot drift apart.
 */
export const EXIT = {
  /** Nothing failed (or, for `ci` and `run --check`, everything matched expectations). */
  OK: 0,
  /** A failure was found, or a trace reproduced its failure. */
  FAILURE: 1,
  /** Bad input or usage: unknown scenario, invalid trace file, bad option. */
  USAGE: 2,
  /** Replay diverged: the scenario no longer does what the trace recorded. */
  DIVERGED: 3,
  /** Nothing failed, but nothing was established either: the time limit ended the run before one execution was counted (src/verdict/inconclusive.ts). */
  INCONCLUSIVE: 4,
  /** Interrupted (Ctrl-C / SIGTERM) before the run finished and no failure was found (128 + SIGINT). */
  INTERRUPTED: 130,
  /** interleave itself failed (an internal bug). */
  INTERNAL: 70,
} as const;

/** The commands of the binary, as registered in src/cli/main.ts. */
export type CommandName = 'run' | 'replay' | 'list' | 'shrink' | 'explore' | 'ci' | 'report' | 'merge' | 'init';

type Code = (typeof EXIT)[keyof typeof EXIT];

/** The last entry of every command: the same words everywhere. */
const INTERNAL: readonly [Code, string] = [EXIT.INTERNAL, "interleave's own bug (please report)"];

/**
 * What each exit code means for each command, in the order printed. Read by the `--help` of
 * each command (through `exitCodeHelp`) and by the tests that hold the docs to it.
 */
export const EXIT_MEANINGS: Readonly<Record<CommandName, readonly (readonly [Code, string])[]>> = {
  run: [
    [EXIT.OK, 'no failure (with --check: every variant found what it declares)'],
    [EXIT.FAILURE, 'a failure found (with --check: a mismatch)'],
    [EXIT.USAGE, 'bad usage or input; or nothing failed but a trace or shard file could not be written where asked (it went to a new interleave-* folder of the OS temp dir)'],
    [EXIT.INCONCLUSIVE, 'inconclusive: the time limit ended the run before one execution completed'],
    [EXIT.INTERRUPTED, 'interrupted (Ctrl-C) before any failure was found'],
    INTERNAL,
  ],
  replay: [
    [EXIT.OK, 'passes now (or a recorded pass still passes)'],
    [EXIT.FAILURE, 'reproduced, still failing or a different failure'],
    [EXIT.USAGE, 'bad input (missing or invalid trace, scenario not found)'],
    [EXIT.DIVERGED, 'diverged: within the recorded decisions the scenario no longer does what the trace recorded'],
    INTERNAL,
  ],
  list: [
    [EXIT.OK, 'listed'],
    [EXIT.USAGE, 'bad input (missing folder, broken scenario module)'],
    INTERNAL,
  ],
  shrink: [
    [EXIT.OK, 'shrunk and saved'],
    [EXIT.USAGE, 'bad input (missing or passing trace, scenario not found)'],
    INTERNAL,
  ],
  explore: [
    [EXIT.OK, 'the session ended (quit, end of input)'],
    [EXIT.USAGE, 'bad usage, or the last save failed'],
    [EXIT.INTERRUPTED, 'left with Ctrl-C'],
    INTERNAL,
  ],
  ci: [
    [EXIT.OK, 'everything matched'],
    [EXIT.FAILURE, 'a mismatch'],
    [EXIT.USAGE, 'bad usage or input (missing scenarios folder, broken scenario module); or everything matched but the JUnit file or a trace could not be written where asked (it went to a new interleave-* folder of the OS temp dir)'],
    INTERNAL,
  ],
  report: [
    [EXIT.OK, 'written'],
    [EXIT.USAGE, 'bad input (missing or invalid trace)'],
    INTERNAL,
  ],
  merge: [
    [EXIT.OK, 'no failure (with --check: every variant found what it declares)'],
    [EXIT.FAILURE, 'a failure found (with --check: a mismatch)'],
    [EXIT.USAGE, 'bad usage (missing or mismatched shard files; with --check, a scenario not in --dir)'],
    INTERNAL,
  ],
  init: [
    [EXIT.OK, 'the files were written'],
    [EXIT.USAGE, 'no package.json here, or a file to write already exists (named in the message); nothing written'],
    INTERNAL,
  ],
};

/** The `Exit codes:` section of `interleave <command> --help`, one code a line. */
export function exitCodeHelp(command: CommandName): string {
  return `\nExit codes:\n${byCode(EXIT_MEANINGS[command]).map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`).join('\n')}`;
}

/** docs/cli.md's exit-code table: one row per command, its codes and their meanings. */
export function exitCodeTable(): string {
  const rows = (Object.keys(EXIT_MEANINGS) as CommandName[]).map((c) => `| \`${c}\` | ${byCode(EXIT_MEANINGS[c]).map(([code, meaning]) => `${code} ${meaning}`).join('; ')} |`);
  return ['| command | exit codes |', '|---|---|', ...rows].join('\n');
}

function byCode(meanings: readonly (readonly [Code, string])[]): (readonly [Code, string])[] {
  return [...meanings].sort((a, b) => a[0] - b[0]);
}
