import type { Command } from 'commander';
import type { CiJson, CiJsonRow } from '../jsonOutput.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ScenarioLoadError } from '../../loader.js';
import { ProgressLine } from '../../report/progress.js';
import type { ReplayReport } from '../../replay.js';
import { replaySaved } from '../../robust/replaySaved.js';
import { WatchdogThread } from '../../robust/watchdog.js';
import { formatJUnit, type JUnitCase } from '../../report/junit.js';
import { executionCount, formatTable, plural, replayCommand } from '../../report/text.js';
import { shellQuote } from '../../report/shellQuote.js';
import { displayLocation } from '../../trace/paths.js';
import { escapeControl } from '../../report/escape.js';
import { whereLines } from '../../report/where.js';
import { readTrace, TraceFileError, writeFileAtomic } from '../../trace/codec.js';
import { checkTraceTarget } from '../../robust/traceTarget.js';
import { stdoutColours } from '../colours.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import { locateScenario } from '../../trace/locateScenario.js';
import { count, outputFile, outputFolder, positive, shardOption, show, TRUST_TRACE_PATHS, type SetExit } from '../options.js';
import { trustedScenarioFile } from '../../trace/scenarioFile.js';
import type { Trace } from '../../trace/schema.js';
import { saveOrFallback, UNSAVED_HEADER } from '../../trace/saveOrFallback.js';
import { finishVariant, loadTargets, type VariantOutcome } from './run.js';
import { exploreVariants, type VariantJob } from '../../parallel/exploreVariants.js';
import { inShard, type Shard } from '../../partition.js';
import { workersWarning } from '../workersWarning.js';
import { spinMark } from '../../runtime/spinMark.js';
import type { Failure } from '../../runtime/failure.js';
import type { ExploreResult } from '../../explore.js';
import { NO_COLOUR, type Colours } from '../../report/colour.js';
import { resolveParams } from '../../scenario.js';
import { expectationMet, expectationText } from '../../expectation.js';

interface CiOptions {
  dir: string;
  traces: string;
  out?: string;
  junit?: string;
  json?: boolean;
  color?: boolean;
  /** Seconds without a scheduling point before a task is reported as runaway (src/robust/watchdog.ts). */
  watchdog?: number;
  /** Every execution of every variant recorded and replayed once more (src/verdict/determinism.ts). */
  checkDeterminism?: boolean;
  /** Variants explored at once: this thread and n - 1 worker threads. */
  workers?: number;
  /** Check only this share of the items (a CI matrix job). */
  shard?: Shard;
  /** A saved trace may name a scenario module outside the project and --dir. */
  trustTracePaths?: boolean;
}

/** One checked item: a scenario variant against its expectation, or a trace against its recorded outcome. */
interface CiRow {
  readonly kind: 'variant' | 'trace';
  readonly name: string;
  /** The parameter values the variant was explored with, or the trace records (null: the trace was unreadable). */
  readonly params: Readonly<Record<string, unknown>> | null;
  readonly expected: string;
  readonly found: string;
  /** `found` meets `expected` (the same word as run's and merge's `match`). */
  readonly match: boolean;
  /** A variant: the trace saved with --out, else null; a saved trace: its file. As printed (`show`). */
  readonly trace: string | null;
  readonly seconds: number;
  readonly detail: string;
}

function traceFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .sort()
    .map((f) => join(dir, f));
}

/** A saved trace, or why it cannot be read (a row of its own, not the end of the job). */
function readSaved(file: string): Trace | TraceFileError {
  try {
    return readTrace(file);
  } catch (e) {
    if (e instanceof TraceFileError) return e;
    throw e;
  }
}

/**
 * What a trace row found, for the `found` column: the recorded outcome when reproduced, `pass`
 * when the recorded failure no longer happens (a fix: delete or re-record the trace), `diverged`
 * when the scenario departs from the recorded decisions, else the new failure's kind (`(elsewhere)`
 * when it is the recorded kind at another step or with another message). Only `reproduced` matches.
 */
function traceFound(r: ReplayReport, expected: string): string {
  switch (r.outcome) {
    case 'reproduced':
      return expected;
    case 'passes-now':
      return 'pass';
    case 'diverged':
      return 'diverged';
    case 'different-failure': {
      const kind = r.result.failure?.kind ?? 'pass';
      return kind === expected ? `${kind} (elsewhere)` : kind;
    }
  }
}

/**
 * What a variant's row says (under MISMATCH, and in the JUnit failure): the failure's message and
 * where it was thrown, or how many executions found nothing; then the trace and the command that
 * replays it, the trace's text when it could be written nowhere, or, unsaved (no --out), the
 * command that finds it again (the same budget and seed, and the flags that change what an
 * exploration finds: the same failure, saved and shrunk).
 */
function variantDetail(v: Pick<VariantOutcome, 'variant' | 'saved' | 'unsavedTrace'> & { readonly result: Pick<ExploreResult, 'failure' | 'executions'> }, file: string, o: Pick<CiOptions, 'watchdog' | 'checkDeterminism'>): string {
  const f = v.result.failure;
  // Escaped: the detail is printed line by line, so a newline in a message must not start a line of its own.
  const lines = [escapeControl(f?.message ?? `no failure in ${executionCount(v.result.executions)}`)];
  lines.push(...whereLines(f, displayLocation));
  if (v.saved !== null) lines.push(`trace: ${show(v.saved)}`, `replay: ${replayCommand(show(v.saved))}`);
  else if (v.unsavedTrace !== null) lines.push(UNSAVED_HEADER, v.unsavedTrace);
  else if (f !== null) {
    const flags = `${o.checkDeterminism === true ? ' --check-determinism' : ''}${o.watchdog !== undefined ? ` --watchdog ${o.watchdog}` : ''}`;
    lines.push(`reproduce: npx interleave run ${shellQuote(show(file))} --variant ${shellQuote(v.variant)}${flags} (saves its trace)`);
  }
  return lines.join('\n');
}

/**
 * The race-regression job: every scenario variant explored with its declared budget must end as
 * declared (a `pass` variant must not fail, a buggy one must fail with its kind), and every saved
 * trace must still replay to its recorded outcome. With `--workers n` the variants are explored n
 * at a time (each whole, so each finds what it finds alone); with `--shard i/n` only every n-th
 * item is checked, so n matrix jobs together check each item exactly once.
 */
export async function ciCommand(o: CiOptions): Promise<number> {
  const oversubscribed = workersWarning(o.workers);
  if (oversubscribed !== null) process.stderr.write(`${oversubscribed}\n`);
  const c = stdoutColours(o);
  const rows: CiRow[] = [];
  const saveErrors: string[] = [];
  // Every saved trace is read, and the scenario module it names checked, before anything is
  // imported: a trace naming a module outside the project is refused (exit 2), never run.
  const traces = traceFiles(o.traces);
  const readings = traces.map(readSaved);
  for (const [k, r] of readings.entries()) {
    if (!(r instanceof Error) && r.scenario.file !== undefined) trustedScenarioFile(r.scenario.file, traces[k]!, { dir: o.dir, trust: o.trustTracePaths === true });
  }
  const variants: VariantJob[] = [];
  for (const loaded of await loadTargets([], { dir: o.dir })) for (const variant of Object.keys(loaded.scenario.variants)) variants.push({ loaded, variant });
  // Items are numbered variants first, then traces, and dealt round-robin to the shards.
  const mine = (k: number): boolean => o.shard === undefined || inShard(k, o.shard);
  const jobs = variants.filter((_, k) => mine(k));
  // A long job shows it is alive (CI services end a job that prints nothing for ~10 minutes).
  const progress = new ProgressLine(process.stderr);
  const start = performance.now();
  let explored = 0;
  const onDone = (): void => {
    explored++;
    const now = performance.now();
    if (now - start >= (process.stderr.isTTY ? 1000 : 5000)) progress.show(`ci: ${explored} of ${plural(jobs.length, 'variant')} explored, ${((now - start) / 1000).toFixed(1)}s`, now);
  };
  // A variant explored unwatched in this thread whose task spins through promise reactions is
  // reported by the main-thread guard, with its trace, from this description (src/cli/spinTrace.ts).
  const others = jobs.length + traces.filter((_, k) => mine(variants.length + k)).length - 1;
  const here = (job: VariantJob | null): void => {
    spinMark.target = job === null ? null : { file: job.loaded.file, variant: job.variant, out: o.out ?? null, ci: ciSpinItem(job, others, o) };
  };
  const results = await exploreVariants(jobs, {
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.watchdog !== undefined ? { watchdog: o.watchdog } : {}),
    ...(o.checkDeterminism === true ? { checkDeterminism: true } : {}),
    onDone,
    here,
  }).finally(() => here(null));
  progress.clear();
  for (const [k, job] of jobs.entries()) {
    const v = await finishVariant(job.loaded, job.variant, results[k]!, { shrink: false, out: o.out ?? null });
    const detail = variantDetail(v, job.loaded.file, o);
    if (v.saveError !== null) {
      saveErrors.push(v.saveError);
      process.stderr.write(`interleave: ${v.saveError}\n`);
    }
    rows.push({ kind: 'variant', name: `${v.scenario} [${job.variant}]`, params: v.params, expected: v.expected, found: v.found, match: v.match, trace: v.saved === null ? null : show(v.saved), seconds: v.result.elapsedMs / 1000, detail });
  }
  // Watched, the trace replays share one watched thread (a replay goes on first-enabled past its
  // decisions, and may spin there); a runaway's trace is replayed watched in any case.
  const replayThread = new WatchdogThread();
  try {
    for (const [k, file] of traces.entries()) {
      const read = readings[k]!;
      if (!mine(variants.length + k)) continue;
      const t0 = performance.now();
      let row: CiRow;
      try {
        if (read instanceof Error) throw read;
        const trace = read;
        const expected = trace.failure === null ? 'pass' : trace.failure.kind;
        const loaded = await locateScenario(trace.scenario, o.dir, file, { trust: o.trustTracePaths === true });
        checkTraceTarget(trace, loaded.scenario, file);
        const r = await replaySaved(loaded, trace, { ...(o.watchdog !== undefined ? { seconds: o.watchdog } : {}), thread: replayThread });
        const found = traceFound(r, expected);
        const match = r.outcome === 'reproduced';
        row = { kind: 'trace', name: show(file), params: trace.params, expected, found, match, trace: show(file), seconds: 0, detail: match ? escapeControl(r.message) : `${escapeControl(r.message)}\nreplay: ${replayCommand(show(file))}` };
      } catch (e) {
        if (!(e instanceof TraceFileError || e instanceof ScenarioLoadError)) throw e;
        row = { kind: 'trace', name: show(file), params: null, expected: '?', found: 'unreadable', match: false, trace: show(file), seconds: 0, detail: escapeControl(e.message) };
      }
      rows.push({ ...row, seconds: (performance.now() - t0) / 1000 });
    }
  } finally {
    await replayThread.close();
  }
  const failed = rows.filter((r) => !r.match).length;
  let junit: string | null = null;
  if (o.junit !== undefined) {
    const cases: JUnitCase[] = rows.map((r) => ({
      suite: r.kind === 'variant' ? 'scenarios' : 'traces',
      classname: r.kind === 'variant' ? 'interleave.scenarios' : 'interleave.traces',
      name: r.name,
      seconds: r.seconds,
      failure: r.match ? null : { message: `expected ${r.expected}, found ${r.found}: ${r.detail.split('\n')[0]!}`, detail: r.detail },
    }));
    const xml = formatJUnit(cases);
    // The rows are printed below whatever happens here: a report that cannot be written costs no result.
    const s = saveOrFallback(o.junit, (f) => writeFileAtomic(f, xml));
    junit = s.file;
    if (s.error !== null) {
      saveErrors.push(s.error);
      process.stderr.write(`interleave: ${s.error}\n`);
    }
  }
  if (o.json) {
    const json: CiJson = { matched: rows.length - failed, mismatched: failed, ...(o.shard !== undefined ? { shard: `${o.shard.index}/${o.shard.of}` } : {}), rows: rows.map(jsonRow) };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(formatRows(rows, c));
    const where = o.junit === undefined ? '' : junit !== null ? `; JUnit XML in ${show(junit)}` : '; JUnit XML not written (see stderr)';
    const share = o.shard === undefined ? '' : ` (shard ${o.shard.index}/${o.shard.of}: ${rows.length} of ${plural(variants.length + traces.length, 'item')})`;
    process.stdout.write(`\n${rows.length - failed} matched, ${failed} mismatched${share}${where}\n`);
  }
  if (failed > 0) return EXIT.FAILURE;
  // Everything matched, but a file asked for (JUnit report, a trace for --out) is not where asked.
  return saveErrors.length > 0 ? EXIT.USAGE : EXIT.OK;
}

/** A row as `ci --json` prints it (src/cli/jsonOutput.ts): without its time, which varies from run to run. */
function jsonRow({ seconds: _s, ...row }: CiRow): CiJsonRow {
  return row;
}

/** The rows as a table, then each mismatch with its detail (not the count line under them). */
function formatRows(rows: readonly CiRow[], c: Colours): string {
  const table = formatTable(
    ['kind', 'name', 'expected', 'found', 'result'],
    rows.map((r) => [r.kind, r.name, r.expected, r.found, r.match ? 'ok' : 'MISMATCH']),
  );
  let text = `${table.split('\n').map((l) => (l.endsWith('MISMATCH') ? c.red(l) : l)).join('\n')}\n`;
  for (const r of rows.filter((x) => !x.match)) text += `\n${c.red(`MISMATCH ${escapeControl(r.name)}: expected ${r.expected}, found ${r.found}`)}\n  ${r.detail.split('\n').join('\n  ')}\n`;
  return text;
}

/**
 * What `ci` tells the main-thread guard about the variant it explores in this thread
 * (`spinMark.target`), for the report of a task there that spins through promise reactions:
 * the job cannot go on past it (src/cli/mainThreadGuard.ts), so that item is reported alone.
 */
export interface CiSpinItem {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly expected: string;
  /** The variant declares a livelock. */
  readonly ok: boolean;
  /** Every other item of the job, none of them reported. */
  readonly others: number;
  readonly json: boolean;
  readonly checkDeterminism: boolean;
}

function ciSpinItem(job: VariantJob, others: number, o: CiOptions): CiSpinItem {
  const { scenario } = job.loaded;
  const declared = scenario.variants[job.variant]!.expect;
  const params = resolveParams(scenario, undefined) as Record<string, unknown>;
  return { name: `${scenario.name} [${job.variant}]`, params, expected: expectationText(declared), ok: expectationMet(declared, 'livelock'), others, json: o.json === true, checkDeterminism: o.checkDeterminism === true };
}

/**
 * `ci`'s report of a spinning variant (called by src/cli/spinTrace.ts, in the guard's worker): its
 * row, found `livelock`, with the failure, and its trace saved in `saved` (else its text, or the
 * command that saves it: no --out), then why the other items have no row.
 */
export function ciSpinReport(item: CiSpinItem, file: string, variant: string, failure: Failure, saved: string | null, unsavedTrace: string | null): string {
  const detail = variantDetail({ variant, saved, unsavedTrace, result: { failure, executions: 0 } }, file, { checkDeterminism: item.checkDeterminism });
  const row: CiRow = { kind: 'variant', name: item.name, params: item.params, expected: item.expected, found: 'livelock', match: item.ok, trace: saved === null ? null : show(saved), seconds: 0, detail };
  const left = item.others === 0 ? '' : item.others === 1 ? ': the other item was not checked' : `: the other ${item.others} items were not checked`;
  const stopped = `ci stopped at this item (a task never returns to the event loop)${left}`;
  const [matched, mismatched] = item.ok ? [1, 0] : [0, 1];
  const json: CiJson = { matched, mismatched, stopped, rows: [jsonRow(row)] };
  if (item.json) return `${JSON.stringify(json, null, 2)}\n`;
  return `${formatRows([row], NO_COLOUR)}\n${matched} matched, ${mismatched} mismatched; ${stopped}\n`;
}

export function registerCi(program: Command, setExit: SetExit): Command {
  return program
    .command('ci')
    .description('race-regression check: every scenario variant against its declared expectation and budget, every saved trace replayed to its recorded outcome')
    .option('-d, --dir <dir>', 'folder of scenario modules', 'scenarios')
    .option('--traces <dir>', 'folder of saved traces to replay (skipped when missing)', 'traces')
    .option('-o, --out <dir>', 'also save the trace of every failure found here', outputFolder('--out'))
    .option('--junit <file>', 'write a JUnit XML report', outputFile('--junit'))
    .option('--watchdog <seconds>', 'explore each variant, and replay each saved trace, in a worker thread; a task that runs this long without a scheduling point is reported as a runaway livelock instead of hanging the job (a runaway\'s saved trace is replayed watched in any case)', positive('--watchdog'))
    .option('--check-determinism', 'record every execution of every variant and replay it once more, comparing event logs (slower; a scenario using Math.random, Date.now or outside state is a nondeterminism mismatch)')
    .option('-w, --workers <n>', 'explore n variants at once: this thread and n - 1 worker threads (each variant finds what it finds alone)', count('--workers'))
    .option('--shard <i/n>', 'check only every n-th item (variants, then traces), starting with the i-th: n CI jobs together check everything once', shardOption)
    .option(...TRUST_TRACE_PATHS)
    .option('--json', 'machine-readable output')
    .option('--no-color', 'no colour')
    .addHelpText(
      'after',
      examplesHelp([
        { what: 'job 1 of a 4-job CI matrix (in GitHub Actions: --shard ${{ matrix.shard }}/4), with a JUnit report', exit: EXIT.OK, command: 'interleave ci --workers 2 --shard 1/4 --junit reports/ci-1.xml' },
      ]) + exitCodeHelp('ci'),
    )
    .action(async (o: CiOptions) => setExit(await ciCommand(o)));
}
