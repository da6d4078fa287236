import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Trace } from 'interleave';
import { exploreCommand } from '../../src/cli/commands/explore.js';
import { escapeControl, terminalSafe } from '../../src/report/escape.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { formatTimeline, TIMELINE_WIDTH } from '../../src/report/timeline.js';
import { waitGraphDot, waitGraphOfTrace } from '../../src/report/waitGraph.js';
import { readBoundedText } from '../../src/trace/limits.js';
import fc from 'fast-check';
import { cli, inProcess, noStack, ROOT, tempDir, type CliResult } from './cli.js';
import { fuzzFolder, hostileJson, hostileTrace as hostileTraceText, RAW, verdict, writeCase } from './fuzz.js';

/**
 * Issue #23, "a trace is data, never code": hostile trace and shard files end in one line and
 * exit 2 (size, depth, numbers), the formatters draw any trace the schema accepts, and text
 * from a scenario or a trace never reaches the terminal as escape sequences.
 */

const GOOD = join(ROOT, 'traces/circuit-breaker.buggy.assertion.json');
const HOSTILE = 'test/fixtures/hostile/hostile-text.ts';
const MiB = 1024 * 1024;

/** A copy of the bundled trace, edited as text, in a fresh folder; returns its path. */
function hostileTrace(name: string, edit: (text: string) => string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, edit(readFileSync(GOOD, 'utf8')));
  return file;
}

async function refused(args: string[], line: string): Promise<void> {
  const r = await inProcess(args);
  expect(r.stderr).toBe(`${line}\n`);
  expect(noStack(r.stderr)).toBe(true);
  expect(r.code).toBe(2);
}

const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('limits on input files', () => {
  it('a trace file larger than 64 MiB is refused by its size, before it is read', async () => {
    const file = hostileTrace('big.json', (t) => t);
    truncateSync(file, 64 * MiB + 1); // sparse: no disk used
    await refused(['replay', file], `interleave: ${file}: larger than the 64 MiB limit for a trace file`);
    await refused(['report', file, '--dot'], `interleave: ${file}: larger than the 64 MiB limit for a trace file`);
  });

  it('a shard results file larger than 256 MiB is refused the same way', async () => {
    const file = join(tempDir(), 'shard-1-of-2.json');
    writeFileSync(file, '{');
    truncateSync(file, 256 * MiB + 1);
    await refused(['merge', file], `interleave: ${file}: larger than the 256 MiB limit for a shard results file`);
  });

  it('an endless input (/dev/zero) is read no further than the limit', () => {
    expect(() => readBoundedText('/dev/zero', 3 * MiB + 5, () => new Error('too large'))).toThrow('too large');
  });

  it('100,000-deep JSON in params or shrink.original.params: one line, exit 2, not a stack overflow', async () => {
    const d = deep(100_000);
    const inParams = hostileTrace('deep-params.json', (t) => t.replace(/"params": \{[^}]*\}/, `"params": {"callers": ${d}}`));
    const at = readFileSync(inParams, 'utf8').indexOf(d) + 62; // root and params are levels 1 and 2
    await refused(['replay', inParams], `interleave: ${inParams}: nested deeper than the 64-level limit (at character ${at})`);
    const inShrink = hostileTrace('deep-shrink.json', (t) => t.replace(/\n}\n$/, `,\n"shrink": {"original": {"steps": 1, "preemptions": 0, "params": {"callers": ${d}}}, "attempts": 1}\n}\n`));
    const r = await inProcess(['replay', inShrink]);
    expect(r.stderr).toMatch(/^interleave: .*deep-shrink\.json: nested deeper than the 64-level limit \(at character \d+\)\n$/);
    expect(r.code).toBe(2);
    // Up to the limit, the depth is no problem: the next check speaks.
    const shallow = hostileTrace('shallow.json', (t) => t.replace(/"params": \{[^}]*\}/, `"params": {"callers": ${deep(60)}}`));
    const ok = await inProcess(['replay', shallow]);
    expect(ok.stderr).not.toContain('nested deeper');
    expect(ok.code).toBe(2);
  });

  it('a deeply nested shard file is refused before it is parsed', async () => {
    const file = join(tempDir(), 'shard-1-of-2.json');
    const text = `{"format": "interleave-shard-results", "version": 1, "shard": {"index": 1, "of": 2}, "runs": [${deep(100_000)}]}`;
    writeFileSync(file, text);
    await refused(['merge', file], `interleave: ${file}: nested deeper than the 64-level limit (at character ${text.indexOf('[') + 63})`);
  });

  it('every number of the schema is bounded: runaway.seconds 1e9 (a replay that waited forever), negative or fractional counts', async () => {
    const runaway = hostileTrace('runaway.json', (t) => t.replace(/\n}\n$/, ',\n"runaway": {"seconds": 1e9}\n}\n'));
    await refused(['replay', runaway], `interleave: ${runaway}: invalid field runaway.seconds: Too big: expected number to be <=3600`);
    const time = hostileTrace('time.json', (t) => t.replace('"step": 0,', '"step": 0, "time": -1,'));
    await refused(['replay', time], `interleave: ${time}: invalid field events.0.time: Too small: expected number to be >=0`);
    const attempts = hostileTrace('attempts.json', (t) => t.replace(/\n}\n$/, ',\n"shrink": {"original": {"steps": 1, "preemptions": -1}, "attempts": 1.5}\n}\n'));
    await refused(['replay', attempts], `interleave: ${attempts}: invalid field shrink.original.preemptions: Too small: expected number to be >=0`);
  });

  it('--watchdog refuses more than the hour a trace may record', async () => {
    const r = await inProcess(['replay', GOOD, '--watchdog', '4000']);
    expect(r.stderr).toContain("error: option '--watchdog <seconds>' argument '4000' is invalid. --watchdog must be at most 3600");
    expect(r.code).toBe(2);
  });
});

/** A trace the schema accepts with `tasks` tasks that all ran and `rounds` operations each, failing stuck with every task blocked. */
function hugeTrace(tasks: number, rounds: number): Trace {
  const names = Array.from({ length: tasks }, (_, i) => (i === 0 ? 'main' : `worker-${i}`));
  const events: Trace['events'] = [];
  let step = 0;
  for (let r = 0; r < rounds; r++) for (const task of names) events.push({ step: step++, task, op: r === 0 ? 'start' : 'read', ...(r === 0 ? {} : { obj: 'v', result: String(r) }) });
  for (const task of names) events.push({ step, task, op: 'acquire', obj: 'lock', note: 'blocked' });
  return {
    format: 'interleave-trace',
    version: 1,
    scenario: { name: 'huge' },
    variant: 'wide',
    params: {},
    strategy: { name: 'random', seed: 1 },
    options: { maxSteps: 1_000_000, allowLeaks: false, failOnLockOrder: false },
    decisions: [],
    failure: { kind: 'stuck', message: 'stuck: every task waits', step, tasks: names, blocked: names.map((task) => ({ task, waitsOn: 'lock "lock"' })) },
    counts: { steps: step, preemptions: 0, tasks },
    tasks: names,
    events,
  };
}

describe('formatters on huge traces', () => {
  it('7,000 tasks: a list of events (step  task  event) no wider than the timeline, the failure rows counted past 16; the HTML report a table of events', () => {
    const trace = hugeTrace(7000, 2);
    const text = formatTimeline(trace, { legend: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe(' step  task         event');
    expect(lines.length).toBeLessThan(5030);
    expect(text).toContain('rows not shown');
    expect(lines.at(-1)).toBe('       !! stuck: every task waits');
    expect(lines.at(-2)).toBe('       !! and 6984 more tasks waiting');
    expect(text).toMatch(/worker-6999 +acquire lock \.\. waits/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(TIMELINE_WIDTH);
    const html = renderHtmlReport({ trace, waitGraphSvg: '', replayCommand: 'npx interleave replay huge.json' });
    expect(html).not.toContain('class="lane-head"');
    expect(html).toContain('<table class="list" id="timeline">');
    expect(html).toContain('✖ and 6960 more tasks waiting');
    const { edges, cycle } = waitGraphOfTrace(trace);
    expect(waitGraphDot(edges, cycle)).toContain('"6900 more waits not drawn"');
  });

  it('a trace of 40,000 events keeps the first rows and the last ones, up to the failure', () => {
    const trace = hugeTrace(4, 10_000);
    const lines = formatTimeline(trace, { legend: false }).split('\n');
    expect(lines.length).toBeLessThan(5010);
    expect(lines[2]).toMatch(/^ {4}0 {2}start$/);
    expect(lines).toContain(`${' '.repeat(7)}-- 35004 rows not shown --`);
    expect(lines.at(-2)).toMatch(/^40000 {2}!! waits lock "lock" +!! waits lock "lock"/);
    expect(renderHtmlReport({ trace, waitGraphSvg: '', replayCommand: 'x' })).toContain('30004 rows not shown');
  });
});

const PWNED = 'boom \\x1b]0;pwned\\x07\\x1b[2J\\npasses now: all good';

describe('escaping what a scenario or a trace says', () => {
  it('escapeControl and terminalSafe: one visible escape per control character; interleave\'s own colours pass, and its progress erase at the start of a write', () => {
    expect(escapeControl('a\u001b[2Jb\nc\u0007\u202e\u009b\t')).toBe('a\\x1b[2Jb\\nc\\x07\\u202e\\x9b\\t');
    expect(terminalSafe('\u001b[31mred\u001b[39m\n\u001b]0;t\u0007')).toBe('\u001b[31mred\u001b[39m\n\\x1b]0;t\\x07');
    // The progress line's erase passes at the start of a write only.
    expect(terminalSafe('\r\u001b[2Kp\r\u001b[2K')).toBe('\r\u001b[2Kp\\r\\x1b[2K');
  });

  it('a failure message with \\x1b]0;pwned\\x07 and \\x1b[2J prints escaped in run, replay, ci and explore', async () => {
    const out = tempDir();
    const run = await inProcess(['run', HOSTILE, '--variant', 'buggy', '--no-shrink', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`assertion: AssertionFailure: ${PWNED} in task "main" (step 4)`);
    expect(run.stdout).toContain('worker\\x1b[2J');
    expect(run.stdout).toContain('write v\\x1b[31m\\u202e');
    expect(run.stdout).not.toMatch(RAW);
    expect(run.stdout).not.toMatch(/^passes now/m);

    const trace = join(out, 'hostile-text.buggy.assertion.json');
    const replay = await inProcess(['replay', trace]);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(`reproduced: assertion: AssertionFailure: ${PWNED} in task "main" (step 4)`);
    expect(replay.stdout).not.toMatch(RAW);
    expect(replay.stdout).not.toMatch(/^passes now/m);

    // ci: a variant that claims to pass prints its failure; a trace that no longer replays names its task.
    const traces = tempDir();
    writeFileSync(join(traces, 'changed.json'), readFileSync(trace, 'utf8').replace('"decisions": [', '"decisions": [0, '));
    // A trace of a variant gone since is its own row, not the end of the job.
    writeFileSync(join(traces, 'gone.json'), readFileSync(trace, 'utf8').replace('"variant": "buggy"', '"variant": "gone"'));
    const ci = await inProcess(['ci', '--dir', 'test/fixtures/hostile', '--traces', traces]);
    expect(ci.code).toBe(1);
    expect(ci.stdout).toMatch(/^trace +\S+gone\.json +\? +unreadable +MISMATCH$/m);
    expect(ci.stdout).toContain('gone.json: invalid field variant: scenario "hostile-text" has no variant "gone"; variants are: buggy, claims-pass');
    expect(ci.stdout).toContain(`MISMATCH hostile-text [claims-pass]: expected pass, found assertion\n  assertion: AssertionFailure: ${PWNED} in task "main" (step 4)\n`);
    expect(ci.stdout).toContain('diverged at step 1: expected main to be enabled; enabled were [worker\\x1b[2J]');
    expect(ci.stdout).not.toMatch(RAW);
    expect(ci.stdout).not.toMatch(/^\s*passes now/m);

    const input = Object.assign(new PassThrough(), { isTTY: false });
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const done = exploreCommand(HOSTILE, { dir: 'scenarios', seed: 1, color: false, watchdog: 30 }, { input, output });
    input.end('run\ntimeline\nquit\n');
    expect(await done).toBe(0);
    expect(text).toContain('worker\\x1b[2J');
    expect(text).toContain('boom \\x1b]0;pwned\\x07\\x1b[2J');
    expect(text).not.toMatch(RAW);
  });
});

/** `p`, or a result that says it did not end within `ms`. */
async function bounded(p: Promise<CliResult>, ms: number): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CliResult>((resolve) => (timer = setTimeout(() => resolve({ code: null, signal: null, stdout: '', stderr: `did not end within ${ms} ms` }), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzz: hostile trace files (npm run fuzz runs more)', () => {
  const runs = Number(process.env.FUZZ_RUNS ?? 300);

  it('replay and report --dot, in process, of structural, semantic and hostile-text mutations of committed traces: exit 0-3, errors in one line, no stack, no raw control character', async () => {
    const { dir, remove } = fuzzFolder();
    const codes = new Map<number, number>();
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(hostileTraceText, async (text) => {
          const file = writeCase(dir, n++, text);
          const dot = await bounded(inProcess(['report', file, '--dot']), 20_000);
          expect(verdict(dot), `${dot.stdout}${dot.stderr}`).toBeNull();
          const r = await bounded(inProcess(['replay', file]), 20_000);
          expect(verdict(r), `${r.stdout}${r.stderr}`).toBeNull();
          codes.set(r.code!, (codes.get(r.code!) ?? 0) + 1);
        }),
        { numRuns: runs },
      );
      // Not only refusals: schema-valid mutations reach the replay and end there.
      expect([...codes.keys()].filter((c) => c !== 2).length, JSON.stringify([...codes])).toBeGreaterThan(0);
      if (process.env.FUZZ_RUNS !== undefined) process.stdout.write(`fuzz: ${runs} cases, by exit code: ${JSON.stringify(Object.fromEntries(codes))}\n`);
    } finally {
      remove();
    }
  }, 600_000);

  it('merge, in process, of mutated shard results files: the same verdict', async () => {
    const { dir, remove } = fuzzFolder();
    try {
      const shard = join(dir, 'shard-1-of-1.json');
      expect((await inProcess(['run', 'scenarios/circuit-breaker.ts', '--variant', 'buggy', '--shard', '1/1', '--shard-file', shard, '--out', join(dir, 'out'), '--no-shrink', '-n', '50'])).code).toBe(1);
      const base = JSON.parse(readFileSync(shard, 'utf8')) as Record<string, unknown>;
      let n = 0;
      await fc.assert(
        fc.asyncProperty(hostileJson(base), async (text) => {
          const file = writeCase(dir, n++, text);
          const r = await bounded(inProcess(['merge', file, '--no-shrink', '--out', join(dir, 'out')]), 20_000);
          expect(verdict(r), `${r.stdout}${r.stderr}`).toBeNull();
        }),
        { numRuns: Math.ceil(runs / 3) },
      );
    } finally {
      remove();
    }
  }, 600_000);

  it('through the binary: replay, report --dot and ci over a folder of hostile traces', async () => {
    const { dir, remove } = fuzzFolder();
    try {
      const cases = fc.sample(hostileTraceText, 12).map((text, i) => writeCase(dir, i, text));
      const [replay, report, ci] = await Promise.all([cli(['replay', cases[0]!]), cli(['report', cases[1]!, '--dot']), cli(['ci', '--dir', 'test/fixtures/hostile', '--traces', dir])]);
      for (const r of [replay, report, ci]) expect(verdict(r), `${r.stdout}${r.stderr}`).toBeNull();
    } finally {
      remove();
    }
  });
});
