import type { Command } from 'commander';
import { plural } from '../../report/plural.js';
import { createInterface } from 'node:readline';
import { makeTarget } from '../../run.js';
import type { Colours } from '../../report/colour.js';
import { escapeControl, terminalSafe } from '../../report/escape.js';
import { formatTimeline } from '../../report/timeline.js';
import { explainWait } from '../../report/waitEdge.js';
import { formatWaitGraph } from '../../report/waitGraph.js';
import { TraceFileError, writeTrace } from '../../trace/codec.js';
import type { Trace } from '../../trace/schema.js';
import { stdoutColours } from '../colours.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import { ExploreSession } from '../explorer/session.js';
import { RunawayPick, type Probe, type Snapshot } from '../../snapshot.js';
import { WatchdogThread } from '../../robust/watchdog.js';
import { int, positive, show, type SetExit, terminalWidth } from '../options.js';
import { loadTargets } from './run.js';

interface ExploreOptions {
  dir: string;
  variant?: string;
  seed: number;
  color?: boolean;
  /** Seconds without a scheduling point before a picked task is called a runaway (runs in a watched thread); false or unset: in this thread. */
  watchdog?: number | false;
}

/** The interactive session's watchdog unless told otherwise: a person stepping an unknown scenario should not have to kill the terminal. */
export const EXPLORE_WATCHDOG_SECONDS = 5;

export const EXPLORE_HELP = `commands:
  <n> | <task name>   run that task's next operation (for a choice: the value)
  <operation>         run the task whose next operation this is: call load("k"), or load("k")
  run                 finish the execution with random choices (seeded by --seed)
  back                undo the last step
  graph               the wait-for graph now
  timeline            the interleaving so far
  save [file]         write the trace so far (default: explore.<scenario>.<variant>.json)
  save-runaway [file] after a pick that spun: write that runaway's trace (replays watched)
  help                this list
  quit                leave`;

/** What a blocked task waits for and who can end the wait, without the task's name (the line starts with it). */
function waitWords(b: Snapshot['blocked'][number]): string {
  return explainWait(b.task, b.resource, b.holders).slice(b.task.length + 1);
}

/** The prompt text for one decision point. */
export function formatSnapshot(s: Snapshot, c: Colours): string {
  const out: string[] = [];
  const time = s.now > 0 ? `, virtual time ${s.now}ms` : '';
  if (s.kind === 'end') {
    const r = s.result!;
    out.push(c.bold(`ended after step ${s.step}${time}: `) + (r.failure === null ? c.green('pass') : c.red(r.failure.message)));
    return out.join('\n');
  }
  out.push(c.bold(`step ${s.step}${time}`));
  if (s.kind === 'value') {
    out.push(`  a choice${s.label ? ` "${s.label}"` : ''}: pick a value 0..${s.values - 1} (what t.choose returns)`);
  } else {
    out.push('  enabled:');
    const w = Math.max(...s.enabled.map((e) => e.name.length));
    s.enabled.forEach((e, i) => out.push(`    ${c.cyan(String(i + 1))}) ${e.name.padEnd(w)}  ${e.op}`));
  }
  if (s.blocked.length > 0) {
    out.push('  blocked:');
    const w = Math.max(...s.blocked.map((b) => b.task.length));
    for (const b of s.blocked) out.push(`    ${b.task.padEnd(w)}  ${waitWords(b)}`);
  }
  if (s.held.length > 0) out.push(`  held: ${s.held.map((h) => `${h.task} holds ${h.resources.join(', ')}`).join('; ')}`);
  if (s.finished.length > 0) out.push(`  finished: ${s.finished.join(', ')}`);
  return out.join('\n');
}

/** Where the session reads commands and writes; the process's stdin and stdout but in tests. */
export interface ExploreIo {
  readonly input: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

/**
 * Reads commands one line at a time from stdin (terminal or pipe) until quit or end of input.
 * Exit 0; 130 after Ctrl-C on a terminal, like the other commands; 2 when the last `save`
 * failed and no later one succeeded (the session goes on after a failed save, so the schedule
 * built by hand can still be saved elsewhere).
 */
export async function exploreCommand(ref: string, o: ExploreOptions, io: ExploreIo = { input: process.stdin, output: process.stdout }): Promise<number> {
  const [loaded] = await loadTargets([ref], { dir: o.dir });
  const target = makeTarget(loaded!.scenario, { file: loaded!.file, ...(o.variant !== undefined ? { variant: o.variant } : {}) });
  // Watched, every run of the session happens in a worker thread: a picked task that spins is
  // reported and the pick undone, instead of freezing the terminal (Ctrl-C included).
  const seconds = typeof o.watchdog === 'number' ? o.watchdog : undefined;
  const thread = seconds !== undefined ? new WatchdogThread() : null;
  let interrupted = false;
  const probe: Probe | undefined =
    thread !== null ? (decisions, finishSeed) => thread.probe(loaded!.file, target, decisions, finishSeed, { seconds: seconds!, shouldStop: () => interrupted }) : undefined;
  const session = new ExploreSession(target, probe);
  const c = stdoutColours(o);
  // Not guarded by main (readline draws the prompt with escape sequences): every line printed is made safe here.
  const print = (s: string): void => {
    io.output.write(`${terminalSafe(s)}\n`);
  };
  const tty = io.input.isTTY === true;
  const rl = createInterface({ input: io.input, output: io.output, terminal: tty });
  // On a terminal, readline turns Ctrl-C into this event (with no listener it would just close, exit 0).
  rl.on('SIGINT', () => {
    interrupted = true;
    rl.close();
  });
  const lines = rl[Symbol.asyncIterator]();
  const traceSoFar = (): Promise<Trace> => session.trace();
  let saveFailed = false;
  /** Writes `trace`; a failure is one line on stderr, and the session goes on. */
  const save = (file: string, trace: Trace): boolean => {
    try {
      writeTrace(file, trace, { replace: true });
    } catch (e) {
      if (!(e instanceof TraceFileError)) throw e;
      saveFailed = true;
      process.stderr.write(`interleave: ${escapeControl(e.message)}\n`);
      print(`not saved; the session goes on (save to another file)`);
      return false;
    }
    saveFailed = false;
    return true;
  };
  /** The trace of the last pick whose task spun, until the next pick. */
  let runaway: Trace | null = null;

  print(`exploring ${target.scenario.name} [${target.variant}]; type help for commands`);
  let snap = await session.state();
  print(formatSnapshot(snap, c));
  try {
    for (;;) {
      io.output.write(tty ? c.bold('> ') : '> ');
      const next = await lines.next();
      if (next.done === true) {
        // Ctrl-C, Ctrl-D or the end of a script: leave the terminal on a new line after the prompt.
        print('');
        break;
      }
      const line = next.value.trim();
      if (!tty) print(line);
      if (line === '') continue;
      const [cmd, ...args] = line.split(/\s+/);
      if (cmd === 'quit' || cmd === 'q' || cmd === 'exit') break;
      if (cmd === 'help' || cmd === '?') {
        print(EXPLORE_HELP);
        continue;
      }
      if (cmd === 'graph') {
        print(formatWaitGraph(snap.blocked));
        continue;
      }
      if (cmd === 'timeline') {
        print(formatTimeline(await traceSoFar(), { colours: c, legend: false, maxWidth: terminalWidth() }));
        continue;
      }
      if (cmd === 'save') {
        const file = args[0] ?? `explore.${target.scenario.name}.${target.variant}.json`;
        const trace = await traceSoFar();
        if (!save(file, trace)) continue;
        print(`saved ${show(file)} (${plural(trace.decisions.length, 'decision')}${trace.failure !== null ? `, ${trace.failure.kind}` : snap.kind === 'end' ? ', pass' : ', unfinished'})`);
        continue;
      }
      if (cmd === 'save-runaway') {
        if (runaway === null) {
          print('no runaway to save: this command follows a pick whose task spun');
          continue;
        }
        const file = args[0] ?? `explore.${target.scenario.name}.${target.variant}.runaway.json`;
        if (!save(file, runaway)) continue;
        print(`saved ${show(file)} (${plural(runaway.decisions.length, 'decision')}, runaway: replay it with interleave replay ${show(file)})`);
        continue;
      }
      if (cmd === 'back') {
        if (await session.back()) {
          snap = await session.state();
          print(formatSnapshot(snap, c));
        } else print('nothing to undo');
        continue;
      }
      if (cmd === 'run') {
        if (snap.kind === 'end') {
          print('the execution has ended; back to undo, save to write it');
          continue;
        }
        try {
          snap = await session.finishRandomly(o.seed);
        } catch (e) {
          if (!(e instanceof RunawayPick)) throw e;
          runaway = e.spun.trace ?? null;
          print(`${e.message}; the random finish is dropped, the session is where it was (pick by hand${runaway !== null ? '; save-runaway [file] writes its trace' : ''})`);
          if (!interrupted) print(formatSnapshot(snap, c));
          continue;
        }
        print(formatTimeline(await traceSoFar(), { colours: c, legend: false, maxWidth: terminalWidth() }));
        print(formatSnapshot(snap, c));
        continue;
      }
      const pick = resolvePick(snap, line);
      if (typeof pick === 'string') {
        print(pick);
        continue;
      }
      try {
        snap = await session.choose(pick);
        runaway = null;
      } catch (e) {
        if (!(e instanceof RunawayPick)) throw e;
        // Ctrl-C while it spun: the session ends (exit 130), nothing to redraw.
        if (interrupted) {
          print(e.message);
          break;
        }
        runaway = e.spun.trace ?? null;
        print(`${e.message}; the pick is undone${runaway !== null ? ' (save-runaway [file] writes its trace)' : ''}`);
        snap = await session.state();
        print(formatSnapshot(snap, c));
        continue;
      }
      print(formatSnapshot(snap, c));
    }
  } finally {
    rl.close();
    await thread?.close();
  }
  if (interrupted) return EXIT.INTERRUPTED;
  return saveFailed ? EXIT.USAGE : EXIT.OK;
}

/** A task id or value for the input, or an error message. */
export function resolvePick(s: Snapshot, input: string): number | string {
  if (s.kind === 'end') return `the execution has ended; commands: back, save, timeline, graph, quit`;
  const n = /^\d+$/.test(input) ? Number(input) : NaN;
  if (s.kind === 'value') {
    return Number.isInteger(n) && n < s.values ? n : `pick a value 0..${s.values - 1}`;
  }
  if (Number.isInteger(n)) {
    const e = s.enabled[n - 1];
    return e === undefined ? `no task number ${input}; pick 1..${s.enabled.length}` : e.id;
  }
  const byName = s.enabled.find((e) => e.name === input);
  if (byName !== undefined) return byName.id;
  // A controlled call's task is named by call order (load, load#2), which the schedule changes: it is picked by its call too.
  const byOp = s.enabled.filter((e) => e.op === input || e.op === `call ${input}`);
  if (byOp.length === 1) return byOp[0]!.id;
  if (byOp.length > 1) return `"${input}" is the next operation of ${byOp.length} tasks: ${byOp.map((e) => e.name).join(', ')}; pick one by name or number`;
  const blocked = s.blocked.find((b) => b.task === input);
  if (blocked !== undefined) return `${input} is blocked: it ${waitWords(blocked)}`;
  return `unknown command or task "${input}"; type help`;
}

export function registerExplore(program: Command, setExit: SetExit): Command {
  return program
    .command('explore')
    .description('step through a scenario interactively: pick who runs next, undo, inspect the wait-for graph, save the trace')
    .argument('<scenario>', 'scenario name or file')
    .option('-d, --dir <dir>', 'folder of scenario modules', 'scenarios')
    .option('-v, --variant <name>', 'variant (default: the first)')
    .option('--seed <n>', 'seed for `run` (finish randomly)', int('--seed'), 1)
    .option('--no-color', 'no colour')
    .option('--watchdog <seconds>', 'each run happens in a watched worker thread: a picked task that runs this long without a scheduling point is reported and the pick undone', positive('--watchdog'), EXPLORE_WATCHDOG_SECONDS)
    .option('--no-watchdog', 'run in this thread (a task that spins freezes the session)')
    .addHelpText(
      'after',
      `\nReads commands from stdin, so it can be scripted.\n${examplesHelp([{ what: 'run the second enabled task, finish randomly, save the trace', exit: EXIT.OK, command: "printf '1\\n2\\nrun\\nsave t.json\\n' | interleave explore lock-hierarchy" }])}\n${EXPLORE_HELP}\n${exitCodeHelp('explore')}`,
    )
    .action(async (ref: string, o: ExploreOptions) => setExit(await exploreCommand(ref, o)));
}
