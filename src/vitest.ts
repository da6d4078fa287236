/**
 * Helpers for users' own vitest suites, exported as `interleave/vitest`:
 *
 * ```ts
 * import { expectDeclared, expectNoFailure, replayTraces } from 'interleave/vitest';
 * it('cache survives concurrent access', () => expectNoFailure(cacheScenario, { variant: 'fixed', iterations: 500 }));
 * it('the buggy cache fails as declared', () => expectDeclared(cacheScenario, 'buggy'));
 * replayTraces('traces');   // one test per saved trace: it must still reproduce its recorded outcome
 * ```
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definedIn } from './definedIn.js';
import { portablePath } from './trace/paths.js';
import { describe, expect, it } from 'vitest';
import { locateScenario } from './trace/locateScenario.js';
import { checkedExplore, type CheckedExploreOptions, type CheckedExploreResult } from './robust/checkedExplore.js';
import { WatchdogThread } from './robust/watchdog.js';
import { UsageError } from './runtime/errors.js';
import { replayFresh } from './robust/freshReplay.js';
import { checkTraceTarget } from './robust/traceTarget.js';
import { executionCount, formatFailureReport, formatReplay } from './report/text.js';
import type { ScenarioDefinition } from './scenario.js';
import { expectationMet, expectationText } from './expectation.js';
import { shrinkWatched } from './robust/watchedShrink.js';
import { shrinkable } from './shrink/shrinkTrace.js';
import { encodeTrace, readTrace } from './trace/codec.js';
import type { Trace } from './trace/schema.js';
import { saveTraceOrFallback, UNSAVED_HEADER } from './trace/saveOrFallback.js';

/**
 * The options of the vitest helpers: explore's, where `file` (the scenario module's path) may
 * also be a file URL, such as `new URL('../scenarios/x.ts', import.meta.url)` in a test, which
 * needs no `node:url` (nor Node's types) to name the module beside it.
 */
export type HelperOptions<P extends object> = Omit<CheckedExploreOptions<P>, 'file'> & { readonly file?: string | URL };

/** `options` with `file` as a path. */
function withPath<O extends { readonly file?: string | URL }>(options: O): O & { readonly file?: string } {
  return options.file instanceof URL ? { ...options, file: fileURLToPath(options.file) } : (options as O & { readonly file?: string });
}

export interface NoFailureOptions<P extends object> extends HelperOptions<P> {
  /** Where the failing trace is saved, so the message can name the replay command (default 'traces'; false: do not save). */
  readonly out?: string | false;
  /** Shrink the failing trace before reporting it (default true; with `watchdog`, in the watched thread too). */
  readonly shrink?: boolean;
}

/** A failure found by `expectNoFailure`; its message is the full report (timeline, root cause, replay command). */
export class InterleaveFailure extends Error {
  constructor(
    message: string,
    readonly result: CheckedExploreResult,
    readonly file: string | null,
  ) {
    super(message);
    this.name = 'InterleaveFailure';
  }
}

/**
 * Explores `scenario` over the budget in `options` (else its variant's) and throws an
 * InterleaveFailure when any execution fails: the message has the failure, the minimal
 * interleaving as a timeline and the command that replays it. Resolves with the result when
 * nothing failed. With `file`, a failure is first replayed from freshly loaded modules, as
 * `explore` does (src/robust/checkedExplore.ts): one that does not replay there is reported as
 * `nondeterminism` with a line saying no trace was saved; without `file`, the message says the
 * failure was not confirmed.
 */
export async function expectNoFailure<P extends object>(scenario: ScenarioDefinition<P>, given: NoFailureOptions<P> = {}): Promise<CheckedExploreResult> {
  const options = withPath(given);
  const { out, shrink, ...exploreOptions } = options;
  const watchdog = options.watchdog;
  if (out === '') throw new UsageError(`expectNoFailure(${scenario.name}): out must name a folder (or be false), got ""`);
  const loaded = { file: options.file ?? '', scenario: scenario as ScenarioDefinition<object> };
  // Watched, the exploration and the shrink share one thread.
  const thread = watchdog !== undefined && options.file !== undefined ? new WatchdogThread() : undefined;
  let r: CheckedExploreResult;
  let trace: Trace | null;
  try {
    r = await checkedExplore(scenario, exploreOptions, thread, 'expectNoFailure');
    if (r.failure === null) return r;
    // A runaway whose decisions overflowed the heartbeat's log has no trace; one that does not replay fresh is not saved.
    if (r.trace === null) throw new InterleaveFailure(`${scenario.name} [${r.variant}] failed after ${executionCount(r.executions)}\n${r.failure.message}${notFreshLine(r)}`, r, null);
    trace = r.trace;
    if (shrink !== false && shrinkable(trace, watchdog !== undefined)) {
      trace = (await shrinkWatched(watchdog, loaded, trace, options.file !== undefined ? { file: options.file } : {}, thread)).trace;
    }
  } finally {
    await thread?.close();
  }
  const module = options.file === undefined ? definingModule(scenario) : null;
  if (module?.file !== undefined && trace.scenario.file === undefined) trace = { ...trace, scenario: { ...trace.scenario, file: portablePath(module.file) } };
  let file: string | null = null;
  let saveError = '';
  if (out !== false) {
    // The failure must outlive a folder it cannot be written to (as in the CLI): the temp dir, else the text itself.
    // The latest failure of this variant replaces the last one saved: a watch mode reruns in one process.
    const outcome = saveTraceOrFallback(out ?? 'traces', trace, { replace: true });
    file = outcome.file;
    if (outcome.error !== null) saveError = `\n(not saved where asked: ${outcome.error})`;
    if (file === null) saveError += `\n${UNSAVED_HEADER}\n${encodeTrace(trace)}`;
  }
  const shown = file === null ? null : relative(process.cwd(), file);
  const report = formatFailureReport(trace, shown);
  throw new InterleaveFailure(`${scenario.name} [${r.variant}] failed after ${executionCount(r.executions)}\n${report}${saveError}${module?.note ?? ''}${unconfirmedLine(options.file)}`, r, file);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The test file vitest is running now (undefined outside a test). */
function currentTestFile(): string | undefined {
  try {
    return expect.getState().testPath;
  } catch {
    return undefined;
  }
}

/** Test files by name, as vitest's default `include` finds them. */
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;

/**
 * The module a trace should name when `expectNoFailure` is given no `file`: where
 * `defineScenario` was called (src/definedIn.ts), when that module has a default export (the
 * trace also names the scenario, and replay checks that the module's default is it), so that `interleave replay` finds the scenario wherever it lives. Otherwise no file,
 * and `note` says why the printed command looks the scenario up by name: a test file (only
 * vitest can load it: its `it` calls need vitest's runner), or a module with no default export (the loader takes a module's default export).
 */
function definingModule(scenario: object): { file?: string; note: string } | null {
  const file = definedIn(scenario);
  if (file === undefined) return null;
  const shown = relative(process.cwd(), file).split(sep).join('/');
  const byName = '\n(the replay command looks the scenario up by name in ./scenarios:';
  if (TEST_FILE.test(file) || file === currentTestFile()) {
    return { note: `${byName} it is defined in ${shown}, a test file only vitest can load; define it in a module of its own, as its default export, and the trace names that module)` };
  }
  // Read, not imported: from a package in node_modules, vitest leaves this module to Node, whose
  // import would load a second instance of the scenario's module (and cannot load TypeScript).
  if (!/^\s*export\s+default\b/m.test(readText(file))) return { note: `${byName} ${shown} has no default export; with \`export default\` the trace names that module)` };
  return { file, note: '' };
}

/** The line saying why a failure that did not replay from fresh modules has no trace. */
function notFreshLine(r: CheckedExploreResult): string {
  const stale = r.notReproducedFresh;
  if (stale === undefined) return '';
  const reloaded = stale.reloaded === 'module' ? 'the scenario module loaded afresh' : 'the scenario and the modules it imports loaded afresh in a new thread';
  return `\nno trace saved: the ${stale.found.kind} found replays only in the module instance that explored (from ${reloaded}: ${stale.replay}), so its trace would not reproduce in a new process`;
}

/** The line saying a failure was not replayed from fresh modules: without `file` the scenario cannot be loaded again. */
function unconfirmedLine(file: string | undefined): string {
  return file === undefined ? '\n(not confirmed from freshly loaded modules: give `file`, the scenario module\'s path, so that a failure that needs state warmed up by earlier executions is not reported as one that replays)' : '';
}

/** Where `replayTraces` and `replayTraceFile` look for scenarios. */
export interface ReplayTracesOptions {
  /** Folder to look for a scenario by name when the trace's recorded file is gone (default 'scenarios'). */
  readonly scenarioDir?: string;
  /** Let a trace name a scenario module outside the project and `scenarioDir` (it is imported and run: only for traces you trust). */
  readonly trustTracePaths?: boolean;
}

/**
 * Explores `variant` over its budget (or `options`) and resolves with the result when what it
 * found meets the variant's declared `expect` (one kind, a list of kinds, `'fail'`, or `'pass'`:
 * the same rule as `run --check` and `ci`, expectationMet). Otherwise throws an
 * InterleaveFailure: `expected <expectation>, found <kind>`, then the failure with its
 * interleaving (not saved), or how many executions found nothing.
 */
export async function expectDeclared<P extends object>(scenario: ScenarioDefinition<P>, variant: string, given: HelperOptions<P> = {}): Promise<CheckedExploreResult> {
  const options = withPath(given);
  const spec = scenario.variants[variant];
  if (spec === undefined) throw new UsageError(`expectDeclared(${scenario.name}): no variant "${variant}"; variants are: ${Object.keys(scenario.variants).join(', ')}`);
  const r = await checkedExplore(scenario, { ...options, variant }, undefined, 'expectDeclared');
  const found = r.failure?.kind ?? 'pass';
  if (expectationMet(spec.expect, found)) return r;
  const what = r.trace !== null ? `${formatFailureReport(r.trace, null)}${unconfirmedLine(options.file)}` : `${r.failure?.message ?? `no failure in ${executionCount(r.executions)}`}${notFreshLine(r)}`;
  throw new InterleaveFailure(`${scenario.name} [${variant}]: expected ${expectationText(spec.expect)}, found ${found}\n${what}`, r, null);
}

/**
 * Registers one test per `*.json` trace in `dir` (inside a `describe`), each replaying the trace
 * and failing unless it reproduces its recorded outcome (`reproduced`, as `ci` requires): a
 * trace that `passes now`, fails differently or diverges fails its test with replay's message. Scenarios are found by the path stored
 * in the trace, else by name in `scenarioDir`; a stored path outside the project and
 * `scenarioDir` fails the test without importing anything (see `replayTraceFile`). Call at the
 * top level of a test file.
 */
export function replayTraces(dir: string, options: ReplayTracesOptions = {}): void {
  const files = existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort() : [];
  describe(`interleave traces in ${dir}`, () => {
    if (files.length === 0) it.skip(`no traces in ${dir}`, () => {});
    for (const f of files) it(`replays ${f}`, () => replayTraceFile(join(dir, f), options));
  });
}

/**
 * The test `replayTraces` registers for one trace file: resolves when the trace reproduces its
 * recorded outcome, replayed from freshly loaded modules as in a new process
 * (src/robust/freshReplay.ts), else rejects with replay's message. The scenario module the trace names is
 * checked before it is imported (inside the project or `scenarioDir`, a regular .ts/.mts/.js/.mjs
 * file: a trace is data, never code); a refusal rejects with a TraceFileError naming the file.
 */
export async function replayTraceFile(file: string, options: ReplayTracesOptions = {}): Promise<void> {
  const trace = readTrace(file);
  const loaded = await locateScenario(trace.scenario, options.scenarioDir ?? 'scenarios', file, { trust: options.trustTracePaths === true });
  checkTraceTarget(trace, loaded.scenario, file);
  // From fresh modules: traces replayed one after another in this process would otherwise share
  // the module state the earlier ones left (a cache warmed by the replays before).
  const report = await replayFresh(loaded, trace);
  if (report.outcome !== 'reproduced') throw new Error(`${file}: ${report.message}\n${formatReplay(report)}`);
}
