import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import type { CommandName } from '../../src/cli/exitCodes.js';

export const ROOT = join(import.meta.dirname, '../..');

/** One example to run: the command line as printed, the exit code it states, where it was found. */
export interface Example {
  readonly command: string;
  readonly exit: number;
  readonly where: string;
  /** The first line of output the docs show for it (README only), to compare with the real one. */
  readonly firstLine?: string;
  /** The output line the docs show after a leading `...`: the real output's last line. */
  readonly lastLine?: string;
}

/** `interleave <command> --help` of every command, as commander prints it (in-process, from src/). */
export function helpTexts(): Map<CommandName, string> {
  const texts = new Map<CommandName, string>();
  for (const command of buildProgram(() => {}).commands as Command[]) {
    let text = '';
    command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    command.outputHelp();
    texts.set(command.name() as CommandName, text);
  }
  return texts;
}

/**
 * The examples of a `--help` text: src/cli/helpExamples.ts prints each as `  # what (exit N)`,
 * then the command on the next line.
 */
export function helpExamples(command: string, help: string): Example[] {
  const lines = help.split('\n');
  const examples: Example[] = [];
  lines.forEach((line, i) => {
    const m = /^ {2}# .*\(exit (\d+)\)$/.exec(line);
    if (m === null) return;
    examples.push({ command: lines[i + 1]!.trim(), exit: Number(m[1]), where: `interleave ${command} --help` });
  });
  return examples;
}

/**
 * The examples of a markdown file's code blocks: a line `$ <command>` running interleave (`npm`
 * lines are what CI itself runs, so they are skipped), the first output line shown under it (or,
 * when the output shown starts with `...`, the line after it, which is the output's last), and
 * its exit code from a `# exit N` line before the next command (0 when there is none).
 */
export function markdownExamples(file: string): Example[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const examples: Example[] = [];
  let inBlock = false;
  let current: { command: string; exit: number; where: string; firstLine?: string; lastLine?: string; elided?: boolean } | null = null;
  let lineNo = 0;
  const flush = () => {
    if (current !== null) examples.push({ command: current.command, exit: current.exit, where: current.where, firstLine: current.firstLine, lastLine: current.lastLine });
    current = null;
  };
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      if (!inBlock) flush();
      continue;
    }
    if (!inBlock) continue;
    if (line.startsWith('$ ')) {
      flush();
      const command = line.slice(2).replace(/\s+#.*$/, '');
      if (/(^|\|\s*)(npx )?interleave /.test(command)) current = { command, exit: 0, where: `${file}:${lineNo}` };
      continue;
    }
    if (current === null) continue;
    const exit = /^# exit (\d+)$/.exec(line);
    if (exit !== null) current.exit = Number(exit[1]);
    else if (line === '' || current.firstLine !== undefined || current.lastLine !== undefined) continue;
    else if (line.startsWith('...')) current.elided = true;
    else if (current.elided === true) current.lastLine = line;
    else current.firstLine = line;
  }
  return examples;
}

/** The command as a shell runs it here: `interleave` and `npx interleave` become the built binary. */
export function asShell(command: string, bin: string): string {
  return command.replace(/(^|\|\s*)(?:npx )?interleave /g, `$1'${process.execPath}' '${bin}' `);
}

/** An output line with the machine-dependent execution rate (`24/s`) blanked. */
export function stable(line: string): string {
  return line.replace(/\d+\/s\b/g, 'N/s');
}
