import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBoundedText } from '../../src/trace/limits.js';
import { inProcess, noStack, ROOT, tempDir } from './cli.js';

/**
 * Issue #23, "a trace is data, never code": hostile trace and shard files end in one line and
 * exit 2 (size, depth, numbers), the formatters draw any trace the schema accepts, and text
 * from a scenario or a trace never reaches the terminal as escape sequences.
 */

const GOOD = join(ROOT, 'traces/circuit-breaker.buggy.assertion.json');
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
