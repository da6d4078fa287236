import { describe, expect, it } from 'vitest';
import { cli, HANG_MS } from '../robust/cli.js';

// A check of the bundled scenarios rather than of a feature (ci --check-determinism itself is
// tested in test/robust/split-checks.test.ts): every execution of every variant replayed twice.
describe('ci --check-determinism over the bundled scenarios', () => {
  it('the bundled scenarios are deterministic: every variant matches with every execution checked', async () => {
    const r = await cli(['ci', '--check-determinism', '--traces', 'no-such-folder']);
    expect(r.stdout).toMatch(/^\d+ matched, 0 mismatched$/m);
    expect(r.code).toBe(0);
  }, HANG_MS);
});
