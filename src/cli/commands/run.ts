import type { Command } from 'commander';
import { explore } from '../../explore.js';
import { findScenario, loadAll, type LoadedScenario } from '../../loader.js';
import { formatExploreLine, formatFailureReport, formatTable } from '../../report/text.js';
import { traceFileName, writeTrace } from '../../trace/codec.js';
import { EXIT } from '../exitCodes.js';
import { int, show, type SetExit } from '../options.js';

export interface RunOptions {
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

export async function runCommand(refs: string[], o: RunOptions): Promise<number> {
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

export function registerRun(program: Command, setExit: SetExit): Command {
  return program
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
}
