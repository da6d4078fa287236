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

const RUNAWAY = join(import.meta.dirname, '../fixtures/bad/runaway.ts');

async function waitFor(condition: () => boolean): Promise<void> {
  // Up to a minute: a loaded machine stretches the session's start (a timeout here catches a hang).
  for (let i = 0; i < 1200 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('interleave explore: a picked task that spins (watched by default)', () => {
  it('is reported by name, the pick undone, and the session goes on from where it was; the saved trace replays', async () => {
    const cwd = workDir('cli-explore-runaway');
    const [r, byDefault] = await Promise.all([
      cli(['explore', RUNAWAY, '--watchdog', '0.25', '--no-color'], { cwd, input: 'save-runaway\n1\n1\n1\nsave-runaway r.json\nrun\n2\n2\nrun\nsave s.json\n' }),
      cli(['explore', RUNAWAY, '--no-color'], { cwd, input: '1\n1\n1\n' }),
    ]);
    // Without --watchdog: watched, 5 s.
    expect(byDefault.stdout).toContain('> 1\ntask "spinner" ran for more than 5 s without reaching a scheduling point after step 2');
    expect(byDefault.code).toBe(0);
    const spun = 'task "spinner" ran for more than 0.25 s without reaching a scheduling point after step 2 (a runaway loop that never awaits an interleave operation?)';
    expect(r.stdout).toContain('> save-runaway\nno runaway to save: this command follows a pick whose task spun\n');
    expect(r.stdout).toContain(`> 1\n${spun}; the pick is undone (save-runaway [file] writes its trace)\nstep 2\n  enabled:\n    1) spinner  read flag\n    2) setter   start\n`);
    // The runaway's trace, saved from the session, replays watched: the same task spins again.
    expect(r.stdout).toContain('> save-runaway r.json\nsaved r.json (3 decisions, runaway: replay it with interleave replay r.json)\n');
    const again = await cli(['replay', join(cwd, 'r.json')], { cwd });
    expect(again.stdout).toMatch(/^reproduced: livelock: task "spinner" ran for more than 0\.25 s without reaching a scheduling point .* after step 2 of the session$/m);
    expect(again.code).toBe(1);
    // The random finish (seed 1) picks spinner too: dropped, the session stays at step 2.
    expect(r.stdout).toContain(`> run\n${spun}; the random finish is dropped, the session is where it was (pick by hand; save-runaway [file] writes its trace)\nstep 2\n  enabled:\n`);
    expect(r.stdout).toMatch(/ended after step \d+: pass\n> save s\.json\nsaved s\.json \(\d+ decisions, pass\)\n/);
    expect(r.code).toBe(0);
    const replayed = await cli(['replay', join(cwd, 's.json')], { cwd });
    expect(replayed.code).toBe(0);
  }, 300_000);
});

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

  it('Ctrl-C while a picked task spins (watched) ends the session at once with 130, not after the watchdog\'s hour', async () => {
    const term = fakeTerminal();
    const started = Date.now();
    const done = exploreCommand(RUNAWAY, { dir: FIXTURES, seed: 1, color: false, watchdog: 3600 }, term);
    // main, spinner, then spinner's first read: it spins.
    term.input.write('1\r1\r1\r');
    await waitFor(() => (term.text().match(/> /g) ?? []).length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    term.input.write('\x03');
    expect(await done).toBe(130);
    // The verdict would take an hour of the spinning thread's own time; minutes bound a loaded machine.
    expect(Date.now() - started).toBeLessThan(180_000);
    expect(term.text()).toContain('interrupted while task "spinner" ran without reaching a scheduling point after step 2\n');
    expect(term.text()).not.toContain('the pick is undone');
  }, 300_000);

  it('a session whose last save failed exits 2', async () => {
    const cwd = workDir('cli-explore-save-last');
    writeFileSync(join(cwd, 'afile'), 'x');
    const r = await cli(['explore', 'lock-order', '--dir', FIXTURES], { cwd, input: '1\nsave afile/x.json\n' });
    expect(r.stdout).toMatch(/not saved; the session goes on \(save to another file\)\n> \n$/);
    expect(existsSync(join(cwd, 'afile'))).toBe(true);
    expect(r.code).toBe(2);
  });
});
