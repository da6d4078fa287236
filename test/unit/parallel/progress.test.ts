import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../src/explore.js';
import { exploreParallel } from '../../../src/parallel/exploreParallel.js';
import { searchParallel } from '../../../src/parallel/searchParallel.js';
import { ProgressLine } from '../../../src/report/progress.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}.ts`, import.meta.url));

/** A split run's progress (what `run --workers n` shows on stderr, as an unsplit run does). */
describe('progress of split runs', () => {
  it('blocks: the executions told grow to the run\'s count, on 1 worker and 2', async () => {
    for (const workers of [1, 2]) {
      const told: Progress[] = [];
      const r = await exploreParallel({ file: fixture('scenarios/lost-update'), variant: 'fixed', iterations: 3000, workers, onProgress: (p) => told.push(p) });
      // One per block of 250.
      expect(told.length).toBe(12);
      expect(told.map((p) => p.executions)).toEqual([...told.map((p) => p.executions)].sort((a, b) => a - b));
      expect(told.at(-1)!.executions).toBe(r.executions);
      expect(told.every((p) => p.failures === 0 && p.elapsedMs >= 0)).toBe(true);
    }
  });

  it('a failing block is counted as a failure', async () => {
    const told: Progress[] = [];
    await exploreParallel({ file: fixture('scenarios/lost-update'), variant: 'buggy', iterations: 1000, onProgress: (p) => told.push(p) });
    expect(told.at(-1)!.failures).toBe(1);
  });

  it('search pieces, the prefix included: the executions told add up to the search\'s', async () => {
    for (const workers of [1, 2]) {
      const told: Progress[] = [];
      const r = await searchParallel({ file: fixture('split/philosophers'), variant: 'fixed', strategy: 'dfs', workers, onProgress: (p) => told.push(p) });
      expect(told.length).toBeGreaterThan(1);
      expect(told.at(-1)!.executions).toBe(r.executions);
    }
  });
});

describe('the progress line', () => {
  it('shows nothing in a run\'s first quarter second (a split run tells its first block at once), then a plain line every 5 s off a terminal', () => {
    const lines: string[] = [];
    const line = new ProgressLine({ isTTY: false, write: (s: string) => lines.push(s) });
    const at = (elapsedMs: number, executions: number): void => line.update({ label: 'x [fixed]', executions, elapsedMs, failures: 0 }, elapsedMs);
    at(5, 250);
    at(200, 5000);
    expect(lines).toEqual([]);
    at(300, 7000);
    at(4000, 90000);
    at(5400, 120000);
    expect(lines).toEqual(['x [fixed]: 7000 executions, 23333/s, 0.3s, 0 failures\n', 'x [fixed]: 120000 executions, 22222/s, 5.4s, 0 failures\n']);
  });
});
