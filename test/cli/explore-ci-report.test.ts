import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTarget, replayDecisions, traceOf } from 'interleave';
import lockOrder from '../fixtures/scenarios/lock-order.js';
import { cli, cliHere, FIXTURES, workDir } from './cliHarness.js';

const SCRIPT = ['1', 'report', 'report', 'bogus', 'transfer', 'main', 'transfer', 'graph', 'save d.json', 'back', 'graph', 'save p.json', 'quit'];

const TRANSCRIPT = `exploring lock-order [buggy]; type help for commands
step 0
  enabled:
    1) main  start
> 1
step 1
  enabled:
    1) transfer  start
    2) report    start
  blocked:
    main  waits to join transfer, which has not finished
> report
step 2
  enabled:
    1) transfer  start
    2) report    acquire audit
  blocked:
    main  waits to join transfer, which has not finished
> report
step 3
  enabled:
    1) transfer  start
    2) report    acquire accounts
  blocked:
    main  waits to join transfer, which has not finished
  held: report holds lock "audit"
> bogus
unknown command or task "bogus"; type help
> transfer
step 4
  enabled:
    1) transfer  acquire accounts
    2) report    acquire accounts
  blocked:
    main  waits to join transfer, which has not finished
  held: report holds lock "audit"
> main
main is blocked: it waits to join transfer, which has not finished
> transfer
ended after step 5: deadlock: transfer -[lock "audit"]-> report -[lock "accounts"]-> transfer
> graph
transfer -[lock "audit"]-> report
report -[lock "accounts"]-> transfer
> save d.json
saved d.json (5 decisions, deadlock)
> back
step 4
  enabled:
    1) transfer  acquire accounts
    2) report    acquire accounts
  blocked:
    main  waits to join transfer, which has not finished
  held: report holds lock "audit"
> graph
main -[join transfer]-> transfer
> save p.json
saved p.json (4 decisions, unfinished)
> quit
`;

describe('interleave explore / ci / report (built binary)', () => {
  const cwd = workDir('cli-explore');

  it('explore is driven by a script on stdin; the saved trace equals a replay of the chosen decisions', async () => {
    const r = await cli(['explore', 'lock-order', '--dir', FIXTURES], { cwd, input: `${SCRIPT.join('\n')}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(TRANSCRIPT);

    const target = makeTarget(lockOrder, { variant: 'buggy' });
    for (const [file, decisions] of [
      ['d.json', [0, 2, 2, 1, 1]],
      ['p.json', [0, 2, 2, 1]],
    ] as const) {
      const saved = JSON.parse(readFileSync(join(cwd, file), 'utf8'));
      expect(saved.decisions).toEqual(decisions);
      const replayed = await replayDecisions(target, decisions);
      const expected = JSON.parse(JSON.stringify(traceOf(target, { name: 'explore' }, { ...replayed, divergence: null })));
      const { scenario: _a, unfinished, ...savedRest } = saved;
      const { scenario: _b, ...expectedRest } = expected;
      expect(savedRest).toEqual(expectedRest);
      expect(unfinished).toBe(file === 'p.json' ? true : undefined);
    }
    const [replay, prefix] = await Promise.all([cliHere(['replay', 'd.json', '--dir', FIXTURES], { cwd }), cliHere(['replay', 'p.json', '--dir', FIXTURES], { cwd })]);
    expect(replay.code).toBe(1);
    expect(replay.stdout.trimEnd().split('\n').at(-1)).toBe('reproduced: deadlock: transfer -[lock "audit"]-> report -[lock "accounts"]-> transfer');
    // A trace saved mid-run replays its prefix; it is not a divergence.
    expect(prefix.code).toBe(0);
    expect(prefix.stdout.trimEnd().split('\n').at(-1)).toBe('replayed the recorded prefix: 4 decisions, the same operations (the trace was saved before the run ended)');
  });

  it('explore: run finishes randomly, end of input quits, unknown scenario is a usage error', async () => {
    const [run, bad] = await Promise.all([
      cli(['explore', 'lost-update', '-v', 'fixed', '--dir', FIXTURES], { cwd, input: 'run\nsave r.json\n' }),
      cliHere(['explore', 'nope', '--dir', FIXTURES], { cwd }),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nended after step \d+: pass\n> save r\.json\nsaved r\.json \(\d+ decisions, pass\)\n> \n$/);
    expect(JSON.parse(readFileSync(join(cwd, 'r.json'), 'utf8')).failure).toBeNull();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^interleave: nope: no scenario of that name/);
  });

  it('ci: variants against expectations and traces against recorded outcomes; table, JUnit XML, exit 1 on a mismatch', async () => {
    const traces = join(cwd, 'traces');
    mkdirSync(traces, { recursive: true });
    copyFileSync(join(cwd, 'd.json'), join(traces, 'deadlock.json'));
    // In process; the second run, which rewrites junit.xml, is the binary (in process the file
    // this process wrote would be kept and the new one numbered, placeFile.ts).
    const ok = await cliHere(['ci', '--dir', FIXTURES, '--traces', 'traces', '--junit', 'junit.xml'], { cwd });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      [
        'kind     name                  expected   found      result',
        '-------  --------------------  ---------  ---------  ------',
        'variant  lock-order [buggy]    deadlock   deadlock   ok',
        'variant  lock-order [fixed]    pass       pass       ok',
        'variant  lost-update [buggy]   assertion  assertion  ok',
        'variant  lost-update [fixed]   pass       pass       ok',
        'trace    traces/deadlock.json  deadlock   deadlock   ok',
        '',
        '5 matched, 0 mismatched; JUnit XML in junit.xml',
        '',
      ].join('\n'),
    );
    const xml = readFileSync(join(cwd, 'junit.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="interleave" tests="5" failures="0" errors="0"/);
    expect(xml).toContain('<testcase classname="interleave.traces" name="traces/deadlock.json"');

    // A trace whose schedule the scenario no longer allows, and a broken file.
    const t = JSON.parse(readFileSync(join(cwd, 'd.json'), 'utf8'));
    writeFileSync(join(traces, 'stale.json'), JSON.stringify({ ...t, decisions: [0, 1, 1, 1, 1] }));
    writeFileSync(join(traces, 'broken.json'), '{"format":"interleave-trace"');
    const bad = await cli(['ci', '--dir', FIXTURES, '--traces', 'traces', '--junit', 'junit.xml', '--json'], { cwd });
    expect(bad.code).toBe(1);
    const out = JSON.parse(bad.stdout) as { matched: number; mismatched: number; rows: { name: string; match: boolean; found: string }[] };
    expect([out.matched, out.mismatched]).toEqual([5, 2]);
    expect(out.rows.filter((r) => !r.match).map((r) => [r.name, r.found])).toEqual([
      ['traces/broken.json', 'unreadable'],
      ['traces/stale.json', 'diverged'],
    ]);
    expect(readFileSync(join(cwd, 'junit.xml'), 'utf8')).toMatch(/<testsuites name="interleave" tests="7" failures="2"/);
  });

  it('report writes one self-contained HTML file; --dot prints the wait-for graph; a missing trace exits 2', async () => {
    const [html, dot, missing] = await Promise.all([
      cli(['report', 'd.json', '-o', 'report.html'], { cwd }),
      cliHere(['report', 'd.json', '--dot'], { cwd }),
      cliHere(['report', 'gone.json'], { cwd }),
    ]);
    expect(html.code).toBe(0);
    expect(html.stdout).toBe('wrote report.html (3 lanes, 5 steps, deadlock)\n');
    const page = readFileSync(join(cwd, 'report.html'), 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<script|<link|src="http/);
    expect(page).toContain('npx interleave replay d.json');
    expect(dot.code).toBe(0);
    expect(dot.stdout).toBe(`digraph "lock-order [buggy]" {
  rankdir=LR;
  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=11];
  "transfer" [color="#c0392b", fillcolor="#fdecea", penwidth=2];
  "report" [color="#c0392b", fillcolor="#fdecea", penwidth=2];
  "transfer" -> "report" [label="lock \\"audit\\"", color="#c0392b", fontcolor="#c0392b", penwidth=2];
  "report" -> "transfer" [label="lock \\"accounts\\"", color="#c0392b", fontcolor="#c0392b", penwidth=2];
}
`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('interleave: gone.json: no such file\n');
  });
});
