import type { Command } from 'commander';
import { basename, dirname, extname, join } from 'node:path';
import { renderHtmlReport } from '../../report/html.js';
import { dotToSvg } from '../../report/svg.js';
import { plural, replayCommand } from '../../report/text.js';
import { waitGraphDot, waitGraphOfTrace } from '../../report/waitGraph.js';
import { readTrace, writeFileAtomic } from '../../trace/codec.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import { outputFile, show, type SetExit } from '../options.js';

interface ReportOptions {
  out?: string;
  dot?: boolean;
}

export async function reportCommand(file: string, o: ReportOptions): Promise<number> {
  const trace = readTrace(file);
  const { edges, cycle } = waitGraphOfTrace(trace);
  const dot = waitGraphDot(edges, cycle, `${trace.scenario.name} [${trace.variant}]`);
  if (o.dot) {
    if (o.out === undefined) process.stdout.write(dot);
    else {
      writeFileAtomic(o.out, dot, { replace: true });
      process.stdout.write(`wrote ${show(o.out)}\n`);
    }
    return EXIT.OK;
  }
  const out = o.out ?? join(dirname(file), `${basename(file, extname(file))}.html`);
  const html = renderHtmlReport({ trace, waitGraphSvg: await dotToSvg(dot), replayCommand: replayCommand(show(file)) });
  writeFileAtomic(out, html, { replace: true });
  process.stdout.write(`wrote ${show(out)} (${plural(trace.tasks.length, 'lane')}, ${plural(trace.counts.steps, 'step')}${trace.failure !== null ? `, ${trace.failure.kind}` : ''})\n`);
  return EXIT.OK;
}

export function registerReport(program: Command, setExit: SetExit): Command {
  return program
    .command('report')
    .description('write a self-contained HTML report of a trace (swimlane timeline, wait-for graph, failure, root cause, replay command), or its wait-for graph as DOT')
    .argument('<trace>', 'trace file (JSON)')
    .option('-o, --out <file>', 'output file (default: <trace>.html next to the trace; with --dot: stdout)', outputFile('--out'))
    .option('--dot', 'write the wait-for graph at the failure as Graphviz DOT instead')
    .addHelpText(
      'after',
      examplesHelp([{ what: 'an HTML report of a committed deadlock trace', exit: EXIT.OK, command: 'interleave report traces/nested-submission.buggy.deadlock.json -o report.html' }]) + exitCodeHelp('report'),
    )
    .action(async (file: string, o: ReportOptions) => setExit(await reportCommand(file, o)));
}
