import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeTrace, encodeTrace, explore, readTrace, replayTrace, TraceFileError, traceFileName, traceJsonSchema, writeTrace, type ScenarioDefinition } from 'interleave';
import lostUpdate from '../fixtures/scenarios/lost-update.js';
import lockOrder from '../fixtures/scenarios/lock-order.js';

describe('traces', () => {
  it('round trip: explore finds a bug, save, load, replay: same kind, step and message', async () => {
    for (const s of [lostUpdate, lockOrder] as ScenarioDefinition<object>[]) {
      const r = await explore(s, { variant: 'buggy', seed: 7 });
      expect(r.failure).not.toBeNull();
      const dir = mkdtempSync(join(tmpdir(), 'interleave-'));
      const file = traceFileName(dir, r.trace!);
      writeTrace(file, r.trace!);
      const loaded = readTrace(file);
      expect(loaded).toEqual(r.trace);
      const report = await replayTrace(s, loaded);
      expect(report.outcome).toBe('reproduced');
      expect(report.result.failure?.kind).toBe(r.failure!.kind);
      expect(report.result.failure?.step).toBe(r.failure!.step);
      expect(report.result.failure?.message).toBe(r.failure!.message);
      expect(encodeTrace(report.trace)).toBe(encodeTrace(loaded));
    }
  });

  it('same scenario, seed and options: the same trace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (seed) => {
        const a = await explore(lostUpdate, { variant: 'buggy', seed, iterations: 50 });
        const b = await explore(lostUpdate, { variant: 'buggy', seed, iterations: 50 });
        expect(a.executions).toBe(b.executions);
        expect(a.trace === null ? null : encodeTrace(a.trace)).toBe(b.trace === null ? null : encodeTrace(b.trace));
      }),
      { numRuns: 25 },
    );
  });

  it('byte-identical trace JSON from two separate processes', () => {
    const script = `
      const { explore, encodeTrace } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
      const { tsImport } = await import('tsx/esm/api');
      const mod = await tsImport(${JSON.stringify(new URL('../fixtures/scenarios/lost-update.ts', import.meta.url).href)}, import.meta.url);
      const r = await explore(mod.default, { variant: 'buggy', seed: 42 });
      process.stdout.write(encodeTrace(r.trace));`;
    const run = (): string => execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
    const first = run();
    expect(first).toContain('"format": "interleave-trace"');
    expect(run()).toBe(first);
  });

  it('a changed scenario is reported as diverged at the step where it differs', async () => {
    const r = await explore(lostUpdate, { variant: 'buggy', seed: 3 });
    const changed = { ...lostUpdate, async run(t: Parameters<typeof lostUpdate.run>[0]) {
      const counter = t.variable('counter', 0);
      const inc = async (): Promise<void> => {
        const v = await counter.get();
        await counter.update(() => v + 1);
      };
      const a = t.spawn('worker-1', inc);
      const b = t.spawn('worker-2', inc);
      await a.join();
      await b.join();
    } };
    const report = await replayTrace(changed, r.trace!);
    expect(report.outcome).toBe('diverged');
    expect(report.message).toMatch(/^diverged at step \d+: worker-\d announced update counter where the trace recorded write counter$/);
  });

  it('the loader rejects bad files with one line naming the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interleave-bad-'));
    const write = (name: string, text: string): string => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const cases: [string, string, RegExp][] = [
      ['empty.json', '', /empty\.json: the file is empty/],
      ['trunc.json', '{"format": "interleave-trace", "vers', /trunc\.json: not valid JSON .*truncated/],
      ['fmt.json', '{"format": "other"}', /fmt\.json: unknown format "other"/],
      ['ver.json', '{"format": "interleave-trace", "version": 9}', /ver\.json: unsupported trace version 9/],
      ['field.json', JSON.stringify({ format: 'interleave-trace', version: 1, scenario: { name: 'x' }, variant: 'v' }), /field\.json: invalid field params/],
    ];
    for (const [name, text, re] of cases) {
      const f = write(name, text);
      expect(() => readTrace(f)).toThrow(TraceFileError);
      expect(() => readTrace(f)).toThrow(re);
    }
    expect(() => readTrace(join(dir, 'missing.json'))).toThrow(/missing\.json: no such file/);
  });

  it('mutated traces never make the loader fail with anything but a TraceFileError', async () => {
    const r = await explore(lostUpdate, { variant: 'buggy', seed: 1 });
    const text = encodeTrace(r.trace!);
    fc.assert(
      fc.property(fc.nat(text.length), fc.nat(text.length), fc.string({ maxLength: 5 }), (cut, at, junk) => {
        const mutated = text.slice(0, cut) + junk + text.slice(Math.min(text.length, at));
        try {
          decodeTrace(mutated, 'm.json');
        } catch (e) {
          expect(e).toBeInstanceOf(TraceFileError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the published JSON Schema is the one the code validates with', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/trace.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(traceJsonSchema())));
  });

  it('trace file names cannot escape the output folder', () => {
    const file = traceFileName('/tmp/out', { scenario: { name: '../../etc/passwd' }, variant: '../x', failure: null });
    expect(file.startsWith('/tmp/out/')).toBe(true);
    expect(file).toBe('/tmp/out/etc-passwd.x.pass.json');
  });
});
