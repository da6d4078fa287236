import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { relative } from 'node:path';
import { explore } from '../explore.js';
import { findScenario, loadAll, ScenarioLoadError, type LoadedScenario } from '../loader.js';
import { replayTrace } from '../replay.js';
import { formatExploreLine, formatFailureReport, formatReplay, formatTable } from '../report/text.js';
import { InternalError, UsageError } from '../runtime/errors.js';
import { readTrace, traceFileName, TraceFileError, writeTrace } from '../trace/codec.js';
import { EXIT } from './exitCodes.js';

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
    return n;
  };
}

function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

interface RunOptions {
  dir: string;
  all?: boolean;
  variant?: string;
  strategy?: string;
  seed?: number;
  iterations?: number;
  timeLimit?: number;
  maxSteps?: number;
  out: string;
  json?: boolean;
  check?: boolean;
  verbose?: boolean;
}

async function runCommand(refs: string[], o: RunOptions): Promise<number> {
  const loaded: LoadedScenario[] = refs.length === 0 || o.all ? await loadAll(o.dir) : await Promise.all(refs.map((r) => findScenario(r, o.dir)));
  const rows: string[][] = [];
  const json: unknown[] = [];
  let anyFailure = false;
  let mismatch = false;
  for (const { file, scenario } of loaded) {
    const variants = o.variant !== undefined ? [o.variant] : Object.keys(scenario.variants);
    for (const variant of variants) {
      const r = await explore(scenario, {
        variant,
        file,
        ...(o.strategy !== undefined ? { strategy: o.strategy } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.iterations !== undefined ? { iterations: o.iterations } : {}),
        ...(o.timeLimit !== undefined ? { timeLimitMs: o.timeLimit * 1000 } : {}),
        ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
      });
      const expected = scenario.variants[variant]!.expect;
      const found = r.failure?.kind ?? 'pass';
      if (r.failure !== null) anyFailure = true;
      if (found !== expected) mismatch = true;
      let saved: string | null = null;
      if (r.trace !== null) {
        saved = traceFileName(o.out, r.trace);
        writeTrace(saved, r.trace);
      }
      if (o.json) {
        json.push({ scenario: scenario.name, variant, expected, found, executions: r.executions, failure: r.failure, trace: saved === null ? null : show(saved) });
      } else {
        process.stdout.write(`${formatExploreLine(r)}\n`);
        if (r.trace !== null && saved !== null) process.stdout.write(`\n${formatFailureReport(r.trace, show(saved), { verbose: o.verbose ?? false })}\n\n`);
      }
      rows.push([scenario.name, variant, expected, found, String(r.executions), found === expected ? 'ok' : 'MISMATCH', saved === null ? '' : show(saved)]);
    }
  }
  if (o.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else if (rows.length > 1) process.stdout.write(`\n${formatTable(['scenario', 'variant', 'expected', 'found', 'executions', 'match', 'trace'], rows)}\n`);
  if (o.check) return mismatch ? EXIT.FAILURE : EXIT.OK;
  return anyFailure ? EXIT.FAILURE : EXIT.OK;
}

async function replayCommand(file: string, o: { dir: string; json?: boolean; verbose?: boolean }): Promise<number> {
  const trace = readTrace(file);
  const loaded = await locateScenario(trace.scenario, o.dir, file);
  const report = await replayTrace(loaded.scenario, trace, loaded.file);
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ outcome: report.outcome, message: report.message, divergence: report.divergence ?? null, failure: report.result.failure, trace: report.trace }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatReplay(report, { verbose: o.verbose ?? false })}\n`);
  }
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

/** The trace's scenario: by its recorded file when it still exists, else by name in `dir`. */
export async function locateScenario(ref: { name: string; file?: string | undefined }, dir: string, traceFile: string): Promise<LoadedScenario> {
  try {
    const loaded = ref.file !== undefined ? await findScenario(ref.file, dir).catch(() => findScenario(ref.name, dir)) : await findScenario(ref.name, dir);
    if (loaded.scenario.name !== ref.name) throw new ScenarioLoadError(traceFile, `the trace is for scenario "${ref.name}" but ${show(loaded.file)} defines "${loaded.scenario.name}"`);
    return loaded;
  } catch (e) {
    if (e instanceof ScenarioLoadError && e.file === traceFile) throw e;
    throw new ScenarioLoadError(traceFile, `cannot find scenario "${ref.name}"${ref.file !== undefined ? ` (recorded file ${ref.file})` : ''}: ${(e as Error).message}`);
  }
}

async function listCommand(o: { dir: string; json?: boolean }): Promise<number> {
  const all = await loadAll(o.dir);
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify(
        all.map(({ file, scenario }) => ({
          name: scenario.name,
          file: show(file),
          description: scenario.description,
          source: scenario.source ?? null,
          variants: Object.fromEntries(Object.entries(scenario.variants).map(([k, v]) => [k, { expect: v.expect, description: v.description ?? null }])),
          params: Object.fromEntries(Object.entries(scenario.params ?? {}).map(([k, v]) => [k, (v as { default: unknown }).default])),
        })),
        null,
        2,
      )}\n`,
    );
    return EXIT.OK;
  }
  for (const { scenario } of all) {
    process.stdout.write(`${scenario.name}\n  ${scenario.description}\n`);
    if (scenario.source !== undefined) process.stdout.write(`  source: ${scenario.source}\n`);
    for (const [k, v] of Object.entries(scenario.variants)) process.stdout.write(`  - ${k}: expect ${v.expect}${v.description ? `: ${v.description}` : ''}\n`);
  }
  return EXIT.OK;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('interleave')
    .description('Deterministic concurrency fuzzer and model checker: runs scenario tasks one at a time under a controlled scheduler, finds races and deadlocks, saves replayable traces.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description('explore scenarios; save and print every failure found')
    .argument('[scenario...]', 'scenario names or files (default: every scenario in --dir)')
    .option('-d, --dir <dir>', 'folder of scenario modules', 'scenarios')
    .option('-a, --all', 'run every scenario in --dir')
    .option('-v, --variant <name>', 'only this variant (default: every variant)')
    .option('-s, --strategy <name>', 'random | pct | first-enabled | round-robin')
    .option('--seed <n>', 'seed of the first execution', int('--seed'))
    .option('-n, --iterations <n>', 'executions per variant', int('--iterations'))
    .option('-t, --time-limit <seconds>', 'stop each variant after this long', int('--time-limit'))
    .option('--max-steps <n>', 'steps after which a run is a livelock', int('--max-steps'))
    .option('-o, --out <dir>', 'where traces are saved', 'traces')
    .option('--check', 'exit 0 when every variant matches its declared expectation')
    .option('--verbose', 'show every event in timelines')
    .option('--json', 'machine-readable output')
    .action(async (refs: string[], o: RunOptions) => setExit(await runCommand(refs, o)));

  program
    .command('replay')
    .description('re-run a saved trace: says reproduced, passes now, or diverged at step N')
    .argument('<trace>', 'trace file (JSON)')
    .option('-d, --dir <dir>', 'folder to look for the scenario by name', 'scenarios')
    .option('--verbose', 'show every event')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { dir: string; json?: boolean; verbose?: boolean }) => setExit(await replayCommand(file, o)));

  program
    .command('list')
    .description('scenarios with their variants, expected outcomes and descriptions')
    .option('-d, --dir <dir>', 'folder of scenario modules', 'scenarios')
    .option('--json', 'machine-readable output')
    .action(async (o: { dir: string; json?: boolean }) => setExit(await listCommand(o)));

  return program;
}

/** Runs the CLI; user errors print one line and exit 2, engine bugs say so and exit 70. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (e instanceof TraceFileError || e instanceof ScenarioLoadError || e instanceof UsageError) {
      process.stderr.write(`interleave: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof InternalError) {
      process.stderr.write(`${e.stack ?? e.message}\n`);
      return EXIT.INTERNAL;
    }
    process.stderr.write(`interleave: unexpected error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.INTERNAL;
  }
}
