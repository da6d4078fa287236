import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exploreCommand } from '../../src/cli/commands/explore.js';
import { cli, FIXTURES, workDir } from './cliHarness.js';

/** A terminal stand-in: readline treats the input as a TTY (keys, Ctrl-C) and echoes to the output. */
function fakeTerminal(): { input: PassThrough & { isTTY: boolean }; output: PassThrough; text: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  let text = '';
  output.on('data', (d: Buffer) => (text += d.toString()));
  return { input, output, text: () => text };
}

describe('interleave explore: interruption and failed saves', () => {
  it('Ctrl-C on a terminal exits 130 and leaves the terminal on a new line', async () => {
    const term = fakeTerminal();
    const done = exploreCommand('lock-order', { dir: FIXTURES, seed: 1, color: false }, term);
    term.input.write('\x03');
    expect(await done).toBe(130);
    expect(term.text()).toMatch(/> \n$/);
  });

  it('Ctrl-D on a terminal quits with exit 0 on a new line', async () => {
    const term = fakeTerminal();
    const done = exploreCommand('lock-order', { dir: FIXTURES, seed: 1, color: false }, term);
    term.input.write('\x04');
    expect(await done).toBe(0);
    expect(term.text()).toMatch(/> \n$/);
  });

  it('a save that fails prints one line naming the file, keeps the session, and a later save still works', async () => {
    const cwd = workDir('cli-explore-save');
    writeFileSync(join(cwd, 'afile'), 'x');
    const r = await cli(['explore', 'lock-order', '--dir', FIXTURES], { cwd, input: '1\nreport\nsave afile/x.json\nsave ok.json\nquit\n' });
    expect(r.stderr).toBe('interleave: afile/x.json: cannot create the output folder afile: it is a file\n');
    expect(r.stdout).toContain('> save afile/x.json\nnot saved; the session goes on (save to another file)\n> save ok.json\nsaved ok.json (2 decisions, unfinished)\n');
    expect(JSON.parse(readFileSync(join(cwd, 'ok.json'), 'utf8')).decisions).toEqual([0, 2]);
    expect(r.code).toBe(0);
  });

  it('a session whose last save failed exits 2', async () => {
    const cwd = workDir('cli-explore-save-last');
    writeFileSync(join(cwd, 'afile'), 'x');
    const r = await cli(['explore', 'lock-order', '--dir', FIXTURES], { cwd, input: '1\nsave afile/x.json\n' });
    expect(r.stdout).toMatch(/not saved; the session goes on \(save to another file\)\n> \n$/);
    expect(existsSync(join(cwd, 'afile'))).toBe(true);
    expect(r.code).toBe(2);
  });
});
