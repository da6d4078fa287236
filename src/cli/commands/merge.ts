import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../../runtime/errors.js';
import { mergeAnyShardRuns, readShardFile, toExploreResult, type AnyShardRun } from '../../parallel/index.js';
import { formatExploreLine, formatFailureReport } from '../../report/text.js';
import { encodeTrace } from '../../trace/codec.js';
import { saveTraceOrFallback, UNSAVED_HEADER } from '../saveOrFallback.js';
import { stdoutColours } from '../colours.js';
import { EXIT } from '../exitCodes.js';
import { outputFolder, show, type SetExit, terminalWidth } from '../options.js';

interface MergeOptions {
  out: string;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/**
 * Combines the result files of `run --shard i/n` (one per CI machine) into the result one
 * machine would have found: per variant, the first failure by execution index and the
 * executions before it. Every shard of every variant must be present.
 */
export function mergeCommand(files: readonly string[], o: MergeOptions): number {
  const c = stdoutColours(o);
  const groups = new Map<string, AnyShardRun[]>();
  // Which file holds each shard, so a shard given twice names both files.
  const holder = new Map<string, string>();
  const seenFiles = new Set<string>();
  for (const f of files) {
    if (seenFiles.has(resolve(f))) throw new UsageError(`merge: ${f} is given twice`);
    seenFiles.add(resolve(f));
    for (const run of readShardFile(f).runs) {
      const key = `${run.scenario}\u0000${run.variant}`;
      const other = holder.get(`${key}\u0000${run.shard.index}`);
      if (other !== undefined) throw new UsageError(`merge: ${run.scenario}/${run.variant}: shard ${run.shard.index}/${run.shard.of} is in both ${other} and ${f}`);
      holder.set(`${key}\u0000${run.shard.index}`, f);
      const list = groups.get(key) ?? [];
      list.push(run);
      groups.set(key, list);
    }
  }
  const merged = [...groups.values()].map((runs) => mergeAnyShardRuns(runs));
  let failed = false;
  const json: unknown[] = [];
  for (const m of merged) {
    const r = toExploreResult(m);
    let saved: string | null = null;
    let unsaved: string | null = null;
    if (m.trace !== null) {
      failed = true;
      const trace = m.trace;
      // A merged failure must outlive a folder it cannot be written to, as in `run`.
      const outcome = saveTraceOrFallback(o.out, trace);
      if (outcome.error !== null) process.stderr.write(`interleave: ${outcome.error}\n`);
      saved = outcome.file;
      if (saved === null) unsaved = encodeTrace(trace);
    }
    if (o.json) {
      json.push({ scenario: m.scenario, variant: m.variant, executions: m.executions, steps: m.steps, failureAt: 'failureAt' in m ? m.failureAt : null, ...('complete' in m ? { complete: m.complete, completeExecutions: m.completeExecutions } : {}), ...('bound' in m && m.bound !== null ? { bound: m.bound } : {}), stoppedBy: m.stoppedBy, failure: m.failure, trace: saved === null ? null : show(saved), ...(unsaved !== null ? { unsavedTrace: unsaved } : {}) });
      continue;
    }
    process.stdout.write(`${formatExploreLine(r)} (merged from ${m.workers} worker${m.workers === 1 ? '' : 's'} over ${groups.get(`${m.scenario}\u0000${m.variant}`)!.length} shards)\n`);
    if (m.trace !== null) process.stdout.write(`\n${formatFailureReport(m.trace, saved === null ? null : show(saved), { verbose: o.verbose ?? false, colours: c, maxWidth: terminalWidth() })}\n\n`);
    if (unsaved !== null) process.stdout.write(`${UNSAVED_HEADER}\n${unsaved}\n`);
  }
  if (o.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  return failed ? EXIT.FAILURE : EXIT.OK;
}

export function registerMerge(program: Command, setExit: SetExit): Command {
  return program
    .command('merge')
    .description('combine the result files of run --shard i/n into the result of one unsharded run')
    .argument('<files...>', 'shard result files (shard-<i>-of-<n>.json)')
    .option('-o, --out <dir>', 'where the merged failure traces are saved', outputFolder('--out'), 'traces')
    .option('--verbose', 'show every event in timelines')
    .option('--json', 'machine-readable output')
    .option('--no-color', 'no colour')
    .addHelpText(
      'after',
      `
Example (a 4-machine CI matrix; each machine runs one shard, a last job merges):
  interleave run --all --seed 7 -n 100000 --shard 2/4 --shard-file results/shard-2.json
  interleave merge results/shard-*.json

Exit codes: 0 no failure, 1 failure found, 2 bad usage (missing or mismatched shards).`,
    )
    .action((files: string[], o: MergeOptions) => setExit(mergeCommand(files, o)));
}
