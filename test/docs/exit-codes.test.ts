import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CommandName, EXIT, EXIT_MEANINGS, exitCodeHelp, exitCodeTable } from '../../src/cli/exitCodes.js';
import { helpExamples, helpTexts, ROOT } from './docText.js';

/** Exit codes are written once (src/cli/exitCodes.ts); help and docs are held to that. */
describe('exit codes in one place', () => {
  const helps = helpTexts();

  it('every command is described, with codes of EXIT only, 70 in every one', () => {
    expect([...helps.keys()].sort()).toEqual(Object.keys(EXIT_MEANINGS).sort());
    const known = new Set<number>(Object.values(EXIT));
    for (const meanings of Object.values(EXIT_MEANINGS)) {
      for (const [code] of meanings) expect(known.has(code)).toBe(true);
      expect(meanings.map(([code]) => code)).toContain(EXIT.INTERNAL);
    }
  });

  it('every --help ends its text with the generated exit-code section and has an example', () => {
    for (const [command, help] of helps) {
      expect(help, command).toContain(exitCodeHelp(command));
      expect(help.match(/^Exit codes:/gm), command).toHaveLength(1);
      expect(helpExamples(command, help).length, command).toBeGreaterThan(0);
    }
    expect(helps.get('replay')).toContain('\nExit codes:\n    0  passes now (or a recorded pass still passes)\n    1  reproduced, still failing or a different failure\n');
  });

  it('an example states only an exit code its command can give', () => {
    for (const [command, help] of helps) {
      for (const e of helpExamples(command, help)) {
        const ran = (/(?:^|\| )interleave (\w+)/.exec(e.command)?.[1] ?? '') as CommandName;
        expect(EXIT_MEANINGS[ran].map(([code]) => code), e.command).toContain(e.exit);
      }
    }
  });

  it("docs/cli.md holds the generated table, and the README's CLI table lists the same codes", () => {
    const cli = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');
    expect(cli, `docs/cli.md must contain, verbatim:\n${exitCodeTable()}`).toContain(exitCodeTable());
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const command of Object.keys(EXIT_MEANINGS) as CommandName[]) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${command}`));
      expect(row, `README CLI table row for ${command}`).toBeDefined();
      const codes = /\| ([\d ,]+) \|$/.exec(row!)?.[1]?.split(', ').map(Number);
      expect(codes, row).toEqual(EXIT_MEANINGS[command].map(([code]) => code).sort((a, b) => a - b));
    }
  });
});
