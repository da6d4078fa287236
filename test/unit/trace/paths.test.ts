import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { displayLocation, displayPath, mapLocation, portablePath, projectRoot, rebaseTrace } from '../../../src/trace/paths.js';
import type { Trace } from '../../../src/trace/schema.js';
import { tempDir } from '../../robust/cli.js';

/** A project folder `p` (with a package.json) holding `p/scen/a.ts`, and a folder `other` beside it. */
function layout(): { p: string; other: string } {
  const top = tempDir('interleave-paths-');
  const p = join(top, 'p');
  mkdirSync(join(p, 'scen'), { recursive: true });
  mkdirSync(join(p, 'traces'));
  writeFileSync(join(p, 'package.json'), '{}');
  writeFileSync(join(p, 'scen/a.ts'), '');
  const other = join(top, 'other');
  mkdirSync(other);
  return { p, other };
}

describe('trace paths', () => {
  afterEach(() => vi.restoreAllMocks());

  it("a controlled call's site moves with the trace between roots, as the failure's location does; other events are kept as they are", () => {
    const start = { step: 0, task: 'main', op: 'start' };
    const trace = { scenario: { name: 'x', file: 'scen/a.ts' }, failure: null, events: [start, { step: 1, task: 'load', op: 'call', obj: 'load("k")', site: 'scen/a.ts:9' }] } as unknown as Trace;
    const moved = rebaseTrace(trace, join('/top', 'p'), '/top');
    expect(moved.scenario.file).toBe('p/scen/a.ts');
    expect(moved.events.map((e) => e.site)).toEqual([undefined, 'p/scen/a.ts:9']);
    expect(moved.events[0]).toBe(start);
  });

  it('the project root is the nearest folder with a package.json or node_modules, else the folder itself', () => {
    const { p, other } = layout();
    expect(projectRoot(join(p, 'traces'))).toBe(p);
    expect(projectRoot(p)).toBe(p);
    expect(projectRoot(other)).toBe(other);
  });

  it('portable paths are relative to the root, with / separators, never absolute', () => {
    const { p, other } = layout();
    expect(portablePath(join(p, 'scen/a.ts'), p)).toBe('scen/a.ts');
    expect(portablePath(join(other, 'b.ts'), p)).toBe('../other/b.ts');
  });

  it('shown paths are relative to the working directory inside it, else absolute (a path a user can open)', () => {
    const { p } = layout();
    vi.spyOn(process, 'cwd').mockReturnValue(p);
    expect(displayPath('scen/a.ts', p)).toBe('scen/a.ts');
    expect(displayLocation('scen/a.ts:26', p)).toBe('scen/a.ts:26');
    vi.spyOn(process, 'cwd').mockReturnValue(join(p, 'traces'));
    expect(displayLocation('scen/a.ts:26', p)).toBe(`${join(p, 'scen/a.ts')}:26`);
    expect(displayLocation(`${join(p, 'traces/b.ts')}:3`)).toBe('b.ts:3');
  });

  it('a location is mapped by its path; its line, or its absence, is kept; other text is left as is', () => {
    expect(mapLocation('/x/a.ts:12', (f) => f.toUpperCase())).toBe('/X/A.TS:12');
    expect(mapLocation('/x/a.mts', (f) => f.toUpperCase())).toBe('/X/A.MTS');
    expect(mapLocation('new Promise (<anonymous>)', () => 'no')).toBe('new Promise (<anonymous>)');
  });
});
