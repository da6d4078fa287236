import type { Command } from 'commander';
import { portableFailure } from '../../replay.js';
import { samplingJson, type MergeJson } from '../jsonOutput.js';
import { resolve } from 'node:path';
import { findScenario, ScenarioLoadError } from '../../loader.js';
import { UsageError } from '../../runtime/errors.js';
import { makeTarget, type Target } from '../../run.js';
import { crossChecked } from '../../parallel/searchParallel.js';
import { confirmed } from '../../robust/freshReplay.js';
import { mergeAnyShardRuns, readShardFile, toExploreResult, type AnyShardRun } from '../../parallel/index.js';
import { formatExploreLine, formatFailureReport, formatTable, samplingLines, warningLines } from '../../report/text.js';
import { shrinkLines, shrinkWatched } from '../../robust/watchedShrink.js';
import { expectationMet, expectationText, type Expectation } from '../../expectation.js';
import { shrinkable } from '../../shrink/shrinkTrace.js';
import { encodeTrace } from '../../trace/codec.js';
import type { Trace } from '../../trace/schema.js';
import { saveThenShrink, UNSAVED_HEADER } from '../../trace/saveOrFallback.js';
import { stdoutColours } from '../colours.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import { locateScenario } from '../../trace/locateScenario.js';
import { outputFolder, positive, show, type SetExit, terminalWidth, TRUST_TRACE_PATHS } from '../options.js';
import { trustedScenarioFile } from '../../trace/scenarioFile.js';
import { escapeControl } from '../../report/escape.js';

interface MergeOptions {
  out: string;
  dir: string;
  shrink: boolean;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  /** Exit 0 when every variant found what it declares (`expect`), as `run --check`. */
  check?: boolean;
  /** Shrink in a watched thread (src/robust/watchedShrink.ts): for scenarios whose tasks may spin. */
  watchdog?: number;
  /** A shard file's trace may name a scenario module outside the project and --dir. */
  trustTracePaths?: boolean;
}

/**
 * Combines the result files of `run --shard i/n` (one per CI machine) into the result one
 * machine would have found: per variant, the first failure by execution index and the
 * executions before it, shrunk as `run` shrinks it. Every shard of every variant must be present.
 */
export async function mergeCommand(files: readonly string[], o: MergeOptions): Promise<number> {
  const c = stdoutColours(o);
  // Each variant's runs, with the file that holds each, so a refusal names the files.
  const groups = new Map<string, { runs: AnyShardRun[]; files: string[] }>();
  const seenFiles = new Set<string>();
  for (const f of files) {
    if (seenFiles.has(resolve(f))) throw new UsageError(`merge: ${f} is given twice`);
    seenFiles.add(resolve(f));
    for (const run of readShardFile(f).runs) {
      checkScenarioFiles(run, f, o);
      const key = `${run.scenario}\u0000${run.variant}`;
      const group = groups.get(key) ?? { runs: [], files: [] };
      group.runs.push(run);
      group.files.push(f);
      groups.set(key, group);
    }
  }
  // Every group is checked before anything is written.
  const merged: AnyShardRun[] = [];
  for (const g of groups.values()) merged.push(await crossCheckMerged(mergeAnyShardRuns(g.runs, g.files), o.dir, o.watchdog));
  const expected = o.check ? await expectations(merged, o.dir) : null;
  let failed = false;
  const checked: string[][] = [];
  const json: MergeJson[number][] = [];
  // A scenario with a runaway in the shards spins: its other failures are shrunk watched too,
  // for the runaway's seconds, unless --watchdog says otherwise (else the shrinker could hang).
  const spins = new Map<string, number>();
  for (const m of merged) if (m.trace?.runaway !== undefined && !spins.has(m.scenario)) spins.set(m.scenario, m.trace.runaway.seconds);
  for (const run of merged) {
    const watchdog = o.watchdog ?? spins.get(run.scenario);
    const m = await confirmMerged(run, o, watchdog);
    const r = toExploreResult(m);
    if (o.watchdog === undefined && watchdog !== undefined && o.shrink && m.trace !== null && shrinkable(m.trace, false)) {
      process.stderr.write(`interleave: ${m.scenario} [${m.variant}]: shrinking under the watchdog (${watchdog} s), since ${m.scenario} has a runaway in these shards\n`);
    }
    let saved: string | null = null;
    let unsaved: string | null = null;
    let trace = m.trace;
    const found = m.failure?.kind ?? 'pass';
    const declared = expected?.get(`${m.scenario}\u0000${m.variant}`);
    const expect = declared === undefined ? undefined : expectationText(declared);
    const match = declared !== undefined && expectationMet(declared, found);
    if (expect !== undefined) checked.push([m.scenario, m.variant, expect, found, match ? 'ok' : 'MISMATCH']);
    if (expected === null ? m.failure !== null : !match) failed = true;
    if (trace !== null) {
      // A merged failure must outlive a folder it cannot be written to, and is shrunk, as in `run`.
      const shrink = (t: Trace, raw: string | null): Promise<Trace | null> =>
        o.shrink && shrinkable(t, watchdog !== undefined) ? shrinkMerged(t, o, raw, watchdog) : Promise.resolve(null);
      const outcome = await saveThenShrink(o.out, trace, shrink);
      if (outcome.error !== null) process.stderr.write(`interleave: ${outcome.error}\n`);
      trace = outcome.trace;
      saved = outcome.file;
      if (saved === null) unsaved = encodeTrace(outcome.trace);
    }
    if (o.json) {
      json.push({ scenario: m.scenario, variant: m.variant, params: m.settings?.params ?? null, found, ...(expect !== undefined ? { expected: expect, match } : {}), executions: m.executions, ...samplingJson({ sampling: r.sampling, trace }), steps: m.steps, failureAt: 'failureAt' in m ? m.failureAt : null, ...('complete' in m ? { complete: m.complete, completeExecutions: m.completeExecutions, crossCheck: m.crossCheck ?? null } : {}), ...('bound' in m && m.bound !== null ? { bound: m.bound } : {}), stoppedBy: m.stoppedBy, failure: trace?.failure ?? (m.failure === null ? null : portableFailure(m.failure)), warnings: m.warnings, trace: saved === null ? null : show(saved), ...(unsaved !== null ? { unsavedTrace: unsaved } : {}) });
      continue;
    }
    const line = `${formatExploreLine(r, undefined, m.settings?.params)} (merged from ${m.workers} worker${m.workers === 1 ? '' : 's'} over ${groups.get(`${m.scenario}\u0000${m.variant}`)!.runs.length} shards)`;
    process.stdout.write(`${line}\n${samplingLines(r)}${warningLines(r, c)}`);
    // A failure without a trace (a runaway whose decisions overflowed the heartbeat's log): its message, as `run` prints it.
    if (trace === null && r.failure !== null) process.stdout.write(`\n${escapeControl(r.failure.message)}\n\n`);
    if (trace !== null) process.stdout.write(`\n${formatFailureReport(trace, saved === null ? null : show(saved), { verbose: o.verbose ?? false, colours: c, maxWidth: terminalWidth() })}\n\n`);
    if (unsaved !== null) process.stdout.write(`${UNSAVED_HEADER}\n${unsaved}\n`);
  }
  if (o.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else if (expected !== null) {
    const table = formatTable(['scenario', 'variant', 'expected', 'found', 'match'], checked);
    process.stdout.write(`\n${table.split('\n').map((l) => (l.endsWith('MISMATCH') ? c.red(l) : l)).join('\n')}\n`);
  }
  return failed ? EXIT.FAILURE : EXIT.OK;
}

/**
 * Every trace a shard run holds names a scenario module that merge may import when it shrinks
 * (trace/scenarioFile.ts): checked as the file is read, before anything is merged or imported.
 */
function checkScenarioFiles(run: AnyShardRun, file: string, o: MergeOptions): void {
  const traces = [run.trace, ...(run.format === 'interleave-search-shard' ? run.units.map((u) => u.trace) : [])];
  for (const t of traces) if (t?.scenario.file !== undefined) trustedScenarioFile(t.scenario.file, file, { dir: o.dir, trust: o.trustTracePaths === true });
}

/**
 * A merged dfs search with reduction that is complete is cross-checked here with random
 * schedules, as one machine's search is (src/search/crossCheck.ts); its scenario is found by
 * name in `dir` (with `--watchdog`, in a watched thread). When it cannot be found, the run stays as merged and its line says it was not
 * cross-checked, with one line on stderr saying why.
 */
async function crossCheckMerged(m: AnyShardRun, dir: string, watchdog: number | undefined): Promise<AnyShardRun> {
  if (m.format !== 'interleave-search-shard' || !m.complete || !m.por || m.untracked === true) return m;
  let loaded;
  try {
    loaded = await findScenario(m.scenario, dir);
  } catch (e) {
    process.stderr.write(`interleave: merge: ${m.scenario}/${m.variant}: complete, but not cross-checked with random schedules: ${(e as Error).message}\n`);
    return m;
  }
  const s = m.settings;
  const target = makeTarget(loaded.scenario, { variant: m.variant, file: loaded.file, ...(s !== undefined ? { params: s.params, maxSteps: s.maxSteps, allowLeaks: s.allowLeaks, failOnLockOrder: s.failOnLockOrder } : {}) });
  const budget = { ...loaded.scenario.budget, ...loaded.scenario.variants[m.variant]?.budget };
  return crossChecked(m, target as Target<object>, budget.seed ?? 1, watchdog);
}

/**
 * What each merged variant declares it finds (`expect`), read from its scenario found by name
 * in `dir` (shard files hold results, not the scenario's declarations). A scenario or variant
 * not there is a usage error: a check against nothing would pass.
 */
async function expectations(merged: readonly { readonly scenario: string; readonly variant: string }[], dir: string): Promise<Map<string, Expectation>> {
  const out = new Map<string, Expectation>();
  for (const m of merged) {
    let expect: Expectation | undefined;
    try {
      expect = (await findScenario(m.scenario, dir)).scenario.variants[m.variant]?.expect;
    } catch (e) {
      if (!(e instanceof ScenarioLoadError)) throw e;
      throw new UsageError(`merge --check: cannot read what ${m.scenario} [${m.variant}] is expected to find: ${e.message}`);
    }
    if (expect === undefined) throw new UsageError(`merge --check: scenario ${m.scenario} in ${dir} has no variant "${m.variant}"`);
    out.set(`${m.scenario}\u0000${m.variant}`, expect);
  }
  return out;
}

/**
 * The merged failure shrunk as one machine's `run` would have shrunk it (the same trace bytes),
 * or null, with one line on stderr, when its scenario cannot be loaded here: the merge still
 * reports and keeps the failure as found.
 */
/**
 * A merged failure confirmed from a fresh instance of its scenario module before it is saved, as
 * `run` confirms one (src/robust/freshReplay.ts). A scenario that cannot be found leaves it as
 * merged, and shrinkMerged says why.
 */
async function confirmMerged(m: AnyShardRun, o: MergeOptions, watchdog: number | undefined): Promise<AnyShardRun> {
  if (m.trace === null) return m;
  try {
    return await confirmed(await locateScenario(m.trace.scenario, o.dir, `${m.trace.scenario.name} [${m.trace.variant}]`, { trust: o.trustTracePaths === true }), m, watchdog);
  } catch (e) {
    if (!(e instanceof ScenarioLoadError)) throw e;
    return m;
  }
}

async function shrinkMerged(trace: Trace, o: MergeOptions, saved: string | null, watchdog: number | undefined): Promise<Trace | null> {
  try {
    const loaded = await locateScenario(trace.scenario, o.dir, saved !== null ? show(saved) : `${trace.scenario.name} [${trace.variant}]`, { trust: o.trustTracePaths === true });
    const r = await shrinkWatched(watchdog, loaded, trace, { file: loaded.file });
    process.stderr.write(shrinkLines(`${trace.scenario.name} [${trace.variant}]`, watchdog, r));
    return r.unshrunk === null ? r.trace : null;
  } catch (e) {
    if (!(e instanceof ScenarioLoadError)) throw e;
    process.stderr.write(`interleave: ${escapeControl(e.message)}; the merged failure of ${trace.scenario.name} [${trace.variant}] is kept as found, not shrunk\n`);
    return null;
  }
}

export function registerMerge(program: Command, setExit: SetExit): Command {
  return program
    .command('merge')
    .description('combine the result files of run --shard i/n into the result of one unsharded run')
    .argument('<files...>', 'shard result files (shard-<i>-of-<n>.json)')
    .option('-o, --out <dir>', 'where the merged failure traces are saved', outputFolder('--out'), 'traces')
    .option('-d, --dir <dir>', 'folder to look for a scenario by name: to shrink its failure (when its recorded file is not found), and for --check', 'scenarios')
    .option('--check', 'exit 0 when every variant found what its scenario declares (a failure that was expected is fine), as run --check')
    .option('--no-shrink', 'save the merged failing trace as found, without shrinking it')
    .option('--watchdog <seconds>', 'shrink in a watched worker thread: a nearby schedule whose task runs this long without a scheduling point is cut short and skipped', positive('--watchdog'))
    .option(...TRUST_TRACE_PATHS)
    .option('--verbose', 'show every event in timelines')
    .option('--json', 'machine-readable output')
    .option('--no-color', 'no colour')
    .addHelpText(
      'after',
      examplesHelp([
        { what: 'shard 1 of 2, on one machine: its part finds the deadlock', exit: EXIT.FAILURE, command: 'interleave run lock-hierarchy --seed 7 -n 500 --shard 1/2 --shard-file results/shard-1.json' },
        { what: 'shard 2 of 2, on another machine (or here)', exit: EXIT.FAILURE, command: 'interleave run lock-hierarchy --seed 7 -n 500 --shard 2/2 --shard-file results/shard-2.json' },
        { what: 'what one machine would have found, shrunk; --check: every variant found what it declares', exit: EXIT.OK, command: 'interleave merge results/shard-*.json --check' },
      ]) + exitCodeHelp('merge'),
    )
    .action(async (files: string[], o: MergeOptions) => setExit(await mergeCommand(files, o)));
}
