import type { Command } from 'commander';
import type { ShrinkJson } from '../jsonOutput.js';
import { countsText, formatFailureReport, plural } from '../../report/text.js';
import { shrinkLines, shrinkWatched } from '../../robust/watchedShrink.js';
import { DEFAULT_SHRINK_ATTEMPTS } from '../../shrink/shrinkTrace.js';
import { readTrace, TraceFileError, writeTrace } from '../../trace/codec.js';
import type { Trace } from '../../trace/schema.js';
import { stdoutColours } from '../colours.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import { locateScenario } from '../../trace/locateScenario.js';
import { checkTraceTarget } from '../../robust/traceTarget.js';
import { count, outputFile, positive, show, type SetExit, terminalWidth, TRUST_TRACE_PATHS } from '../options.js';

interface ShrinkCommandOptions {
  dir: string;
  out?: string;
  maxAttempts?: number;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  /** Shrink in a watched thread (src/robust/watchedShrink.ts): for scenarios whose tasks may spin. */
  watchdog?: number;
  /** A trace may name a scenario module outside the project and --dir. */
  trustTracePaths?: boolean;
}

/** Why the trace in `file` cannot be shrunk, naming the file (shrinkTrace's own checks cannot). */
function checkShrinkable(trace: Trace, file: string, watched: boolean): void {
  if (trace.unfinished === true) throw new TraceFileError(file, 'nothing to shrink: the trace was saved before its run ended (explore: finish the run, then save)');
  if (trace.failure === null) throw new TraceFileError(file, 'nothing to shrink: the trace records a passing run');
  if (trace.failure.kind === 'nondeterminism') throw new TraceFileError(file, 'cannot shrink a nondeterminism failure: its schedule does not replay');
  if (trace.runaway !== undefined && !watched) throw new TraceFileError(file, 'a runaway shrinks only under the watchdog: its schedule spins (add --watchdog <seconds>)');
}

export async function shrinkCommand(file: string, o: ShrinkCommandOptions): Promise<number> {
  const trace = readTrace(file);
  checkShrinkable(trace, file, o.watchdog !== undefined);
  const loaded = await locateScenario(trace.scenario, o.dir, file, { trust: o.trustTracePaths === true });
  checkTraceTarget(trace, loaded.scenario, file);
  const r = await shrinkWatched(o.watchdog, loaded, trace, { file: loaded.file, ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}) });
  process.stderr.write(shrinkLines(`${trace.scenario.name} [${trace.variant}]`, o.watchdog, r));
  // By default the shrunk trace replaces its input, as `run` replaces the raw trace it shrank: a
  // second file next to it would be replayed by `ci` and replayTraces as one more trace.
  const out = writeTrace(o.out ?? file, r.trace, { replace: o.out === undefined });
  const before = countsText(trace.counts);
  const after = countsText(r.trace.counts);
  if (o.json) {
    const json: ShrinkJson = { trace: show(out), before: trace.counts, after: r.trace.counts, attempts: r.attempts, stoppedBy: r.stoppedBy, failure: r.trace.failure, races: r.trace.races ?? [], others: r.others.length };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(`shrunk ${show(file)}: ${before} -> ${after} (${plural(r.attempts, 'attempt')}, ${r.stoppedBy === 'minimal' ? 'minimal' : `stopped by ${r.stoppedBy}`})\n`);
    process.stdout.write(`saved ${show(out)}\n\n${formatFailureReport(r.trace, show(out), { verbose: o.verbose ?? false, colours: stdoutColours(o), maxWidth: terminalWidth() })}\n`);
    if (r.others.length > 0) process.stdout.write(`\nnote: ${r.others.length} different failure${r.others.length > 1 ? 's were' : ' was'} met while shrinking (not saved)\n`);
  }
  return EXIT.OK;
}

export function registerShrink(program: Command, setExit: SetExit): Command {
  return program
    .command('shrink')
    .description('minimize a failing trace: fewest preemptions, then steps, tasks and parameters, same bug')
    .argument('<trace>', 'trace file (JSON) recording a failure')
    .option('-o, --out <file>', 'where to write the shrunk trace (default: replace <trace>, atomically)', outputFile('--out'))
    .option('-d, --dir <dir>', 'folder to look for the scenario by name', 'scenarios')
    .option('--max-attempts <n>', `executions the shrinker may run (default ${DEFAULT_SHRINK_ATTEMPTS})`, count('--max-attempts'))
    .option('--watchdog <seconds>', 'shrink in a watched worker thread: a nearby schedule whose task runs this long without a scheduling point is cut short and skipped', positive('--watchdog'))
    .option(...TRUST_TRACE_PATHS)
    .option('--verbose', 'show every event in the timeline')
    .option('--json', 'machine-readable output')
    .option('--no-color', 'no colour')
    .addHelpText(
      'after',
      examplesHelp([{ what: 'shrink a saved trace into another file (an already minimal one stays as it is)', exit: EXIT.OK, command: 'interleave shrink traces/nested-submission.buggy.deadlock.json -o min.json' }]) + exitCodeHelp('shrink'),
    )
    .action(async (file: string, o: ShrinkCommandOptions) => setExit(await shrinkCommand(file, o)));
}
