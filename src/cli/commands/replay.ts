import type { Command } from 'commander';
import { replaySaved } from '../../robust/replaySaved.js';
import { formatReplay } from '../../report/text.js';
import { readTrace } from '../../trace/codec.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import { locateScenario } from '../../trace/locateScenario.js';
import { checkTraceTarget } from '../../robust/traceTarget.js';
import { positive, show, terminalWidth, TRUST_TRACE_PATHS, type SetExit } from '../options.js';
import type { ReplayJson } from '../jsonOutput.js';
import { stdoutColours } from '../colours.js';

interface ReplayOptions {
  dir: string;
  /** Replay in a watched thread (a runaway's trace is, for its recorded seconds, without it). */
  watchdog?: number;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  /** A trace may name a scenario module outside the project and --dir. */
  trustTracePaths?: boolean;
}

export async function replayCommand(file: string, o: ReplayOptions): Promise<number> {
  const trace = readTrace(file);
  const loaded = await locateScenario(trace.scenario, o.dir, file, { trust: o.trustTracePaths === true });
  checkTraceTarget(trace, loaded.scenario, file);
  const report = await replaySaved(loaded, trace, o.watchdog !== undefined ? { seconds: o.watchdog } : {});
  if (o.json) {
    const json: ReplayJson = { outcome: report.outcome, message: report.message, divergence: report.divergence ?? null, continuedFrom: report.continuedFrom ?? null, failure: report.trace.failure, trace: show(file), replayed: report.trace };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatReplay(report, { verbose: o.verbose ?? false, colours: stdoutColours(o), maxWidth: terminalWidth() })}\n`);
  }
  // Documented in docs/cli.md (replay, exit codes) and docs/robustness.md; the codes are EXIT_MEANINGS.replay.
  switch (report.outcome) {
    case 'diverged':
      return EXIT.DIVERGED;
    case 'passes-now':
      return EXIT.OK;
    case 'reproduced':
      return trace.failure === null ? EXIT.OK : EXIT.FAILURE;
    case 'different-failure':
      return EXIT.FAILURE;
  }
}

export function registerReplay(program: Command, setExit: SetExit): Command {
  return program
    .command('replay')
    .description('re-run a saved trace, then on first-enabled past its decisions: says reproduced, passes now, still failing / different failure, or diverged at step N')
    .argument('<trace>', 'trace file (JSON)')
    .option('-d, --dir <dir>', 'folder to look for the scenario by name', 'scenarios')
    .option('--verbose', 'show every event')
    .option('--no-color', 'no colour')
    .option('--json', 'machine-readable output')
    .option(...TRUST_TRACE_PATHS)
    .option('--watchdog <seconds>', 'replay in a worker thread: a task that runs this long without a scheduling point is reported as a runaway (a trace of a runaway is replayed so, for the seconds it records, without this)', positive('--watchdog'))
    .addHelpText(
      'after',
      examplesHelp([{ what: 'a committed trace still deadlocks as recorded: reproduced', exit: EXIT.FAILURE, command: 'interleave replay traces/nested-submission.buggy.deadlock.json' }]) + exitCodeHelp('replay'),
    )
    .action(async (file: string, o: ReplayOptions) => setExit(await replayCommand(file, o)));
}
