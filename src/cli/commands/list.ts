import type { Command } from 'commander';
import type { ListJson } from '../jsonOutput.js';
import { loadAll } from '../../loader.js';
import { EXIT, exitCodeHelp } from '../exitCodes.js';
import { examplesHelp } from '../helpExamples.js';
import { show, type SetExit } from '../options.js';
import { expectationText } from '../../expectation.js';

export async function listCommand(o: { dir: string; json?: boolean }): Promise<number> {
  const all = await loadAll(o.dir);
  if (o.json) {
    const json: ListJson = all.map(({ file, scenario }) => ({
          name: scenario.name,
          file: show(file),
          description: scenario.description,
          source: scenario.source ?? null,
          variants: Object.fromEntries(Object.entries(scenario.variants).map(([k, v]) => [k, { expect: v.expect, description: v.description ?? null }])),
          params: Object.fromEntries(Object.entries(scenario.params ?? {}).map(([k, v]) => [k, (v as { default: unknown }).default])),
        }));
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return EXIT.OK;
  }
  for (const { scenario } of all) {
    process.stdout.write(`${scenario.name}\n  ${scenario.description}\n`);
    if (scenario.source !== undefined) process.stdout.write(`  source: ${scenario.source}\n`);
    for (const [k, v] of Object.entries(scenario.variants)) process.stdout.write(`  - ${k}: expect ${expectationText(v.expect)}${v.description ? `: ${v.description}` : ''}\n`);
  }
  return EXIT.OK;
}

export function registerList(program: Command, setExit: SetExit): Command {
  return program
    .command('list')
    .description('scenarios with their variants, expected outcomes and descriptions')
    .option('-d, --dir <dir>', 'folder of scenario modules', 'scenarios')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examplesHelp([{ what: 'the real-code examples, unchanged TypeScript under t.io', exit: EXIT.OK, command: 'interleave list --dir examples/real-code' }]) + exitCodeHelp('list'),
    )
    .action(async (o: { dir: string; json?: boolean }) => setExit(await listCommand(o)));
}
