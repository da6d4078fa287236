/**
 * The `Examples:` section of a command's `--help`. Each example is a comment line saying what it
 * shows and the exit code it ends with, then the command, as a user types it from the root of
 * this repository (or a project with the same folders): test/docs/examples.test.ts runs every one
 * in a copy of the project and checks that exit code, so an example that stops working fails the
 * suite. The convention: `# <what it shows> (exit N)` then the command, in a shell's own syntax.
 */
export interface HelpExample {
  /** What the example shows, in a few words. */
  readonly what: string;
  /** The exit code it ends with (src/cli/exitCodes.ts says what each means). */
  readonly exit: number;
  /** The command line, runnable as printed (the binary is `interleave`). */
  readonly command: string;
}

/** The examples as help text: a heading, then `# what (exit N)` and the command for each. */
export function examplesHelp(examples: readonly HelpExample[]): string {
  return `\nExamples (each runs as printed from the repository's root):\n${examples.map((e) => `  # ${e.what} (exit ${e.exit})\n  ${e.command}`).join('\n')}\n`;
}
