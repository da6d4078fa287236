import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ScenarioLoadError } from '../loader.js';
import { InternalError, UsageError } from '../runtime/errors.js';
import { TraceFileError } from '../trace/codec.js';
import { registerCi } from './commands/ci.js';
import { registerExplore } from './commands/explore.js';
import { registerInit } from './commands/init.js';
import { registerList } from './commands/list.js';
import { registerMerge } from './commands/merge.js';
import { registerReplay } from './commands/replay.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerShrink } from './commands/shrink.js';
import { EXIT } from './exitCodes.js';
import { guardOutput } from './safeOutput.js';
import { escapeControl, terminalSafe } from '../report/escape.js';
import { describeThrown } from '../runtime/thrown.js';
import { StrayErrors } from './strayErrors.js';

export { locateScenario } from '../trace/locateScenario.js';

/**
 * The commander program. Each command lives in src/cli/commands/<name>.ts and exports
 * `register<Name>(program, setExit)`; this file only registers them.
 */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('interleave')
    .version(packageVersion(), '-V, --version', 'print the version')
    .description('Deterministic concurrency fuzzer and model checker: runs scenario tasks one at a time under a controlled scheduler, finds races and deadlocks, saves replayable traces.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  registerRun(program, setExit);
  registerReplay(program, setExit);
  registerList(program, setExit);
  registerShrink(program, setExit);
  registerExplore(program, setExit);
  registerCi(program, setExit);
  registerReport(program, setExit);
  registerMerge(program, setExit);
  registerInit(program, setExit);

  return program;
}

/**
 * Runs the CLI; user errors print one line and exit 2, engine bugs say so and exit 70. What the
 * scenario rejects or throws where no execution is there to report it is reported at the end
 * (src/cli/strayErrors.ts), and never leaves exit 0.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const strays = new StrayErrors().start();
  return strays.finish(await command(argv, strays));
}

async function command(argv: readonly string[], strays: StrayErrors): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram((c) => {
    code = c;
  });
  const restore = argv[0] === 'explore' ? () => {} : guardOutput();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (e instanceof TraceFileError || e instanceof ScenarioLoadError || e instanceof UsageError) {
      process.stderr.write(`interleave: ${escapeControl(e.message)}\n`);
      strays.told(e.message);
      return EXIT.USAGE;
    }
    if (e instanceof InternalError) {
      process.stderr.write(`${e.stack ?? e.message}\n`);
      return EXIT.INTERNAL;
    }
    const facts = describeThrown(e);
    process.stderr.write(terminalSafe(`interleave: unexpected error (please report): ${facts.stack ?? `${facts.name}: ${facts.message}`}\n`));
    return EXIT.INTERNAL;
  } finally {
    restore();
  }
}

/** The installed package's version (package.json two folders up from dist/cli/ and src/cli/). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
