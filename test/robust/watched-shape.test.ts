import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD, cli, HANG_MS, tempDir } from './cli.js';

/**
 * PCT's shape (src/shape.ts) is measured by running the scenario once. A watched split run
 * (`--workers 2 --watchdog`) measured it in the coordinator, which no watchdog watches, so a
 * scenario whose first-enabled schedule spins hung the run for good; its blocks now measure it
 * in their watched threads (src/parallel/exploreParallel.ts).
 */
describe('a watched split pct or portfolio run whose measuring run spins', () => {
  it('reports the runaway livelock with a trace (exit 1) instead of hanging', async () => {
    const r = await cli(['run', join(BAD, 'runaway.ts'), '--strategy', 'portfolio', '--watchdog', '0.25', '--workers', '2', '--no-shrink', '--out', tempDir()]);
    expect(r.signal).toBeNull();
    expect(r.stdout).toMatch(/^runaway \[only\] portfolio seed 1: 1 execution, \d+\/s: livelock/m);
    expect(r.stdout).toMatch(/ran for more than 0\.25 s without reaching a scheduling point .* after step 2 of execution 0$/m);
    expect(r.stdout).toMatch(/^replay: npx interleave replay \S+runaway\.only\.livelock\.json$/m);
    expect(r.code).toBe(1);
  }, HANG_MS);
});
