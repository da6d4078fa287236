import type { Command } from 'commander';
import { portableFailure } from '../../replay.js';
import { samplingJson, type RunJson } from '../jsonOutput.js';
import { explore, type ExploreResult, type Progress } from '../../explore.js';
import { findScenario, loadAll, type LoadedScenario } from '../../loader.js';
import type { Colours } from '../../report/colour.js';
import { ProgressLine } from '../../report/progress.js';
import { shrinkLines, shrinkWatched } from '../../robust/watchedShrink.js';
import { expectationMet, expectationText } from '../../expectation.js';
import { shrinkable } from '../../shrink/shrinkTrace.js';
import { formatExploreLine, formatFailureReport, formatTable, samplingLines, warningLines } from '../../report/text.js';
import { UsageError } from '../../runtime/errors.js';
import type { Trace } from '../../trace/schema.js';
import { encodeTrace } from '../../trace/codec.js';
import { stdoutColours } from '../colours.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import { listenForInterrupt } from '../interrupt.js';
import { setupError } from '../../robust/setupError.js';
import { confirmed } from '../../robust/freshReplay.js';
import { INCONCLUSIVE, isInconclusive } from '../../verdict/inconclusive.js';
import { exploreWatched, WatchdogThread } from '../../robust/watchdog.js';
import { runawayResult } from '../../parallel/runaway.js';
import { count, int, outputFile, outputFolder, positive, shardOption, show, strategyName, type SetExit, terminalWidth } from '../options.js';
import { join } from 'node:path';
import { saveOrFallback, saveThenShrink, UNSAVED_HEADER } from '../../trace/saveOrFallback.js';
import { workersWarning } from '../workersWarning.js';
import { InvalidArgumentError } from 'commander';
import { ownEntry } from '../../names.js';
import { overrideProblem, showValue } from '../../paramValues.js';
import { resolveParams, type ParamSpec } from '../../scenario.js';
import { isSplit, runSplit, shardFileName, toExploreResult, writeShardFile, type Shard, type AnyShardRun } from '../../parallel/index.js';
import { WorkerGroup } from '../../parallel/workerGroup.js';
import { escapeControl } from '../../report/escape.js';
import { spinMark } from '../../runtime/spinMark.js';

export interface RunOptions {
  dir: string;
  all?: boolean;
  variant?: string;
  strategy?: string;
  seed?: number;
  iterations?: number;
  timeLimit?: number;
  depth?: number;
  preemptionBound?: number;
  maxSteps?: number;
  out: string;
  shrink: boolean;
  json?: boolean;
  check?: boolean;
  verbose?: boolean;
  color?: boolean;
  checkDeterminism?: boolean;
  /** Seconds without a scheduling point before a task is reported as runaway (src/robust/watchdog.ts). */
  watchdog?: number;
  /** Worker threads for random/pct sampling (src/parallel). */
  workers?: number;
  /** CI shard: explore only this share of the executions (src/partition.ts). */
  shard?: Shard;
  /** Where a shard's results go (default: shard-<i>-of-<n>.json in --out). */
  shardFile?: string;
  /** `--param name=value` overrides of the scenario's parameter defaults (commander names it after the flag). */
  param?: Record<string, unknown>;
}

/** One variant's outcome, as `run`, `ci` and `npm start` report it. */
export interface VariantOutcome {
  readonly scenario: string;
  readonly variant: string;
  /** The declared expectation, as text (expectationText). */
  readonly expected: string;
  readonly found: string;
  /** `found` meets the declared expectation (expectationMet). */
  readonly match: boolean;
  readonly result: ExploreResult;
  /** The parameter values explored: the defaults, overridden by `--param` (shown in headers and JSON). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The trace printed and saved (shrunk when shrinking ran). */
  readonly trace: Trace | null;
  /** Where the trace is: in `out`, or a fallback in the OS temp dir when `out` could not be written. */
  readonly saved: string | null;
  /** One line naming the file in `out` that could not be written and why (see saveOrFallback). */
  readonly saveError: string | null;
  /** The exact text of a trace that could be written nowhere, for the caller to print: nothing is lost. */
  readonly unsavedTrace: string | null;
}

/** dfs, pb and db run the exhaustive search (src/search) through explore; every strategy name is accepted. */
export function checkStrategy(_name: string | undefined): void {}

export async function loadTargets(refs: readonly string[], o: { dir: string; all?: boolean }): Promise<LoadedScenario[]> {
  if (refs.length === 0 || o.all === true) return loadAll(o.dir);
  const out: LoadedScenario[] = [];
  for (const r of refs) out.push(await findScenario(r, o.dir));
  return out;
}

/**
 * Explores one variant with the budget the options give (else the variant's own), saves the
 * trace of a failure in `out` and returns the outcome. Progress goes to stderr. A trace that
 * cannot be written to `out` goes to the OS temp dir (or, failing that, into the outcome as
 * text) and is reported in `saveError`, never thrown: the failure found is not lost.
 */
export async function runVariant(
  loaded: LoadedScenario,
  variant: string,
  o: Omit<RunOptions, 'dir' | 'out'> & { out: string | null; shouldStop?: () => boolean; onShardRun?: (run: AnyShardRun) => void; threads?: WorkerGroup; watchdogThread?: WatchdogThread },
  progress: ProgressLine | null,
): Promise<VariantOutcome> {
  const { file, scenario } = loaded;
  if (ownEntry(scenario.variants, variant) === undefined) {
    throw new UsageError(`scenario ${scenario.name} has no variant "${variant}"; variants are: ${Object.keys(scenario.variants).join(', ')}`);
  }
  const label = `${scenario.name} [${variant}]`;
  checkParams(loaded, o.param);
  const onProgress = progress !== null ? (p: Progress): void => progress.update({ label, ...p }, p.elapsedMs) : undefined;
  const split = isSplit(o, loaded, variant)
    ? await runSplit(loaded, variant, { ...o, ...(o.param !== undefined ? { params: o.param } : {}), ...(onProgress !== undefined ? { onProgress } : {}) })
    : null;
  if (split !== null) o.onShardRun?.(split);
  // An unwatched exploration runs in this thread: a task spinning through promise reactions is
  // caught by the main-thread guard, which saves its trace in another thread from this description.
  const spinOut = split === null && o.watchdog === undefined ? o.out : null;
  if (spinOut !== null) spinMark.target = { file, variant, out: spinOut, ...(o.param !== undefined ? { params: o.param } : {}), ...(o.strategy !== undefined ? { strategy: o.strategy } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}) };
  const r = split !== null ? toExploreResult(split) : await exploreWatched(o.watchdog, loaded, {
    variant,
    file,
    ...(o.param !== undefined ? { params: o.param } : {}),
    ...(o.strategy !== undefined ? { strategy: o.strategy } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.iterations !== undefined ? { iterations: o.iterations } : {}),
    ...(o.timeLimit !== undefined ? { timeLimitMs: o.timeLimit * 1000 } : {}),
    ...(o.depth !== undefined ? { depth: o.depth } : {}),
    ...(o.preemptionBound !== undefined ? { preemptionBound: o.preemptionBound } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(onProgress !== undefined ? { onProgress } : {}),
    ...(o.shouldStop !== undefined ? { shouldStop: o.shouldStop } : {}),
    ...(o.checkDeterminism === true ? { checkDeterminism: true } : {}),
  }, o.watchdogThread).finally(() => {
    if (spinOut !== null) spinMark.target = null;
  });
  progress?.clear();
  return finishVariant(loaded, variant, r, { ...o, ...(o.param !== undefined ? { params: o.param } : {}) });
}

/**
 * The outcome of the variant whose exploration a signal stopped while one of its tasks kept this
 * thread from its event loop (called by the main-thread guard, through `spinMark.interrupted`,
 * inside the spin: synchronous): the executions that ended before, no failure, and the task that
 * was running, as a watched exploration interrupted in a spin reports it. Null when the spin is
 * not in this thread's exploration of it (its fresh replay or shrink: it is not counted).
 */
function spinInterrupted(loaded: LoadedScenario, variant: string, o: Pick<RunOptions, 'strategy' | 'seed' | 'param'>, elapsedMs: number): VariantOutcome | null {
  const run = spinMark.running;
  if (spinMark.target === null || run === null) return null;
  const { scenario } = loaded;
  const step = run.step - 1;
  const pulse = { beats: 0, execution: run.index, step, task: -1, steps: 0, log: null };
  const at = runawayResult(scenario, { variant, ...(o.strategy !== undefined ? { strategy: o.strategy } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) }, null, elapsedMs, pulse);
  const spinning = `task "${run.current?.name ?? 'main'}" was running without reaching a scheduling point after step ${step} of execution ${run.index}`;
  const result: ExploreResult = { ...at, executions: run.index, steps: 0, stoppedBy: 'interrupted', spinning };
  const declared = scenario.variants[variant]!.expect;
  const params = resolveParams(scenario, o.param) as Record<string, unknown>;
  return { scenario: scenario.name, variant, expected: expectationText(declared), found: 'pass', match: expectationMet(declared, 'pass'), result, params, trace: null, saved: null, saveError: null, unsavedTrace: null };
}

/**
 * A variant's exploration turned into its outcome: a broken scenario set-up is thrown as a
 * usage error; a failure is shrunk (when asked) and saved in `out`, as `runVariant` describes.
 * `ci` explores its variants several at once and finishes each here, in order.
 */
export async function finishVariant(
  loaded: LoadedScenario,
  variant: string,
  explored: ExploreResult,
  o: { readonly shrink: boolean; readonly out: string | null; readonly shouldStop?: () => boolean; readonly watchdog?: number; readonly watchdogThread?: WatchdogThread; readonly params?: Readonly<Record<string, unknown>> },
): Promise<VariantOutcome> {
  const { file, scenario } = loaded;
  const setup = setupError(show(file), scenario, variant, explored);
  if (setup !== null) throw setup;
  // A trace that would not replay in a new process is not saved: its failure is nondeterminism.
  const r = await confirmed(loaded, explored, o.watchdog);
  const declared = scenario.variants[variant]!.expect;
  const found = r.failure?.kind ?? (isInconclusive(r) ? INCONCLUSIVE : 'pass');
  // After a first Ctrl-C the raw trace is kept: shrinking would delay the exit. With the
  // watchdog, the shrinker's nearby schedules run watched too (one of them may spin).
  const shrink = async (t: Trace): Promise<Trace | null> => {
    if (!o.shrink || !shrinkable(t, o.watchdog !== undefined) || o.shouldStop?.() === true) return null;
    const r = await shrinkWatched(o.watchdog, loaded, t, { file, ...(o.shouldStop !== undefined ? { shouldStop: o.shouldStop } : {}) }, o.watchdogThread);
    process.stderr.write(shrinkLines(`${scenario.name} [${variant}]`, o.watchdog, r));
    return r.unshrunk === null ? r.trace : null;
  };
  let trace = r.trace;
  let saved: string | null = null;
  let saveError: string | null = null;
  if (trace !== null && o.out !== null) ({ trace, file: saved, error: saveError } = await saveThenShrink(o.out, trace, shrink));
  else if (trace !== null) trace = (await shrink(trace)) ?? trace;
  const unsavedTrace = trace !== null && o.out !== null && saved === null ? encodeTrace(trace) : null;
  const params = resolveParams(scenario, o.params) as Record<string, unknown>;
  return { scenario: scenario.name, variant, expected: expectationText(declared), found, match: expectationMet(declared, found), result: r, params, trace, saved, saveError, unsavedTrace };
}

/**
 * `--param` names must be the scenario's own (a typo would otherwise silently run the defaults),
 * and each value one of its parameter's (src/paramValues.ts): `refreshers=abc` or `=0` outside
 * its arbitrary would otherwise run something the scenario never meant, and may pass.
 */
function checkParams({ file, scenario }: LoadedScenario, params: Record<string, unknown> | undefined): void {
  if (params === undefined) return;
  const known = Object.keys(scenario.params ?? {});
  for (const name of Object.keys(params)) {
    if (!Object.hasOwn(scenario.params ?? {}, name)) {
      throw new UsageError(`scenario ${scenario.name} has no parameter "${name}"; parameters are: ${known.length > 0 ? known.join(', ') : '(none)'}`);
    }
  }
  const bad = overrideProblem(scenario.params as Record<string, ParamSpec<unknown>> | undefined, params);
  if (bad !== null) {
    const value = params[bad[0]];
    throw new UsageError(`${show(file)}: --param ${bad[0]}=${typeof value === 'string' ? value : showValue(value)}: ${bad[1]}`);
  }
}

/**
 * `name=value`, the value read as JSON when it parses (3, true, "x", [1,2]), else as text. An
 * empty value is refused (`name=""` is the empty string): `refreshers=` is a slip, not a value.
 */
function collectParam(entry: string, into: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = entry.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--param takes name=value, got "${entry}"`);
  const raw = entry.slice(eq + 1);
  if (raw.trim() === '') throw new InvalidArgumentError(`--param ${entry}: no value (write name=value; name='""' for the empty string)`);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // plain text
  }
  return { ...into, [entry.slice(0, eq)]: value };
}

export function outcomeRow(v: VariantOutcome): string[] {
  return [v.scenario, v.variant, v.expected, v.found, String(v.result.executions), v.match ? 'ok' : 'MISMATCH', v.saved === null ? '' : show(v.saved)];
}

export const OUTCOME_HEADER = ['scenario', 'variant', 'expected', 'found', 'executions', 'match', 'trace'] as const;

export function formatOutcomeTable(rows: readonly VariantOutcome[], c: Colours): string {
  const table = formatTable(OUTCOME_HEADER, rows.map(outcomeRow));
  return table
    .split('\n')
    .map((line) => (line.endsWith('MISMATCH') || / MISMATCH /.test(line) ? c.red(line) : line))
    .join('\n');
}

export async function runCommand(refs: string[], o: RunOptions): Promise<number> {
  checkStrategy(o.strategy);
  const oversubscribed = workersWarning(o.workers);
  if (oversubscribed !== null) process.stderr.write(`${oversubscribed}\n`);
  const c = stdoutColours(o);
  const loaded = await loadTargets(refs, o);
  const outcomes: VariantOutcome[] = [];
  const progress = new ProgressLine(process.stderr);
  const interrupt = listenForInterrupt();
  const shouldStop = (): boolean => interrupt.requested;
  const shardRuns: AnyShardRun[] = [];
  // One set of worker threads for every variant: each starts once and stays warm; so does the
  // watchdog's thread (a new one only after a task spun in it).
  const threads = new WorkerGroup();
  const watchdogThread = o.watchdog !== undefined ? new WatchdogThread() : undefined;
  const report = (v: VariantOutcome): void => {
    if (v.saveError !== null) process.stderr.write(`interleave: ${v.saveError}\n`);
    if (o.json) return;
    process.stdout.write(`${formatExploreLine(v.result, o.shard, v.params)}\n${samplingLines(v.result)}`);
    if (v.result.spinning !== undefined) process.stdout.write(`interrupted while ${v.result.spinning}\n`);
    process.stdout.write(warningLines(v.result, c));
    if (v.trace === null && v.result.failure !== null) process.stdout.write(`\n${escapeControl(v.result.failure.message)}\n\n`);
    if (v.trace !== null) process.stdout.write(`\n${formatFailureReport(v.trace, v.saved === null ? null : show(v.saved), { verbose: o.verbose ?? false, colours: c, maxWidth: terminalWidth() })}\n\n`);
    if (v.unsavedTrace !== null) process.stdout.write(`${UNSAVED_HEADER}\n${v.unsavedTrace}\n`);
  };
  // A signal while a task keeps this thread from its event loop (a spin: the listener above can
  // never run) reaches the main-thread guard, which ends the run here, with the same summary.
  let exploring: { readonly loaded: LoadedScenario; readonly variant: string; readonly startedMs: number } | null = null;
  spinMark.interrupted = (signal) => {
    progress.clear();
    process.stderr.write(`\ninterleave: ${signal}: stopping now (a task never returns to the event loop, so its execution cannot end); the failures found so far are saved\n`);
    const stopped = exploring !== null ? spinInterrupted(exploring.loaded, exploring.variant, o, performance.now() - exploring.startedMs) : null;
    if (stopped !== null) {
      outcomes.push(stopped);
      report(stopped);
    }
    return conclude(true);
  };
  try {
    for (const l of loaded) {
      const variants = o.variant !== undefined ? [o.variant] : Object.keys(l.scenario.variants);
      for (const variant of variants) {
        if (interrupt.requested) break;
        exploring = { loaded: l, variant, startedMs: performance.now() };
        const v = await runVariant(l, variant, { ...o, shouldStop, onShardRun: (run) => shardRuns.push(run), threads, ...(watchdogThread !== undefined ? { watchdogThread } : {}) }, progress);
        exploring = null;
        outcomes.push(v);
        report(v);
      }
    }
  } finally {
    spinMark.interrupted = null;
    interrupt.dispose();
    await threads.close();
    await watchdogThread?.close();
  }
  return conclude(interrupt.requested);

  /** Prints the shard file's place, the JSON or the table, and the interrupted line; returns the exit code. */
  function conclude(interrupted: boolean): number {
    let saveFailed = outcomes.some((v) => v.saveError !== null);
    if (o.shard !== undefined) {
      const shard = o.shard;
      const s = saveOrFallback(o.shardFile ?? join(o.out, shardFileName(shard)), (f) => writeShardFile(f, shard, shardRuns));
      if (s.error !== null) {
        saveFailed = true;
        process.stderr.write(`interleave: ${s.error}\n`);
      }
      if (s.file !== null) process.stderr.write(`interleave: shard ${shard.index}/${shard.of} results written to ${show(s.file)} (combine them with interleave merge)\n`);
    }
    if (o.json) {
      const json: RunJson = outcomes.map((v) => ({
        scenario: v.scenario,
        variant: v.variant,
        expected: v.expected,
        found: v.found,
        match: v.match,
        params: v.params,
        executions: v.result.executions,
        ...samplingJson(v.result),
        // A search says what it established, as its summary line does (and as merge --json does).
        ...(v.result.search !== undefined ? { complete: v.result.search.complete, completeExecutions: v.result.search.completeExecutions, stoppedBy: v.result.search.stoppedBy, crossCheck: v.result.search.crossCheck, ...(v.result.search.bound !== null ? { bound: v.result.search.bound } : {}) } : { stoppedBy: v.result.stoppedBy }),
        // The failure as the saved trace records it (shrunk, when shrinking ran).
        failure: v.trace?.failure ?? (v.result.failure === null ? null : portableFailure(v.result.failure)),
        warnings: v.result.warnings,
        trace: v.saved === null ? null : show(v.saved),
        saveError: v.saveError,
        ...(v.unsavedTrace !== null ? { unsavedTrace: v.unsavedTrace } : {}),
      }));
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else if (outcomes.length > 1) process.stdout.write(`\n${formatOutcomeTable(outcomes, c)}\n`);
    const failed = outcomes.some((v) => (o.check ? !v.match : v.result.failure !== null));
    if (interrupted) {
      const saved = outcomes.filter((v) => v.saved !== null).length;
      process.stderr.write(`interleave: interrupted: ${outcomes.length} variant${outcomes.length === 1 ? '' : 's'} explored, ${saved} trace${saved === 1 ? '' : 's'} saved\n`);
      // Failures found are real; without one, an interrupted run is not a pass.
      if (!failed) return EXIT.INTERRUPTED;
    }
    if (failed) return EXIT.FAILURE;
    // Nothing failed, but a variant established nothing: not a pass.
    if (outcomes.some((v) => v.found === INCONCLUSIVE)) return EXIT.INCONCLUSIVE;
    // Nothing failed, but a file (an expected failure's trace, the shard results) is not where asked.
    return saveFailed ? EXIT.USAGE : EXIT.OK;
  }
}

/** Printed on stdout above the text of a trace that could be written nowhere. */

export function registerRun(program: Command, setExit: SetExit): Command {
  return program
    .command('run')
    .description('explore scenarios; save and print every failure found with its interleaving and replay command')
    .argument('[scenario...]', 'scenario names or files (default: every scenario in --dir)')
    .option('-d, --dir <dir>', 'folder of scenario modules', 'scenarios')
    .option('-a, --all', 'run every scenario in --dir')
    .option('-v, --variant <name>', 'only this variant (default: every variant)')
    .option('-s, --strategy <name>', 'random | pct | portfolio | pos | fuzz | dfs | pb | db | first-enabled | round-robin (dfs: every schedule, with reduction; pb/db: every schedule with at most k preemptions/delays, k = 0..--preemption-bound; portfolio: random and pct at depths 1-3 by turns; default: the variant budget, else random)', strategyName)
    .option('--seed <n>', 'seed of the first execution', int('--seed'))
    .option('-n, --iterations <n>', 'random/pct/portfolio/pos/fuzz: executions per variant (default: the variant budget, else 1000); dfs/pb/db: a cap on executions (default none), on each unit of the search when --workers or --shard split it', count('--iterations'))
    .option('-t, --time-limit <seconds>', 'stop each variant after this long', positive('--time-limit'))
    .option('--depth <d>', 'PCT bug depth', count('--depth'))
    .option('--preemption-bound <k>', 'largest bound for pb (preemptions) and db (delays); default: the variant budget, else 2', int('--preemption-bound'))
    .option('--max-steps <n>', 'steps after which a run is a livelock', count('--max-steps'))
    .option('-o, --out <dir>', 'where traces are saved', outputFolder('--out'), 'traces')
    .option('--no-shrink', 'save the failing trace as found, without shrinking it')
    .option('--check', 'exit 0 when every variant matches its declared expectation (a failure that was expected is fine)')
    .option('--watchdog <seconds>', 'explore in a worker thread; a task that runs this long without a scheduling point is reported as a runaway livelock', positive('--watchdog'))
    .option('--check-determinism', 'record every execution and replay it once more, comparing event logs (slower; catches Math.random, Date.now, outside state)')
    .option('--verbose', 'show every event in timelines')
    .option('--json', 'machine-readable output')
    .option('--no-color', 'no colour (also NO_COLOR=1; colour is only used on a terminal)')
    .option('-w, --workers <n>', 'worker threads for random/pct/portfolio/fuzz sampling and dfs/pb/db search (the result does not depend on the count; for dfs/pb/db, any --workers, 1 included, runs the search in units)', count('--workers'))
    .option('-p, --param <name=value>', 'override a scenario parameter (repeatable), e.g. --param plans=1', collectParam)
    .option('--shard <i/n>', 'explore only shard i of n (CI matrix); combine the shard files with interleave merge', shardOption)
    .option('--shard-file <file>', 'where --shard writes its results (default: <out>/shard-<i>-of-<n>.json)', outputFile('--shard-file'))
    .addHelpText(
      'after',
      examplesHelp([
        { what: 'real code: two requests fetch the same profile twice; prints and saves the shrunk failure', exit: EXIT.FAILURE, command: 'interleave run examples/real-code/cache.scenario.ts --variant buggy' },
        { what: 'the fix holds on every schedule (exhaustive search)', exit: EXIT.OK, command: 'interleave run lock-hierarchy --variant fixed --strategy dfs' },
        { what: 'every variant of one scenario against what it declares (--all: every scenario, as npm start)', exit: EXIT.OK, command: 'interleave run lock-hierarchy --check' },
      ]) +
        exitCodeHelp('run') +
        '\n\nA trace or shard file that cannot be written (folder not writable, disk full) goes to a new interleave-*\n' +
        'folder of the OS temp dir instead: stderr names both files, the report points there, the other variants still run.',
    )
    .action(async (refs: string[], o: RunOptions) => setExit(await runCommand(refs, o)));
}
